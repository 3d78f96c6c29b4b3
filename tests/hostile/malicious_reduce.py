"""Mul.backward returns objects whose __reduce__ would run code wherever they are unpickled.

Unpickling one (in the grader, on the instructor's machine) would create
/tmp/grader-hostile-pwned.

Expected: nothing is ever pickled: the grader only learns the type's name, mul scores 0,
every other op keeps full marks, and the marker file does not exist.
"""
OP = "mul"


class _MulPayload:
    def __reduce__(self):
        return (exec, ("open('/tmp/grader-hostile-pwned', 'w').write('pwned')",))


class Mul(Mul):
    def backward(self, grad_out):
        return _MulPayload(), _MulPayload()
