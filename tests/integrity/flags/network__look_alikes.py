"""Names and text about the network that use none."""
FLAGS = ()

SOURCE_URL = "https://cs231n.github.io/optimization-2/"   # a link in a string


class Mul(Mul):
    def backward(self, grad_out):
        socket_count = np.ndim(grad_out)     # a name, not the module
        http = grad_out * self.b
        return http, grad_out * self.a + 0 * socket_count
