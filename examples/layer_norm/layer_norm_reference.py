"""The reference ``LayerNorm``: trusted, loaded only in the grading process.

Students receive this class with the body of ``backward`` removed (everything between the
solution markers); its docstrings are the spec they read.
"""

import numpy as np


class LayerNorm:
    """Normalise each row over the last axis: ``(x - mean) / sqrt(var + eps)``, no scale or shift.

    ``x`` has shape ``(..., D)`` with ``D >= 2`` (the tests use ``D >= 3``): a single row ``(D,)``, a batch ``(N, D)``, or a
    sequence batch ``(B, T, D)``. ``mean`` and ``var`` are taken over the last axis, per row;
    ``var`` is the *biased* variance (divide by ``D``, as ``np.var`` does by default).
    """

    eps = 1e-5  # added to the variance before the square root, in forward and so in backward

    def forward(self, x):
        self.x = x
        centred = x - x.mean(axis=-1, keepdims=True)
        self.inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + self.eps)
        self.xhat = centred * self.inv_std
        return self.xhat

    def backward(self, grad_out):
        """Return ``(grad_x,)``, shaped exactly like ``x``: a one-element tuple.

        Every output of a row depends on every input of that row (through its mean and its
        variance), so each ``grad_x[..., i]`` gathers all of the row's ``grad_out``. With
        ``g = grad_out``, ``x̂ = self.xhat`` and ``σ = sqrt(var + eps)`` (``1 / σ`` is
        ``self.inv_std``), per row:

            grad_x = (1 / σ) * (g - mean(g) - x̂ * mean(g * x̂))

        with every ``mean`` over the last axis (``keepdims=True``). The first mean comes from
        the row's mean, the second from its variance. ``σ`` includes ``eps``: recomputing it
        without ``eps``, or with the unbiased variance (``ddof=1``), gives a different gradient.
        The tests use rows far from 0 and with spreads from 0.05 to 30, where ``eps`` matters.
        """
        ### BEGIN SOLUTION
        g, xhat = grad_out, self.xhat
        return ((g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True))
                * self.inv_std,)
        ### END SOLUTION
