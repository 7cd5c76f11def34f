"""Band-only evaluation: run an expensive kernel only where a cheap screen cannot decide.

Many order parameters are exactly (or to a known tolerance) constant far from a transition: a
success probability is 0 or 1 outside a band around the critical line, a regime label is fixed
inside a region. :func:`band_evaluate` evaluates a cheap ``screen`` at every point, which returns
whether the point needs the expensive kernel and the value to use if it does not; the expensive
``fn`` then runs only on the points that need it, in fixed-size padded chunks (one compilation
whatever the band's size). The result equals evaluating ``fn`` everywhere wherever ``screen``'s
fallback value is what ``fn`` would return there; that is the caller's claim, and its test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .errors import InputError
from .results import named_result

__all__ = ["BandResult", "band_evaluate", "chunked_map"]


@named_result
class BandResult(NamedTuple):
    """``values`` (N,) float64: ``fn`` inside the band, the screen's fallback outside;
    ``inside`` (N,) bool: where ``fn`` was evaluated."""

    values: np.ndarray
    inside: np.ndarray


def _check_points(points) -> tuple[np.ndarray, ...]:
    if not points:
        raise InputError("no points given")
    points = tuple(np.asarray(p) for p in points)
    n = points[0].shape[0] if points[0].ndim else -1
    if any(p.ndim != 1 or p.shape[0] != n for p in points):
        raise InputError(f"points must be 1-D arrays of one length; got shapes {[p.shape for p in points]}")
    return points


def chunked_map(fn: Callable, *points, chunk_size: int = 16384):
    """``fn(*point)`` at every point, vmapped and jitted, in chunks padded to one length (a single
    compilation; memory bounded by ``chunk_size``). ``points``: 1-D arrays of one length N.
    Returns ``fn``'s output pytree with NumPy leaves of leading length N."""
    points = _check_points(points)
    if int(chunk_size) < 1:
        raise InputError(f"chunk_size={chunk_size!r} is outside the allowed range [1, inf]")
    return _chunked(jax.jit(jax.vmap(fn)), points, int(chunk_size))


def _chunked(fn: Callable, points: tuple[np.ndarray, ...], chunk: int):
    """``fn`` (batched) over flat points, in chunks padded to one length (a single compilation)."""
    n = points[0].shape[0]
    chunk = max(1, min(chunk, n))
    outs = []
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        pad = chunk - (stop - start)
        # Pad with a copy of the last real point: a valid input, so the padding cannot fail.
        batch = tuple(jnp.asarray(np.pad(p[start:stop], [(0, pad)] + [(0, 0)] * (p.ndim - 1), mode="edge"))
                      for p in points)
        outs.append(jax.tree_util.tree_map(lambda o: np.asarray(o)[: stop - start], fn(*batch)))
    return jax.tree_util.tree_map(lambda *xs: np.concatenate(xs), *outs)


def band_evaluate(fn: Callable, screen: Callable, *points, chunk_size: int = 16384,
                  band_chunk_size: int = 4096) -> BandResult:
    """Evaluate ``fn(*point)`` only where ``screen(*point)`` says it is needed.

    Args:
        fn: the expensive per-point kernel, scalar float output (vmapped and jitted here).
        screen: the cheap per-point kernel returning ``(inside, fallback)``: a bool scalar
            (``fn`` is needed) and the float value to use where it is not.
        points: 1-D arrays of equal length N, one per argument of ``fn`` and ``screen``.
        chunk_size: points per screen call; band_chunk_size: points per ``fn`` call.
    Returns:
        :class:`BandResult` (values (N,), inside (N,)). A host-side driver, not jittable: it
        selects the band points on the host.
    """
    points = _check_points(points)
    n = points[0].shape[0]
    for name, size in (("chunk_size", chunk_size), ("band_chunk_size", band_chunk_size)):
        if int(size) < 1:
            raise InputError(f"{name}={size!r} is outside the allowed range [1, inf]")
    if n == 0:
        return BandResult(np.zeros(0), np.zeros(0, dtype=bool))
    inside, fallback = _chunked(jax.jit(jax.vmap(screen)), points, int(chunk_size))
    inside = np.asarray(inside, dtype=bool)
    values = np.asarray(fallback, dtype=np.float64).copy()
    idx = np.flatnonzero(inside)
    if idx.size:
        values[idx] = _chunked(jax.jit(jax.vmap(fn)), tuple(p[idx] for p in points), int(band_chunk_size))
    return BandResult(values, inside)
