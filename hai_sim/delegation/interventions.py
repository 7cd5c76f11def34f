"""Interventions (paper Section 6, spec §4.3): levers on quality and the up-skilling problem eq (17).

Levers [P/R]: a more capable AI (p_a + delta), an incentive transfer from institution to worker
(b_w + delta, b_I - delta), worker up-skilling in verification (beta + delta) or execution
(theta + delta). The magnitudes used in Figure 3 (delta p_a = 0.1, Delta_b = 2) are [R].
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from hai_sim.engine import jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range, is_concrete

from . import _math as m
from . import solve, theory
from .params import DelegationParams

LEVERS = ("p_a", "transfer", "beta", "theta")
UPSKILL_COSTS = ("linear", "power")


@named_result
class InterventionDelta(NamedTuple):
    """Quality change of one lever on the broadcast (beta, theta) shape.

    ``dQ`` = Q(after) - Q(before) (float), ``Q_before``, ``Q_after`` (float), ``regime_before``,
    ``regime_after`` (int32, codes of :class:`WorkerAction`), ``compliance_before``,
    ``compliance_after`` (int32, codes of :class:`Quality`).
    """

    dQ: jax.Array
    Q_before: jax.Array
    Q_after: jax.Array
    regime_before: jax.Array
    regime_after: jax.Array
    compliance_before: jax.Array
    compliance_after: jax.Array


def _lever_params(p, lever, delta):
    if lever == "p_a":
        return p.replace(p_a=p.p_a + delta)
    if lever == "transfer":
        return p.replace(b_w=p.b_w + delta, b_I=p.b_I - delta)
    return p


def intervention_delta(p: DelegationParams, beta, theta, lever: str, delta, *, tau=None,
                       method: str = "auto") -> InterventionDelta:
    """Quality change of one lever, DeltaQ = Q(after) - Q(before), on broadcast (beta, theta).

    Args:
        p: parameters. beta, theta: arrays (broadcast). lever: "p_a" | "transfer" | "beta" |
            "theta" (static). delta: the lever's increment (scalar; may be traced).
        tau: threshold for the compliance labels (defaults to ``p.tau``).
    Returns:
        :class:`InterventionDelta`.
    Raises:
        InputError when the lever leaves the parameter domain (p_a + delta outside [0, 1], a
        transfer that breaks Assumption 3.2 or makes a stake negative, beta + delta < 0, theta +
        delta outside the domain), or an unknown lever.
    """
    check_choice("lever", lever, LEVERS)
    check_range("delta", delta)
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    method = solve._checked(p, beta, theta, method, solve.BISECTION_ITERS)
    if is_concrete(delta):
        _lever_params(p, lever, delta)  # validates the parameters after the lever
        if lever in ("beta", "theta") and is_concrete((beta, theta)):
            m.check_abilities(p, *((jnp.asarray(beta) + delta, None) if lever == "beta"
                                   else (None, jnp.asarray(theta) + delta)))
    return _intervention_delta_core(p, beta, theta, delta, tau, lever=lever, method=method)


def _intervention_delta(p, beta, theta, delta, tau, lever, method):
    beta, theta = m.broadcast(beta, theta)
    it = solve.BISECTION_ITERS
    before = solve._quality(p, beta, theta, tau, method, it)
    after = solve._quality(_lever_params(p, lever, delta), beta + delta if lever == "beta" else beta,
                           theta + delta if lever == "theta" else theta, tau, method, it)
    return InterventionDelta(dQ=after.Q - before.Q, Q_before=before.Q, Q_after=after.Q,
                             regime_before=before.regime, regime_after=after.regime,
                             compliance_before=before.compliance_label, compliance_after=after.compliance_label)


_intervention_delta_core = jit_core(_intervention_delta, static_argnames=("lever", "method"))


def min_beta_qualified(p: DelegationParams, beta, theta, tau=None) -> jax.Array:
    """Smallest beta' >= beta with Q(beta', theta) >= tau (elementwise), +inf if none [D].

    Uses the separatrices instead of a search: qualified cells are beta' >= beta_4_eff(theta)
    plus, past theta_0 with Q0 >= tau, the manual band beta' < beta_1(theta). Float array of the
    broadcast shape.
    """
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    m.check_abilities(p, beta, theta)
    return _min_beta_qualified_core(p, beta, theta, tau)


def _min_beta_qualified(p, beta, theta, tau):
    beta, theta = m.broadcast(beta, theta)
    s = theory._separatrices(p, theta, tau, theory._resolve(p, "auto"), solve._resolve_method(p, "auto"))
    c = m.coeffs(p, beta, theta)
    eps = m.label_tolerance(p, theta)
    after = ~(c.G >= -m.tie_tolerance(p, theta))
    manual_ok = after & (c.Q0 >= tau - eps) & (beta < s.beta_1)
    return jnp.where(manual_ok, beta, jnp.maximum(beta, s.beta_4_eff))


_min_beta_qualified_core = jit_core(_min_beta_qualified)


@named_result
class Upskilling(NamedTuple):
    """Cheapest up-skilling of one worker, eq (17) (Python floats and one string).

    ``delta_beta``, ``delta_theta``, ``cost``: the optimum (NaN / inf when infeasible);
    ``beta_only_delta``, ``beta_only_cost``, ``theta_only_delta``, ``theta_only_cost``: the
    single-lever routes (inf where that route cannot qualify); ``route``: "none needed" |
    "beta-only" | "theta-only" | "mixed" | "infeasible".
    """

    delta_beta: float
    delta_theta: float
    cost: float
    beta_only_delta: float
    beta_only_cost: float
    theta_only_delta: float
    theta_only_cost: float
    route: str


# Tolerance of the theta-only refinement (brentq on the qualification step): far below the grid
# step of delta_theta and below every tolerance the experiments state (>= 5e-4).
THETA_XTOL = 1e-12


def upskill_min_cost(
    p: DelegationParams,
    beta: float,
    theta: float,
    tau=None,
    *,
    cost: str = "linear",
    a_beta: float = 1.0,
    a_theta: float = 1.0,
    q: float = 2.0,
    theta_max: float | None = None,
    n_theta: int = 20001,
) -> Upskilling:
    """Cheapest up-skilling (delta_beta, delta_theta) >= 0 that qualifies a worker, eq (17) [P/R].

    min f_beta(delta_beta) + f_theta(delta_theta) s.t. Q(beta + delta_beta, theta + delta_theta)
    >= tau, theta + delta_theta <= theta_max, with f(x) = a x ("linear") or a x^q ("power").
    For each delta_theta on a fine grid the least delta_beta comes exactly from the separatrices
    (:func:`min_beta_qualified`), so only the 1-D search over delta_theta is discretised; the
    theta-only route is refined between grid neighbours by ``scipy.optimize.brentq``.

    Args:
        p, beta, theta: one worker (scalars). tau: threshold (default ``p.tau``).
        cost: "linear" | "power". a_beta, a_theta: unit prices (>= 0) [R: 1, 1]. q: exponent (> 1).
        theta_max: upper end of efficiency (default and maximum: ``p.theta_domain[1]``).
        n_theta: grid size (>= 2).
    Returns:
        :class:`Upskilling`.
    """
    check_choice("cost", cost, UPSKILL_COSTS)
    check_range("a_beta", a_beta, 0.0)
    check_range("a_theta", a_theta, 0.0)
    check_range("q", q, 1.0, lo_open=True)
    check_range("n_theta", n_theta, 2)
    m.check_abilities(p, beta, theta)
    check_range("theta_max", theta_max, *p.theta_domain)
    tau = float(p.tau if tau is None else tau)
    check_range("tau", tau)
    beta, theta = float(beta), float(theta)
    theta_max = p.theta_domain[1] if theta_max is None else float(theta_max)
    span = max(theta_max - theta, 0.0)
    d_theta = jnp.linspace(0.0, span, int(n_theta))
    need = _min_beta_qualified_core(p, jnp.full_like(d_theta, beta), jnp.minimum(theta + d_theta, theta_max), tau)
    d_beta = np.asarray(need) - beta
    dt = np.asarray(d_theta)

    def f(x, a):
        return a * x if cost == "linear" else a * np.power(x, q)

    with np.errstate(invalid="ignore"):
        total = np.where(np.isfinite(d_beta), f(d_beta, a_beta) + f(dt, a_theta), np.inf)
    k = int(np.argmin(total))
    feasible_theta = np.flatnonzero(d_beta <= 0)
    theta_only = float("inf")
    if feasible_theta.size:
        j = int(feasible_theta[0])
        theta_only = float(dt[j])
        if j > 0:
            # The qualification indicator steps from "needs beta" to "qualified" inside this grid cell.
            def step(x):
                one = _min_beta_qualified_core(p, jnp.asarray([beta]), jnp.asarray([theta + x]), tau)
                return -1.0 if float(one[0]) <= beta else 1.0

            theta_only = float(brentq(step, float(dt[j - 1]), theta_only, xtol=THETA_XTOL))
            if step(theta_only) > 0:  # brentq returns a point within xtol of the step: take its qualified side
                theta_only += THETA_XTOL
    out = dict(
        delta_beta=float(d_beta[k]) if np.isfinite(total[k]) else float("nan"),
        delta_theta=float(dt[k]) if np.isfinite(total[k]) else float("nan"),
        cost=float(total[k]),
        beta_only_delta=float(d_beta[0]),
        beta_only_cost=float(f(d_beta[0], a_beta)) if np.isfinite(d_beta[0]) else float("inf"),
        theta_only_delta=theta_only,
        theta_only_cost=float(f(theta_only, a_theta)) if np.isfinite(theta_only) else float("inf"),
    )
    if out["theta_only_cost"] < out["cost"]:  # the refined theta-only route beats its grid neighbour
        out.update(delta_beta=0.0, delta_theta=theta_only, cost=out["theta_only_cost"])
    if not np.isfinite(out["cost"]):
        route = "infeasible"
    elif out["delta_beta"] <= 0 and out["delta_theta"] <= 0:
        route = "none needed"
    elif out["delta_theta"] <= 0:
        route = "beta-only"
    elif out["delta_beta"] <= 0:
        route = "theta-only"
    else:
        route = "mixed"
    return Upskilling(route=route, **out)
