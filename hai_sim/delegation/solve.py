"""The worker's problem (spec §2.1-2.2): optimal verification v*, delegation d*, quality Q.

``method`` is a static choice resolved before tracing:

* ``"closed"``: closed form of spec §2.1 (inverse-linear or exponential D with linear kappa;
  exponential D with quadratic kappa through Lambert W0). A ValueError for other families.
* ``"bisection"``: the general solver for any concave D and convex kappa: bracketed bisection on
  the sign of phi'(v) over [0, min(V, kappa^-1(B_w))], derivatives by the implicit-function rule.
* ``"auto"``: closed form where the family has one, otherwise bisection.

Regime codes: 0 manual (d* = 0), 1 pure delegation (d* = 1, v* = 0), 2 verified delegation.
Quality labels: 0 degraded (Q < Q0), 1 unchanged, 2 improved (Q > Q0).
Compliance labels: 0 stays unqualified (max(Q, Q0) < tau), 1 gain (Q0 < tau <= Q),
2 loss (Q < tau <= Q0), 3 stays qualified (min(Q, Q0) >= tau).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from hai_sim.engine.validate import check_choice, check_range

from . import model as m
from .params import DelegationParams
from hai_sim.engine.phase import bisect

METHODS = ("auto", "closed", "bisection")
CLOSED_FORMS = (("inverse_linear", "linear"), ("exponential", "linear"), ("exponential", "quadratic"))
REGIMES = ("manual", "pure delegation", "verified delegation")
QUALITY_LABELS = ("degraded", "unchanged", "improved")
COMPLIANCE_LABELS = ("stay unqualified", "gain", "loss", "stay qualified")

# Ties are resolved towards delegating (Theorem 3.1's inequalities, spec §2.2), with a tolerance
# relative to the utility scale (ERRATA 5); see model.tie_tolerance / model.label_tolerance.
EPS_TIE = m.EPS_TIE
EPS_Q = m.EPS_Q
BISECTION_ITERS = 60


def has_closed_form(p: DelegationParams) -> bool:
    """Whether (detection, verification_cost) has a closed-form v* (spec §2.1 table)."""
    return (p.detection, p.verification_cost) in CLOSED_FORMS


def resolve_method(p: DelegationParams, method: str) -> str:
    """Map ``"auto"`` to ``"closed"`` or ``"bisection"``; ValueError for an impossible choice."""
    check_choice("method", method, METHODS)
    if method == "auto":
        return "closed" if has_closed_form(p) else "bisection"
    if method == "closed" and not has_closed_form(p):
        raise ValueError(
            f"method='closed': no closed form for detection={p.detection!r} with "
            f"verification_cost={p.verification_cost!r}; allowed families {CLOSED_FORMS} (use 'bisection')"
        )
    return method


def _lambert_w0(z):
    """Principal Lambert W on z >= 0 (Halley iterations; value-preserving IFT polish for grads)."""
    z = jnp.maximum(z, 0.0)
    w0 = jnp.where(z > 3.0, jnp.log(jnp.maximum(z, 3.0)) - jnp.log(jnp.log(jnp.maximum(z, 3.0))), jnp.log1p(z))
    w = jax.lax.stop_gradient(w0)
    zs = jax.lax.stop_gradient(z)
    for _ in range(8):
        ew = jnp.exp(w)
        f = w * ew - zs
        w = w - f / (ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0))
    ew = jnp.exp(w)
    # One Newton step on w e^w = z: value unchanged at convergence, derivative = dW/dz.
    return w - (w * ew - z) / (ew * (1.0 + w))


def _vstar_closed(p, beta, theta, B_w):
    x = B_w * beta / p.c_v
    pos = beta > 0
    beta_s = jnp.where(pos, beta, 1.0)
    if p.verification_cost == "linear":
        interior = x > 1.0
        x_s = jnp.where(interior, x, 2.0)
        if p.detection == "inverse_linear":
            v = (jnp.sqrt(x_s) - 1.0) / beta_s
        else:
            v = jnp.log(x_s) / beta_s
        v = jnp.where(interior & pos, v, 0.0)
    else:
        z = jnp.where(pos, B_w * beta_s**2 / p.c_v, 0.0)
        v = jnp.where(pos & (B_w > 0), _lambert_w0(z) / beta_s, 0.0)
    return jnp.minimum(v, p.V)


def _phi_slope(v, p, beta, B_w):
    # B_w travels as an argument (not recomputed from theta in every halving); the implicit-function
    # derivative still reaches theta through B_w's own tangent.
    return B_w * m.detection_slope(p, v, beta) - m.verification_cost_slope(p, v)


def _vstar_bisection(p, beta, theta, B_w, iters):
    # phi <= B_w - kappa and phi(0) = 0, so kappa(v*) <= B_w brackets the optimum.
    v_hi = jnp.minimum(p.V, m.verification_cost_inverse(p, B_w))
    g0 = _phi_slope(jnp.zeros_like(beta), p, beta, B_w)
    g_hi = _phi_slope(v_hi, p, beta, B_w)
    root = bisect(_phi_slope, jnp.zeros_like(beta), v_hi, args=(p, beta, B_w), iters=iters, outside="clamp")
    return jnp.where(g0 <= 0, 0.0, jnp.where(g_hi >= 0, v_hi, root))


def vstar(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS):
    """Optimal verification effort given delegation, v* = argmax_v phi(v) [P] (spec §1.5, §2.1).

    Args:
        p: parameters. beta (>= 0), theta: arrays, broadcast against each other.
        method: "auto" | "closed" | "bisection" (static). iters: bisection halvings (static).
    Returns:
        float array of the broadcast shape; differentiable (implicit-function rule inside).
    """
    method = resolve_method(p, method)
    m.check_abilities(p, beta, theta)
    return _vstar_core(p, beta, theta, method, iters)


@partial(jax.jit, static_argnums=(3, 4))
def _vstar_core(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    B_w = m.coeffs(p, beta, theta)["B_w"]
    if method == "closed":
        return _vstar_closed(p, beta, theta, B_w)
    return _vstar_bisection(p, beta, theta, B_w, iters)


def _delta_I(p, c, v, beta):
    return c["A_I"] + c["B_I"] * m.detection(p, v, beta) - p.rho * m.verification_cost(p, v)


def worker_action(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS) -> dict:
    """The worker's optimal action (d*, v*), eq (2) [P], and its regime (Theorem 3.1 [D], spec §2.2).

    Args:
        p: parameters. beta (>= 0), theta: arrays broadcast against each other (same rank or 0-d).
        method: "auto" | "closed" | "bisection" (static).
    Returns:
        dict of arrays of the broadcast shape:
        ``d`` d* in {0, 1} (float; ties delegate: M >= -1e-12 * utility scale),
        ``v`` effort spent d* v*, ``v_star`` conditional optimum v* (given delegation),
        ``regime`` int32 (0 manual, 1 pure delegation, 2 verified delegation),
        ``M`` = max_v Delta_w(v) = G + phi(v*), ``U_w`` worker utility at the optimum.
    """
    method = resolve_method(p, method)
    m.check_abilities(p, beta, theta)
    return _worker_action_core(p, beta, theta, method, iters)


@partial(jax.jit, static_argnums=(3, 4))
def _worker_action_core(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    c = m.coeffs(p, beta, theta)
    v_star = (
        _vstar_closed(p, beta, theta, c["B_w"]) if method == "closed" else _vstar_bisection(p, beta, theta, c["B_w"], iters)
    )
    M = c["G"] + c["B_w"] * m.detection(p, v_star, beta) - m.verification_cost(p, v_star)
    delegate = M >= -m.tie_tolerance(p, theta)
    d = delegate.astype(beta.dtype)
    regime = jnp.where(delegate, jnp.where(v_star > 0, 2, 1), 0).astype(jnp.int32)
    return {
        "d": d,
        "v": d * v_star,
        "v_star": v_star,
        "regime": regime,
        "M": M,
        "U_w": c["U_w0"] + d * M,
    }


def quality(p: DelegationParams, beta, theta, tau=None, *, method: str = "auto", iters: int = BISECTION_ITERS) -> dict:
    """Institutional worker quality at the worker's optimum, eq (4) [P], via Proposition 3.4 [D].

    Args:
        p: parameters. beta, theta: arrays (broadcast). tau: qualification threshold (scalar, or
            an array of the result's shape; defaults to ``p.tau``).
        method: as in :func:`worker_action`.
    Returns:
        dict of arrays: ``Q`` = Q0 + d* Delta_I(v*), ``Q0`` = U_I(0, 0), ``dQ`` = Q - Q0,
        ``quality_label`` int32 (0 degraded, 1 unchanged, 2 improved; |dQ| <= 1e-9 * scale is
        unchanged), ``compliance_label`` int32 (0 stay unqualified, 1 gain, 2 loss, 3 stay
        qualified; "qualified" means >= tau - 1e-9 * scale, ERRATA 4), and the action's
        ``d``, ``v``, ``v_star``, ``regime``.
    """
    if tau is None:
        tau = p.tau
    check_range("tau", tau)
    method = resolve_method(p, method)
    m.check_abilities(p, beta, theta)
    return _quality_core(p, beta, theta, tau, method, iters)


@partial(jax.jit, static_argnums=(4, 5))
def _quality_core(p, beta, theta, tau, method, iters):
    a = _worker_action_core(p, beta, theta, method, iters)
    beta, theta = m.broadcast(beta, theta)
    c = m.coeffs(p, beta, theta)
    dQ = a["d"] * _delta_I(p, c, a["v_star"], beta)
    Q = c["Q0"] + dQ
    eps = m.label_tolerance(p, theta)
    quality_label = jnp.where(dQ > eps, 2, jnp.where(dQ < -eps, 0, 1)).astype(jnp.int32)
    tau = jnp.asarray(tau, dtype=Q.dtype)
    qual = Q >= tau - eps
    qual0 = c["Q0"] >= tau - eps
    compliance = jnp.where(qual, jnp.where(qual0, 3, 1), jnp.where(qual0, 2, 0)).astype(jnp.int32)
    return {
        "Q": Q,
        "Q0": c["Q0"],
        "dQ": dQ,
        "quality_label": quality_label,
        "compliance_label": compliance,
        "d": a["d"],
        "v": a["v"],
        "v_star": a["v_star"],
        "regime": a["regime"],
    }


def delegated_quality(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS):
    """U_I(1, v*(beta, theta)): quality if the worker delegates (smooth in beta, theta) [D]."""
    beta, theta = m.broadcast(beta, theta)
    v = vstar(p, beta, theta, method=method, iters=iters)
    c = m.coeffs(p, beta, theta)
    return c["Q0"] + _delta_I(p, c, v, beta)


def delegation_gain_I(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS):
    """Delta_I(v*) = U_I(1, v*) - U_I(0, 0) (Lemma 3.9's quantity) [D]."""
    beta, theta = m.broadcast(beta, theta)
    v = vstar(p, beta, theta, method=method, iters=iters)
    return _delta_I(p, m.coeffs(p, beta, theta), v, beta)


def max_delegation_gain(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS):
    """M(beta, theta) = max_v Delta_w(v) = G + phi(v*) (Lemma 3.7's quantity) [D]."""
    beta, theta = m.broadcast(beta, theta)
    v = vstar(p, beta, theta, method=method, iters=iters)
    return m.coeffs(p, beta, theta)["G"] + m.verification_surplus(p, v, beta, theta)
