"""A demonstration kernel [X] with a known phase boundary, for examples, CLI tests and benchmarks.

The order parameter ``P(x, y) = Phi((x + y - 1) / w)`` has its P = 1/2 contour on the line
``x + y = 1`` and a transition band of width ~w. (It also drew the atlas's stand-in experiment
until the model experiments were registered.)
"""

from __future__ import annotations

from hai_sim.engine.special import normal_cdf

WIDTH = 0.05


def order_parameter(x, y, w=WIDTH):
    """``Phi((x + y - 1) / w)``: 0 below the line x + y = 1, 1 above, a band of width ~w.

    Φ is :func:`hai_sim.engine.special.normal_cdf` (one erfc: accurate in the lower tail, where
    the value is small, and several times faster on CPU than ``jax.scipy.stats.norm.cdf``).
    """
    z = (x + y - 1.0) / w
    return normal_cdf(z)


__all__ = ["WIDTH", "order_parameter"]
