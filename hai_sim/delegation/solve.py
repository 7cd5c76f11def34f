"""The worker's problem (spec §2.1-2.2): optimal verification v*, delegation d*, quality Q.

``method`` is a static choice resolved before tracing:

* ``"closed"``: closed form of spec §2.1 (inverse-linear or exponential D with linear kappa;
  exponential D with quadratic kappa through Lambert W0). An InputError for other families.
* ``"bisection"``: the general solver for any concave D and convex kappa: bracketed bisection on
  the sign of phi'(v) over [0, min(V, kappa^-1(B_w))], derivatives by the implicit-function rule.
* ``"auto"``: closed form where the family has one, otherwise bisection.

Regime codes: 0 manual (d* = 0), 1 pure delegation (d* = 1, v* = 0), 2 verified delegation.
Quality labels: 0 degraded (Q < Q0), 1 unchanged, 2 improved (Q > Q0).
Compliance labels: 0 stays unqualified (max(Q, Q0) < tau), 1 gain (Q0 < tau <= Q),
2 loss (Q < tau <= Q0), 3 stays qualified (min(Q, Q0) >= tau).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, bisect, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range

from . import _math as m
from .params import DelegationParams

METHODS = ("auto", "closed", "bisection")
CLOSED_FORMS = (("inverse_linear", "linear"), ("exponential", "linear"), ("exponential", "quadratic"))
REGIMES = ("manual", "pure delegation", "verified delegation")
QUALITY_LABELS = ("degraded", "unchanged", "improved")
COMPLIANCE_LABELS = ("stay unqualified", "gain", "loss", "stay qualified")

# Ties are resolved towards delegating (Theorem 3.1's inequalities, spec §2.2), with a tolerance
# relative to the utility scale (ERRATA 5); see _math.tie_tolerance / _math.label_tolerance.
BISECTION_ITERS = 60


def has_closed_form(p: DelegationParams) -> bool:
    """Whether (detection, verification_cost) has a closed-form v* (spec §2.1 table)."""
    return (p.detection, p.verification_cost) in CLOSED_FORMS


def _resolve_method(p: DelegationParams, method: str) -> str:
    """Map ``"auto"`` to ``"closed"`` or ``"bisection"``; InputError for an impossible choice."""
    check_choice("method", method, METHODS)
    if method == "auto":
        return "closed" if has_closed_form(p) else "bisection"
    if method == "closed" and not has_closed_form(p):
        raise InputError(
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


@named_result
class WorkerAction(NamedTuple):
    """The worker's optimal action, arrays of the broadcast shape of (beta, theta).

    ``d`` d* in {0, 1} (float; ties delegate: M >= -1e-12 * utility scale), ``v`` effort spent
    d* v*, ``v_star`` conditional optimum v* (given delegation), ``regime`` int32 (0 manual,
    1 pure delegation, 2 verified delegation), ``M`` = max_v Delta_w(v) = G + phi(v*), ``U_w``
    worker utility at the optimum.
    """

    d: jax.Array
    v: jax.Array
    v_star: jax.Array
    regime: jax.Array
    M: jax.Array
    U_w: jax.Array


@named_result
class Quality(NamedTuple):
    """Institutional quality at the worker's optimum, arrays of the broadcast shape.

    ``Q`` = Q0 + d* Delta_I(v*), ``Q0`` = U_I(0, 0), ``dQ`` = Q - Q0, ``quality_label`` int32
    (0 degraded, 1 unchanged, 2 improved; |dQ| <= 1e-9 * scale is unchanged),
    ``compliance_label`` int32 (0 stay unqualified, 1 gain, 2 loss, 3 stay qualified;
    "qualified" means >= tau - 1e-9 * scale, ERRATA 4), and the action's ``d``, ``v``,
    ``v_star``, ``regime`` (as in :class:`WorkerAction`).
    """

    Q: jax.Array
    Q0: jax.Array
    dQ: jax.Array
    quality_label: jax.Array
    compliance_label: jax.Array
    d: jax.Array
    v: jax.Array
    v_star: jax.Array
    regime: jax.Array


# ---------------------------------------------------------------- unchecked kernels (traced code calls these)


def _vstar(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    B_w = m.coeffs(p, beta, theta).B_w
    if method == "closed":
        return _vstar_closed(p, beta, theta, B_w)
    return _vstar_bisection(p, beta, theta, B_w, iters)


def _delta_I(p, c, v, beta):
    return c.A_I + c.B_I * m.detection(p, v, beta) - p.rho * m.verification_cost(p, v)


def _worker_action(p, beta, theta, method, iters) -> WorkerAction:
    beta, theta = m.broadcast(beta, theta)
    c = m.coeffs(p, beta, theta)
    v_star = _vstar_closed(p, beta, theta, c.B_w) if method == "closed" else _vstar_bisection(
        p, beta, theta, c.B_w, iters)
    M = c.G + c.B_w * m.detection(p, v_star, beta) - m.verification_cost(p, v_star)
    delegate = M >= -m.tie_tolerance(p, theta)
    d = delegate.astype(beta.dtype)
    regime = jnp.where(delegate, jnp.where(v_star > 0, 2, 1), 0).astype(jnp.int32)
    return WorkerAction(d=d, v=d * v_star, v_star=v_star, regime=regime, M=M, U_w=c.U_w0 + d * M)


def _labels(p, theta, Q, Q0, tau):
    """Quality and compliance labels (codes as in :class:`Quality`) with the relative tolerance."""
    eps = m.label_tolerance(p, theta)
    dQ = Q - Q0
    quality_label = jnp.where(dQ > eps, 2, jnp.where(dQ < -eps, 0, 1)).astype(jnp.int32)
    tau = jnp.asarray(tau, dtype=Q.dtype)
    qual, qual0 = Q >= tau - eps, Q0 >= tau - eps
    compliance = jnp.where(qual, jnp.where(qual0, 3, 1), jnp.where(qual0, 2, 0)).astype(jnp.int32)
    return dQ, quality_label, compliance


def _quality(p, beta, theta, tau, method, iters) -> Quality:
    a = _worker_action(p, beta, theta, method, iters)
    beta, theta = m.broadcast(beta, theta)
    c = m.coeffs(p, beta, theta)
    Q = c.Q0 + a.d * _delta_I(p, c, a.v_star, beta)
    dQ, quality_label, compliance = _labels(p, theta, Q, c.Q0, tau)
    return Quality(Q=Q, Q0=c.Q0, dQ=dQ, quality_label=quality_label, compliance_label=compliance, d=a.d, v=a.v,
                   v_star=a.v_star, regime=a.regime)


def _delegated_quality(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    c = m.coeffs(p, beta, theta)
    return c.Q0 + _delta_I(p, c, _vstar(p, beta, theta, method, iters), beta)


def _delegation_gain_I(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    return _delta_I(p, m.coeffs(p, beta, theta), _vstar(p, beta, theta, method, iters), beta)


def _max_delegation_gain(p, beta, theta, method, iters):
    beta, theta = m.broadcast(beta, theta)
    v = _vstar(p, beta, theta, method, iters)
    return m.coeffs(p, beta, theta).G + m.verification_surplus(p, v, beta, theta)


_STATIC = ("method", "iters")
_vstar_core = jit_core(_vstar, static_argnames=_STATIC)
_worker_action_core = jit_core(_worker_action, static_argnames=_STATIC)
_quality_core = jit_core(_quality, static_argnames=_STATIC)
_delegated_quality_core = jit_core(_delegated_quality, static_argnames=_STATIC)
_delegation_gain_I_core = jit_core(_delegation_gain_I, static_argnames=_STATIC)
_max_delegation_gain_core = jit_core(_max_delegation_gain, static_argnames=_STATIC)


def _checked(p, beta, theta, method, iters) -> str:
    m.check_abilities(p, beta, theta)
    check_range("iters", iters, 1, 200)
    return _resolve_method(p, method)


# ---------------------------------------------------------------- public functions


def vstar(p: DelegationParams, beta, theta, *, method: str = "auto", iters: int = BISECTION_ITERS) -> jax.Array:
    """Optimal verification effort given delegation, v* = argmax_v phi(v) [P] (spec §1.5, §2.1).

    Args:
        p: parameters. beta (>= 0), theta: arrays, broadcast against each other.
        method: "auto" | "closed" | "bisection" (static). iters: bisection halvings (static).
    Returns:
        float array of the broadcast shape; differentiable (implicit-function rule inside).
    """
    method = _checked(p, beta, theta, method, iters)
    return _vstar_core(p, beta, theta, method=method, iters=int(iters))


def worker_action(p: DelegationParams, beta, theta, *, method: str = "auto",
                  iters: int = BISECTION_ITERS) -> WorkerAction:
    """The worker's optimal action (d*, v*), eq (2) [P], and its regime (Theorem 3.1 [D], spec §2.2).

    Args:
        p: parameters. beta (>= 0), theta: arrays broadcast against each other (same rank or 0-d).
        method: "auto" | "closed" | "bisection" (static). iters: bisection halvings (static).
    Returns:
        :class:`WorkerAction` (d, v, v_star, regime, M, U_w) of the broadcast shape.
    """
    method = _checked(p, beta, theta, method, iters)
    return _worker_action_core(p, beta, theta, method=method, iters=int(iters))


def quality(p: DelegationParams, beta, theta, tau=None, *, method: str = "auto",
            iters: int = BISECTION_ITERS) -> Quality:
    """Institutional worker quality at the worker's optimum, eq (4) [P], via Proposition 3.4 [D].

    Args:
        p: parameters. beta, theta: arrays (broadcast). tau: qualification threshold (scalar, or
            an array of the result's shape; defaults to ``p.tau``).
        method, iters: as in :func:`worker_action`.
    Returns:
        :class:`Quality` (Q, Q0, dQ, quality_label, compliance_label, d, v, v_star, regime).
    """
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    method = _checked(p, beta, theta, method, iters)
    return _quality_core(p, beta, theta, tau, method=method, iters=int(iters))


def delegated_quality(p: DelegationParams, beta, theta, *, method: str = "auto",
                      iters: int = BISECTION_ITERS) -> jax.Array:
    """U_I(1, v*(beta, theta)): quality if the worker delegates (smooth in beta, theta) [D]."""
    method = _checked(p, beta, theta, method, iters)
    return _delegated_quality_core(p, beta, theta, method=method, iters=int(iters))


def delegation_gain_I(p: DelegationParams, beta, theta, *, method: str = "auto",
                      iters: int = BISECTION_ITERS) -> jax.Array:
    """Delta_I(v*) = U_I(1, v*) - U_I(0, 0) (Lemma 3.9's quantity) [D]."""
    method = _checked(p, beta, theta, method, iters)
    return _delegation_gain_I_core(p, beta, theta, method=method, iters=int(iters))


def max_delegation_gain(p: DelegationParams, beta, theta, *, method: str = "auto",
                        iters: int = BISECTION_ITERS) -> jax.Array:
    """M(beta, theta) = max_v Delta_w(v) = G + phi(v*) (Lemma 3.7's quantity) [D]."""
    method = _checked(p, beta, theta, method, iters)
    return _max_delegation_gain_core(p, beta, theta, method=method, iters=int(iters))
