"""Theorem quantities (spec §1.5–1.12, §3): the local tradeoff T, Lemma 1, Lemma 7/8 constants,
Theorem 4's bounds, eq. 37, Lemma 9, Corollary 6, and the §1.5 dominance identity.

Logistic losses here use {0, 1} targets: ℓ(t, z) = log(1 + e^z) − t z, which equals the paper's
log(1 + e^{−y z}) with y = 2t − 1.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range

from .data import _admissions
from .fit import _default_lam, _design, _newton
from .params import Population, _check_p_open, make_population

__all__ = [
    "PROTOCOLS",
    "Tradeoff",
    "additive_cor6_bound",
    "alignment_loss_lemma1",
    "binary_entropy",
    "dominance_gap",
    "eq37_min",
    "lemma8_bounds",
    "logistic_c",
    "misroute",
    "region_logloss",
    "thm4_bound",
    "thm4_tight",
    "tradeoff_T",
    "tradeoff_at_single",
    "tradeoff_fd",
]

PROTOCOLS = ("split", "sklearn")


@named_result
class Tradeoff(NamedTuple):
    """The complementarity–alignment tradeoff at the single-model optimum (0-d floats).

    Attributes:
        T: −∇L_cᵀ∇L_a / ‖∇L_a‖² by autodiff (Theorem 2's definition).
        T_fd: one-sided finite-difference ratio ΔL_c / (−ΔL_a) toward θ_ma* (the paper's protocol).
        p_hat: |D_a| / n of the sample.
        cos_phi: cosine of the angle between ∇L_a and ∇L_c.
    """

    T: jax.Array
    T_fd: jax.Array
    p_hat: jax.Array
    cos_phi: jax.Array


def region_logloss(theta, X, t, w, lam=0.0):
    """Weighted mean logistic loss Σ w ℓ(t, z) / Σ w + (λ/2)‖θ‖² (intercept penalised; λ = 0: none).

    theta (d+1,), X (n, d), t (n,) {0,1} float, w (n,) ≥ 0. Returns a 0-d float.
    """
    z = _design(X) @ theta
    return jnp.sum(w * (jax.nn.softplus(z) - t * z)) / jnp.sum(w) + 0.5 * lam * jnp.sum(theta**2)


def tradeoff_T(grad_a, grad_c):
    """Theorem 2: T = −∇L_cᵀ∇L_a / ‖∇L_a‖² from the two gradients ((..., k) arrays)."""
    return -jnp.sum(grad_c * grad_a, axis=-1) / jnp.sum(grad_a * grad_a, axis=-1)


def tradeoff_fd(L_a, L_c, theta, v, eps):
    """One-sided ratio [L_c(θ + εv) − L_c(θ)] / −[L_a(θ + εv) − L_a(θ)] (a separate code path)."""
    step = theta + eps * v
    return (L_c(step) - L_c(theta)) / -(L_a(step) - L_a(theta))


def _tradeoff(key, pop: Population, n, lam, eps, C, protocol):
    d = _admissions(key, pop, n)
    X = d.X
    y, h = d.y.astype(X.dtype), d.h.astype(X.dtype)
    a = d.in_Da.astype(X.dtype)
    ones = jnp.ones_like(a)
    t_single = jnp.where(d.in_Da, h, y)
    if protocol == "split":
        # §1.12: penalty split equally, intercept penalised (Lemma 8 verbatim).
        L_a = lambda th: region_logloss(th, X, h, a, lam)  # noqa: E731
        L_c = lambda th: region_logloss(th, X, y, 1.0 - a, lam)  # noqa: E731
        theta_s = _newton(X, t_single, ones, lam, True)
        theta_a = _newton(X, h, a, lam, True)
    else:
        # ERRATA 1: the paper's protocol, scikit-learn fits, unpenalised region log-losses.
        L_a = lambda th: region_logloss(th, X, h, a)  # noqa: E731
        L_c = lambda th: region_logloss(th, X, y, 1.0 - a)  # noqa: E731
        theta_s = _newton(X, t_single, ones, _default_lam(ones, C), False)
        s_a = a * d.conf
        theta_a = _newton(X, h, s_a, _default_lam(s_a, C), False)
    g_a, g_c = jax.grad(L_a)(theta_s), jax.grad(L_c)(theta_s)
    toward = theta_a - theta_s
    v = toward / jnp.linalg.norm(toward)
    cos_phi = jnp.sum(g_a * g_c) / (jnp.linalg.norm(g_a) * jnp.linalg.norm(g_c))
    return Tradeoff(tradeoff_T(g_a, g_c), tradeoff_fd(L_a, L_c, theta_s, v, eps), jnp.mean(a), cos_phi)


@jit_core(static_argnames=("n", "C", "protocol"))
def _tradeoff_core(key, pop, lam, eps, n, C, protocol):
    return _tradeoff(key, pop, n, lam, eps, C, protocol)


def tradeoff_at_single(key, p=0.8, delta=0.25, alpha=1.0, *, n=4000, lam=1e-2, eps=1e-5,
                       protocol="split", C=1.0) -> Tradeoff:
    """The tradeoff T at the single-model optimum θ_single* (Fig. 2, Theorem 2).

    ``protocol="split"`` (default, §1.12): L_a, L_c are region-mean log-losses each with (λ/2)‖θ‖²
    (intercept penalised), θ_single* the exact Newton optimum of p̂ L_a + (1 − p̂) L_c, so that
    T(θ_single*) = p̂/(1 − p̂) [D]. ``protocol="sklearn"`` is the paper's (ERRATA 1):
    scikit-learn-convention single and aligned fits (C), un-penalised region log-losses; ``lam``
    is then unused. T_fd is one-sided toward θ_ma* with step ``eps``.

    Args: key; p ∈ (0, 1); delta ∈ [0, 0.5]; alpha ∈ [0.5, 1]; n static; lam > 0; eps > 0.
    Returns: :class:`Tradeoff` (T, T_fd, p_hat, cos_phi).
    """
    check_choice("protocol", protocol, PROTOCOLS)
    _check_p_open(p)
    check_range("lam", lam, 0.0, None, lo_open=True)
    check_range("eps", eps, 0.0, None, lo_open=True)
    if not isinstance(n, int) or n < 2:
        raise InputError(f"n={n!r} is outside the allowed range: an integer >= 2")
    if not isinstance(C, (int, float)) or not C > 0:
        raise InputError(f"C={C!r} is outside the allowed range (0, inf): a static positive number")
    pop = make_population(p, delta, alpha)
    return _tradeoff_core(key, pop, jnp.asarray(lam, dtype=float), jnp.asarray(eps, dtype=float), n=n,
                          C=float(C), protocol=protocol)


def alignment_loss_lemma1(L, alpha):
    """Lemma 1, eq. 5 [P]: L_h(D_a, m) = α L + (1 − α)(1 − L), slope κ = 2α − 1.

    Needs Assumption 2 *and* a class-independent human (or model) accuracy (A15) [D].
    """
    check_range("L", L, 0.0, 1.0)
    check_range("alpha", alpha, 0.0, 1.0)
    return alpha * L + (1.0 - alpha) * (1.0 - L)


def logistic_c(M):
    """Lemma 7: c(M) = σ(M)σ(−M), the least ℓ'' on |z| ≤ M."""
    return jax.nn.sigmoid(M) * jax.nn.sigmoid(-M)


def lemma8_bounds(X, theta_region, lam):
    """Lemma 8's constants for L(θ) = mean ℓ + (λ/2)‖θ‖² (intercept penalised, as in §3).

    Args: X (n, d) features; theta_region (k, d+1) parameters spanning the region; lam ≥ 0.
    Returns: (λ_max = B²/4 + λ, λ_min = c(M)γ + λ) with B = max ‖(1, x)‖, γ the least eigenvalue of
    the second-moment matrix, M = max |⟨θ, (1, x)⟩| over the given θ.
    """
    Z = _design(jnp.asarray(X, dtype=float))
    B = jnp.max(jnp.linalg.norm(Z, axis=-1))
    gamma = jnp.linalg.eigvalsh(Z.T @ Z / Z.shape[0])[0]
    M = jnp.max(jnp.abs(Z @ jnp.asarray(theta_region).T))
    return B**2 / 4.0 + lam, logistic_c(M) * gamma + lam


def thm4_bound(kappa, mu, p, D):
    """Theorem 4 [P]: Γ_team ≥ κ μ p (1 − p) D² / 2."""
    return kappa * mu * p * (1.0 - p) * D**2 / 2.0


def thm4_tight(kappa, mu, p, D):
    """Eq. 38 [P]: the tight form (μ/2) p κ (1 − p) / ((1 − p) + p κ) D²."""
    return 0.5 * mu * p * kappa * (1.0 - p) / ((1.0 - p) + p * kappa) * D**2


def eq37_min(w1, w2, a, b):
    """Eq. 37 [P]: min_θ w1‖θ − a‖² + w2‖θ − b‖² = w1 w2 / (w1 + w2) ‖a − b‖²."""
    return w1 * w2 / (w1 + w2) * jnp.sum((a - b) ** 2, axis=-1)


def binary_entropy(p):
    """H_b(p) in nats (0 at p ∈ {0, 1})."""
    p = jnp.asarray(p, dtype=float)
    safe = lambda v: jnp.where(v > 0, v * jnp.log(jnp.where(v > 0, v, 1.0)), 0.0)  # noqa: E731
    return -(safe(p) + safe(1.0 - p))


def misroute(p):
    """ρ(p) = min(p, 1 − p): the misrouting probability of max-posterior routing (Lemma 9)."""
    p = jnp.asarray(p, dtype=float)
    return jnp.minimum(p, 1.0 - p)


def additive_cor6_bound(kappa, mu, p, D, H):
    """Corollary 6, additive form [P]: Γ(H) ≥ κ μ p(1 − p) D²/2 − H/(2 log 2)."""
    return thm4_bound(kappa, mu, p, D) - H / (2.0 * math.log(2.0))


def dominance_gap(B, L_cmc, L_ham_a, L_ham, L_cm):
    """§1.5 [D]: L_team(ens) − L_team(m) written as
    (B − L(D_c,m_c))(L_h(D_a,m_a) − L_h(D_a,m)) + (L(D_c,m_c) − L(D_c,m))(1 − L_h(D_a,m))."""
    return (B - L_cmc) * (L_ham_a - L_ham) + (L_cmc - L_cm) * (1.0 - L_ham)
