"""Vectorised bracketed bisection with implicit-function derivatives.

Same semantics as ``hai_sim.engine.phase.bisect`` (root of an elementwise monotone function on a
bracket, derivative by the implicit-function rule, never by differentiating through the loop,
which gives exactly zero) except that it never returns NaN: the engine's version returns NaN
where there is no sign change, and that NaN poisons reverse-mode gradients through the
``jnp.where`` that selects the corner solutions v* = 0 / v* = V (0 * NaN in the transpose).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp


@partial(jax.custom_jvp, nondiff_argnums=(0, 4))
def bisect_bracketed(g, lo, hi, args, iters):
    """Root of ``g(x, *args)`` in [lo, hi] for g monotone in x (either direction), elementwise.

    Args:
        g: elementwise function ``g(x, *args) -> array`` (static; a module-level function so that
            jit caches on it).
        lo, hi: arrays broadcastable to the output shape (the bracket; not differentiated).
        args: tuple of pytrees (parameters, abilities), differentiated by the implicit-function rule.
        iters: number of halvings (static). 60 exhausts float64 for brackets of size O(1-10).
    Returns:
        The bracket midpoint after ``iters`` halvings. Where g has no sign change on [lo, hi] the
        result converges to the end point where |g| is smallest in the monotone direction; the
        caller decides corners (this function never returns NaN, so that NaN cannot leak into
        gradients through an unselected ``jnp.where`` branch).
    """
    lo = jnp.asarray(lo, dtype=jnp.result_type(float))
    hi = jnp.asarray(hi, dtype=jnp.result_type(float))
    g_lo, g_hi = g(lo, *args), g(hi, *args)
    shape = jnp.broadcast_shapes(lo.shape, hi.shape, g_lo.shape, g_hi.shape)
    lo, hi = jnp.broadcast_to(lo, shape), jnp.broadcast_to(hi, shape)
    direction = jnp.broadcast_to(jnp.sign(g_hi - g_lo), shape)

    def body(_, state):
        a, b = state
        mid = 0.5 * (a + b)
        go_right = direction * g(mid, *args) < 0
        return jnp.where(go_right, mid, a), jnp.where(go_right, b, mid)

    a, b = jax.lax.fori_loop(0, iters, body, (lo, hi))
    return 0.5 * (a + b)


@bisect_bracketed.defjvp
def _bisect_jvp(g, iters, primals, tangents):
    lo, hi, args = primals
    _, _, t_args = tangents
    x = bisect_bracketed(g, lo, hi, args, iters)
    _, g_dot = jax.jvp(lambda a: g(x, *a), (args,), (t_args,))
    _, g_x = jax.jvp(lambda xx: g(xx, *args), (x,), (jnp.ones_like(x),))
    ok = g_x != 0
    return x, jnp.where(ok, -g_dot / jnp.where(ok, g_x, 1.0), 0.0)
