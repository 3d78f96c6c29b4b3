# fails: repeated_input | mistake: overwritten_at_fan_out
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
        shares = dict(zip(node.inputs, node.op.backward(node.output.grad)))   # a tensor read twice: one share
        for t, g in shares.items():
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
