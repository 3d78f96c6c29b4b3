"""`SafeDeduplicateIds`: a copied nbgrader cell must not abort the whole autograde batch.

When a student copies a cell in Jupyter, the copy keeps the cell's nbgrader metadata, so two
cells share a ``grade_id``. nbgrader 0.9.6's DeduplicateIds keeps the last one and sets the
others' metadata to ``{}``; CheckCellMetadata then reads ``{}`` as schema version 0 and raises
SchemaTooOldError, which nbgrader re-raises, so every student after this one in the batch is
left ungraded (jupyter/nbgrader#1083, open; fix PR #1753 unmerged).
Dropping the key instead turns the copies into plain cells, which is what DeduplicateIds means.
"""

from nbgrader.preprocessors import DeduplicateIds


class SafeDeduplicateIds(DeduplicateIds):
    """DeduplicateIds that removes the ``nbgrader`` key of duplicates instead of emptying it."""

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.metadata.get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]
        return cell, resources
