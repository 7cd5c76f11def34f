"""The learning-free Global baseline in closed form (spec §2.5, §3; paper Sec 4).

The AI's scores are ``e_y + δ`` with ``δ_j ~ N(0, σ²)`` i.i.d. (``σ_D = √2 σ`` is the spread of
``δ_y − δ_j``); one human votes; the team decides by ``argmax α·AI + (1−α)·vote``.

Two forms of every accuracy:

* ``method="paper"`` [P] — eq 8/9: the n−1 events "class y beats class j" treated as
  independent: ``P0 = Φ(1/σ_D)^{n−1}``, ``P1(α) = H·A(α) + (1−H)·B(α)`` with
  ``A = Φ(1/(ασ_D))^{n−1}`` and ``B = Φ((2α−1)/(ασ_D))·Φ(1/σ_D)^{n−2}``.
* ``method="exact"`` [R] — the same events share ``δ_y``; conditioning on it,
  ``P0 = E_Z[Φ(Z + 1/σ)^{n−1}]`` and likewise for A and B, by 160-node Gauss–Hermite quadrature
  (error below 2e-10 for n ≤ 100). By Harris's inequality exact ≥ paper, equal at n = 2.

Every function is float64, broadcasts its arguments, and runs under ``jit``/``vmap`` over every
argument, n included: a concrete Python ``int`` n compiles integer powers (fast); a traced or
array n uses float powers.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.scipy.special import ndtri

from hai_sim.engine import bisect, jit_core, named_result
from hai_sim.engine.special import normal_cdf as _Phi

from ._checks import check_acc, check_choice, check_grid, check_int_range, check_range, concrete_int

__all__ = [
    "EXPERTS",
    "METHODS",
    "Baseline",
    "Optimum",
    "Sigma",
    "ai_accuracy",
    "global_baseline",
    "human_accuracy",
    "optimal_alpha",
    "sigma_from_acc",
    "team_accuracy",
]

METHODS = ("paper", "exact")
EXPERTS = ("paper41", "ms")

_F64 = jnp.float64
_SQRT2 = math.sqrt(2.0)
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(160)
_GH_WEIGHTS = _GH_WEIGHTS / math.sqrt(2.0 * math.pi)
# The integrands lie in [0, 1], so nodes of weight below 1e-20 change no result by more than
# 1e-18: dropping them keeps 74 of the 160 nodes (2.2x fewer Φ calls).
_KEEP = _GH_WEIGHTS > 1e-20
_GH_NODES, _GH_WEIGHTS = _GH_NODES[_KEEP], _GH_WEIGHTS[_KEEP]
# Exact inversion brackets u = 1/σ: P0_ex(u=0) = 1/n exactly, and Φ(Z + 60) = 1 at every node.
_U_MAX = 60.0
_CURVATURE = -1e-6  # refine only where d²P1/dα² is below this (ERRATA 4)
_NEWTON_STEPS = 3
_ALPHA_BLOCK = 256


@named_result
class Sigma(NamedTuple):
    """AI noise from an accuracy: ``sigma_D`` (std of δ_y − δ_j) and ``sigma = sigma_D/√2``."""

    sigma_D: jax.Array
    sigma: jax.Array


@named_result
class Optimum(NamedTuple):
    """Best global weight: ``alpha`` (α*), ``acc`` (P1(α*)), ``gain`` (P1(α*) − P1(1), eq 10's F)."""

    alpha: jax.Array
    acc: jax.Array
    gain: jax.Array


@named_result
class Baseline(NamedTuple):
    """The Global baseline: weight ``alpha`` on the AI and its predicted accuracy ``acc``."""

    alpha: jax.Array
    acc: jax.Array


# ----------------------------------------------------------------------------- primitives


def _Phi_sum(x):
    # Inside the quadrature sums: 1/2 + erf/2. In XLA's CPU reduction fusions erf vectorises and
    # runs about 5x faster than erfc (in plain elementwise fusions it is the other way round, so
    # the paper form keeps engine.special.normal_cdf; measured, jax 0.10). Absolute error below 3e-16 everywhere; only
    # relative accuracy in the far lower tail (Φ < 1e-16) is lost, and every quantity here is an
    # absolute probability.
    return 0.5 + 0.5 * lax.erf(x / _SQRT2)


def _pow(x, n, n_static: int | None, k: int):
    """``x ** (n − k)``: an integer power when n is static, a float power otherwise."""
    if n_static is not None:
        e = n_static - k
        return jnp.ones_like(x) if e == 0 else lax.integer_pow(x, e)
    return jnp.power(x, n - k)


def _expect(f, *args):
    """E_Z[f(Z, *args)] for Z ~ N(0,1) by Gauss–Hermite; ``args`` broadcast together."""
    shape = jnp.broadcast_shapes(*(jnp.shape(a) for a in args))
    args = [jnp.expand_dims(jnp.broadcast_to(a, shape), -1) for a in args]
    z = jnp.asarray(_GH_NODES, _F64).reshape((1,) * len(shape) + (-1,))
    w = jnp.asarray(_GH_WEIGHTS, _F64).reshape((1,) * len(shape) + (-1,))
    return jnp.sum(w * f(z, *args), axis=-1)


def _as_f64(x):
    return jnp.asarray(x).astype(_F64)


# ----------------------------------------------------------------------------- kernels


def _p0(sigma_D, n, n_static, method):
    if method == "paper":
        return _pow(_Phi(1.0 / sigma_D), n, n_static, 1)
    u = _SQRT2 / sigma_D
    return _expect(lambda z, u_, n_: _pow(_Phi_sum(z + u_), n_, n_static, 1), u, n)


def _p1(alpha, n, H, sigma_D, n_static, method):
    """P1(α) = H·A(α) + (1−H)·B(α); P1(0) = H (the limit α → 0+)."""
    if method == "paper":
        positive = alpha > 0
        a = jnp.where(positive, alpha, 1.0)
        A = _pow(_Phi(1.0 / (a * sigma_D)), n, n_static, 1)
        B = _Phi((2.0 * a - 1.0) / (a * sigma_D)) * _pow(_Phi(1.0 / sigma_D), n, n_static, 2)
        return jnp.where(positive, H * A + (1.0 - H) * B, H)
    # Exact form: α is clamped (spec §3.3) to α_0 = 1e-6/(1 + σ_D), where every Φ argument is
    # beyond ±10^6 for any σ_D, so P1(α_0) = H·1 + (1−H)·0 to rounding (≤ 2e-16) and the gradient
    # is 0. A `where` on α or on the result, and H, 1 − H applied after the two sums, each made
    # XLA's CPU fusion of this kernel about 4x slower (measured, jax 0.10): H goes inside the sums.
    s = sigma_D / _SQRT2
    a = jnp.maximum(alpha, 1e-6 / (1.0 + sigma_D))
    HA = _expect(lambda z, a_, s_, h_, n_: h_ * _pow(_Phi_sum(z + 1.0 / (a_ * s_)), n_, n_static, 1), a, s, H, n)
    HB = _expect(
        lambda z, a_, s_, h_, n_: (1.0 - h_) * _Phi_sum(z + (2.0 * a_ - 1.0) / (a_ * s_))
        * _pow(_Phi_sum(z + 1.0 / s_), n_, n_static, 2),
        a, s, H, n,
    )
    return HA + HB


def _sigma_D(acc, n, n_static, method):
    if method == "paper":
        return 1.0 / ndtri(jnp.power(acc, 1.0 / (n - 1.0)))

    def excess(u, acc_, n_):
        return _expect(lambda z, u_, n__: _pow(_Phi_sum(z + u_), n__, n_static, 1), u, n_) - acc_

    u = bisect(excess, 0.0, _U_MAX, args=(acc, n), iters=64)
    return _SQRT2 / u


def _human(n, K, p, expert):
    if expert == "paper41":
        # y ∈ E: right; else right w.p. p + (1−p)/(n−K). K = n leaves no class outside E.
        return jnp.where(K >= n, 1.0, (K + (n - K) * p + 1.0 - p) / n)
    return K / n + (n - K) / n * (p + (1.0 - p) / n)


def _optimum(n, H, sigma_D, n_static, method, grid, refine):
    """Grid argmax of P1 over α ∈ linspace(0, 1, grid), scanned in blocks to bound memory,
    then Newton steps only at interior maxima of clearly negative curvature (ERRATA 4)."""
    shape = jnp.broadcast_shapes(jnp.shape(n), jnp.shape(H), jnp.shape(sigma_D))
    n, H, sigma_D = (jnp.broadcast_to(x, shape) for x in (n, H, sigma_D))
    n_blocks = -(-grid // _ALPHA_BLOCK)
    idx = jnp.minimum(jnp.arange(n_blocks * _ALPHA_BLOCK), grid - 1).reshape(n_blocks, _ALPHA_BLOCK)
    step = 1.0 / (grid - 1)
    ex = lambda x: jnp.expand_dims(x, -1)  # noqa: E731

    def scan_block(carry, block):
        best, best_i = carry
        alphas = (block.astype(_F64) * step).reshape((1,) * len(shape) + (-1,))
        vals = _p1(alphas, ex(n), ex(H), ex(sigma_D), n_static, method)
        j = jnp.argmax(vals, axis=-1)
        v = jnp.max(vals, axis=-1)
        better = v > best  # strict: the smallest α wins ties (α* = 0 for a perfect expert)
        return (jnp.where(better, v, best), jnp.where(better, block[j], best_i)), None

    init = (jnp.full(shape, -jnp.inf, _F64), jnp.zeros(shape, idx.dtype))
    (best, best_i), _ = lax.scan(scan_block, init, idx)
    alpha = best_i.astype(_F64) * step
    if refine:
        f = lambda a: _p1(a, n, H, sigma_D, n_static, method)  # noqa: E731
        d1 = jax.grad(lambda a: jnp.sum(f(a)))
        d2 = jax.grad(lambda a: jnp.sum(d1(a)))
        interior = (best_i > 0) & (best_i < grid - 1) & (d2(alpha) < _CURVATURE)
        a = alpha
        for _ in range(_NEWTON_STEPS):
            h = d2(a)
            a = jnp.clip(a - d1(a) / jnp.where(h < 0, h, -1.0), alpha - step, alpha + step)
        refined = interior & (f(a) >= best)
        alpha = jnp.where(refined, a, alpha)
        best = jnp.where(refined, f(a), best)
    p0 = _p1(jnp.ones_like(alpha), n, H, sigma_D, n_static, method)
    return Optimum(alpha, best, best - p0)


# ----------------------------------------------------------------------------- jitted cores


@jit_core(static_argnames=("n_static", "method"))
def _sigma_core(acc, n, *, n_static, method):
    sigma_D = _sigma_D(_as_f64(acc), _as_f64(n), n_static, method)
    return Sigma(sigma_D, sigma_D / _SQRT2)


@jit_core(static_argnames=("n_static", "method"))
def _p0_core(sigma_D, n, *, n_static, method):
    return _p0(_as_f64(sigma_D), _as_f64(n), n_static, method)


@jit_core(static_argnames=("expert",))
def _human_core(n, K, p, *, expert):
    return _human(_as_f64(n), _as_f64(K), _as_f64(p), expert)


@jit_core(static_argnames=("n_static", "method"))
def _p1_core(alpha, n, H, sigma_D, *, n_static, method):
    return _p1(_as_f64(alpha), _as_f64(n), _as_f64(H), _as_f64(sigma_D), n_static, method)


@jit_core(static_argnames=("n_static", "method", "grid", "refine"))
def _optimum_core(n, H, sigma_D, *, n_static, method, grid, refine):
    return _optimum(_as_f64(n), _as_f64(H), _as_f64(sigma_D), n_static, method, grid, refine)


@jit_core(static_argnames=("n_static", "method", "expert", "grid"))
def _baseline_core(ai_acc, n, K, p, *, n_static, method, expert, grid):
    nf = _as_f64(n)
    sigma_D = _sigma_D(_as_f64(ai_acc), nf, n_static, method)
    H = _human(nf, _as_f64(K), _as_f64(p), expert)
    opt = _optimum(nf, H, sigma_D, n_static, method, grid, True)
    return Baseline(opt.alpha, opt.acc)


# ----------------------------------------------------------------------------- public API


def _check_n(n):
    check_int_range("n", n, 2)


def sigma_from_acc(acc, n, method: str = "paper") -> Sigma:
    """AI noise that gives accuracy ``acc`` with ``n`` options (eq 9 or its exact inverse).

    Args:
        acc: AI accuracy, float array in (1/n, 1).
        n: number of options, integer ≥ 2 (Python int: integer powers; array/traced: float).
        method: ``"paper"`` — eq 9 [P], ``σ_D = 1/Φ⁻¹(acc^{1/(n−1)})``; ``"exact"`` [R] — the σ
            at which the noise model truly has accuracy ``acc`` (64 bisection steps on 1/σ).
    Returns:
        :class:`Sigma` ``(sigma_D, sigma)``, float64, shape = broadcast of ``acc`` and ``n``.
    """
    check_choice("method", method, METHODS)
    _check_n(n)
    check_acc("acc", acc, n)
    return _sigma_core(acc, n, n_static=concrete_int(n), method=method)


def ai_accuracy(sigma_D, n, method: str = "paper"):
    """P0: accuracy of the AI alone at noise ``sigma_D`` (> 0); the inverse of :func:`sigma_from_acc`.

    Returns a float64 array, shape = broadcast of the arguments.
    """
    check_choice("method", method, METHODS)
    _check_n(n)
    check_range("sigma_D", sigma_D, 0.0, lo_open=True)
    return _p0_core(sigma_D, n, n_static=concrete_int(n), method=method)


def human_accuracy(n, K, p=0.0, expert: str = "paper41"):
    """H: accuracy of an expert perfect on K of the n classes, right w.p. ``p`` elsewhere.

    ``expert="paper41"`` (Sec 4.1 [P]): otherwise uniform over the n−K classes outside E,
    ``H = (K + (n−K)p + 1 − p)/n`` (1 at K = n). ``"ms"`` (Mozannar–Sontag [P]): otherwise
    uniform over all n, ``H = K/n + (n−K)/n·(p + (1−p)/n)``. Float64, broadcast shape.
    """
    check_choice("expert", expert, EXPERTS)
    _check_n(n)
    check_int_range("K", K, 0, n, hi_name="n")
    check_range("p", p, 0.0, 1.0)
    return _human_core(n, K, p, expert=expert)


def team_accuracy(alpha, n, H, sigma_D, method: str = "paper"):
    """P1(α): accuracy of ``argmax α·AI + (1−α)·vote`` (T2/T4; eq 8 in the paper's product form).

    Args:
        alpha: weight on the AI, in [0, 1] (P1(0) = H, the α → 0+ limit; the exact form
            evaluates at α ≥ 1e-6/(1 + σ_D), spec §3.3, which gives H to 2e-16).
        n: options (integer ≥ 2); H: expert accuracy in [0, 1]; sigma_D: AI noise > 0.
        method: ``"paper"`` (product form) or ``"exact"`` (Gauss–Hermite).
    Returns:
        float64 array, shape = broadcast of the arguments.
    """
    check_choice("method", method, METHODS)
    _check_n(n)
    check_range("alpha", alpha, 0.0, 1.0)
    check_range("H", H, 0.0, 1.0)
    check_range("sigma_D", sigma_D, 0.0, lo_open=True)
    return _p1_core(alpha, n, H, sigma_D, n_static=concrete_int(n), method=method)


def optimal_alpha(n, H, sigma_D, method: str = "paper", *, grid: int = 10001, refine: bool = True) -> Optimum:
    """α* = argmax P1 over ``grid`` points of [0, 1] (the paper's grid search), then up to 3
    Newton steps (autodiff gradient and curvature, kept within one grid step) at interior
    maxima whose curvature is clearly negative (below -1e-6; ERRATA 4: never at H = 1, at the
    boundary α = 1, or on flat stretches). Ties go to the smallest α.

    Returns:
        :class:`Optimum` ``(alpha, acc, gain)``, float64, shape = broadcast of the arguments.
    """
    check_choice("method", method, METHODS)
    _check_n(n)
    check_range("H", H, 0.0, 1.0)
    check_range("sigma_D", sigma_D, 0.0, lo_open=True)
    check_grid(grid)
    return _optimum_core(n, H, sigma_D, n_static=concrete_int(n), method=method, grid=int(grid), refine=bool(refine))


def global_baseline(ai_acc, n, K, p=0.0, expert: str = "paper41", method: str = "paper", *,
                    grid: int = 10001) -> Baseline:
    """The paper's Global baseline (§2.5): σ from ``ai_acc`` (eq 9 or exact), H from (K, p,
    expert), then α* and the predicted accuracy P1(α*) in the same ``method``.

    Returns:
        :class:`Baseline` ``(alpha, acc)``, float64, shape = broadcast of the arguments.
    """
    check_choice("method", method, METHODS)
    check_choice("expert", expert, EXPERTS)
    _check_n(n)
    check_acc("ai_acc", ai_acc, n)
    check_int_range("K", K, 0, n, hi_name="n")
    check_range("p", p, 0.0, 1.0)
    check_grid(grid)
    return _baseline_core(ai_acc, n, K, p, n_static=concrete_int(n), method=method, expert=expert, grid=int(grid))

