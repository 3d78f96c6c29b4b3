"""`ClearHiddenTests`, without the config warning nbgrader prints on every ``generate_feedback``.

nbconvert's HTML exporter sets ``NbConvertBase.display_data_priority`` for everything it runs, and
nbgrader's preprocessors declare that trait without ``config=True``, so traitlets logs "Config
option `display_data_priority` not recognized by `ClearHiddenTests`". The warning is harmless:
ClearHiddenTests never reads the trait. Declaring it configurable, as nbgrader's own GetGrades
does, silences it.
"""

from nbgrader.preprocessors import ClearHiddenTests as NbgraderClearHiddenTests
from traitlets import List


class ClearHiddenTests(NbgraderClearHiddenTests):
    """nbgrader's ClearHiddenTests, with ``display_data_priority`` configurable (see above)."""

    display_data_priority = List(NbgraderClearHiddenTests.class_traits()["display_data_priority"].default_value,
                                 config=True)
