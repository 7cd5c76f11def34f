"""Separatrices of Theorems 3.1, 3.5, 3.6 (spec §2.3, ERRATA 1) and related thresholds.

Conventions (ERRATA "Inputs" 5): a separatrix outside its domain is NaN (beta_1 where
theta <= theta_0, beta_2 where theta > theta_0, the level set beta_4 where U_I(1, v*) never
crosses tau, theta_0 / theta_tau outside ``p.theta_domain``); an infimum over an empty set is
+inf (beta_1 when the worker never delegates, beta_3 / beta_4_eff when quality never gets there).
Bisections run over beta in [BETA_MIN, BETA_MAX] in log scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, bisect, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range

from . import _math as m
from . import solve
from .params import DelegationParams

BETA_MIN = 1e-12
BETA_MAX = 1e9
OUTER_ITERS = 80
SEPARATRIX_METHODS = ("auto", "closed", "bisection")


def _resolve(p: DelegationParams, method: str) -> str:
    check_choice("method", method, SEPARATRIX_METHODS)
    closed_ok = p.detection == "inverse_linear" and p.verification_cost == "linear"
    if method == "auto":
        return "closed" if closed_ok else "bisection"
    if method == "closed" and not closed_ok:
        raise InputError(
            "method='closed': closed-form separatrices exist only for detection='inverse_linear' with "
            f"verification_cost='linear' (got {p.detection!r}, {p.verification_cost!r}); use 'bisection'"
        )
    return method


# ---------------------------------------------------------------- efficiency thresholds


def _G_of_theta(theta, p):
    return m.coeffs(p, 0.0, theta)["G"]


def _Q0_minus_tau(theta, p, tau):
    return m.coeffs(p, 0.0, theta)["Q0"] - tau


def _in_domain(p, x):
    lo, hi = p.theta_domain
    return jnp.where((x >= lo) & (x <= hi), x, jnp.nan)


def theta_zero(p: DelegationParams, *, method: str = "auto") -> jax.Array:
    """theta_0: root of G(theta) = 0 (eq 16 form for linear c_w) [D]. 0-d; NaN outside theta_domain.

    ``method="bisection"`` finds the root numerically on theta_domain (any c_w family).
    """
    m.check_abilities(p)
    check_choice("method", method, SEPARATRIX_METHODS)
    return _theta_zero_core(p, method=method)


def _theta_zero(p, method):
    gap = p.c_a + p.s_w * (p.p_w - p.p_a)  # c_w(theta_0) = gap
    if method == "bisection":
        lo, hi = p.theta_domain
        x = bisect(_G_of_theta, jnp.asarray(lo), jnp.asarray(hi), args=(p,), iters=OUTER_ITERS, outside="clamp")
        ok = _G_of_theta(jnp.asarray(lo), p) * _G_of_theta(jnp.asarray(hi), p) <= 0
        return jnp.where(ok, x, jnp.nan)
    if p.execution_cost == "linear":
        x = 1.0 - gap / p.K
    else:
        x = jnp.where(gap > 0, p.K / jnp.where(gap > 0, gap, 1.0), jnp.nan)
    return _in_domain(p, x)


def theta_tau(p: DelegationParams, tau=None, *, method: str = "auto") -> jax.Array:
    """theta_tau: root of Q0(theta) = tau (Theorem 3.6) [D]. 0-d; NaN outside theta_domain."""
    m.check_abilities(p)
    check_choice("method", method, SEPARATRIX_METHODS)
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    return _theta_tau_core(p, tau, method=method)


def _theta_tau(p, tau, method):
    tau = jnp.asarray(tau, dtype=jnp.result_type(float))
    if method == "bisection":
        lo, hi = p.theta_domain
        x = bisect(_Q0_minus_tau, jnp.asarray(lo), jnp.asarray(hi), args=(p, tau), iters=OUTER_ITERS, outside="clamp")
        ok = _Q0_minus_tau(jnp.asarray(lo), p, tau) * _Q0_minus_tau(jnp.asarray(hi), p, tau) <= 0
        return jnp.where(ok, x, jnp.nan)
    surplus = p.s_I * p.p_w - p.l_I - tau  # rho c_w(theta_tau) = surplus
    if p.execution_cost == "linear":
        x = 1.0 - surplus / (p.rho * p.K)
    else:
        x = jnp.where(surplus > 0, p.rho * p.K / jnp.where(surplus > 0, surplus, 1.0), jnp.nan)
    return _in_domain(p, x)


# ---------------------------------------------------------------- beta separatrices, general solver


def _make_log_functions(inner):
    # One set of module-level functions per inner method: the engine's bisect takes g as a static
    # (hashed) argument, so the method string cannot travel in ``args``.
    iters = solve.BISECTION_ITERS

    def M_log(u, p, theta):
        return solve._max_delegation_gain(p, jnp.exp(u), theta, inner, iters)

    def dI_log(u, p, theta):
        return solve._delegation_gain_I(p, jnp.exp(u), theta, inner, iters)

    def UI_log(u, p, theta, tau):
        return solve._delegated_quality(p, jnp.exp(u), theta, inner, iters) - tau

    return M_log, dI_log, UI_log


_LOG_FUNCTIONS = {inner: _make_log_functions(inner) for inner in ("closed", "bisection")}


def _log_root(f, lo_beta, args):
    """exp of the root in u = log(beta) of f(u, *args) on [log lo_beta, log BETA_MAX]."""
    lo = jnp.log(jnp.clip(lo_beta, BETA_MIN, BETA_MAX))
    hi = jnp.full_like(lo, jnp.log(BETA_MAX))
    return jnp.exp(bisect(f, lo, hi, args=args, iters=OUTER_ITERS, outside="clamp"))


def _separatrices_bisection(p, theta, tau, inner):
    _M_log, _dI_log, _UI_log = _LOG_FUNCTIONS[inner]
    c = m.coeffs(p, 0.0, theta)
    G, B_w = c["G"], c["B_w"]
    delegates_always = G >= -m.tie_tolerance(p, theta)
    kappa0 = m.verification_cost_slope(p, jnp.zeros_like(theta))
    # Both detection families have dD/dv(0) = beta, so phi'(0) = B_w beta - kappa'(0).
    beta_2_all = jnp.where(B_w > 0, kappa0 / jnp.where(B_w > 0, B_w, 1.0), jnp.inf)
    beta_hi = jnp.full_like(theta, BETA_MAX)

    lo1 = jnp.maximum(beta_2_all, BETA_MIN)
    root1 = _log_root(_M_log, lo1, (p, theta))
    never = _M_log(jnp.log(beta_hi), p, theta) < 0
    beta_1 = jnp.where(delegates_always, jnp.nan, jnp.where(never, jnp.inf, root1))
    beta_2 = jnp.where(delegates_always, beta_2_all, jnp.nan)

    # beta_3 = inf{beta : d* = 1 and Delta_I(v*) > 0}; Delta_I(v*) is non-decreasing (Lemma 3.9).
    start = jnp.where(delegates_always, 0.0, beta_1)
    start_ok = jnp.isfinite(start)
    start_s = jnp.where(start_ok, start, 1.0)
    gain_at_start = jnp.where(
        delegates_always, c["A_I"], solve._delegation_gain_I(p, start_s, theta, inner, solve.BISECTION_ITERS)
    )
    root3 = _log_root(_dI_log, jnp.maximum(start_s, jnp.where(delegates_always, beta_2_all, 0.0)), (p, theta))
    never3 = _dI_log(jnp.log(beta_hi), p, theta) <= 0
    beta_3 = jnp.where(
        ~start_ok, jnp.inf, jnp.where(gain_at_start >= 0, start, jnp.where(never3, jnp.inf, root3))
    )

    # Level set U_I(1, v*(beta)) = tau (ERRATA 1): non-decreasing in beta (Lemma 3.10).
    root4 = _log_root(_UI_log, jnp.full_like(theta, BETA_MIN), (p, theta, tau))
    f_lo = _UI_log(jnp.full_like(theta, jnp.log(BETA_MIN)), p, theta, tau)
    f_hi = _UI_log(jnp.log(beta_hi), p, theta, tau)
    beta_4 = jnp.where((f_lo < 0) & (f_hi >= 0), root4, jnp.nan)
    return beta_1, beta_2, beta_3, beta_4


# ---------------------------------------------------------------- closed forms (inverse-linear D, linear kappa)


def _smaller_root(a, b, c):
    """Smaller root of a y^2 - b y + c = 0 (a, b > 0) in the cancellation-free form; NaN if none."""
    disc = b * b - 4.0 * a * c
    ok = disc >= 0
    return jnp.where(ok, 2.0 * c / (b + jnp.sqrt(jnp.where(ok, disc, 0.0))), jnp.nan)


def _separatrices_closed(p, theta, tau):
    c = m.coeffs(p, 0.0, theta)
    G, B_w = c["G"], c["B_w"]
    delegates_always = G >= -m.tie_tolerance(p, theta)
    B_w_pos = B_w > 0
    B_w_s = jnp.where(B_w_pos, B_w, 1.0)
    sB = jnp.sqrt(B_w_s)
    V_finite = jnp.isfinite(p.V)
    V_s = jnp.where(V_finite, p.V, 1.0)

    def vhat(beta):
        # uncapped interior optimum (spec §2.1), 0 below beta_2
        beta_s = jnp.where(jnp.isfinite(beta) & (beta > 0), beta, 1.0)
        x = B_w_s * beta_s / p.c_v
        return jnp.where(B_w_pos & (x > 1.0), (jnp.sqrt(jnp.maximum(x, 1.0)) - 1.0) / beta_s, 0.0)

    def pick(beta_free, free_ok, target_D, fallback):
        # The quadratic closed forms assume v* is interior. Where the cap V binds at that root the
        # crossing lies on the capped branch v* = V instead, where D(V; beta) = target_D solves to
        # beta = r / (V (1 - r)). The monotone quantity crosses once, so exactly one candidate is valid.
        free_valid = free_ok & (vhat(beta_free) <= p.V)
        r_ok = V_finite & B_w_pos & (target_D > 0) & (target_D < 1)
        r = jnp.where(r_ok, target_D, 0.5)
        beta_cap = r / (V_s * (1.0 - r))
        cap_valid = r_ok & (vhat(beta_cap) >= V_s)
        return jnp.where(free_valid, beta_free, jnp.where(cap_valid, beta_cap, fallback))

    beta_2_all = jnp.where(B_w_pos, p.c_v / B_w_s, jnp.inf)
    denom = sB - jnp.sqrt(jnp.maximum(-G, 0.0))
    ok1 = B_w_pos & (denom > 0)
    free1 = jnp.where(ok1, p.c_v / jnp.where(denom > 0, denom, 1.0) ** 2, jnp.inf)
    beta_1 = jnp.where(delegates_always, jnp.nan, pick(free1, ok1, (p.c_v * V_s - G) / B_w_s, jnp.inf))
    beta_2 = jnp.where(delegates_always, beta_2_all, jnp.nan)

    B_I_s = jnp.where(c["B_I"] > 0, c["B_I"], 1.0)
    b_prime = c["B_I"] / sB + p.rho * sB
    y3 = _smaller_root(p.rho, b_prime, c["A_I"] + c["B_I"])
    ok3 = (y3 > 0) & B_w_pos
    free3 = jnp.where(ok3, p.c_v / jnp.where(ok3, y3, 1.0) ** 2, jnp.inf)
    root3 = pick(free3, ok3, (p.rho * p.c_v * V_s - c["A_I"]) / B_I_s, jnp.inf)
    beta_3 = jnp.where(
        delegates_always,
        jnp.where(c["A_I"] >= 0, 0.0, root3),
        jnp.where(jnp.isfinite(beta_1), jnp.maximum(beta_1, root3), jnp.inf),
    )

    y4 = _smaller_root(p.rho, b_prime, c["Q_pure"] + c["B_I"] - tau)
    ok4 = (y4 > 0) & (y4 < sB) & B_w_pos
    free4 = jnp.where(ok4, p.c_v / jnp.where(ok4, y4, 1.0) ** 2, jnp.nan)
    beta_4 = pick(free4, ok4, (tau + p.rho * p.c_v * V_s - c["Q_pure"]) / B_I_s, jnp.nan)
    return beta_1, beta_2, beta_3, beta_4


# ---------------------------------------------------------------- public entry point


@named_result
class Separatrices(NamedTuple):
    """Separatrices of Theorems 3.1, 3.5, 3.6 (ERRATA 1). ``theta_0`` and ``theta_tau`` are 0-d, the
    rest have the shape of ``thetas`` (float; NaN outside a curve's domain, +inf for an empty set).

    ``beta_1`` (M = 0, theta > theta_0), ``beta_2`` (phi'(0) = 0, theta <= theta_0), ``beta_3``
    (inf{beta: d* = 1, Q > Q0}; generalised: 0 or beta_1 in the special stretches), ``beta_4``
    (level set U_I(1, v*) = tau, ERRATA 1), ``beta_4_eff`` (inf{beta: d* = 1 and Q >= tau}:
    max(beta_1, beta_4) past theta_0, beta_4 or 0 before).
    """

    theta_0: jax.Array
    beta_1: jax.Array
    beta_2: jax.Array
    beta_3: jax.Array
    beta_4: jax.Array
    beta_4_eff: jax.Array
    theta_tau: jax.Array


def separatrices(p: DelegationParams, thetas, tau=None, *, method: str = "auto", inner: str = "auto") -> Separatrices:
    """All separatrices at once for an array of efficiencies [D] (Theorems 3.1, 3.5, 3.6; ERRATA 1).

    Args:
        p: parameters. thetas: float array (any shape) inside ``p.theta_domain``. tau: threshold
            (defaults to ``p.tau``).
        method: "closed" (inverse-linear D with linear kappa), "bisection" (any family: nested
            bisection on the monotone quantities with implicit-function derivatives), or "auto".
        inner: v* solver used inside the bisection ("auto" | "closed" | "bisection").
    Returns:
        :class:`Separatrices`.
    """
    m.check_abilities(p)
    method = _resolve(p, method)
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    check_range("thetas", thetas, *p.theta_domain)
    inner = solve._resolve_method(p, inner)
    return _separatrices_core(p, thetas, tau, method=method, inner=inner)


def _separatrices(p, thetas, tau, method, inner) -> Separatrices:
    theta = jnp.asarray(thetas, dtype=jnp.result_type(float))
    tau = jnp.asarray(tau, dtype=theta.dtype)
    if method == "closed":
        beta_1, beta_2, beta_3, beta_4 = _separatrices_closed(p, theta, tau)
    else:
        beta_1, beta_2, beta_3, beta_4 = _separatrices_bisection(p, theta, tau, inner)

    c = m.coeffs(p, 0.0, theta)
    delegates_always = c.G >= -m.tie_tolerance(p, theta)
    eps = m.label_tolerance(p, theta)
    beta_1_s = jnp.where(jnp.isfinite(beta_1), beta_1, 1.0)
    switch_method = inner if method == "bisection" else solve._resolve_method(p, "auto")
    q_at_switch = solve._delegated_quality(p, beta_1_s, theta, switch_method, solve.BISECTION_ITERS)
    level = jnp.where(jnp.isnan(beta_4), jnp.inf, beta_4)
    beta_4_eff = jnp.where(
        delegates_always,
        jnp.where(c.Q_pure >= tau - eps, 0.0, level),
        jnp.where(
            jnp.isfinite(beta_1), jnp.where(q_at_switch >= tau - eps, beta_1, jnp.maximum(beta_1, level)), jnp.inf
        ),
    )
    tm = "bisection" if method == "bisection" else "auto"
    return Separatrices(theta_0=_theta_zero(p, tm), beta_1=beta_1, beta_2=beta_2, beta_3=beta_3, beta_4=beta_4,
                        beta_4_eff=beta_4_eff, theta_tau=_theta_tau(p, tau, tm))


def regime_from_separatrices(p: DelegationParams, beta, theta, s: Mapping | Separatrices | None = None) -> jax.Array:
    """Theorem 3.1's classification from the separatrices (int32: 0 manual, 1 pure, 2 verified).

    manual iff theta > theta_0 and beta < beta_1; pure iff theta <= theta_0 and beta <= beta_2;
    verified otherwise. ``beta`` and ``theta`` broadcast; ``s`` (from :func:`separatrices` at
    ``theta``, or a mapping with ``beta_1`` and ``beta_2`` broadcastable to it) may be passed to
    avoid recomputing.
    """
    m.check_abilities(p, beta, theta)
    if s is None:
        s = separatrices(p, m.broadcast(beta, theta)[1])
    return _regime_from_separatrices_core(p, beta, theta, s["beta_1"], s["beta_2"])


def _regime_from_separatrices(p, beta, theta, beta_1, beta_2):
    beta, theta = m.broadcast(beta, theta)
    after = ~(m.coeffs(p, 0.0, theta).G >= -m.tie_tolerance(p, theta))
    manual = after & (beta < beta_1)
    pure = ~after & (beta <= beta_2)
    return jnp.where(manual, 0, jnp.where(pure, 1, 2)).astype(jnp.int32)


_theta_zero_core = jit_core(_theta_zero, static_argnames=("method",))
_theta_tau_core = jit_core(_theta_tau, static_argnames=("method",))
_separatrices_core = jit_core(_separatrices, static_argnames=("method", "inner"))
_regime_from_separatrices_core = jit_core(_regime_from_separatrices)
