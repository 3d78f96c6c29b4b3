# sandbox: a giant gradient and a lying object come back as type names | expect: type
class Liar(np.ndarray):
    def __eq__(self, other):
        return True


def backward(loss):
    loss.grad = np.zeros((3000, 3000))
    for node in loss.node.tape.nodes:
        for t in node.inputs:
            t.grad = np.ones(3).view(Liar)


def sgd_step(params, lr):
    pass
