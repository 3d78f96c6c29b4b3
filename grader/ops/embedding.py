"""embedding: scattering grad_out rows into grad_weight, repeated indices, multi-dim indices.

Every hypothesis predicts the whole grad_weight the student's code would return: indexed
assignment keeps the last of a repeated index's rows, a loop over the first axis drops repeats
inside one row of indices, a mean instead of a sum, a start from weight, ...
"""

import itertools

import numpy as np

from ..core.diagnoses.failure import shape_text
from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Hypothesis
from ..i18n import N_, _


def _parts(f):
    """(weight, flat indices, grad_out rows, counts), or None when the shapes do not fit an embedding."""
    if f.position != 0 or f.got is None or f.expected is None:
        return None
    weight, indices = f.inputs[0].astype(np.float64), f.inputs[1].astype(np.int64)
    if weight.ndim != 2 or f.d.shape != indices.shape + weight.shape[1:]:
        return None
    flat = indices.ravel()
    return weight, flat, f.d.reshape(flat.size, weight.shape[1]), np.bincount(flat, minlength=len(weight))


def _applies(predict):
    def guarded(f):
        parts = _parts(f)
        return None if parts is None else predict(f, *parts)
    return guarded


@_applies
def _unscattered(f, weight, flat, rows, counts):
    if f.got.shape == f.d.shape:
        return f.d
    return rows if rows.shape == f.got.shape else None


def _unscattered_sentence(f):
    if f.got.shape != f.expected.shape:
        return ((_("{name} has grad_out's shape {shape_text}, not weight's shape {shape_text2}: start from "
                   "np.zeros_like(weight) and add each grad_out row into the row it was looked up from "
                   "(np.add.at(grad_weight, indices, grad_out))")
                 .format(name=f.name, shape_text=shape_text(f.got.shape), shape_text2=shape_text(f.expected.shape))))
    return ((_("{name} is grad_out itself, row for row: row i of grad_out belongs to row indices[i] of "
               "grad_weight; scatter it there with np.add.at(grad_weight, indices, grad_out)")
             .format(name=f.name)))


@_applies
def _counts(f, weight, flat, rows, counts):
    return np.repeat(counts[:, None].astype(np.float64), weight.shape[1], axis=1)


@_applies
def _mean_of_repeats(f, weight, flat, rows, counts):
    return f.expected / np.maximum(counts, 1)[:, None] if (counts > 1).any() else None


@_applies
def _from_weight(f, weight, flat, rows, counts):
    return f.expected + weight


@_applies
def _last_write_wins(f, weight, flat, rows, counts):
    """grad_weight[indices] = grad_out or += grad_out: NumPy keeps one row per repeated index."""
    if not (counts > 1).any():
        return None
    predicted = np.zeros_like(weight)
    predicted[flat] = rows
    return predicted


@_applies
def _one_row_per_repeat(f, weight, flat, rows, counts):
    """Each repeated index holds just one of its rows (whichever a loop kept); the other rows are right."""
    predicted = f.expected.copy()
    repeated = np.flatnonzero(counts > 1)
    for v in repeated:
        kept = next((row for row in rows[flat == v] if f.close(f.got[v], row)), None)
        if kept is None:
            return None
        predicted[v] = kept
    return predicted if len(repeated) else None


@_applies
def _partial_sums(f, weight, flat, rows, counts):
    """Each repeated index holds the sum of some of its rows (a loop that drops a few); others are right."""
    predicted = f.expected.copy()
    repeated = np.flatnonzero(counts > 1)
    for v in repeated:
        mine = rows[flat == v]
        if not 2 <= len(mine) <= 10:
            return None
        chosen = np.array(list(itertools.product((0.0, 1.0), repeat=len(mine))))[1:]
        total = next((t for t in chosen @ mine if f.close(f.got[v], t)), None)
        if total is None:
            return None
        predicted[v] = total
    return predicted if len(repeated) else None


def _repeat_sentence(f, kept_one):
    _weight, flat, rows, counts = _parts(f)
    bad = [v for v in np.flatnonzero(counts > 1) if not f.close(f.got[v], f.expected[v])]
    v = int(bad[0])
    k = int(counts[v])
    if kept_one:
        return ((_("index {v} appears {k} times in indices, but grad_weight[{v}] holds only one of its {k} "
                   "grad_out rows: indexed assignment (grad_weight[indices] = ... or += ...) keeps one value "
                   "per repeated index; use np.add.at(grad_weight, indices, grad_out) to add them all")
                 .format(v=v, k=k)))
    return ((_("index {v} appears {k} times in indices, but grad_weight[{v}] is not the sum of its {k} grad_out "
               "rows: repeated indices must add up; use np.add.at(grad_weight, indices, grad_out)")
             .format(v=v, k=k)))


@_applies
def _loop_over_first_axis(f, weight, flat, rows, counts):
    """for i: grad_weight[indices[i]] += grad_out[i]: repeats inside one row of indices collapse."""
    indices = f.inputs[1].astype(np.int64)
    if indices.ndim < 2:
        return None
    predicted = np.zeros_like(weight)
    for i in range(len(indices)):
        predicted[indices[i]] += f.d[i]
    return predicted


def _loop_sentence(f):
    indices = f.inputs[1].astype(np.int64)
    for i in range(len(indices)):
        values, seen = np.unique(indices[i], return_counts=True)
        if (seen > 1).any():
            v, k = int(values[seen > 1][0]), int(seen[seen > 1][0])
            return ((_("index {v} appears {k} times within indices[{i}], but grad_weight[{v}] counts it once "
                       "per row of the first axis: grad_weight[indices[i]] += grad_out[i] still drops repeats "
                       "inside one row; use np.add.at(grad_weight, indices, grad_out) on the whole index array")
                     .format(v=v, k=k, i=i)))
    return ""


@_applies
def _indices_as_onehot(f, weight, flat, rows, counts):
    """indices.T @ grad_out broadcast into every row: integer indices used as if they were one-hot rows."""
    return np.broadcast_to(flat.astype(np.float64) @ rows, weight.shape)


@_applies
def _unused_rows_not_zero(f, weight, flat, rows, counts):
    """Right on every looked-up row; rows never looked up hold something else (np.empty_like?)."""
    unused = counts == 0
    if not unused.any() or not f.close(np.where(unused[:, None], 0.0, f.got), np.where(unused[:, None], 0.0,
                                                                                        f.expected)):
        return None
    return np.where(unused[:, None], f.got, f.expected)


def _unused_sentence(f):
    *_parted, counts = _parts(f)
    v = int(next(v for v in np.flatnonzero(counts == 0) if not f.close(f.got[v], f.expected[v])))
    return (_("grad_weight[{v}] should be 0 because index {v} is never looked up: start from "
              "np.zeros_like(weight) and add grad_out rows only where they were looked up").format(v=v))


HYPOTHESES = (
    Hypothesis("unscattered", _unscattered, _unscattered_sentence),
    Hypothesis("ignored_upstream", _counts, lambda f: (
        _("{name} ignores grad_out: row v holds the number of times v was looked up; add the grad_out rows "
          "themselves (np.add.at(grad_weight, indices, grad_out))").format(name=f.name))),
    Hypothesis("indices_as_onehot", _indices_as_onehot, lambda f: (
        _("every row of {name} is indices @ grad_out: the integer indices were used as if they were one-hot "
          "rows (indices.T @ grad_out); they are row numbers, so add each grad_out row into its row with "
          "np.add.at(grad_weight, indices, grad_out)").format(name=f.name))),
    Hypothesis("averaged_repeats", _mean_of_repeats, lambda f: (
        _("{name} averages repeated lookups: a repeated index's row is the mean of its grad_out rows; it must "
          "be their sum (np.add.at(grad_weight, indices, grad_out))").format(name=f.name))),
    Hypothesis("starts_from_weight", _from_weight, lambda f: (
        (_("{name} starts from weight instead of zeros: begin with np.zeros_like(weight), then add grad_out")
         .format(name=f.name)))),
    # Where indexed assignment and a loop over the first axis give the same numbers (repeats only
    # inside one row of indices), the first sentence is true of both; the loop is named when
    # another failing example refutes indexed assignment. The looser fits below are families of
    # their own, so that they cannot confirm indexed assignment on those examples.
    Hypothesis("repeats_not_accumulated", _last_write_wins, lambda f: _repeat_sentence(f, kept_one=True)),
    Hypothesis("multidim_indices", _loop_over_first_axis, _loop_sentence),
    Hypothesis("repeats_not_accumulated", _one_row_per_repeat, lambda f: _repeat_sentence(f, kept_one=True),
               family="one_row_per_repeat"),
    Hypothesis("repeats_not_accumulated", _partial_sums, lambda f: _repeat_sentence(f, kept_one=False),
               family="partial_sums_of_repeats"),
    Hypothesis("not_zero_initialised", _unused_rows_not_zero, _unused_sentence),
)


# --------------------------------------------------------------------------- families

_FAMILY = {"unique": "unique_indices", "repeated": "repeated_indices", "multi": "multi_dim_indices"}


def _cases(layout, kind="gradient"):
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes

    from ..core import strategies as s

    @st.composite
    def embedding(draw):
        vocab, dim = draw(st.integers(1, 8)), draw(st.integers(1, 4))
        if layout == "repeated":
            vocab = max(vocab, 2)
        rng = s.rng(draw)
        if layout == "unique":
            indices = rng.permutation(vocab)[: draw(st.integers(1, vocab))]
        elif layout == "repeated":
            # k < V rows used (so at least one row is never looked up), n > k lookups (so at
            # least one row repeats, by pigeonhole).
            used = rng.permutation(vocab)[: draw(st.integers(1, vocab - 1))]
            n = draw(st.integers(len(used) + 1, 12))
            indices = np.concatenate([used, rng.choice(used, size=n - len(used))])
            indices = rng.permutation(indices)
        else:  # multi-dimensional index array, repeats by chance
            shape = draw(array_shapes(min_dims=2, max_dims=3, max_side=4))
            indices = rng.integers(0, vocab, size=shape)
        indices = np.asarray(indices, dtype=np.int64)
        weight = s.normal(rng, (vocab, dim))
        grad_outs, mix = s.calls(rng, indices.shape + (dim,), kind)
        return s.Case((weight, indices), grad_outs, mix, _FAMILY[layout])
    return embedding()


def _any(kind):
    from hypothesis import strategies as st

    return st.one_of(*(_cases(layout, kind) for layout in _FAMILY))


OP = OpSpec(
    key="embedding", class_name="Embedding", inputs=("weight", "indices"), integer_inputs=("indices",),
    doc=N_("weight[indices]: rows of weight (V, D) looked up by an integer index array"),
    properties=(
        Property("embedding", "unique_indices", N_("each row looked up at most once"), lambda: _cases("unique")),
        Property("embedding", "repeated_indices", N_("rows looked up several times, and rows never looked up"),
                 lambda: _cases("repeated")),
        Property("embedding", "multi_dim_indices", N_("index arrays of shape (B, T) or (B, T, K)"),
                 lambda: _cases("multi")),
        Property("embedding", "upstream", UPSTREAM_DOC, lambda: _cases("unique", "upstream"), "upstream"),
        Property("embedding", "no_mutation", NO_MUTATION_DOC, lambda: _any("no_mutation"), "no_mutation"),
    ),
    points={"unique_indices": 3, "repeated_indices": 5, "multi_dim_indices": 4, "upstream": 3, "no_mutation": 2},
    hypotheses=HYPOTHESES,
)
