"""Autodiff helpers for theorem checks: derivative signs on grids, autodiff vs finite differences."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

__all__ = ["grad_vs_fd", "derivative_sign_on_grid", "max_rel_error"]


def grad_vs_fd(f: Callable[[jax.Array], jax.Array], x, *, eps: float = 1e-6) -> tuple[jax.Array, jax.Array]:
    """Autodiff derivative and central finite difference of a scalar function, elementwise.

    Args:
        f: maps a scalar float64 to a scalar.
        x: points (any shape).
        eps: finite-difference step (absolute).
    Returns:
        ``(jax.grad(f)(x), (f(x + eps) - f(x - eps)) / (2 eps))``, each with ``x``'s shape.
    """
    x = jnp.asarray(x, dtype=jnp.result_type(float))
    flat = x.reshape(-1)
    ad = jax.vmap(jax.grad(f))(flat)
    fv = jax.vmap(f)
    fd = (fv(flat + eps) - fv(flat - eps)) / (2.0 * eps)
    return ad.reshape(x.shape), fd.reshape(x.shape)


def derivative_sign_on_grid(f: Callable[[jax.Array], jax.Array], xs, *, atol: float = 0.0) -> jax.Array:
    """Sign (-1, 0, +1) of ``f'(x)`` at each grid point; ``|f'| <= atol`` counts as 0."""
    xs = jnp.asarray(xs, dtype=jnp.result_type(float))
    d = jax.vmap(jax.grad(f))(xs.reshape(-1)).reshape(xs.shape)
    return jnp.where(jnp.abs(d) <= atol, 0, jnp.sign(d)).astype(jnp.int32)


def max_rel_error(a, b, *, floor: float = 1e-300) -> float:
    """``max |a - b| / max(|b|, floor)`` over all elements (host float)."""
    a = jnp.asarray(a)
    b = jnp.asarray(b)
    return float(jnp.max(jnp.abs(a - b) / jnp.maximum(jnp.abs(b), floor)))
