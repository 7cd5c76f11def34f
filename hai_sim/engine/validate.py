"""Host-side validation that leaves traced values alone.

Public functions check their *concrete* arguments (whole arrays, not only scalars) and raise a
``InputError`` (a ``ValueError``) naming the parameter, the offending value and the allowed range. Under ``jit`` or
``vmap`` the arguments are tracers and the checks are skipped, so the same function runs inside
compiled code; ``sweep`` calls kernels eagerly at the grid's corners first so that the checks still
see the extremes of every axis before anything compiles.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .errors import InputError


def is_concrete(x: Any) -> bool:
    """True when ``x`` (and every leaf of it) holds concrete values, not tracers."""
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def _worst(values: np.ndarray, bad: np.ndarray):
    v = values.reshape(-1)[bad.reshape(-1)][0].item()  # a plain Python number: "6", "0.5", "nan"
    if values.ndim == 0:
        return f"{v!r}"
    idx = np.unravel_index(int(np.flatnonzero(bad.reshape(-1))[0]), values.shape)
    return f"{v!r} (at index {tuple(int(i) for i in idx)} of shape {values.shape})"


def check_range(
    name: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    finite: bool = True,
) -> None:
    """Raise ``InputError`` unless every element of ``value`` lies in the interval.

    ``lo``/``hi`` of None mean unbounded; ``lo_open``/``hi_open`` exclude the end point. NaN always
    fails; infinities fail when ``finite``. Tracers are skipped.
    """
    if not is_concrete(value) or value is None:
        return
    original = np.asarray(value)
    if original.dtype == object or not np.issubdtype(original.dtype, np.number):
        raise InputError(f"{name}={value!r}: must be numeric")
    arr = original.astype(np.float64)
    bad = np.isnan(arr)
    if finite:
        bad |= ~np.isfinite(arr)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    if bad.any():
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise InputError(f"{name}={_worst(original, bad)} is outside the allowed range {left}{lo_s}, {hi_s}{right}")


def check_choice(name: str, value: Any, allowed) -> None:
    """Raise ``InputError`` unless ``value`` is one of ``allowed``."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise InputError(f"{name}={value!r}: must be one of {', '.join(map(repr, allowed))}")


def check_shape(name: str, value: Any, shape: tuple) -> None:
    """Raise ``InputError`` unless ``value.shape`` matches ``shape`` (None entries match any size)."""
    got = tuple(np.shape(value))
    if len(got) != len(shape) or any(s is not None and s != g for s, g in zip(shape, got)):
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise InputError(f"{name} has shape {got}: expected {want}")
