"""A demonstration kernel [X] with a known phase boundary, for examples, CLI tests and benchmarks.

The order parameter ``P(x, y) = Phi((x + y - 1) / w)`` has its P = 1/2 contour on the line
``x + y = 1`` and a transition band of width ~w. (It also drew the atlas's stand-in experiment
until the model experiments were registered.)
"""

from __future__ import annotations

import jax
import numpy as np

WIDTH = 0.05


def order_parameter(x, y, w=WIDTH):
    """``Phi((x + y - 1) / w)``: 0 below the line x + y = 1, 1 above, a band of width ~w.

    Written as ``erfc(-z / sqrt 2) / 2``, which is accurate in the lower tail (where the value is
    small) and several times faster on CPU than ``jax.scipy.stats.norm.cdf``'s piecewise form.
    """
    z = (x + y - 1.0) / w
    return 0.5 * jax.lax.erfc(-z / np.sqrt(2.0))


__all__ = ["WIDTH", "order_parameter"]
