"""The untrusted side of the capstone: runs the student's tape walker, reports arrays only.

Loaded by path beside the student's ``ops.py``, in the same sandbox worker (worker.py, when its
configuration names the capstone's files) or in the student's own process (the in-process
runner), never imported by the grader. `setup` takes the student's loaded ``ops`` module and
loads ``graph.py`` (the student's) and ``network.py`` (given) each as a module of its own. Then
`Capstone` is called like an op: ``Capstone().forward(program, *arrays)``, then
``backward(grad_out)``, which returns a tuple of arrays and ``None``. So the capstone crosses
the sandbox's wall exactly as the seven ops do: JSON and ``.npy`` frames of plain arrays, never a
pickle, through the same caps and checks, in the ops' worker (no second worker start).

``program`` is an int64 array, its first entry the kind of request:

* ``GRAPH``: a DAG of `Linear` nodes, the grader's own ops with random known Jacobians (the
  student's graph code is judged on ops that are surely right). ``[GRAPH, leaves, nodes, steps,
  leaf kinds (1 = integer)..., per node: input count, input tensor ids...]``; the arrays are the
  leaves' data, then each node's Jacobians (one per float input), then ``[lr]``. Tensor ids
  count the leaves first, then the nodes' outputs; the last node is the 0-d loss. Returns every
  tensor's ``.grad``; with 2 steps also, after ``sgd_step(float leaves, lr)``, each float leaf's
  data and every tensor's ``.grad`` after a second forward and backward.
* ``NETWORK``: the given network on the student's ops; arrays E, W1, b1, b2, tokens, labels.
  Returns the ``.grad`` of every tensor in ``network.TENSORS``.
* ``TRAIN``: ``network.train`` on the shipped task: returns the losses, as one array.

NumPy and the standard library only.
"""

import sys
import types
import zlib

import numpy as np

GRAPH, NETWORK, TRAIN = 0, 1, 2
_MODULES, _ERRORS = {}, {}
_student_line = None   # set by setup


class CapstoneError(Exception):
    """The student's code failed; the message is the one line the report shows."""


def setup(ops_module, sources: dict, student_line) -> None:
    """Bind the student's loaded ops module; load each of `sources` ({filename: text}) as a module.
    `student_line` is the runner's own (calls.student_line): where an error was raised."""
    global _student_line
    _student_line = student_line
    _MODULES.clear()
    _ERRORS.clear()
    if ops_module is not None:
        _MODULES["ops.py"] = ops_module
    for filename, source in sources.items():
        load_file(source, filename)


def bind(filename, module) -> None:
    """Use `module`, already loaded, as `filename` (a notebook kernel's namespace as graph.py)."""
    _ERRORS.pop(filename, None)
    _MODULES[filename] = module


def load_file(source, filename):
    """Load `source` as a module named after `filename`; on failure remember one line why."""
    name = f"capstone_{filename[:-3]}_{zlib.crc32(source.encode('utf-8', 'surrogatepass')):08x}"
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)
    except BaseException as error:  # noqa: BLE001 - any failure of student code
        sys.modules.pop(name, None)
        _ERRORS[filename] = _describe(error, f"importing {filename}")
        return
    _MODULES[filename] = module


def _describe(error, where):
    """"backward raised KeyError: 3 (graph.py, line 12)": the last line of the student's files."""
    try:
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        text = ""
    if isinstance(error, SyntaxError):
        return f"{error.filename} does not compile: {error.msg} (line {error.lineno})"[:500]
    line = _student_line(error, ("graph.py", "ops.py"))
    return f"{where} raised {type(error).__name__}{': ' + text if text else ''}{line}"[:480]


def _module(filename):
    if filename not in _MODULES:
        raise CapstoneError(_ERRORS.get(filename, f"{filename} is missing"))
    return _MODULES[filename]


def _student(call, where):
    """Run student code; any failure becomes a `CapstoneError` naming the student's line."""
    try:
        with np.errstate(divide="warn", over="warn", under="ignore", invalid="warn"):
            return call()
    except CapstoneError:
        raise
    except BaseException as error:  # noqa: BLE001 - any failure of student code
        raise CapstoneError(_describe(error, where)) from None


class Linear:
    """The grader's op for graph cases: ``out = (sum_i J_i @ x_i)[index]``, exactly linear.

    Each float input ``x_i`` is a vector with its Jacobian ``J_i``; an optional integer input
    selects (and may repeat) entries of the sum; ``scalar`` makes the output 0-d (the loss).
    Its backward is right by construction and returns ``None`` for the integer input.
    """

    def __init__(self, jacobians, integer_slot, scalar):
        self.jacobians, self.integer_slot, self.scalar = jacobians, integer_slot, scalar

    def forward(self, *inputs):
        self.inputs = inputs
        total = sum(j @ x for j, x in zip(self.jacobians, self._floats(inputs)))
        if self.integer_slot is not None:
            total = total[inputs[self.integer_slot]]
        return total.reshape(()) if self.scalar else total

    def _floats(self, inputs):
        return [x for slot, x in enumerate(inputs) if slot != self.integer_slot]

    def backward(self, grad_out):
        g = np.asarray(grad_out, dtype=float).reshape(-1)
        if self.integer_slot is not None:
            spread = np.zeros(self.jacobians[0].shape[0])
            np.add.at(spread, self.inputs[self.integer_slot], g)
            g = spread
        grads, floats = [], iter(self.jacobians)
        for slot in range(len(self.inputs)):
            grads.append(None if slot == self.integer_slot else next(floats).T @ g)
        return tuple(grads)


def _grad(tensor):
    """A tensor's ``.grad`` as the student left it; the runner reduces it to plain data."""
    return getattr(tensor, "grad", None)


class Capstone:
    """Called by the runners like an op: ``forward(program, *arrays)``, then ``backward(_)``."""

    def forward(self, program, *arrays):
        self.kind = int(program[0])
        self.program, self.arrays = [int(v) for v in program], arrays
        if self.kind == GRAPH:
            return self._graph_forward()
        if self.kind == NETWORK:
            ops, graph, network = _module("ops.py"), _module("graph.py"), _module("network.py")
            params = dict(zip(network.PARAMETERS, arrays[:4]))
            self.tensors = _student(lambda: network.forward(ops, graph, params, arrays[4], arrays[5]),
                                    "the network's forward")
            return np.asarray(self.tensors["loss"].data, dtype=float)
        return np.zeros(())

    def backward(self, grad_out):
        if self.kind == GRAPH:
            return self._graph_backward()
        graph, network = _module("graph.py"), _module("network.py")
        if self.kind == NETWORK:
            _student(lambda: graph.backward(self.tensors["loss"]), "backward")
            return tuple(_grad(self.tensors[name]) for name in network.TENSORS)
        ops = _module("ops.py")
        losses = _student(lambda: network.train(ops, graph, steps=self.program[1]), "training")
        return (np.array([float(v) for v in losses], dtype=float),)

    # ---------------------------------------------------------------- graph cases

    def _graph_forward(self):
        graph = _module("graph.py")
        _, leaves, nodes, self.steps, *rest = self.program
        self.integer = rest[:leaves]
        self.structure, at = [], leaves
        for _ in range(nodes):
            count = rest[at]
            self.structure.append(rest[at + 1:at + 1 + count])
            at += 1 + count
        data = list(self.arrays[:leaves])
        self.jacobians, at = [], leaves
        for inputs in self.structure:
            floats = sum(1 for i in inputs if not (i < leaves and self.integer[i]))
            self.jacobians.append(self.arrays[at:at + floats])
            at += floats
        self.lr = float(self.arrays[at][0])
        self.leaves = [_student(lambda x=x: graph.Tensor(x.copy(), name=f"t{i}"), "Tensor()")
                       for i, x in enumerate(data)]
        return self._run_forward(graph)

    def _run_forward(self, graph):
        tape = _student(graph.Tape, "Tape()")
        self.tensors = list(self.leaves)
        for number, (inputs, jacobians) in enumerate(zip(self.structure, self.jacobians)):
            slot = next((k for k, i in enumerate(inputs) if i < len(self.leaves) and self.integer[i]), None)
            op = Linear(jacobians, slot, number == len(self.structure) - 1)
            args = [self.tensors[i] for i in inputs]
            self.tensors.append(_student(lambda: tape.apply(op, *args, name=f"t{len(self.tensors)}"),
                                         "Tape.apply"))
        return np.asarray(self.tensors[-1].data, dtype=float)

    def _graph_backward(self):
        graph = _module("graph.py")
        _student(lambda: graph.backward(self.tensors[-1]), "backward")
        first = tuple(_grad(t) for t in self.tensors)
        if self.steps < 2:
            return first
        floats = [t for t, integer in zip(self.leaves, self.integer) if not integer]
        _student(lambda: graph.sgd_step(floats, self.lr), "sgd_step")
        data = tuple(np.array(t.data, dtype=float, copy=True) for t in floats)
        self._run_forward(graph)
        _student(lambda: graph.backward(self.tensors[-1]), "backward")
        return first + data + tuple(_grad(t) for t in self.tensors)
