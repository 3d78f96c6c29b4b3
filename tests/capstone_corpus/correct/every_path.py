# No topological sort: push each contribution down every path at once. Correct, because an op's
# backward is linear in grad_out (exponential on graphs with many paths; fine here).
def backward(loss):
    def push(tensor, g):
        tensor.grad = g if tensor.grad is None else tensor.grad + g
        if tensor.node is not None:
            for t, share in zip(tensor.node.inputs, tensor.node.op.backward(g)):
                if share is not None:
                    push(t, share)

    push(loss, np.ones_like(loss.data, dtype=float))


def sgd_step(params, lr):
    for p in params:
        if p.grad is not None:
            p.data = p.data - lr * p.grad
            p.grad = None
