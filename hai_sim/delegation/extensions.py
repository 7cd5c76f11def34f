"""Extensions of paper Section 7 (spec §4.4-4.6): task difficulty, miscalibrated belief, re-execution.

* Difficulty (7.1) [P/R]: p_w(h) = p_w (1 - s_pw h), p_a(h) = p_a (1 - s_pa h),
  c_w(theta, h) = (1 + s_c h) c_w(theta), kappa(v, h) = (1 + s_k h) kappa(v) with slopes
  (0.2, 0.4, 0.5, 0.5) [R]; the worker sees h and optimises per task; expectations over
  h ~ Uniform[0, 1] by the midpoint rule (20 nodes) [R].
* Belief (7.2) [P/R]: the worker acts on p_a_hat in place of p_a everywhere in U_w; quality is
  U_I at that action with the true p_a.
* Partial re-execution (7.3) [P/R]: a detected error costs gamma c_w to redo, in both utilities
  (``gamma`` is a field of the params).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.engine.validate import check_range

from . import model as m
from . import solve
from .params import DelegationParams

DIFFICULTY_SLOPES = (0.2, 0.4, 0.5, 0.5)


def midpoint_nodes(n: int = 20):
    """Midpoint rule for h ~ Uniform[0, 1]: (nodes, weights), each shape (n,)."""
    h = (jnp.arange(n) + 0.5) / n
    return h, jnp.full((n,), 1.0 / n)


def params_at_difficulty(p: DelegationParams, h, slopes=DIFFICULTY_SLOPES) -> DelegationParams:
    """Parameters of a task of difficulty h in [0, 1] (reduces to ``p`` at h = 0) [R]."""
    s_pw, s_pa, s_c, s_k = slopes
    scale_c = 1.0 + s_c * h
    return p.replace(
        p_w=p.p_w * (1.0 - s_pw * h),
        p_a=p.p_a * (1.0 - s_pa * h),
        K=p.K * scale_c,
        c_v=p.c_v * (1.0 + s_k * h),
    )


def expected_quality_difficulty(
    p: DelegationParams, beta, theta, *, tau=None, nodes=None, weights=None, slopes=DIFFICULTY_SLOPES,
    method: str = "auto",
) -> dict:
    """Expectations over task difficulty (Section 7.1) on broadcast (beta, theta).

    Args:
        p, beta, theta: as in :func:`quality`. tau: threshold (default ``p.tau``; Figure 4 uses 11).
        nodes, weights: quadrature of the difficulty law (default: 20-point midpoint on [0, 1]).
        slopes: (s_pw, s_pa, s_c, s_kappa) of the difficulty profile [R].
    Returns:
        dict of arrays: ``Ed`` (share of tasks delegated), ``EQ``, ``EQ0``, ``dQ`` = EQ - EQ0,
        ``quality_label`` (0 degraded, 1 unchanged, 2 improved), ``compliance_label`` (as in
        :func:`quality`, on the expectations).
    """
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    for i, s in enumerate(slopes):
        check_range(f"slopes[{i}]", s, 0.0, 1.0)
    if nodes is None:
        nodes, weights = midpoint_nodes()
    check_range("nodes", nodes, 0.0, 1.0)
    check_range("weights", weights, 0.0)
    beta, theta = m.broadcast(beta, theta)
    method = solve.resolve_method(p, method)

    def one(h):
        q = solve.quality(params_at_difficulty(p, h, slopes), beta, theta, tau, method=method)
        return q["d"], q["Q"], q["Q0"]

    d, Q, Q0 = jax.vmap(one)(jnp.asarray(nodes))
    w = jnp.asarray(weights).reshape((-1,) + (1,) * beta.ndim)
    Ed, EQ, EQ0 = (jnp.sum(w * x, axis=0) for x in (d, Q, Q0))
    return _labels(p, theta, EQ, EQ0, tau) | {"Ed": Ed}


def _labels(p, theta, Q, Q0, tau):
    eps = m.label_tolerance(p, theta)
    dQ = Q - Q0
    quality_label = jnp.where(dQ > eps, 2, jnp.where(dQ < -eps, 0, 1)).astype(jnp.int32)
    qual, qual0 = Q >= tau - eps, Q0 >= tau - eps
    compliance = jnp.where(qual, jnp.where(qual0, 3, 1), jnp.where(qual0, 2, 0)).astype(jnp.int32)
    return {"EQ": Q, "EQ0": Q0, "dQ": dQ, "quality_label": quality_label, "compliance_label": compliance}


def belief_quality(p: DelegationParams, beta, theta, p_a_hat, *, tau=None, method: str = "auto") -> dict:
    """Quality when the worker believes the AI succeeds with p_a_hat (Section 7.2) [P/R].

    Returns dict: ``Q``, ``Q0``, ``dQ``, ``quality_label``, ``compliance_label``, ``d``, ``v``,
    ``regime`` (the action chosen under the belief). Equals :func:`quality` at p_a_hat = p_a.
    """
    check_range("p_a_hat", p_a_hat, 0.0, 1.0)
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    beta, theta = m.broadcast(beta, theta)
    a = solve.worker_action(p.replace(p_a=p_a_hat), beta, theta, method=method)
    Q = m.institutional_utility(p, a["d"], a["v"], beta, theta)
    Q0 = m.coeffs(p, beta, theta)["Q0"]
    out = _labels(p, theta, Q, Q0, tau)
    return {
        "Q": out["EQ"], "Q0": out["EQ0"], "dQ": out["dQ"], "quality_label": out["quality_label"],
        "compliance_label": out["compliance_label"], "d": a["d"], "v": a["v"], "regime": a["regime"],
    }


def reexec_quality(p: DelegationParams, beta, theta, gamma, *, tau=None, method: str = "auto") -> dict:
    """Quality with partial re-execution at cost gamma c_w (Section 7.3) [P/R]; see :func:`quality`."""
    return solve.quality(p.replace(gamma=gamma), beta, theta, tau, method=method)
