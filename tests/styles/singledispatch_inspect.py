"""functools.singledispatch with annotations, inspect.getsource of the student's own class,
dataclasses.replace, copy, and a cached_property."""
import copy
import dataclasses
import functools
import inspect

# {reference}


@dataclasses.dataclass
class Shapes:
    a: tuple
    b: tuple


@functools.singledispatch
def as_shape(value) -> tuple:
    return tuple(np.shape(value))


@as_shape.register
def _(value: tuple) -> tuple:
    return value


class Mul(Mul):
    def forward(self, a, b):
        self.shapes = dataclasses.replace(Shapes(as_shape(a), as_shape(b)))
        return super().forward(a, b)

    @functools.cached_property
    def both(self):
        return copy.copy(self.shapes)

    def backward(self, grad_out):
        grad_a, grad_b = super().backward(grad_out)
        assert (np.shape(grad_a), np.shape(grad_b)) == (self.both.a, self.both.b)
        return grad_a, grad_b


assert inspect.getsource(as_shape).startswith("@functools.singledispatch")
assert "class Mul" in inspect.getsource(Mul)   # Python 3.11 shows the first class of that name
assert inspect.getmodule(Mul).__name__ == __name__ != "__main__"
