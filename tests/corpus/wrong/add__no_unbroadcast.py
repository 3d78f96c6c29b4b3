"""No un-broadcasting: both inputs receive grad_out with the output's shape, even a broadcast one."""
OP = "add"
MISTAKE = "unreduced_broadcast"


class Add(Add):
    def backward(self, grad_out):
        return grad_out, grad_out
