# fails: zero_grad milestone | mistake: not_zeroed
def _order(loss):
    order, seen = [], set()

    def visit(t):
        if t.node is None or id(t.node) in seen:
            return
        seen.add(id(t.node))
        for i in t.node.inputs:
            visit(i)
        order.append(t.node)

    visit(loss)
    return order


def backward(loss):
    loss.grad = np.ones_like(loss.data, dtype=float)
    for node in reversed(_order(loss)):
        for t, g in zip(node.inputs, node.op.backward(node.output.grad)):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g


def sgd_step(params, lr):
    for p in params:
        p.data = p.data - lr * p.grad
