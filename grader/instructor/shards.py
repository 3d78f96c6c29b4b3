"""`grader batch --shard auto[/N]`: which shard this job is, from the job runner's environment.

``--shard i/n`` (1-based) says it outright. ``--shard auto`` reads it from the variables the
runner sets in each job, and ``--shard auto/N`` also gives the count, where the runner does not
(a Kubernetes Job) or to check it (a count that disagrees with the runner's is refused):

- Kubernetes Indexed Job (``completionMode: Indexed``): ``JOB_COMPLETION_INDEX``, 0-based
  (https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode). No variable
  holds ``spec.completions``, so the count is the N of ``auto/N``.
- Slurm job array: ``SLURM_ARRAY_TASK_ID`` with ``SLURM_ARRAY_TASK_MIN``,
  ``SLURM_ARRAY_TASK_STEP`` and ``SLURM_ARRAY_TASK_COUNT``
  (https://slurm.schedmd.com/job_array.html). The shard is the task's position in the array,
  ``(ID - MIN) / STEP``, so ``--array=1-8`` and ``--array=0-14:2`` both give shards 1..8; an
  array that is not such a range (``--array=1,2,7``) has no position to read and is refused.
- Anything else, e.g. a GitHub Actions matrix, which exposes no variable of its own: the
  workflow sets ``GRADER_SHARD_INDEX`` (0-based) and ``GRADER_SHARD_COUNT`` from the
  ``strategy.job-index`` and ``strategy.job-total`` contexts (docs/scale.md has the workflow).

No runner variable, or those of two runners at once, or a value that is not a number in range:
one line naming the variables, and `grader batch` exits 2 before grading anything.
"""

import re

from ..errors import UsageError
from ..i18n import _

KUBERNETES, SLURM, GRADER = "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "GRADER_SHARD_INDEX"
AUTO = re.compile(r"\s*auto\s*(?:/\s*(?P<count>\S*)\s*)?", re.I)


def is_auto(text) -> bool:
    return bool(text) and AUTO.fullmatch(text) is not None


def _number(environ, name: str, minimum: int) -> int:
    value = environ.get(name, "")
    if not re.fullmatch(r"\s*\d+\s*", value) or int(value) < minimum:
        shown = _("unset") if name not in environ else repr(value)
        raise UsageError(_("--shard auto: {name} must be a whole number >= {minimum} (it is {shown})").format(
            name=name, minimum=minimum, shown=shown))
    return int(value)


def _slurm(environ) -> tuple:
    """(0-based position, count) of this task in its Slurm array."""
    task = _number(environ, SLURM, 0)
    first = _number(environ, "SLURM_ARRAY_TASK_MIN", 0)
    count = _number(environ, "SLURM_ARRAY_TASK_COUNT", 1)
    highest = _number(environ, "SLURM_ARRAY_TASK_MAX", first) if "SLURM_ARRAY_TASK_MAX" in environ else None
    if "SLURM_ARRAY_TASK_STEP" in environ:
        step = _number(environ, "SLURM_ARRAY_TASK_STEP", 1)
    elif highest is not None and count > 1:   # a list such as --array=1,3,5: spaced by its range
        step = max((highest - first) // (count - 1), 1)
    else:
        step = 1
    last = first + (count - 1) * step
    if highest is not None and highest != last:
        raise UsageError(_("--shard auto: this Slurm array is not an evenly spaced range (e.g. --array=1,2,7), so a "
                           "task has no shard number; submit --array=0-N-1, or pass --shard i/n yourself"))
    if (task - first) % step or not first <= task <= last:
        raise UsageError(_("--shard auto: {variable}={task} is not one of the evenly spaced tasks {first}-{last}:{step}; "
                           "submit an array such as --array=0-N-1, or pass --shard i/n yourself").format(
            variable=SLURM, task=task, first=first, last=last, step=step))
    return (task - first) // step, count


def shard_from_environment(text: str, environ) -> tuple:
    """(index, count), 1-based as in ``--shard i/n``, for ``--shard auto`` or ``auto/N``."""
    given = AUTO.fullmatch(text)["count"]
    if given is not None and not re.fullmatch(r"\d+", given) or given is not None and int(given) < 1:
        raise UsageError(_("--shard auto/N needs a whole number N >= 1 (got {text!r})").format(text=text))
    given = int(given) if given is not None else None
    present = [name for name in (KUBERNETES, SLURM, GRADER) if name in environ]
    if not present:
        raise UsageError(_("--shard auto found no shard in the environment: none of {kubernetes} (Kubernetes Indexed "
                           "Job), {slurm} (Slurm array) or {grader} (set it, 0-based, with GRADER_SHARD_COUNT, e.g. "
                           "from a GitHub Actions matrix) is set; or pass --shard i/n").format(
            kubernetes=KUBERNETES, slurm=SLURM, grader=GRADER))
    if len(present) > 1:
        raise UsageError(_("--shard auto: {names} are both set, so the shard is ambiguous; "
                           "unset one or pass --shard i/n").format(names=_(" and ").join(present)))
    source = present[0]
    if source == KUBERNETES:
        index, count = _number(environ, KUBERNETES, 0), given
        if count is None:
            raise UsageError(_("--shard auto: {variable} is set but Kubernetes does not expose the Job's "
                               "completions; pass --shard auto/N with N = spec.completions").format(variable=KUBERNETES))
    elif source == SLURM:
        index, count = _slurm(environ)
    else:
        index, count = _number(environ, GRADER, 0), _number(environ, "GRADER_SHARD_COUNT", 1)
    if given is not None and given != count:
        raise UsageError(_("--shard auto/{given} disagrees with the environment, which says {count} shards ({source})").format(
            given=given, count=count, source=source))
    if index >= count:
        raise UsageError(_("--shard auto: {source} gives shard index {index} (0-based) "
                           "but there are only {count} shards").format(source=source, index=index, count=count))
    return index + 1, count
