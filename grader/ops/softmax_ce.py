"""softmax_ce: the mean cross-entropy of softmax(logits) (N, C) at integer labels (N,); the one-hot,
the mean's 1/N, the softmax axis, grad_out, overflow."""

import numpy as np

from ..core.diagnoses.factors import named
from ..core.diagnoses.failure import num
from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Diagnosis, Hypothesis
from ..i18n import N_, _

EXP_LIMIT = 700.0  # exp() overflows float64 beyond ~709.78; the stability family goes to 1000


def _softmax(z, axis):
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _parts(f):
    logits, labels = f.inputs[0].astype(np.float64), f.inputs[1].astype(np.int64)
    return logits, labels, float(f.d) / logits.shape[0], np.eye(logits.shape[1])[labels]


def _no_onehot(f):
    logits, _, scale, _ = _parts(f)
    return scale * _softmax(logits, 1)


def _label_columns(f):
    logits, labels, scale, _ = _parts(f)
    columns = np.zeros_like(logits)
    columns[:, labels] = 1.0
    return scale * (_softmax(logits, 1) - columns)


def _softmax_over_rows(f):
    logits, _, scale, onehot = _parts(f)
    return scale * (_softmax(logits, 0) - onehot)


HYPOTHESES = (
    Hypothesis("missing_onehot", _no_onehot, lambda f: (
        _("{name} matches softmax(logits) * grad_out / N: the one-hot of the labels was not subtracted; the "
          "gradient is (softmax - onehot(labels)) / N").format(name=f.name))),
    Hypothesis("wrong_label_index", _label_columns, lambda f: (
        _("{name} matches probs[:, labels] -= 1, which subtracts 1 in every row at every label's column: index "
          "one entry per row, probs[np.arange(N), labels] -= 1").format(name=f.name))),
    Hypothesis("wrong_softmax_axis", _softmax_over_rows, lambda f: (
        _("{name} matches a softmax taken over axis 0 (down the rows): normalise each row over its classes "
          "instead, with axis=1, keepdims=True").format(name=f.name))),
)


def _rows(f):
    return f.inputs[0].shape[0] if f.position == 0 and f.inputs[0].ndim == 2 else None


def _upstream(f):
    return float(f.d) if f.d.ndim == 0 and float(f.d) != 0 else None


def _when(condition, value):
    return value if condition else None


FACTORS = (
    named("ignored_upstream", lambda f: _when(_upstream(f), 1.0 / (_upstream(f) or 1)), lambda f: (
        _("{name} ignores grad_out: it is right only for grad_out = 1; multiply by grad_out (a 0-d value, here "
          "{num})").format(name=f.name, num=num(_upstream(f))))),
    named("upstream_applied_twice", _upstream, lambda f: (
        (_("{name} is multiplied by grad_out twice (it is grad_out = {num} times the right gradient)")
         .format(name=f.name, num=num(_upstream(f)))))),
    named("missing_mean", lambda f: _when((_rows(f) or 0) > 1, float(_rows(f) or 0)), lambda f: (
        _("{name} is N = {rows} times too large: the loss is the mean over the N rows, so divide the gradient "
          "by N").format(name=f.name, rows=_rows(f)))),
    named("mean_taken_twice", lambda f: _when((_rows(f) or 0) > 1, 1.0 / (_rows(f) or 1)), lambda f: (
        (_("{name} is 1/N = 1/{rows} of the right gradient: it is divided by N twice; divide once")
         .format(name=f.name, rows=_rows(f))))),
    named("ignored_upstream",
          lambda f: _when((_rows(f) or 0) > 1 and _upstream(f), (_rows(f) or 0) / (_upstream(f) or 1)),
          lambda f: (_("{name} ignores grad_out and is not divided by N = {rows}: multiply by grad_out and "
                       "divide by N").format(name=f.name, rows=_rows(f)))),
    named("divided_by_classes", lambda f: _when(_rows(f) is not None and f.inputs[0].shape[1] != _rows(f),
                                                (_rows(f) or 0) / f.inputs[0].shape[1]), lambda f: (
        (_("{name} is divided by C = {shape} (the number of classes) instead of N = {rows} (the number of rows)")
         .format(name=f.name, shape=f.inputs[0].shape[1], rows=_rows(f))))),
)


def nonfinite(f, what) -> Diagnosis:
    """Naive exp(logits) overflows (max > ~709) or underflows a whole row (all < ~-745); a shift by
    the batch's global maximum underflows every row far below it. Tell them apart by which rows broke."""
    got = f.got
    if got.ndim != 2:
        return Diagnosis()
    bad_rows = ~np.isfinite(got).all(axis=1)
    logits = f.inputs[0].astype(np.float64)
    row_max, top = logits.max(axis=1), float(logits.max())
    big = row_max > EXP_LIMIT
    fix = _("subtract each row's own maximum before exp (logits - logits.max(axis=1, keepdims=True))")
    if (bad_rows & big).any():
        row = int(np.flatnonzero(bad_rows & big)[0])
        return Diagnosis("overflow", (_("{name} is {what} in row {row}, whose largest logit is {num}: "
                                        "exp(logits) overflows there; {fix}")
                                      .format(name=f.name, what=what, row=row, num=num(row_max[row]), fix=fix)))
    row = int(np.flatnonzero(bad_rows)[0])
    if (big & ~bad_rows).any() or top - row_max[row] > EXP_LIMIT > -row_max[row]:
        return Diagnosis("overflow", (_("{name} is {what} in row {row}, whose logits are all at least {num} "
                                        "below the largest logit of the batch: subtracting that global maximum "
                                        "makes exp underflow to 0 in the row (0/0 = nan); {fix}")
                                      .format(name=f.name, what=what, row=row, num=num(top - row_max[row]), fix=fix)))
    if row_max[row] < -EXP_LIMIT:
        return Diagnosis("overflow", (_("{name} is {what} in row {row}, whose logits are all below {num}: exp "
                                        "of the raw logits underflows to 0 in the whole row (0/0 = nan), and it "
                                        "overflows above 709; {fix}")
                                      .format(name=f.name, what=what, row=row, num=num(row_max[row]), fix=fix)))
    return Diagnosis()


def _nonfinite(f, what, where) -> Diagnosis:
    return nonfinite(f, what)


# --------------------------------------------------------------------------- families

def _cases(rows, kind="gradient", extreme=False):
    from hypothesis import strategies as st

    from ..core import strategies as s

    rows = st.just(rows) if isinstance(rows, int) else st.integers(*rows)

    @st.composite
    def softmax_ce(draw):
        n, c = draw(rows), draw(st.integers(2, 7))
        rng = s.rng(draw)
        if extreme:
            # Rows centred anywhere in [-1000, 1000]: exp() of a raw logit overflows. Half the rows
            # spread widely (a confident softmax), half tightly (a soft one at a huge offset).
            centre = rng.uniform(-1000.0, 1000.0, size=(n, 1))
            spread = np.where(rng.random((n, 1)) < 0.5, 300.0, 2.0)
            logits = centre + spread * rng.standard_normal((n, c))
        else:
            logits = s.normal(rng, (n, c), draw(st.sampled_from([0.5, 1.0, 3.0])))
        labels = rng.integers(0, c, size=n).astype(np.int64)
        grad_outs, mix = s.calls(rng, None, kind, upstream=lambda rng, _: s.loss_upstream(rng))
        family = "stability" if extreme else "single_row" if n == 1 else "batch"
        return s.Case((logits, labels), grad_outs, mix, family)
    return softmax_ce()


def _either(kind):
    from hypothesis import strategies as st

    return st.one_of(_cases((1, 8), kind), _cases((1, 6), kind, extreme=True))


OP = OpSpec(
    key="softmax_ce", class_name="SoftmaxCrossEntropy", inputs=("logits", "labels"), integer_inputs=("labels",),
    doc=N_("mean cross-entropy of softmax(logits) at the labels"),
    properties=(
        Property("softmax_ce", "single_row", N_("N = 1 row"), lambda: _cases(1)),
        Property("softmax_ce", "batch", N_("N >= 2 rows: the loss is a mean over rows"), lambda: _cases((2, 8))),
        Property("softmax_ce", "stability", N_("logits as large as +-1000: no overflow, no NaN"),
                 lambda: _cases((1, 6), extreme=True)),
        Property("softmax_ce", "upstream", UPSTREAM_DOC, lambda: _cases(1, "upstream"), "upstream"),
        Property("softmax_ce", "no_mutation", NO_MUTATION_DOC, lambda: _either("no_mutation"), "no_mutation"),
    ),
    points={"single_row": 3, "batch": 5, "stability": 4, "upstream": 3, "no_mutation": 2},
    hypotheses=HYPOTHESES,
    factors=FACTORS,
    nonfinite=_nonfinite,
)
