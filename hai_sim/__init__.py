"""hai_sim: a JAX engine for the theory of human-AI collaboration.

Importing the package turns on float64 (``jax_enable_x64``): the theory needs it (tail
probabilities, DP costs, separatrices). Set ``HAI_SIM_X64=0`` in the environment *before* the
import to keep JAX's float32 default (faster on GPU/TPU; tail probabilities below ~1e-7 and
separatrices to better than ~1e-6 are then not trustworthy).

Model subpackages (``hai_sim.integration``, ``hai_sim.delegation``, ``hai_sim.chaining``, ...) are
imported on first attribute access, so ``import hai_sim`` stays cheap. Every user-facing error is
a :class:`InputError` (a ``ValueError``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import jax

__version__ = "0.1.0"  # before the engine import below: engine.sweep reads it

from .engine.errors import InputError  # noqa: E402

X64 = os.environ.get("HAI_SIM_X64", "1").strip().lower() not in ("0", "false", "no", "off")
if X64:
    jax.config.update("jax_enable_x64", True)

# Only the subpackages this install has: `from hai_sim import *` must not name a missing one.
_SUBPACKAGES = tuple(
    name
    for name in ("engine", "integration", "delegation", "chaining", "ensemble", "capability")
    if (Path(__file__).parent / name / "__init__.py").is_file()
)


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'hai_sim' has no attribute {name!r}")


__all__ = ["InputError", "X64", "__version__", *_SUBPACKAGES]
