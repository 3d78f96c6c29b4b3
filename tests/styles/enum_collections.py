"""enum, collections (namedtuple, defaultdict, Counter, deque), a NamedTuple return,
typing.TYPE_CHECKING, and sys.modules[__name__] used as a registry."""
import collections
import enum
import sys
import typing

if typing.TYPE_CHECKING:   # never true when graded
    from numpy.typing import NDArray

# {reference}


class Reduction(enum.Enum):
    MEAN = "mean"
    SUM = "sum"


Grads = collections.namedtuple("Grads", ["logits", "labels"])


class EmbeddingGrads(typing.NamedTuple):
    weight: "NDArray"
    indices: None


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    reduction = Reduction.MEAN

    def backward(self, grad_out):
        logits = self.logits
        shifted = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(len(self.labels)), self.labels] -= 1.0
        if self.reduction is Reduction.MEAN:
            probs /= len(self.labels)
        return Grads(probs * grad_out, None)


class Embedding(Embedding):
    def backward(self, grad_out):
        sums = collections.defaultdict(lambda: np.zeros(self.weight.shape[1]))
        counts = collections.Counter()
        rows = collections.deque(zip(np.reshape(self.indices, -1).tolist(),
                                     np.reshape(grad_out, (-1, self.weight.shape[1]))))
        while rows:
            index, row = rows.popleft()
            sums[index] = sums[index] + row
            counts[index] += 1
        grad = np.zeros(self.weight.shape)
        for index in sorted(sums):
            grad[index] = sums[index]
        return EmbeddingGrads(grad, None)


THIS = sys.modules[__name__]
assert getattr(THIS, "Embedding") is Embedding
