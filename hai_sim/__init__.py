"""hai_sim: a JAX engine for the theory of human-AI collaboration.

Importing the package turns on float64 (``jax_enable_x64``): the theory needs it (tail
probabilities, DP costs, separatrices). Set ``HAI_SIM_X64=0`` in the environment *before* the
import to keep JAX's float32 default (faster on GPU/TPU; tail probabilities below ~1e-7 and
separatrices to better than ~1e-6 are then not trustworthy).

Model subpackages (``hai_sim.integration``, ``hai_sim.delegation``, ``hai_sim.chaining``) are
imported on first attribute access, so ``import hai_sim`` stays cheap.
"""

from __future__ import annotations

import importlib
import os

import jax

__version__ = "0.1.0"

X64 = os.environ.get("HAI_SIM_X64", "1").strip().lower() not in ("0", "false", "no", "off")
if X64:
    jax.config.update("jax_enable_x64", True)

_SUBPACKAGES = ("engine", "integration", "delegation", "chaining", "ensemble", "capability")


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'hai_sim' has no attribute {name!r}")


__all__ = ["X64", "__version__", *_SUBPACKAGES]
