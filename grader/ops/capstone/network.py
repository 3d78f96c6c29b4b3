"""The whole network (assignments/backprop/network.py) on the student's ops and tape.

Every parameter's and every intermediate's gradient is compared with an oracle's, on network
sizes Hypothesis draws, and shown as Karpathy's ``cmp`` does in "backprop ninja": name, shape ok,
max |diff|, within tolerance, in backward order, so the first wrong row is the one to fix. The
oracle is the hidden reference network (our ops and tape) when grading, or central differences
of the given forward (`numeric_grads`) in the public tests, so no reference ships.
"""

from dataclasses import dataclass

import numpy as np

NETWORK = 1   # harness.NETWORK
# network.TENSORS of the given network: the order the harness returns gradients in.
TENSOR_NAMES = ("E", "W1", "b1", "b2", "emb", "x", "a", "z", "s", "Et", "logits0", "logits", "loss")
# Backward order: the reverse of the order the forward computes and first reads each tensor.
BACKWARD_ORDER = ("loss", "logits", "b2", "logits0", "Et", "s", "z", "b1", "a", "W1", "x", "emb", "E")
# Who reads each tensor: (the consumer's output, the op that reads it).
READERS = {"E": (("emb", "Embedding"), ("Et", "Transpose (given)")), "emb": (("x", "Reshape (given)"),),
           "x": (("a", "MatMul"),), "W1": (("a", "MatMul"),), "a": (("z", "Add"),), "b1": (("z", "Add"),),
           "z": (("s", "Sigmoid"),), "s": (("logits0", "MatMul"),), "Et": (("logits0", "MatMul"),),
           "logits0": (("logits", "Add"),), "b2": (("logits", "Add"),),
           "logits": (("loss", "SoftmaxCrossEntropy"),)}
OP_KEYS = {"Embedding": "embedding", "MatMul": "matmul", "Add": "add", "Sigmoid": "sigmoid",
           "SoftmaxCrossEntropy": "softmax_ce"}


@dataclass(frozen=True)
class NetCase:
    batch: int
    tokens: int
    vocab: int
    dim: int
    seed: int

    def arrays(self) -> list:
        rng = np.random.default_rng(self.seed)
        return [rng.normal(0, 0.7, (self.vocab, self.dim)), rng.normal(0, 0.7, (self.tokens * self.dim, self.dim)),
                rng.normal(0, 0.3, self.dim), rng.normal(0, 0.3, self.vocab),
                rng.integers(0, self.vocab, (self.batch, self.tokens)), rng.integers(0, self.vocab, self.batch)]




def request(case: NetCase) -> tuple:
    return np.array([NETWORK], dtype=np.int64), case.arrays()


@dataclass(frozen=True)
class Row:
    name: str
    shape_ok: bool
    max_diff: float      # nan when there is nothing to compare
    ok: bool


def tolerance_ok(got, want) -> bool:
    """The ops' rule (README "Oracle and tolerance"): max|g - t| <= 1e-6·max|t| + 1e-10."""
    return float(np.max(np.abs(got - want), initial=0.0)) <= 1e-6 * float(np.max(np.abs(want), initial=0.0)) + 1e-10


def compare(names, got, want) -> list:
    """One `Row` per tensor, in backward order."""
    by_name = dict(zip(names, got))
    rows = []
    for name in (n for n in BACKWARD_ORDER if n in want):
        g, w = by_name.get(name), want[name]
        if not isinstance(g, np.ndarray) or g.shape != np.shape(w):
            rows.append(Row(name, False, float("nan"), False))
            continue
        if not np.issubdtype(g.dtype, np.floating) or not np.all(np.isfinite(g)):
            rows.append(Row(name, True, float("nan"), False))
            continue
        diff = float(np.max(np.abs(g - w), initial=0.0))
        rows.append(Row(name, True, diff, tolerance_ok(g, w)))
    return rows


def explain(rows, got_by_name, want, case: NetCase, walker_ok: bool = True) -> tuple:
    """(sentence, mistake id, op key or ""): what the first wrong row says. Blame an op only when
    the student's graph code passed its own properties (`walker_ok`)."""
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return "", "", ""
    readers = READERS.get(first.name, ())
    if first.name == "loss":
        return "loss.grad must be ones (d loss / d loss = 1).", "loss_seed", ""
    if first.name == "E" and first.shape_ok and "emb" in want:
        tokens = case.arrays()[4]
        lookup = np.zeros_like(want["E"])
        np.add.at(lookup, tokens, want["emb"])
        got = got_by_name["E"]
        if tolerance_ok(got, lookup) or tolerance_ok(got, want["Et"].T):
            return ("Likely mistake: the tied weight's two contributions were not summed: E.grad holds only the "
                    f"{'embedding lookup' if tolerance_ok(got, lookup) else 'output projection'}'s share. E is read "
                    "twice (Embedding and Transpose): accumulate with +=.", "tied_weight_not_summed", "")
    if not walker_ok:
        return (f"{first.name}.grad is the first wrong gradient in backward order; your backward also fails "
                f"graph properties on the grader's own ops: fix those first.", "", "")
    names = " and ".join(f"{op} (computing {out})" for out, op in readers)
    ops = [OP_KEYS[op] for _, op in readers if op in OP_KEYS]
    return (f"{first.name}.grad is the first wrong gradient in backward order, while what reads it is right: "
            f"look at {names}." + (" Its op's own properties say more." if ops else ""), "", ops[0] if ops else "")


def numeric_grads(ops, graph, network, case: NetCase) -> dict:
    """Every tensor's gradient by central differences of the given forward (public tests).

    A parameter is bumped directly; an intermediate through a tape whose ``apply`` adds the bump
    to that one output (the loss is a function of it, everything downstream recomputed). The
    five-point stencil ``(-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h`` with ``h = 1e-3·max(1,
    |x|)`` has an O(h⁴) truncation error, about 1e-10 here, far inside the ops' tolerance, so it
    gives the reference's verdict (tests/test_capstone.py checks that on the corpus).
    """
    arrays = case.arrays()
    params = dict(zip(network.PARAMETERS, arrays[:4]))
    bump = {}

    class BumpedTape(graph.Tape):
        def apply(self, op, *inputs, name=""):
            out = super().apply(op, *inputs, name=name)
            if name in bump:
                out.data = out.data + bump[name]
            return out

    tape_module = type("BumpedGraph", (), {"Tape": BumpedTape, "Tensor": graph.Tensor})

    def loss(p):
        return float(network.forward(ops, tape_module, p, arrays[4], arrays[5])["loss"].data)

    base = network.forward(ops, graph, params, arrays[4], arrays[5])
    grads = {}
    for name in TENSOR_NAMES:
        value = np.asarray(base[name].data, dtype=float)
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            h = 1e-3 * max(1.0, abs(value[index]))
            total = 0.0
            for weight, steps in ((-1, 2), (8, 1), (-8, -1), (1, -2)):
                delta = np.zeros_like(value)
                delta[index] = steps * h
                if name in params:
                    total += weight * loss({**params, name: params[name] + delta})
                else:
                    bump.clear()
                    bump[name] = delta
                    total += weight * loss(params)
            bump.clear()
            g[index] = total / (12 * h)
        grads[name] = g
    return grads
