from collections import defaultdict


# Post-order DFS with an explicit stack; gradients collected in a dict, then stored.
def backward(loss):
    order, seen, stack = [], set(), [(loss.node, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((t.node, False) for t in node.inputs if t.node is not None)
    grads = defaultdict(lambda: None)
    grads[id(loss)] = np.ones_like(loss.data, dtype=float)
    tensors = {id(loss): loss}
    for node in reversed(order):
        upstream = grads[id(node.output)]
        if upstream is None:
            continue
        for t, g in zip(node.inputs, node.op.backward(upstream)):
            if g is not None:
                tensors[id(t)] = t
                grads[id(t)] = g if grads[id(t)] is None else grads[id(t)] + g
    for key, t in tensors.items():
        t.grad = grads[key] if t.grad is None or t.node is not None else t.grad + grads[key]


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
        p.grad = None
