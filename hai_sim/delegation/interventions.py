"""Interventions (paper Section 6, spec §4.3): levers on quality and the up-skilling problem eq (17).

Levers [P/R]: a more capable AI (p_a + delta), an incentive transfer from institution to worker
(b_w + delta, b_I - delta), worker up-skilling in verification (beta + delta) or execution
(theta + delta). The magnitudes used in Figure 3 (delta p_a = 0.1, Delta_b = 2) are [R].
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from hai_sim.engine.validate import check_choice, check_range

from . import model as m
from . import solve, theory
from .params import DelegationParams

LEVERS = ("p_a", "transfer", "beta", "theta")
UPSKILL_COSTS = ("linear", "power")


def intervention_delta(p: DelegationParams, beta, theta, lever: str, delta, *, tau=None, method: str = "auto") -> dict:
    """Quality change of one lever, DeltaQ = Q(after) - Q(before), on broadcast (beta, theta).

    Args:
        p: parameters. beta, theta: arrays (broadcast). lever: "p_a" | "transfer" | "beta" |
            "theta" (static). delta: the lever's increment (scalar; may be traced).
        tau: threshold for the compliance labels (defaults to ``p.tau``).
    Returns:
        dict: ``dQ`` (after - before), ``Q_before``, ``Q_after``, ``regime_before``,
        ``regime_after``, ``compliance_before``, ``compliance_after``.
    Raises:
        ValueError when the lever leaves the parameter domain (p_a + delta outside [0, 1], a
        transfer that breaks Assumption 3.2 or makes a stake negative), or an unknown lever.
    """
    check_choice("lever", lever, LEVERS)
    check_range("delta", delta)
    beta, theta = m.broadcast(beta, theta)
    before = solve.quality(p, beta, theta, tau, method=method)
    if lever == "p_a":
        after = solve.quality(p.replace(p_a=p.p_a + delta), beta, theta, tau, method=method)
    elif lever == "transfer":
        after = solve.quality(p.replace(b_w=p.b_w + delta, b_I=p.b_I - delta), beta, theta, tau, method=method)
    elif lever == "beta":
        after = solve.quality(p, beta + delta, theta, tau, method=method)
    else:
        after = solve.quality(p, beta, theta + delta, tau, method=method)
    return {
        "dQ": after["Q"] - before["Q"],
        "Q_before": before["Q"],
        "Q_after": after["Q"],
        "regime_before": before["regime"],
        "regime_after": after["regime"],
        "compliance_before": before["compliance_label"],
        "compliance_after": after["compliance_label"],
    }


def min_beta_qualified(p: DelegationParams, beta, theta, tau=None):
    """Smallest beta' >= beta with Q(beta', theta) >= tau (elementwise), +inf if none [D].

    Uses the separatrices instead of a search: qualified cells are beta' >= beta_4_eff(theta)
    plus, past theta_0 with Q0 >= tau, the manual band beta' < beta_1(theta).
    """
    tau = p.tau if tau is None else tau
    beta, theta = m.broadcast(beta, theta)
    s = theory.separatrices(p, theta, tau)
    c = m.coeffs(p, beta, theta)
    eps = m.label_tolerance(p, theta)
    after = ~(c["G"] >= -m.tie_tolerance(p, theta))
    manual_ok = after & (c["Q0"] >= tau - eps) & (beta < s["beta_1"])
    return jnp.where(manual_ok, beta, jnp.maximum(beta, s["beta_4_eff"]))


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
) -> dict:
    """Cheapest up-skilling (delta_beta, delta_theta) >= 0 that qualifies a worker, eq (17) [P/R].

    min f_beta(delta_beta) + f_theta(delta_theta) s.t. Q(beta + delta_beta, theta + delta_theta)
    >= tau, theta + delta_theta <= theta_max, with f(x) = a x ("linear") or a x^q ("power").
    For each delta_theta on a fine grid the least delta_beta comes exactly from the separatrices
    (:func:`min_beta_qualified`), so only the 1-D search over delta_theta is discretised.

    Args:
        p, beta, theta: one worker (scalars). tau: threshold (default ``p.tau``).
        cost: "linear" | "power". a_beta, a_theta: unit prices (>= 0) [R: 1, 1]. q: exponent (> 1).
        theta_max: upper end of efficiency (default: ``p.theta_domain[1]``). n_theta: grid size.
    Returns:
        dict of floats: delta_beta, delta_theta, cost (the optimum), beta_only_delta, beta_only_cost,
        theta_only_delta, theta_only_cost (inf where that route cannot qualify), route
        ("none needed" | "beta-only" | "theta-only" | "mixed" | "infeasible").
    """
    check_choice("cost", cost, UPSKILL_COSTS)
    check_range("a_beta", a_beta, 0.0)
    check_range("a_theta", a_theta, 0.0)
    check_range("q", q, 1.0, lo_open=True)
    check_range("beta", beta, 0.0)
    check_range("theta", theta)
    tau = float(p.tau if tau is None else tau)
    theta_max = p.theta_domain[1] if theta_max is None else float(theta_max)
    span = max(theta_max - float(theta), 0.0)
    d_theta = jnp.linspace(0.0, span, n_theta)
    beta_need = np.asarray(min_beta_qualified(p, jnp.full_like(d_theta, beta),
                                              jnp.minimum(theta + d_theta, theta_max), tau))
    d_beta = beta_need - float(beta)
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
            # the first qualifying delta_theta, refined between grid neighbours by bisection
            need = lambda x: float(min_beta_qualified(p, jnp.asarray([beta]), jnp.asarray([theta + x]), tau)[0])  # noqa: E731
            lo, hi = float(dt[j - 1]), theta_only
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                lo, hi = (lo, mid) if need(mid) <= beta else (mid, hi)
            theta_only = hi
    out = {
        "delta_beta": float(d_beta[k]) if np.isfinite(total[k]) else float("nan"),
        "delta_theta": float(dt[k]) if np.isfinite(total[k]) else float("nan"),
        "cost": float(total[k]),
        "beta_only_delta": float(d_beta[0]),
        "beta_only_cost": float(f(d_beta[0], a_beta)) if np.isfinite(d_beta[0]) else float("inf"),
        "theta_only_delta": theta_only,
        "theta_only_cost": float(f(theta_only, a_theta)) if np.isfinite(theta_only) else float("inf"),
    }
    if out["theta_only_cost"] < out["cost"]:  # the refined theta-only route beats its grid neighbour
        out.update(delta_beta=0.0, delta_theta=theta_only, cost=out["theta_only_cost"])
    if not np.isfinite(out["cost"]):
        out["route"] = "infeasible"
    elif out["delta_beta"] <= 0 and out["delta_theta"] <= 0:
        out["route"] = "none needed"
    elif out["delta_theta"] <= 0:
        out["route"] = "beta-only"
    elif out["delta_beta"] <= 0:
        out["route"] = "theta-only"
    else:
        out["route"] = "mixed"
    return out
