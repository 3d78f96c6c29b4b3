"""What the network's gradients and training curve should be: from the hidden reference (the
grader), or without it (the public tests and ``grader check``).

`Reference` runs the reference ops and tape (solutions/backprop/) on the given network in the
trusted process. `Numeric` differences the given forward (network.numeric_grads) for every
tensor and reads the reference's training curve from `CURVE_FILE`, plain numbers that give
no answer away; tests/test_capstone.py checks that the file is the reference's curve.
"""

import json
from pathlib import Path

import numpy as np

from ...paths import REPO, given_path, load_trusted, solutions_path
from .network import TENSOR_NAMES
from .runner import network_path

CURVE_FILE = Path(__file__).with_name("reference_curve.json")


def reference_graph_path() -> Path:
    """The reference tape: graph.py beside the reference ops (solutions/backprop/, or $BACKPROP_SOLUTIONS's folder)."""
    return solutions_path().with_name("graph.py")


class Reference:
    name = "reference"

    def __init__(self):
        self.ops = load_trusted(solutions_path(), "capstone_reference_ops")
        self.graph = load_trusted(reference_graph_path(), "capstone_reference_graph")
        self.network = load_trusted(network_path(), "capstone_given_network")

    def grads(self, case) -> dict:
        """Every tensor's gradient on `case`, computed once per oracle (read-only arrays: a batch's
        grading process judges each of its students on them)."""
        cache = self.__dict__.setdefault("_grads", {})
        if case not in cache:
            arrays = case.arrays()
            tensors = self.network.forward(self.ops, self.graph, dict(zip(self.network.PARAMETERS, arrays[:4])),
                                           arrays[4], arrays[5])
            self.graph.backward(tensors["loss"])
            cache[case] = {name: np.array(tensors[name].grad, dtype=float) for name in TENSOR_NAMES}
            for array in cache[case].values():
                array.setflags(write=False)
        return cache[case]

    def curve(self) -> list:
        """The reference's training losses: trained once per oracle (a batch builds one)."""
        if not hasattr(self, "_curve"):
            self._curve = self.network.train(self.ops, self.graph)
        return list(self._curve)

    def mistaken_curves(self) -> dict:
        """{mistake id: the training curve the reference would draw with that mistake}, trained once."""
        if not hasattr(self, "_mistaken"):
            self._mistaken = self._train_mistaken()
        return dict(self._mistaken)

    def _train_mistaken(self) -> dict:
        graph = self.graph

        def sgd_without_zeroing(params, lr):
            for p in params:
                p.data = p.data - lr * p.grad

        unzeroed = type("Unzeroed", (), {"Tape": graph.Tape, "Tensor": graph.Tensor, "backward": graph.backward,
                                         "sgd_step": staticmethod(sgd_without_zeroing)})
        return {"not_zeroed": self.network.train(self.ops, unzeroed)}


class Numeric:
    name = "numeric"

    def __init__(self):
        from .network import numeric_grads

        self._numeric = numeric_grads
        self.ops = load_trusted(given_path(), "capstone_given_ops")
        packaged = Path(__file__).with_name("given_graph.py")   # written by the release builder
        self.graph = load_trusted(packaged if packaged.exists() else REPO / "assignments" / "backprop" / "graph.py",
                                  "capstone_given_graph")
        self.network = load_trusted(network_path(), "capstone_given_network")

    def grads(self, case) -> dict:
        return self._numeric(self.ops, self.graph, self.network, case)

    def curve(self) -> list:
        return json.loads(CURVE_FILE.read_text(encoding="utf-8"))["losses"]

    def mistaken_curves(self) -> dict:
        return {}   # no reference to train: the public feedback gives the facts


def write_curve() -> None:
    """Rewrite `CURVE_FILE` from the reference (run when the network or its task changes)."""
    from .session import choose_oracle   # where the capstone's oracles are built

    losses = choose_oracle(False).curve()
    from ...atomic import write_atomic

    write_atomic(CURVE_FILE, json.dumps({"losses": [round(v, 12) for v in losses]}) + "\n")
