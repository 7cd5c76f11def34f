"""Host-side checks shared by the capability kernels (tracers pass untouched)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hai_sim.engine.errors import InputError
from hai_sim.engine.validate import check_choice, check_range, is_concrete

__all__ = ["check_acc", "check_choice", "check_grid", "check_int_range", "check_range", "concrete_int"]


def _first_bad(name: str, values: np.ndarray, bad: np.ndarray, allowed: str) -> None:
    if not bad.any():
        return
    flat = int(np.flatnonzero(bad.reshape(-1))[0])
    v = values.reshape(-1)[flat].item()
    where = "" if values.ndim == 0 else f" (at index {np.unravel_index(flat, values.shape)} of shape {values.shape})"
    raise InputError(f"{name}={v!r}{where} is outside the allowed range {allowed}")


def check_int_range(name: str, value: Any, lo: Any, hi: Any | None = None, hi_name: str = "") -> None:
    """Every element of ``value`` an integer in ``[lo, hi]`` (``hi`` may be an array, e.g. n)."""
    if not is_concrete(value) or not is_concrete(hi):
        return
    v = np.asarray(value)
    if not np.issubdtype(v.dtype, np.number):
        raise InputError(f"{name}={value!r}: must be numeric")
    v = v.astype(np.float64)
    upper = np.inf if hi is None else np.asarray(hi, dtype=np.float64)
    bad = ~np.isfinite(v) | (v != np.round(v)) | (v < lo) | (v > upper)
    bound = "inf" if hi is None else (hi_name or f"{np.max(upper):g}")
    _first_bad(name, np.broadcast_to(v, np.broadcast_shapes(v.shape, np.shape(upper))),
               np.broadcast_to(bad, np.broadcast_shapes(v.shape, np.shape(upper))), f"integers in [{lo}, {bound}]")


def check_acc(name: str, acc: Any, n: Any) -> None:
    """Accuracy strictly between chance 1/n and 1 (elementwise against n)."""
    if not (is_concrete(acc) and is_concrete(n)):
        return
    a = np.asarray(acc, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    shape = np.broadcast_shapes(a.shape, nn.shape)
    a_b, n_b = np.broadcast_to(a, shape), np.broadcast_to(nn, shape)
    bad = ~np.isfinite(a_b) | (a_b <= 1.0 / n_b) | (a_b >= 1.0)
    _first_bad(name, a_b, bad, "(1/n, 1)")


def concrete_int(n: Any) -> int | None:
    """``n`` as a Python int when it is a concrete integer scalar (then integer powers are used)."""
    if isinstance(n, (bool, np.bool_)):
        return None
    if isinstance(n, (int, np.integer)):
        return int(n)
    return None


def check_grid(grid: Any, name: str = "grid", lo: int = 3) -> None:
    """A static grid size: a Python integer >= ``lo``."""
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < lo:
        raise InputError(f"{name}={grid!r} is outside the allowed range integers >= {lo}")
