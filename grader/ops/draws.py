"""The generic strategy helpers for op modules' families (imports Hypothesis: import it only
inside a `Property`'s strategy factory). See grader/core/strategies.py."""

from ..core.strategies import Case, calls, loss_upstream, normal, rng, upstream

__all__ = ["Case", "calls", "loss_upstream", "normal", "rng", "upstream"]
