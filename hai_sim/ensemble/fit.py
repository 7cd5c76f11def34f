"""Weighted l2 logistic regression by a fixed-iteration damped Newton method (spec §2.1).

The objective, in mean-normalised form, is

    J(β) = Σ_i s_i ℓ_i(β) / Σ_i s_i + (λ/2) ‖β_pen‖²,    ℓ_i = log(1 + e^{z_i}) − t_i z_i,

z = b + wᵀx, with λ = 1/(C Σ s) by default: exactly scikit-learn's
``LogisticRegression(C).fit(X, t, sample_weight=s)`` (intercept unpenalised), divided by Σ s.
Newton steps run in ``lax.scan`` for a fixed number of iterations (static shapes, vmappable over
data sets and weights); each step is shortened so that no weighted logit moves by more than
``MAX_DZ``, so that separable data (an α = 1 alignment region) converge too: the penalty keeps the
optimum finite and the cap keeps early steps from overshooting. This costs one sigmoid per instance
and step (a line search would cost several log-losses). Convergence to ‖∇J‖ ≤ 1e-10 is tested on
admissions data (separable regions included); data with much larger optimal logits need more
``iters``. Zero weights mask
instances out of a region, keeping shapes static; all-zero weights give β = 0.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, jit_core
from hai_sim.engine.validate import check_range, is_concrete

from .params import _labels, _weights

__all__ = ["fit_wlr", "wlr_objective"]

ITERS = 16
# The admissions pipeline's fits (four paradigms, Fig. A4's fixed weights): 7 damped steps already
# reach ‖∇J‖ ≤ 3e-16 at 1500 random points of the (p, δ, α, τ) grid, group or τ regions; 10 keep a
# margin (tests/ensemble/test_fit.py checks ≤ 1e-10 at the grid's corners) and cost 10/16 of 16.
PIPELINE_ITERS = 10
MAX_DZ = 4.0  # largest change of any weighted instance's logit in one Newton step


def _design(X):
    return jnp.concatenate([jnp.ones(X.shape[:-1] + (1,), X.dtype), X], axis=-1)


def _penalty_mask(d1, penalize_intercept):
    mask = jnp.ones(d1)
    return mask if penalize_intercept else mask.at[0].set(0.0)


def _objective(beta, Z, t, s_norm, lam, pen):
    z = Z @ beta
    return jnp.sum(s_norm * (jax.nn.softplus(z) - t * z)) + 0.5 * lam * jnp.sum(pen * beta**2)


def _spd_solve(H, g):
    """Solve H x = g for a small symmetric positive-definite H (Cholesky, unrolled).

    The Newton systems here are (d+1) x (d+1) with d = 2: an unrolled factorisation vectorises over
    every vmapped fit, where a batched LAPACK call runs matrix by matrix (and compiles slowly).
    """
    k = H.shape[-1]
    if k > 8:
        return jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(H), g)
    L = [[None] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1):
            acc = H[i, j] - sum((L[i][m] * L[j][m] for m in range(j)), start=jnp.zeros_like(H[i, j]))
            L[i][j] = jnp.sqrt(acc) if i == j else acc / L[j][j]
    v = [None] * k
    for i in range(k):
        v[i] = (g[i] - sum((L[i][m] * v[m] for m in range(i)), start=jnp.zeros_like(g[i]))) / L[i][i]
    x = [None] * k
    for i in reversed(range(k)):
        x[i] = (v[i] - sum((L[m][i] * x[m] for m in range(i + 1, k)), start=jnp.zeros_like(g[i]))) / L[i][i]
    return jnp.stack(x)


def _newton(X, t, s, lam, penalize_intercept, iters=ITERS):
    """Unchecked kernel: X (n, d), t (n,) in {0,1}, s (n,) ≥ 0, lam (0-d; NaN = 1/(C Σs) set by caller)."""
    Z = _design(X)
    d1 = Z.shape[-1]
    total = jnp.sum(s)
    empty = total <= 0
    s_norm = s / jnp.where(empty, 1.0, total)
    pen = _penalty_mask(d1, penalize_intercept)
    # An empty region has a zero loss part; the identity keeps its Newton system regular.
    ridge = lam * jnp.diag(pen) + jnp.where(empty, 1.0, 0.0) * jnp.eye(d1)

    def step(beta, _):
        z = Z @ beta
        sig = jax.nn.sigmoid(z)
        grad = Z.T @ (s_norm * (sig - t)) + lam * pen * beta
        hess = (Z * (s_norm * sig * (1.0 - sig))[:, None]).T @ Z + ridge
        direction = _spd_solve(hess, grad)
        # Damping: no logit moves by more than MAX_DZ in one step (far from the optimum of separable
        # data the full step overshoots); near the optimum steps are small and Newton is undamped.
        dz = jnp.max(jnp.where(s_norm > 0, jnp.abs(Z @ direction), 0.0))
        return beta - jnp.minimum(1.0, MAX_DZ / jnp.maximum(dz, 1e-300)) * direction, None

    beta, _ = jax.lax.scan(step, jnp.zeros(d1, X.dtype), None, length=iters)
    return jnp.where(empty, 0.0, beta)


def _default_lam(s, C):
    """scikit-learn's penalty in mean-normalised form: λ = 1/(C Σ s) (0 weight sum → 1)."""
    total = jnp.sum(s, axis=-1)
    return 1.0 / (C * jnp.where(total > 0, total, 1.0))


@jit_core(static_argnames=("C", "penalize_intercept", "iters", "fixed_lam"))
def _fit_core(X, t, s, lam, C, penalize_intercept, iters, fixed_lam):
    lam = lam if fixed_lam else _default_lam(s, C)
    return _newton(X, t, s, lam, penalize_intercept, iters)


def fit_wlr(X, t, s=None, C=1.0, *, lam=None, penalize_intercept=False, iters=ITERS) -> jax.Array:
    """Weighted l2 logistic regression (spec §2.1): minimise Σ s ℓ / Σ s + (λ/2)‖β‖².

    Args:
        X: (n, d) float features, no intercept column.
        t: (n,) {0, 1} targets (int, float or bool).
        s: (n,) non-negative instance weights, not all zero (None: uniform).
        C: static inverse penalty (scikit-learn's C > 0); λ = 1/(C Σ s).
        lam: fixes λ ≥ 0 instead (then ``C`` is unused). May be traced.
        penalize_intercept: penalise the intercept too (the §3 theory convention).
        iters: static number of damped Newton steps (default 16; 12 already reach ‖∇J‖ ≤ 1e-15 on
            admissions data, separable regions included).
    Returns:
        (d + 1,) float [b, w_1, …, w_d].
    """
    if np.ndim(X) != 2:
        raise InputError(f"X has shape {np.shape(X)}: expected (n, d) features without an intercept column")
    n = np.shape(X)[0]
    check_range("X", X)
    t = _labels("t", t)
    if np.shape(t) != (n,):
        raise InputError(f"mismatched lengths (X: {n}, t: {np.shape(t)}): t must have shape ({n},)")
    if s is None:
        s = jnp.ones(n)
    elif np.shape(s) != (n,):
        raise InputError(f"mismatched lengths (X: {n}, s: {np.shape(s)}): s must have shape ({n},)")
    s = _weights("s", s)
    if not isinstance(C, (int, float)) or not C > 0 or not np.isfinite(C):
        raise InputError(f"C={C!r} is outside the allowed range (0, inf): a static positive number")
    if not isinstance(iters, int) or iters < 1:
        raise InputError(f"iters={iters!r} is outside the allowed range: an integer >= 1")
    check_range("lam", lam, 0.0, None)
    X = jnp.asarray(X, dtype=float) if is_concrete(X) else X
    lam_arr = jnp.asarray(0.0 if lam is None else lam, dtype=float) if is_concrete(lam) else lam
    return _fit_core(X, t, s, lam_arr, C=float(C), penalize_intercept=bool(penalize_intercept), iters=iters,
                     fixed_lam=lam is not None)


def wlr_objective(beta, X, t, s=None, C=1.0, *, lam=None, penalize_intercept=False) -> jax.Array:
    """The objective J(β) minimised by :func:`fit_wlr` (0-d float; differentiable in β)."""
    n = np.shape(X)[0]
    s = jnp.ones(n) if s is None else jnp.asarray(s, dtype=float)
    t = jnp.asarray(t).astype(float)
    lam = _default_lam(s, C) if lam is None else lam
    total = jnp.sum(s)
    return _objective(beta, _design(jnp.asarray(X, dtype=float)), t, s / total, lam,
                      _penalty_mask(np.shape(X)[1] + 1, penalize_intercept))
