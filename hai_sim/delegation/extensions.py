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

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import jit_core, named_result
from hai_sim.engine.validate import check_range

from . import _math as m
from . import solve
from .params import DelegationParams

DIFFICULTY_SLOPES = (0.2, 0.4, 0.5, 0.5)


def _midpoint_nodes(n: int = 20):
    """Midpoint rule for h ~ Uniform[0, 1]: (nodes, weights), each shape (n,)."""
    h = (jnp.arange(n, dtype=jnp.result_type(float)) + 0.5) / n
    return h, jnp.full((n,), 1.0 / n)


def _check_slopes(slopes):
    if len(slopes) != 4:
        check_range("len(slopes)", len(slopes), 4, 4)
    for i, s in enumerate(slopes):
        check_range(f"slopes[{i}]", s, 0.0, 1.0)


def params_at_difficulty(p: DelegationParams, h, slopes=DIFFICULTY_SLOPES) -> DelegationParams:
    """Parameters of a task of difficulty h in [0, 1] (reduces to ``p`` at h = 0) [R].

    p_w(h) = p_w (1 - s_pw h), p_a(h) = p_a (1 - s_pa h), K(h) = (1 + s_c h) K,
    c_v(h) = (1 + s_k h) c_v with ``slopes = (s_pw, s_pa, s_c, s_k)``. Validated like ``p.replace``.
    """
    m.check_abilities(p)
    check_range("h", h, 0.0, 1.0)
    _check_slopes(slopes)
    return _params_at_difficulty(p, h, slopes)


def _params_at_difficulty(p, h, slopes):
    s_pw, s_pa, s_c, s_k = slopes
    return p.replace(
        p_w=p.p_w * (1.0 - s_pw * h),
        p_a=p.p_a * (1.0 - s_pa * h),
        K=p.K * (1.0 + s_c * h),
        c_v=p.c_v * (1.0 + s_k * h),
    )


@named_result
class DifficultyQuality(NamedTuple):
    """Expectations over task difficulty on the broadcast (beta, theta) shape.

    ``Ed`` share of tasks delegated, ``EQ``, ``EQ0``, ``dQ`` = EQ - EQ0 (float),
    ``quality_label``, ``compliance_label`` (int32, codes of :class:`Quality`, on the expectations).
    """

    Ed: jax.Array
    EQ: jax.Array
    EQ0: jax.Array
    dQ: jax.Array
    quality_label: jax.Array
    compliance_label: jax.Array


def expected_quality_difficulty(
    p: DelegationParams, beta, theta, *, tau=None, nodes=None, weights=None, slopes=DIFFICULTY_SLOPES,
    method: str = "auto",
) -> DifficultyQuality:
    """Expectations over task difficulty (Section 7.1) on broadcast (beta, theta).

    Args:
        p, beta, theta: as in :func:`quality`. tau: threshold (default ``p.tau``; Figure 4 uses 11).
        nodes, weights: quadrature of the difficulty law, shape (n,) each (default: 20-point
            midpoint rule on [0, 1]).
        slopes: (s_pw, s_pa, s_c, s_kappa) of the difficulty profile [R].
    Returns:
        :class:`DifficultyQuality`.
    """
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    _check_slopes(slopes)
    if nodes is None:
        nodes, weights = _midpoint_nodes()
    check_range("nodes", nodes, 0.0, 1.0)
    check_range("weights", weights, 0.0)
    method = solve._checked(p, beta, theta, method, solve.BISECTION_ITERS)
    return _expected_quality_difficulty_core(p, beta, theta, tau, jnp.asarray(nodes), jnp.asarray(weights),
                                             slopes=tuple(float(x) for x in slopes), method=method)


def _expected_quality_difficulty(p, beta, theta, tau, nodes, weights, slopes, method):
    beta, theta = m.broadcast(beta, theta)

    def one(h):
        q = solve._quality(_params_at_difficulty(p, h, slopes), beta, theta, tau, method, solve.BISECTION_ITERS)
        return q.d, q.Q, q.Q0

    d, Q, Q0 = jax.vmap(one)(nodes)
    w = weights.reshape((-1,) + (1,) * beta.ndim)
    Ed, EQ, EQ0 = (jnp.sum(w * x, axis=0) for x in (d, Q, Q0))
    dQ, quality_label, compliance = solve._labels(p, theta, EQ, EQ0, tau)
    return DifficultyQuality(Ed=Ed, EQ=EQ, EQ0=EQ0, dQ=dQ, quality_label=quality_label, compliance_label=compliance)


_expected_quality_difficulty_core = jit_core(_expected_quality_difficulty, static_argnames=("slopes", "method"))


@named_result
class BeliefQuality(NamedTuple):
    """Quality under a miscalibrated belief, arrays of the broadcast shape: ``Q``, ``Q0``, ``dQ``
    (float), ``quality_label``, ``compliance_label`` (int32, codes of :class:`Quality`), and the
    action chosen under the belief ``d``, ``v`` (float), ``regime`` (int32)."""

    Q: jax.Array
    Q0: jax.Array
    dQ: jax.Array
    quality_label: jax.Array
    compliance_label: jax.Array
    d: jax.Array
    v: jax.Array
    regime: jax.Array


def belief_quality(p: DelegationParams, beta, theta, p_a_hat, *, tau=None, method: str = "auto") -> BeliefQuality:
    """Quality when the worker believes the AI succeeds with p_a_hat (Section 7.2) [P/R].

    The worker acts on p_a_hat in place of p_a everywhere in U_w; quality is U_I at that action
    with the true p_a. Equals :func:`quality` at p_a_hat = p_a. Returns :class:`BeliefQuality`.
    """
    check_range("p_a_hat", p_a_hat, 0.0, 1.0)
    tau = p.tau if tau is None else tau
    check_range("tau", tau)
    method = solve._checked(p, beta, theta, method, solve.BISECTION_ITERS)
    p.replace(p_a=p_a_hat)  # the believed model must satisfy the assumptions too
    return _belief_quality_core(p, beta, theta, p_a_hat, tau, method=method)


def _belief_quality(p, beta, theta, p_a_hat, tau, method):
    beta, theta = m.broadcast(beta, theta)
    a = solve._worker_action(p.replace(p_a=p_a_hat), beta, theta, method, solve.BISECTION_ITERS)
    Q = m.institutional_utility(p, a.d, a.v, beta, theta)
    Q0 = m.coeffs(p, beta, theta).Q0
    dQ, quality_label, compliance = solve._labels(p, theta, Q, Q0, tau)
    return BeliefQuality(Q=Q, Q0=Q0, dQ=dQ, quality_label=quality_label, compliance_label=compliance, d=a.d,
                         v=a.v, regime=a.regime)


_belief_quality_core = jit_core(_belief_quality, static_argnames=("method",))


def reexec_quality(p: DelegationParams, beta, theta, gamma, *, tau=None, method: str = "auto") -> solve.Quality:
    """Quality with partial re-execution at cost gamma c_w (Section 7.3) [P/R]; see :func:`quality`."""
    check_range("gamma", gamma, 0.0, 1.0)
    return solve.quality(p.replace(gamma=gamma), beta, theta, tau, method=method)
