# fails: fan_out repeated_input deep integer_inputs zero_grad milestone | mistake: overwritten_at_fan_out tied_weight_not_summed
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
                t.grad = g


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
