"""Chaining model: AI chains, optimal deployment and job design (Demirer, Horton, Immorlica,
Lucier, Shahidi, "Chaining Tasks, Redefining Work", spec ``chaining.md``).

Public API (every kernel takes one firm and a scalar alpha, validates concrete arguments on the
host, then calls a jitted core; all vmap over firms and alphas)::

    inst = make_instance(cM, tM, cA, tA, d, tH, n_pad=None)     Instance (validated; .replace validates)
    short_run(inst, alpha)            -> ShortRun(cost, modes)                   Prop 1
    job_design(c, t, tH)              -> JobDesign(cost, cuts)                   Prop 2
    long_run(inst, alpha)             -> LongRun(cost, modes, cuts)              exact optimum of (3)
    long_run_info(inst, alpha)        -> LongRunInfo(cost, modes, cuts, exact, iterations, max_vertices)
    short_run_cost(inst, alpha)       -> cost                                    frozen pre-AI jobs (spec §1.5)
    short_run_frozen(inst, alpha)     -> ShortRun(cost, modes)                   the same, with the modes
    design_cost(inst, alpha, modes, cuts) -> cost                                wage bill of a fixed design
    thresholds(inst, lo, hi, n_grid)  -> Thresholds(alpha, left, right, cost)
    certificate(inst, alpha, eps)     -> Certificate(lower, upper, recovered, modes, cuts)   Prop 4

Modes: 0 manual, 1 augmented (goal of a chain), 2 automated; strings "MCCAM" via
:func:`modes_to_string` / :func:`string_to_modes`. Submodules ``macro`` (Section 6), ``empirics``
(Section 7 on synthetic occupations) and ``brute`` (enumeration oracles) are imported by name.
"""

from hai_sim.chaining.cost import design_cost, short_run_time, task_skill_time
from hai_sim.chaining.dp import (
    job_design,
    long_run,
    long_run_info,
    prewage_jobs,
    short_run,
    short_run_batch,
    short_run_batch_cost,
    short_run_cost,
    short_run_frozen,
)
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
from hai_sim.chaining.results import (
    Certificate,
    ChainStatistics,
    ExecutionLabel,
    FirmLabor,
    JobDesign,
    LongRun,
    LongRunInfo,
    MacroAggregate,
    NeighbourDesign,
    Occupations,
    OrganisationStats,
    ShortRun,
    Thresholds,
)
from hai_sim.chaining.structure import AI_USE, JOBS, REGIMES, ai_use, job_structure, organisation_stats, regime
from hai_sim.chaining.theory import (
    certificate,
    fragmentation_index,
    fragmentation_mc,
    greedy_cost,
    marginal_benefit,
    prop4_grids,
    prop4_value,
    realized_fragmentation,
    signature,
    thresholds,
)

__all__ = [
    # instances and designs
    "AUGMENTED", "AUTOMATED", "MANUAL", "Instance", "check_design", "cuts_to_jobs", "make_instance",
    "modes_to_string", "n_steps", "pad_instance", "random_instance", "scale_handoffs", "stack_instances",
    "string_to_modes",
    # costs and dynamic programmes
    "design_cost", "job_design", "long_run", "long_run_info", "prewage_jobs", "short_run", "short_run_batch", "short_run_batch_cost",
    "short_run_cost", "short_run_frozen", "short_run_time", "task_skill_time",
    # theory
    "certificate", "fragmentation_index", "fragmentation_mc", "greedy_cost", "marginal_benefit", "prop4_grids",
    "prop4_value", "realized_fragmentation", "signature", "thresholds",
    # organisation of a design
    "AI_USE", "JOBS", "REGIMES", "ai_use", "job_structure", "organisation_stats", "regime",
    # named results
    "Certificate", "ChainStatistics", "ExecutionLabel", "FirmLabor", "JobDesign", "LongRun", "LongRunInfo",
    "MacroAggregate", "NeighbourDesign", "Occupations", "OrganisationStats", "ShortRun", "Thresholds",
]
