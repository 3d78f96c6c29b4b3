# fails: fan_out repeated_input deep integer_inputs zero_grad | mistake: wrong_order
def backward(loss):
    done = set()

    def visit(tensor, g):   # propagates at the first arrival only: later shares stop here
        tensor.grad = g if tensor.grad is None else tensor.grad + g
        node = tensor.node
        if node is None or id(node) in done:
            return
        done.add(id(node))
        for t, share in zip(node.inputs, node.op.backward(tensor.grad)):
            if share is not None:
                visit(t, share)

    visit(loss, np.ones_like(loss.data, dtype=float))


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
