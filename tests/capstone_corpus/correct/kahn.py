# Kahn's algorithm on consumer counts: a node runs when every consumer of its output is done.
def backward(loss):
    pending, stack, seen = {}, [loss.node], {id(loss.node)}
    while stack:   # count, for every node, how many reads of its output lie on the loss's side
        node = stack.pop()
        for t in node.inputs:
            if t.node is not None:
                pending[id(t.node)] = pending.get(id(t.node), 0) + 1
                if id(t.node) not in seen:
                    seen.add(id(t.node))
                    stack.append(t.node)
    loss.grad = np.ones_like(loss.data, dtype=float)
    ready = [loss.node]
    while ready:
        node = ready.pop()
        for t, g in zip(node.inputs, node.op.backward(node.output.grad)):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
            if t.node is not None:
                pending[id(t.node)] -= 1
                if pending[id(t.node)] == 0:
                    ready.append(t.node)


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad
        p.grad = None
