"""Organisation of a design: regime labels and summary statistics [X, spec §2.8 and §6].

All functions are pure jnp (jit/vmap-able) on one design: modes (N,), cuts (N-1,), mask (N,).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.chaining.cost import _task_skill_time
from hai_sim.chaining.params import AUGMENTED, AUTOMATED, MANUAL, Instance, check_alpha, check_design, check_instance
from hai_sim.chaining.results import OrganisationStats
from hai_sim.engine import jit_core

AI_USE = ("none", "augmentation only", "chaining", "full chain")
JOBS = ("specialised", "partly bundled", "one job")
REGIMES = tuple(f"{a} / {j}" for a in AI_USE for j in JOBS)


def ai_use(modes, mask):
    """0 no AI, 1 augmentation only, 2 some chain of length >= 2, 3 one chain over every step."""
    n = jnp.sum(mask)
    real = mask
    any_ai = jnp.any(real & (modes == AUGMENTED))
    any_auto = jnp.any(real & (modes == AUTOMATED))
    full = (jnp.sum(real & (modes == AUTOMATED)) == n - 1) & (n > 1) & any_ai
    return jnp.where(full, 3, jnp.where(any_auto, 2, jnp.where(any_ai, 1, 0)))


def n_tasks(modes, mask):
    """Number of tasks (manual steps and chains) among the real steps."""
    return jnp.sum(mask & (modes != AUTOMATED))


def n_jobs(cuts, mask):
    """Number of jobs of a cut vector (cuts after padded steps ignored)."""
    return 1 + jnp.sum(jnp.where(mask[1:], cuts, 0))


def job_structure(modes, cuts, mask):
    """0 one job per task, 1 partly bundled, 2 a single job (takes precedence when 1 task)."""
    jobs, tasks = n_jobs(cuts, mask), n_tasks(modes, mask)
    return jnp.where(jobs == 1, 2, jnp.where(jobs == tasks, 0, 1))


def regime(modes, cuts, mask):
    """Regime code ``3 * ai_use + job_structure`` in 0..11; names in :data:`REGIMES`."""
    return 3 * ai_use(modes, mask) + job_structure(modes, cuts, mask)


def organisation_stats(inst: Instance, alpha, modes, cuts) -> OrganisationStats:
    """Summary of a design: :class:`OrganisationStats` (float64 scalars: shares of steps manual /
    augmented / automated, number of chains, mean chain length, number of jobs, max job skill,
    time-weighted mean job skill and the AI-management share of the wage bill)."""
    check_instance(inst)
    check_alpha(alpha)
    check_design(inst, modes, cuts)
    return _organisation_core(inst, alpha, jnp.asarray(modes), jnp.asarray(cuts))


@jit_core
def _organisation_core(inst: Instance, alpha, modes, cuts) -> OrganisationStats:
    mask = inst.mask
    n = jnp.sum(mask)
    skill, time = _task_skill_time(inst, alpha, modes)
    share = lambda m: jnp.sum(mask & (modes == m)) / n  # noqa: E731
    chains = jnp.sum(mask & (modes == AUGMENTED))
    ai_steps = jnp.sum(mask & (modes != MANUAL))
    N = inst.n_pad
    job = jnp.concatenate([jnp.zeros((1,), jnp.int32), jnp.cumsum(cuts).astype(jnp.int32)])
    hand = jnp.concatenate([cuts.astype(time.dtype) * inst.tH[:-1], jnp.zeros(1)])
    c_job = jax.ops.segment_sum(skill, job, num_segments=N)
    t_job = jax.ops.segment_sum(time + hand, job, num_segments=N)
    bill = c_job * t_job
    ai_bill = jnp.sum(jnp.where(modes == AUGMENTED, skill, 0.0) * t_job[job])  # AI skill x job time
    return OrganisationStats(
        share_manual=share(MANUAL), share_augmented=share(AUGMENTED), share_automated=share(AUTOMATED),
        n_chains=chains.astype(float), mean_chain_length=jnp.where(chains > 0, ai_steps / jnp.maximum(chains, 1), 0.0),
        n_jobs=n_jobs(cuts, mask).astype(float), max_job_skill=jnp.max(c_job),
        mean_job_skill=jnp.sum(c_job * t_job) / jnp.sum(t_job),
        ai_wage_share=ai_bill / jnp.sum(bill),
    )
