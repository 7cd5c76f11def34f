"""Closed-form cost of a fixed design (AI strategy + job cuts) [P eqs 1-2, spec §1.3-1.5].

For a fixed design the wage bill is a generalised polynomial in ``1/alpha``,
``sum_J c_J (sum_manual tM + sum_chains tA_goal alpha^{-D_chain} + tH_J)``, smooth in alpha and in
every step parameter, so :func:`design_cost` is the kernel used for autodiff and for bisecting
thresholds between two designs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.chaining.params import AUGMENTED, AUTOMATED, MANUAL, Instance, check_alpha, check_design, check_instance
from hai_sim.engine import jit_core

EXP_CLIP = 600.0  # exponent cap: beyond it a chain is hopeless and its time is BIG
BIG = 1e30


def _chain_time(tA_goal, log_alpha, D):
    """Expected human time of an AI chain, ``tA_goal * alpha**(-D)``, capped at BIG."""
    expo = -log_alpha * D
    return jnp.where(expo > EXP_CLIP, BIG, tA_goal * jnp.exp(jnp.minimum(expo, EXP_CLIP)))


def task_skill_time(inst: Instance, alpha, modes):
    """Per-step skill and expected time of the tasks of an AI strategy (validated; see
    :func:`_task_skill_time` for the shapes)."""
    check_instance(inst)
    check_alpha(alpha)
    check_design(inst, modes, jnp.zeros((inst.n_pad - 1,), jnp.int32))
    return _task_skill_time_core(inst, alpha, jnp.asarray(modes))


def _task_skill_time(inst: Instance, alpha, modes):
    """Per-step skill and expected time of the tasks of an AI strategy.

    Args:
        inst: instance with fields of shape (N,).
        alpha: scalar AI quality in (0, 1].
        modes: int array (N,), 0 manual / 1 augmented (goal of a chain) / 2 automated.
    Returns:
        (skill, time): float arrays (N,). A manual step carries (cM, tM); a goal step k carries
        the chain's (cA_k, tA_k alpha^{-D}) where D sums d over the chain; automated steps carry 0.
    """
    modes = jnp.asarray(modes)
    N = inst.n_pad
    idx = jnp.arange(N)
    # a chain ending at goal k starts right after the last non-automated step before k
    last_non_auto = jax.lax.cummax(jnp.where(modes != AUTOMATED, idx, -1))
    start = jnp.concatenate([jnp.zeros((1,), last_non_auto.dtype), last_non_auto[:-1] + 1])
    Dp = jnp.concatenate([jnp.zeros((1,), inst.d.dtype), jnp.cumsum(inst.d)])
    D = Dp[idx + 1] - Dp[start]
    log_alpha = jnp.log(alpha)
    t_chain = _chain_time(inst.tA, log_alpha, D)
    skill = jnp.where(modes == MANUAL, inst.cM, jnp.where(modes == AUGMENTED, inst.cA, 0.0))
    time = jnp.where(modes == MANUAL, inst.tM, jnp.where(modes == AUGMENTED, t_chain, 0.0))
    return skill, time


_task_skill_time_core = jit_core(_task_skill_time)


def _job_costs(inst: Instance, skill, time, cuts):
    """Wage bill of each job, ``c_J (t_J + tH_J)``, as an (N,) array indexed by job number."""
    N = inst.n_pad
    cuts = jnp.asarray(cuts).astype(skill.dtype)
    job = jnp.concatenate([jnp.zeros((1,), jnp.int32), jnp.cumsum(cuts).astype(jnp.int32)])
    handoff = jnp.concatenate([cuts * inst.tH[:-1], jnp.zeros((1,), skill.dtype)])
    c_job = jax.ops.segment_sum(skill, job, num_segments=N)
    t_job = jax.ops.segment_sum(time + handoff, job, num_segments=N)
    return c_job * t_job


def design_cost(inst: Instance, alpha, modes, cuts):
    """Wage bill per unit of output of a fixed design [P eq 2]: ``sum_J c_J (t_J + tH_J)``.

    Args:
        inst: :class:`Instance` (fields (N,)).
        alpha: scalar AI quality in (0, 1].
        modes: int array (N,) (0 manual, 1 augmented goal, 2 automated inside a chain).
        cuts: 0/1 array (N - 1,), ``cuts[i] = 1`` when a job ends after step i.
    Returns:
        float64 scalar. Differentiable in alpha and in the step parameters.
    Raises:
        ValueError for alpha outside (0, 1] or an invalid design (concrete inputs only).
    """
    check_instance(inst)
    check_alpha(alpha)
    check_design(inst, modes, cuts)
    return _design_cost_core(inst, alpha, jnp.asarray(modes), jnp.asarray(cuts))


@jit_core
def _design_cost_core(inst: Instance, alpha, modes, cuts):
    skill, time = _task_skill_time(inst, alpha, modes)
    return jnp.sum(_job_costs(inst, skill, time, cuts))


def short_run_time(inst: Instance, alpha, modes):
    """Total task time of an AI strategy in one job at unit wage [P eq 4] (float64 scalar)."""
    check_instance(inst)
    check_alpha(alpha)
    check_design(inst, modes, jnp.zeros((inst.n_pad - 1,), jnp.int32))
    return _short_run_time_core(inst, alpha, jnp.asarray(modes))


@jit_core
def _short_run_time_core(inst: Instance, alpha, modes):
    return jnp.sum(_task_skill_time(inst, alpha, modes)[1])
