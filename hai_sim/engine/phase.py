"""Phase-diagram machinery: roots and level crossings, region labels, boundaries.

Everything here is elementwise and vectorised: a bisection runs on whole arrays at once (every
element halves its own bracket in lock-step, so there is no data-dependent control flow and the
code runs under ``jit``, ``vmap`` and ``shard_map``). Roots are differentiable with respect to the
function's parameters by the implicit-function rule, ``dx*/dtheta = -(dg/dtheta)/(dg/dx)``, not by
differentiating through the loop.
"""

from __future__ import annotations

import warnings

from collections.abc import Callable, Sequence
from functools import partial

import jax
import jax.numpy as jnp

__all__ = ["bisect", "level_crossings", "labels_from_thresholds", "boundaries", "region_fractions"]


@partial(jax.custom_jvp, nondiff_argnums=(0, 4, 5))
def _bisect(g, lo, hi, args, iters, clamp):
    g_lo = g(lo, *args)
    g_hi = g(hi, *args)
    shape = jnp.broadcast_shapes(jnp.shape(lo), jnp.shape(hi), jnp.shape(g_lo), jnp.shape(g_hi))
    lo = jnp.broadcast_to(lo, shape)
    hi = jnp.broadcast_to(hi, shape)
    g_lo = jnp.broadcast_to(g_lo, shape)
    g_hi = jnp.broadcast_to(g_hi, shape)
    bracketed = (jnp.sign(g_lo) * jnp.sign(g_hi)) <= 0
    increasing = g_hi >= g_lo

    def halve(_, bracket):
        a, b = bracket
        m = 0.5 * (a + b)
        g_m = jnp.broadcast_to(g(m, *args), shape)
        # Move the end whose sign matches g(m), so the sign change stays inside [a, b].
        root_right = jnp.where(increasing, g_m < 0, g_m > 0)
        return jnp.where(root_right, m, a), jnp.where(root_right, b, m)

    a, b = jax.lax.fori_loop(0, iters, halve, (lo, hi))
    # Without a sign change the halvings run to the end point where |g| is smallest.
    return 0.5 * (a + b) if clamp else jnp.where(bracketed, 0.5 * (a + b), jnp.nan)


@_bisect.defjvp
def _bisect_jvp(g, iters, clamp, primals, tangents):
    lo, hi, args = primals
    _, _, d_args = tangents
    x = _bisect(g, lo, hi, args, iters, clamp)
    # Where there is no root (x is NaN, or a clamped end point that does not move) the tangent is
    # 0, computed at a finite stand-in point so that no NaN enters the linearisation: otherwise
    # reverse mode turns 0 * NaN into NaN even when the caller masks those elements out.
    g_lo = g(lo, *args)
    g_hi = g(hi, *args)
    missing = jnp.broadcast_to((jnp.sign(g_lo) * jnp.sign(g_hi)) > 0, x.shape) | jnp.isnan(x)
    x_safe = jnp.where(missing, jnp.broadcast_to(lo, x.shape), x)
    _, g_x = jax.jvp(lambda xx: g(xx, *args), (x_safe,), (jnp.ones_like(x_safe),))
    _, g_theta = jax.jvp(lambda a: g(x_safe, *a), (args,), (d_args,))
    g_x = jnp.where(missing | (g_x == 0), 1.0, g_x)
    return x, jnp.where(missing, 0.0, -g_theta / g_x)


def bisect(
    g: Callable[..., jax.Array],
    lo,
    hi,
    *,
    args: Sequence = (),
    iters: int = 64,
    outside: str = "nan",
) -> jax.Array:
    """Root of a monotone elementwise function ``g(x, *args)`` in ``[lo, hi]``.

    Args:
        g: elementwise in ``x`` (output shape = broadcast of ``x`` and ``args``), monotone
            (increasing or decreasing, decided per element from the end points).
        lo, hi: bracket ends, broadcastable against ``g``'s output. float64 under x64.
        args: extra arguments of ``g``; the root is differentiable with respect to them.
        iters: halvings (64 reach float64 resolution on any bracket of width <= 1e4).
        outside: where ``g(lo)`` and ``g(hi)`` have the same strict sign (no root in the
            bracket): ``"nan"`` returns NaN, ``"clamp"`` the end point where ``|g|`` is smallest
            (for callers that select corner solutions themselves). Either way the derivative
            there is 0 and finite.

    Returns:
        Roots, shape = broadcast of ``lo``, ``hi`` and ``g``'s output.
    """
    if outside not in ("nan", "clamp"):
        raise ValueError(f"outside={outside!r}: must be 'nan' or 'clamp'")
    lo = jnp.asarray(lo, dtype=jnp.result_type(float))
    hi = jnp.asarray(hi, dtype=jnp.result_type(float))
    return _bisect(g, lo, hi, tuple(args), int(iters), outside == "clamp")


def level_crossings(
    f: Callable[..., jax.Array],
    lo,
    hi,
    levels: Sequence[float] = (0.2, 0.8),
    *,
    args: Sequence = (),
    iters: int = 64,
) -> tuple[jax.Array, ...]:
    """Where a monotone elementwise ``f(x, *args)`` crosses each level in ``[lo, hi]``.

    The classic use is the transition window of an order parameter: ``f`` is a success
    probability as a function of an ability ``x`` and the window is ``(x_0.2, x_0.8)``.

    Returns:
        One array per level (same shape as :func:`bisect`'s output), NaN where the level is not
        crossed inside ``[lo, hi]`` (NaN by design: declare it in ``sweep(allow_nonfinite=...)``).
        Differentiable with respect to ``args`` by the implicit-function rule.
    """
    out = []
    for level in levels:
        level = float(level)
        out.append(bisect(lambda x, *a, _l=level: f(x, *a) - _l, lo, hi, args=args, iters=iters))
    return tuple(out)


def transition_window(*args, **kwargs) -> tuple[jax.Array, ...]:
    """Deprecated alias of :func:`level_crossings` (kept for one release).

    The name now belongs to the models (``integration.transition_window`` takes a job and a
    worker); within the engine the generic operation is :func:`level_crossings`.
    """
    warnings.warn("hai_sim.engine.transition_window is deprecated: use hai_sim.engine.level_crossings",
                  DeprecationWarning, stacklevel=2)
    return level_crossings(*args, **kwargs)


def labels_from_thresholds(values, thresholds: Sequence[float]) -> jax.Array:
    """Integer region labels: the number of ``thresholds`` (sorted ascending) that ``values`` reach.

    ``values`` of any shape -> int32 labels of the same shape in ``0..len(thresholds)``.
    NaN gets label -1.
    """
    values = jnp.asarray(values)
    values = values.astype(jnp.result_type(values.dtype, float))  # fractional thresholds on integers
    t = jnp.asarray(sorted(float(x) for x in thresholds), dtype=values.dtype)
    t = t.reshape((1,) * values.ndim + (-1,))
    labels = jnp.sum(values[..., None] >= t, axis=-1).astype(jnp.int32)
    return jnp.where(jnp.isnan(values), -1, labels)


def boundaries(labels) -> jax.Array:
    """Boolean mask of the cells of a labelled grid (any rank) that differ from a neighbour.

    A cell is on a boundary when its label differs from the next cell along any axis; both
    cells of such a pair are marked, so boundaries are two cells thick and symmetric.
    """
    labels = jnp.asarray(labels)
    mask = jnp.zeros(labels.shape, dtype=bool)
    for axis in range(labels.ndim):
        n = labels.shape[axis]
        if n < 2:
            continue
        a = jax.lax.slice_in_dim(labels, 0, n - 1, axis=axis)
        b = jax.lax.slice_in_dim(labels, 1, n, axis=axis)
        diff = a != b
        pad_lo = [(0, 0)] * labels.ndim
        pad_hi = [(0, 0)] * labels.ndim
        pad_lo[axis] = (0, 1)
        pad_hi[axis] = (1, 0)
        mask = mask | jnp.pad(diff, pad_lo) | jnp.pad(diff, pad_hi)
    return mask


def region_fractions(labels, n_labels: int) -> jax.Array:
    """Fraction of cells with each label ``0..n_labels-1`` (shape ``(n_labels,)``, float)."""
    labels = jnp.asarray(labels).reshape(-1)
    counts = jnp.sum(labels[:, None] == jnp.arange(n_labels)[None, :], axis=0)
    return counts / labels.size
