# sandbox: reading the reference walker is refused | expect: refused
def backward(loss):
    import grader.paths
    text = open(grader.paths.REPO / "solutions" / "backprop" / "graph.py").read()
    exec(text[text.index("def backward"):], globals())
    return backward(loss)


def sgd_step(params, lr):
    pass
