# fails: chain fan_out repeated_input unused_output deep integer_inputs zero_grad milestone | mistake: upstream_ignored
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
        for t, g in zip(node.inputs, node.op.backward(np.ones_like(node.output.data, dtype=float))):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
