"""No un-broadcasting: the routed gradients keep the output's shape instead of each input's shape."""
OP = "max"
MISTAKE = "unreduced_broadcast"


class Max(Max):
    def backward(self, grad_out):
        a_wins = self.a >= self.b
        return grad_out * a_wins, grad_out * ~a_wins
