"""Names that look like file or environment access but are none."""
FLAGS = ()


class Embedding(Embedding):
    def backward(self, grad_out):
        environ = {"rows": self.weight.shape[0]}            # a local dict, not os.environ
        loaded = np.zeros((environ["rows"], self.weight.shape[1]))
        np.add.at(loaded, self.indices, grad_out)            # "open(" and "read_text" only in this comment
        return loaded, None
