# fails: fan_out deep | mistake: wrong_order
from collections import deque


def backward(loss):
    loss.grad = np.ones_like(loss.data, dtype=float)
    queue, seen = deque([loss.node]), {id(loss.node)}
    while queue:   # breadth first from the loss: a node may run before all its consumers did
        node = queue.popleft()
        for t, g in zip(node.inputs, node.op.backward(node.output.grad)):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
            if t.node is not None and id(t.node) not in seen:
                seen.add(id(t.node))
                queue.append(t.node)


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
