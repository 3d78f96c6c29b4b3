# The tape's own order, reversed, skipping nodes whose output the loss does not read.
def backward(loss):
    loss.grad = np.ones(np.shape(loss.data))
    for node in reversed(loss.node.tape.nodes[:loss.node.index + 1]):
        if node.output.grad is None:
            continue
        grads = node.op.backward(node.output.grad)
        for i in range(len(node.inputs)):
            if grads[i] is None:
                continue
            tensor = node.inputs[i]
            if tensor.grad is None:
                tensor.grad = np.zeros_like(tensor.data, dtype=float)
            tensor.grad = tensor.grad + grads[i]


def sgd_step(params, lr):
    for p in params:
        p.data = p.data - lr * p.grad
        p.grad = np.zeros_like(p.grad)
