"""Chaining model: AI chains, optimal deployment and job design (Demirer, Horton, Immorlica,
Lucier, Shahidi, "Chaining Tasks, Redefining Work", spec ``chaining.md``).

Public API (every kernel takes one firm and a scalar alpha, and vmaps over firms and alphas)::

    inst = make_instance(cM, tM, cA, tA, d, tH, n_pad=None)
    short_run(inst, alpha)            -> (g_n, modes)          Prop 1
    job_design(c, t, tH)              -> (cost, cuts)          Prop 2
    long_run(inst, alpha)             -> (cost, modes, cuts)   exact optimum of (3)
    short_run_cost(inst, alpha)       -> cost                  frozen pre-AI jobs (spec §1.5)
    short_run_frozen(inst, alpha)     -> (cost, modes)         the same, with the modes
    design_cost(inst, alpha, modes, cuts)                      wage bill of a fixed design

Modes: 0 manual, 1 augmented (goal of a chain), 2 automated; strings "MCCAM" via
:func:`modes_to_string` / :func:`string_to_modes`.
"""

from hai_sim.chaining.cost import design_cost, short_run_time, task_skill_time
from hai_sim.chaining.dp import job_design, long_run, long_run_info, prewage_jobs, short_run, short_run_batch, short_run_cost, short_run_frozen
from hai_sim.chaining.params import (
    AUGMENTED,
    AUTOMATED,
    MANUAL,
    Instance,
    check_design,
    cuts_to_jobs,
    make_instance,
    modes_to_string,
    n_steps,
    pad_instance,
    random_instance,
    scale_handoffs,
    stack_instances,
    string_to_modes,
)

from hai_sim.chaining.theory import (
    certificate,
    fragmentation_index,
    greedy_cost,
    marginal_benefit,
    signature,
    thresholds,
)

__all__ = [
    "certificate", "fragmentation_index", "greedy_cost", "marginal_benefit", "signature", "thresholds",
    "AUGMENTED", "AUTOMATED", "MANUAL", "Instance", "check_design", "cuts_to_jobs", "design_cost",
    "job_design", "long_run", "long_run_info", "make_instance", "modes_to_string", "n_steps",
    "pad_instance", "prewage_jobs", "random_instance", "scale_handoffs", "short_run", "short_run_batch", "short_run_cost", "short_run_frozen",
    "short_run_time", "stack_instances", "string_to_modes", "task_skill_time",
]
