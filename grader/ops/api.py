"""What an op module imports: the names a course's own op modules may rely on (kept stable).

An op module defines ``OP = OpSpec(...)`` (grader/core/contract.py lists the fields). Its
strategies are built inside the `Property` factories, importing Hypothesis and `grader.ops.draws`
there, so grading from a stored bank never imports Hypothesis. docs/extending.md walks through one.
"""

from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Case, Property
from ..core.contract import OpSpec
from ..core.diagnoses.factors import named as factor
from ..core.diagnoses.mistakes import Diagnosis, Hypothesis

__all__ = ["NO_MUTATION_DOC", "UPSTREAM_DOC", "Case", "Diagnosis", "Hypothesis", "OpSpec", "Property", "factor"]
