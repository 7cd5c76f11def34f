"""Section 6: firm-level labour aggregates and the cross-firm CES aggregate [P/D/R, spec §1.9].

Firm level: skill-adjusted times ``tt`` of AI and manual tasks under base wages ``w_A, w_M``
(eqs 6-11), the perfect-AI benchmark ``TA_bar`` and effective AI quality
``theta = TA_bar / TT_A`` [R, eq 12]. Aggregate: with ``b`` *derived* from
``a TA_bar^rho + b TT_M^rho = 1`` (ERRATA 4), output, labour demands and wages are closed forms of
the zero-profit cutoff ``theta_min``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.chaining.cost import _task_skill_time
from hai_sim.chaining.params import AUGMENTED, MANUAL, Instance, check_alpha, check_design, check_instance
from hai_sim.chaining.results import FirmLabor, MacroAggregate
from hai_sim.engine import jit_core
from hai_sim.engine.validate import check_range


def firm_labor(inst: Instance, alpha, modes, cuts, w_A=1.0, w_M=1.0):
    """Skill-adjusted AI-management and manual time of a design [D eqs 6-12, R eq 12].

    Args:
        inst (N,), alpha scalar, modes (N,), cuts (N-1,), base wages w_A, w_M > 0.
    Returns:
        :class:`FirmLabor` of float64 scalars: ``TT_A``, ``TT_M``, ``TA_bar`` (TT_A with every
        chain success probability 1), ``theta = TA_bar / TT_A`` (NaN by design when the design
        uses no AI, ERRATA 4) and ``has_ai`` (bool).
    """
    check_instance(inst)
    check_alpha(alpha)
    check_design(inst, modes, cuts)
    check_range("w_A", w_A, 0.0, None, lo_open=True)
    check_range("w_M", w_M, 0.0, None, lo_open=True)
    return _firm_labor_core(inst, alpha, jnp.asarray(modes), jnp.asarray(cuts), w_A, w_M)


@jit_core
def _firm_labor_core(inst: Instance, alpha, modes, cuts, w_A, w_M) -> FirmLabor:
    N = inst.n_pad
    skill, time = _task_skill_time(inst, alpha, modes)
    _, time_perfect = _task_skill_time(inst, 1.0, modes)
    job = jnp.concatenate([jnp.zeros((1,), jnp.int32), jnp.cumsum(cuts).astype(jnp.int32)])
    ai = modes == AUGMENTED
    manual = (modes == MANUAL) & inst.mask
    wage_units = jnp.where(ai, w_A, w_M) * skill  # eq 6, per task
    w_job = jax.ops.segment_sum(wage_units, job, num_segments=N)
    w_of = w_job[job]
    TT_A = jnp.sum(jnp.where(ai, time * w_of / w_A, 0.0))
    TA_bar = jnp.sum(jnp.where(ai, time_perfect * w_of / w_A, 0.0))
    hand = jnp.sum(cuts.astype(time.dtype) * inst.tH[:-1] * w_of[:-1]) / w_M
    TT_M = jnp.sum(jnp.where(manual, time * w_of / w_M, 0.0)) + hand
    has_ai = TT_A > 0
    theta = jnp.where(has_ai, TA_bar / jnp.where(has_ai, TT_A, 1.0), jnp.nan)
    return FirmLabor(TT_A=TT_A, TT_M=TT_M, TA_bar=TA_bar, theta=theta, has_ai=has_ai)


def _check_ces(TA_bar, TT_M, a, rho):
    check_range("a", a, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("rho", rho, None, 0.0, hi_open=True)
    check_range("TA_bar", TA_bar, 0.0, None, lo_open=True)
    check_range("TT_M", TT_M, 0.0, None, lo_open=True)


def ces_weight_b(TA_bar, TT_M, a, rho):
    """b from the regularity condition ``a TA_bar^rho + b TT_M^rho = 1`` (ERRATA 4); float64,
    broadcast shape of the arguments."""
    _check_ces(TA_bar, TT_M, a, rho)
    return _ces_weight_b(TA_bar, TT_M, a, rho)


def _ces_weight_b(TA_bar, TT_M, a, rho):
    return (1.0 - a * TA_bar ** rho) / TT_M ** rho


def macro_aggregate(TA_bar, TT_M, a, rho, theta_min):
    """Closed-form CES aggregate across firms [D, spec §1.9 with b derived].

    Args (float scalars or broadcastable arrays): TA_bar > 0, TT_M > 0, a in (0, 1), rho < 0,
    theta_min in (0, 1).
    Returns:
        :class:`MacroAggregate`: ``b``, ``Y`` (= Psi(theta_min)), ``L_A``, ``L_M``, ``w_A``, ``w_M`` (marginal
        products), ``sigma``. Raises ValueError if the derived b is not in (0, 1 - a).
    """
    _check_ces(TA_bar, TT_M, a, rho)
    check_range("theta_min", theta_min, 0.0, 1.0, lo_open=True, hi_open=True)
    b = _ces_weight_b(TA_bar, TT_M, a, rho)
    check_range("b (derived from a TA_bar^rho + b TT_M^rho = 1)", b, 0.0, None, lo_open=True)
    check_range("a + b (b derived from a TA_bar^rho + b TT_M^rho = 1)", a + b, None, 1.0, hi_open=True)
    return _macro_core(TA_bar, TT_M, a, rho, theta_min)


@jit_core
def _macro_core(TA_bar, TT_M, a, rho, theta_min) -> MacroAggregate:
    b = _ces_weight_b(TA_bar, TT_M, a, rho)
    sigma = 1.0 / (1.0 - rho)
    kappa = 1.0 - b * TT_M ** rho
    c0 = 1.0 - a - b
    Y = ((kappa / c0) * (1.0 - theta_min ** (1.0 - sigma))) ** (-1.0 / rho)
    L_A = TA_bar * theta_min ** (-sigma) * Y
    L_M = TT_M * Y
    w_A = kappa * theta_min / TA_bar
    w_M = b * TT_M ** (rho - 1.0)
    return MacroAggregate(b=b, Y=Y, L_A=L_A, L_M=L_M, w_A=w_A, w_M=w_M, sigma=sigma)


def output_density(theta, TA_bar, TT_M, a, rho):
    """psi(theta) of eq (20) with b derived: density of output across effective AI quality
    (float64, broadcast shape; theta in (0, 1))."""
    _check_ces(TA_bar, TT_M, a, rho)
    check_range("theta", theta, 0.0, 1.0, lo_open=True, hi_open=True)
    return _output_density_core(theta, TA_bar, TT_M, a, rho)


@jit_core
def _output_density_core(theta, TA_bar, TT_M, a, rho):
    b = _ces_weight_b(TA_bar, TT_M, a, rho)
    sigma = 1.0 / (1.0 - rho)
    k = (1.0 - b * TT_M ** rho) / (1.0 - a - b)
    return sigma * k * theta ** (-sigma) * (k * (1.0 - theta ** (1.0 - sigma))) ** (-(1.0 + rho) / rho)
