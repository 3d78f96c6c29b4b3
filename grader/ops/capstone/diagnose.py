"""Name the graph mistake, only when it reproduces the student's numbers.

The first wrong tensor in backward order (judge.py) has every consumer's output right, so its
gradient is made of its consumers' contributions, which the grader computes exactly
(`dags.contribution`). Each hypothesis below rebuilds the wrong gradient a mistake would give
and is named only if it equals what the student returned (to the judge's tolerance); otherwise
the feedback gives the facts: which tensor, by how much, who reads it.

* overwritten at fan-out: the gradient is the share of some, not all, of its consumers;
* wrong order: a consumer passed its gradient on before all of *its* consumers had added theirs;
* upstream ignored: a consumer called ``backward`` with ones instead of its output's gradient;
* not zeroed between steps: the second step's gradient is the first plus the second;
* (the network's tied weight, network.py: the weight got one of its two contributions.)
"""

from itertools import combinations

import numpy as np

from ...i18n import _
from .dags import consumers, contribution, exact_grads, values
from .judge import close


def _subsets(items, proper=True):
    top = len(items) - (1 if proper else 0)
    for size in range(1, top + 1):
        yield from combinations(items, size)


def _reads(case, tensor) -> str:
    readers = [_("{name} (input {slot})").format(name=case.name(out), slot=slot + 1)
               for out, slot in consumers(case).get(tensor, [])]
    return ", ".join(readers)


def graph_mistake(case, verdict, grads) -> tuple:
    """(sentence, mistake id): a cause that reproduces the numbers, else facts, for a failed case."""
    if verdict.kind == "zero_grad":
        return _zero_grad(case, verdict, grads)
    if verdict.kind != "value" or verdict.tensor < 0:
        return "", ""
    tensor, got = verdict.tensor, grads[verdict.tensor]
    if tensor == case.count - 1:
        return (_("The loss's own grad must be ones (d loss / d loss = 1); got {got:.4g}.").format(
            got=float(np.ravel(got)[0])), "loss_seed")
    exact = exact_grads(case)
    data, jacobians = values(case)
    slots = [(out, slot) for out, slot in consumers(case).get(tensor, []) if exact[out] is not None]

    def share(out, slot, upstream=None):
        return contribution(case, jacobians, data, out, slot, exact[out] if upstream is None else upstream)

    def ran(out):   # the node's backward reached its other float inputs (so it did run)
        others = [i for i in case.nodes[out - case.leaves][0] if i != tensor and not case.slot_is_integer(i)]
        return not others or any(grads[i] is not None for i in others)

    name = case.name(tensor)
    if len(slots) >= 2:
        for kept in _subsets(slots):
            if all(ran(out) for out, slot in slots if (out, slot) not in kept) and \
                    close(got, sum(share(*s) for s in kept)):
                same = len({out for out, _s in slots}) == 1
                where = (_("{name} reads it twice").format(name=case.name(slots[0][0])) if same else
                         _("it is read by {names}").format(names=", ".join(case.name(out) for out, _s in slots)))
                return (_("Likely mistake: {name}'s gradient was overwritten, not accumulated: {where}, and "
                          "{name}.grad holds only the share of {kept}. "
                          "Add each contribution (t.grad = t.grad + g).").format(
                    name=name, where=where, kept=_(" and ").join(case.name(o) for o, _s in kept)),
                        "overwritten_at_fan_out")
    for out, slot in slots:   # this consumer used a partial gradient of its own output
        parts = [(o, s) for o, s in consumers(case).get(out, []) if exact[o] is not None]
        rest = sum((share(*s) for s in slots if s != (out, slot)), np.zeros_like(got))
        for early in _subsets(parts) if len(parts) >= 2 else ():
            partial = sum(contribution(case, jacobians, data, o, s, exact[o]) for o, s in early)
            if close(got, rest + share(out, slot, partial)):
                return (_("Likely mistake: nodes visited in the wrong order: {node} passed its gradient "
                          "back to {name} before all of its consumers ({readers}) had added theirs. "
                          "Visit nodes in reverse topological order.").format(
                    node=case.name(out), name=name, readers=_reads(case, out)), "wrong_order")
    for ignored in _subsets(slots, proper=False):
        guess = sum((share(o, s, np.ones_like(exact[o])) if (o, s) in ignored else share(o, s)) for o, s in slots)
        if close(got, guess):
            at = ", ".join(dict.fromkeys(case.name(o) for o, _s in ignored))
            return (_("Likely mistake: the upstream gradient was ignored at {at}: "
                      "call op.backward(node.output.grad), not backward of ones.").format(at=at), "upstream_ignored")
    diff = np.abs(got - exact[tensor])
    return (_("What differs: {name}.grad at {wrong} of {size} entries, by up to {most:.3g}; "
              "{name} is read by {readers}.").format(
        name=name, wrong=int(np.count_nonzero(diff > 1e-9)), size=diff.size, most=float(diff.max()),
        readers=_reads(case, tensor) or _("nothing")), "")


def _zero_grad(case, verdict, grads) -> tuple:
    exact = exact_grads(case)
    floats = sum(1 for i in range(case.leaves) if not case.integer[i])
    second = grads[case.count + floats:]
    tensor = verdict.tensor
    if 0 <= tensor < len(second) and isinstance(second[tensor], np.ndarray) and exact[tensor] is not None \
            and close(second[tensor], 2 * exact[tensor]):
        return (_("Likely mistake: the gradients were not zeroed between steps: on the second step "
                  "{name}.grad is the sum of both steps' gradients. Set p.grad = None (or zeros) in "
                  "sgd_step after the update.").format(name=case.name(tensor)), "not_zeroed")
    return "", ""
