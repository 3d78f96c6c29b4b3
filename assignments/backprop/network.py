"""The capstone's network, built from your seven ops and your tape: given, nothing to write here.

It is the network the kit's theory builds, with one weight used twice (weight tying), so that a
missing ``+=`` shows::

    tokens (B, T) int ──Embedding(E)──> emb (B, T, D) ──reshape──> x (B, T·D)
    x ──MatMul(W1)──> a ──Add(b1)──> z ──Sigmoid──> s (B, D)
    s ──MatMul(Eᵀ)──> logits0 ──Add(b2)──> logits (B, V) ──SoftmaxCrossEntropy(labels)──> loss

``E`` (V, D) is read twice: by the embedding lookup and, transposed, by the output projection
(the classes are the V tokens). Its gradient is the sum of both contributions.

Use it as::

    import graph, network, ops
    losses = network.train(ops, graph)          # plain SGD on the shipped synthetic task
    tensors = network.forward(ops, graph, network.init_params(), *network.make_dataset())

``ops`` and ``graph`` are passed in (your ``ops.py`` and ``graph.py`` modules), so the grader can
run this same file on its own ops and tape too.
"""

import numpy as np

VOCAB, TOKENS, DIM = 8, 2, 8     # V, T, D of the shipped task
EXAMPLES = 64                    # B: the whole dataset is one batch
STEPS, LEARNING_RATE = 100, 2.0  # what the milestone trains with
DATA_SEED, INIT_SEED = 11, 7
PARAMETERS = ("E", "W1", "b1", "b2")
# Every tensor of the forward, in the order it is computed (the table shows them in reverse).
TENSORS = PARAMETERS + ("emb", "x", "a", "z", "s", "Et", "logits0", "logits", "loss")


class Reshape:
    """``x.reshape(shape)``; its backward reshapes the gradient back (given, like the forward)."""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, grad_out):
        return (grad_out.reshape(self.in_shape),)


class Transpose:
    """``w.T`` of a 2-d array; its backward transposes the gradient back (given)."""

    def forward(self, w):
        return w.T

    def backward(self, grad_out):
        return (grad_out.T,)


def make_dataset(examples=EXAMPLES, vocab=VOCAB, tokens=TOKENS, seed=DATA_SEED):
    """The synthetic task, generated the same way every time: ``(tokens, labels)``.

    Each example is ``tokens`` token ids in ``[0, vocab)``; its label is the token that follows
    the first one in a fixed hidden permutation of the vocabulary, unless the second token is
    even, in which case it is the second token itself. A network must read both positions, and
    a two-layer network learns it in a hundred steps.
    """
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab, size=(examples, tokens))
    successor = rng.permutation(vocab)
    labels = np.where(ids[:, 1] % 2 == 0, ids[:, 1], successor[ids[:, 0]])
    return ids, labels


def init_params(vocab=VOCAB, tokens=TOKENS, dim=DIM, seed=INIT_SEED):
    """``{name: float64 array}`` for E (V, D), W1 (T·D, D), b1 (D,), b2 (V,), small and random."""
    rng = np.random.default_rng(seed)
    return {"E": rng.normal(0.0, 0.5, (vocab, dim)),
            "W1": rng.normal(0.0, 1.0 / np.sqrt(tokens * dim), (tokens * dim, dim)),
            "b1": np.zeros(dim), "b2": np.zeros(vocab)}


def forward(ops, graph, params, tokens, labels):
    """Run the network on a fresh tape: ``{name: Tensor}`` for every name in `TENSORS`.

    ``params`` maps names to arrays, or to `graph.Tensor` leaves to reuse (training keeps the
    same parameter tensors from step to step).
    """
    tape = graph.Tape()
    t = {name: value if isinstance(value, graph.Tensor) else graph.Tensor(value, name=name)
         for name, value in params.items()}
    ids, targets = graph.Tensor(tokens, name="tokens"), graph.Tensor(labels, name="labels")
    batch, positions = np.shape(tokens)
    dim = np.shape(t["E"].data)[1]
    t["emb"] = tape.apply(ops.Embedding(), t["E"], ids, name="emb")
    t["x"] = tape.apply(Reshape((batch, positions * dim)), t["emb"], name="x")
    t["a"] = tape.apply(ops.MatMul(), t["x"], t["W1"], name="a")
    t["z"] = tape.apply(ops.Add(), t["a"], t["b1"], name="z")
    t["s"] = tape.apply(ops.Sigmoid(), t["z"], name="s")
    t["Et"] = tape.apply(Transpose(), t["E"], name="Et")
    t["logits0"] = tape.apply(ops.MatMul(), t["s"], t["Et"], name="logits0")
    t["logits"] = tape.apply(ops.Add(), t["logits0"], t["b2"], name="logits")
    t["loss"] = tape.apply(ops.SoftmaxCrossEntropy(), t["logits"], targets, name="loss")
    return t


def train(ops, graph, steps=STEPS, lr=LEARNING_RATE, data=None, params=None):
    """Plain SGD: ``steps`` times forward, ``graph.backward(loss)``, ``graph.sgd_step``.

    Returns the list of the ``steps`` losses (each before its step's update). The parameters are
    the same tensors throughout: only ``sgd_step`` changes them, and it must zero their gradients.
    """
    tokens, labels = make_dataset() if data is None else data
    params = init_params() if params is None else params
    leaves = {name: graph.Tensor(np.array(value, dtype=float), name=name) for name, value in params.items()}
    losses = []
    for _ in range(steps):
        tensors = forward(ops, graph, leaves, tokens, labels)
        losses.append(float(tensors["loss"].data))
        graph.backward(tensors["loss"])
        graph.sgd_step([leaves[name] for name in PARAMETERS], lr)
    return losses
