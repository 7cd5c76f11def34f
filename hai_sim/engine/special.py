"""Special functions the models share, in the forms that are fast and accurate under XLA.

``jax.scipy.special.ndtr`` selects between an erf and an erfc branch; XLA then evaluates whatever
feeds it once per branch, which made the integration CLT kernel ~5x slower for the same values.
One ``erfc`` is accurate in both tails (it has its own expansion for either sign).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["normal_cdf", "normal_pdf"]

_SQRT_HALF = float(np.sqrt(0.5))
_INV_SQRT_2PI = float(1.0 / np.sqrt(2.0 * np.pi))


def normal_cdf(z):
    """Standard normal CDF Φ(z) = erfc(−z/√2)/2, elementwise; dtype of ``z`` (±inf give 0 and 1)."""
    return 0.5 * jax.lax.erfc(z * -_SQRT_HALF)


def normal_pdf(z):
    """Standard normal density φ(z) = exp(−z²/2)/√(2π), elementwise; dtype of ``z``."""
    return jnp.exp(-0.5 * z * z) * _INV_SQRT_2PI
