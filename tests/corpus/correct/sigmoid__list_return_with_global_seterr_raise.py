"""Sets np.seterr(all='raise') globally and returns a list: the given forward must not be affected."""
OP = "sigmoid"

np.seterr(all='raise')
