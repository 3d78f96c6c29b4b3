"""Dataclass caches under `from __future__ import annotations`, ClassVar, typing and numpy.typing
hints, hints naming the student's own classes, and typing.get_type_hints called at import."""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import ClassVar, Optional

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

# {reference}


@dataclass
class MulCache:
    a: NDArray[np.float64]
    b: npt.NDArray[np.float64]
    calls: ClassVar[int] = 0
    history: list[MulCache] = field(default_factory=list)
    parent: Optional[MulCache] = None


@dataclass(frozen=True)
class Grads:
    a: NDArray[np.float64]
    b: NDArray[np.float64]

    def as_tuple(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return dataclasses.astuple(self) if False else (self.a, self.b)


def _unbroadcast(grad: NDArray[np.float64], shape: tuple[int, ...]) -> NDArray[np.float64]:
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad.reshape(shape)


class Mul:
    cache: Optional[MulCache]

    def forward(self, a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        self.cache = MulCache(a, b)
        return a * b

    def backward(self, grad_out: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        c = self.cache
        assert c is not None
        grads = Grads(_unbroadcast(grad_out * c.b, np.shape(c.a)), _unbroadcast(grad_out * c.a, np.shape(c.b)))
        return grads.as_tuple()


HINTS = typing.get_type_hints(MulCache)
assert HINTS["parent"] == Optional[MulCache], HINTS
