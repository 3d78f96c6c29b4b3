# fails: unused_output | mistake: -
def backward(loss):
    loss.grad = np.ones_like(loss.data, dtype=float)
    for node in reversed(loss.node.tape.nodes):   # also the nodes nobody reads: their grad is None
        for t, g in zip(node.inputs, node.op.backward(node.output.grad)):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
