"""The behaviour-aware single model (eq. 4) through the §2.3 surrogate [R: the surrogate, A16].

Eq. 4 with 0-1 losses is piecewise constant in θ. The surrogate replaces each 0-1 loss by its
expectation under the model's class probabilities P_θ(k | x), with Prop. 5 region weights:

    L̂_c(θ)   = (1/N) Σ w^c (1 − P_θ(y | x))
    L̂_h,a(θ) = Σ w^a (1 − P_θ(h | x)) / Σ w^a
    J(θ)     = L̂_c + (L_{c,h} − L̂_c) L̂_h,a + (λ/2)‖w‖²,   L_{c,h} = (1/N) Σ w^c 1{h ≠ y}

For hard probabilities (|z| → ∞) J is exactly the CGPR team loss (eq. 3) minus the constant
L(D_a, h). Trained from the standard AI with Adam (optax; "standard" dtype promotion).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, jit_core
from hai_sim.engine.validate import check_range, is_concrete

from .fit import _design
from .losses import _region_weights
from .params import _labels, _same_length

__all__ = ["behaviour_aware_objective", "fit_behaviour_aware"]


def _objective(theta, X, y, h, w_a, w_c, lam):
    p1 = jax.nn.sigmoid(_design(X) @ theta)
    p_of = lambda t: t * p1 + (1.0 - t) * (1.0 - p1)  # noqa: E731  P_θ(t | x) for t ∈ {0, 1}
    n = y.shape[-1]
    L_c = jnp.sum(w_c * (1.0 - p_of(y))) / n
    L_ha = jnp.sum(w_a * (1.0 - p_of(h))) / jnp.sum(w_a)
    L_ch = jnp.sum(w_c * (h != y).astype(X.dtype)) / n
    return L_c + (L_ch - L_c) * L_ha + 0.5 * lam * jnp.sum(theta[1:] ** 2)


def behaviour_aware_objective(theta, X, y, h, in_Da=None, *, w_a=None, w_c=None, lam=0.0) -> jax.Array:
    """The §2.3 surrogate J(θ) of eq. 4 (0-d float), differentiable in θ ((d+1,) [b, w]).

    X (N, d); y, h (N,) {0, 1}; the region as a bool mask ``in_Da`` or Prop. 5 weights ``w_a``
    (and ``w_c``, default 1 − w_a); ``lam`` ≥ 0 penalises the weights (not the intercept).
    """
    _same_length(y=y, h=h, in_Da=in_Da, w_a=w_a, w_c=w_c)
    check_range("lam", lam, 0.0, None)
    wa, wc = _region_weights(in_Da, w_a, w_c)
    if is_concrete(wa) and float(jnp.sum(wa)) <= 0:
        raise InputError("w_a: the alignment region is empty (all weights zero); the surrogate needs Σ w^a > 0")
    return _objective_core(jnp.asarray(theta, dtype=float), jnp.asarray(X, dtype=float), _labels("y", y),
                           _labels("h", h), wa, wc, jnp.asarray(lam, dtype=float))


_objective_core = jit_core(_objective)


@jit_core(static_argnames=("steps",))
def _fit_ba_core(theta0, X, y, h, w_a, w_c, lam, lr, steps):
    import optax

    opt = optax.adam(lr)
    loss = lambda th: _objective(th, X, y, h, w_a, w_c, lam)  # noqa: E731

    def step(carry, _):
        th, state = carry
        g = jax.grad(loss)(th)
        updates, state = opt.update(g, state, th)
        return (optax.apply_updates(th, updates), state), None

    (theta, _), _ = jax.lax.scan(step, (theta0, opt.init(theta0)), None, length=steps)
    return theta


def fit_behaviour_aware(theta0, X, y, h, in_Da=None, *, w_a=None, w_c=None, lam=1e-3, lr=0.02,
                        steps=200) -> jax.Array:
    """Behaviour-aware model θ_ba* (eq. 4): Adam on the §2.3 surrogate from ``theta0`` (the standard AI).

    Args as :func:`behaviour_aware_objective`; ``lr`` > 0, ``steps`` (static) ≥ 1.
    Returns (d + 1,) float [b, w].
    """
    _same_length(y=y, h=h, in_Da=in_Da, w_a=w_a, w_c=w_c)
    check_range("lam", lam, 0.0, None)
    check_range("lr", lr, 0.0, None, lo_open=True)
    if not isinstance(steps, int) or steps < 1:
        raise InputError(f"steps={steps!r} is outside the allowed range: an integer >= 1")
    wa, wc = _region_weights(in_Da, w_a, w_c)
    f = lambda v: jnp.asarray(v, dtype=float)  # noqa: E731
    with jax.numpy_dtype_promotion("standard"):
        return _fit_ba_core(f(theta0), f(X), _labels("y", y), _labels("h", h), wa, wc, f(lam), f(lr), steps=steps)
