"""Named results of the chaining kernels (the engine's :func:`~hai_sim.engine.named_result`).

Each is a tuple, so ``cost, modes, cuts = long_run(inst, alpha)`` unpacks as before, and a record:
``r.cost``, ``r["cost"]``, ``r.keys()``, ``r.items()``. Iteration and ``in`` keep their tuple
meaning (they run over the values). All are pytrees, so they pass through ``jit``, ``vmap`` and
``sweep`` (one variable per field). Shapes below are for one firm and one alpha; ``vmap`` adds
leading axes.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import numpy as np

from hai_sim.engine import named_result


@named_result
class ShortRun(NamedTuple):
    """Short-run optimum (Prop 1, or frozen pre-AI jobs): ``cost`` float64 (), ``modes`` int32 (N,)."""

    cost: jax.Array
    modes: jax.Array


@named_result
class JobDesign(NamedTuple):
    """Prop 2 optimum: ``cost`` float64 (), ``cuts`` int32 (m - 1,) (1 = a job ends after task i)."""

    cost: jax.Array
    cuts: jax.Array


@named_result
class LongRun(NamedTuple):
    """Long-run optimum of (3): ``cost`` float64 (), ``modes`` int32 (N,), ``cuts`` int32 (N - 1,)."""

    cost: jax.Array
    modes: jax.Array
    cuts: jax.Array


@named_result
class LongRunInfo(NamedTuple):
    """:class:`LongRun` plus the solver's diagnostics: ``exact`` bool () (no stack overflow),
    ``iterations`` int () (hull-bisection rounds), ``max_vertices`` int () (largest hull found)."""

    cost: jax.Array
    modes: jax.Array
    cuts: jax.Array
    exact: jax.Array
    iterations: jax.Array
    max_vertices: jax.Array


@named_result
class Thresholds(NamedTuple):
    """Reorganisation thresholds, sorted by alpha (k switches; host arrays).

    ``alpha`` float64 (k,); ``left``/``right`` tuples of k design signatures (``"MCCAM|0000"``)
    just below and above each threshold; ``cost`` float64 (k,) = C* at the threshold.
    """

    alpha: np.ndarray
    left: tuple
    right: tuple
    cost: np.ndarray


@named_result
class Certificate(NamedTuple):
    """Prop 4 certificate (host values): ``lower`` = discretised-DP table value (<= OPT),
    ``upper`` = exact long-run cost OPT, ``recovered`` = exact cost of the design read from the
    table's back-pointers (<= e^eps OPT), and that design: ``modes`` int32 (N,), ``cuts`` int32
    (N - 1,)."""

    lower: float
    upper: float
    recovered: float
    modes: np.ndarray
    cuts: np.ndarray


@named_result
class OrganisationStats(NamedTuple):
    """Summary of a design (float64 scalars): shares of real steps manual / augmented /
    automated, number of chains, mean chain length, number of jobs, max job skill, time-weighted
    mean job skill and the AI-management share of the wage bill."""

    share_manual: jax.Array
    share_augmented: jax.Array
    share_automated: jax.Array
    n_chains: jax.Array
    mean_chain_length: jax.Array
    n_jobs: jax.Array
    max_job_skill: jax.Array
    mean_job_skill: jax.Array
    ai_wage_share: jax.Array


@named_result
class FirmLabor(NamedTuple):
    """Skill-adjusted labour of a design (float64 scalars): ``TT_A``, ``TT_M``, ``TA_bar``,
    ``theta = TA_bar / TT_A`` (NaN by design without AI) and ``has_ai`` (bool)."""

    TT_A: jax.Array
    TT_M: jax.Array
    TA_bar: jax.Array
    theta: jax.Array
    has_ai: jax.Array


@named_result
class MacroAggregate(NamedTuple):
    """Closed-form CES aggregate: derived ``b``, output ``Y``, labour ``L_A``, ``L_M``,
    marginal-product wages ``w_A``, ``w_M`` and the elasticity ``sigma`` (broadcast shapes)."""

    b: jax.Array
    Y: jax.Array
    L_A: jax.Array
    L_M: jax.Array
    w_A: jax.Array
    w_M: jax.Array
    sigma: jax.Array


@named_result
class Occupations(NamedTuple):
    """Synthetic occupations (O occupations padded to N tasks): ``mask`` bool (O, N), ``exposed``
    bool (O, N) (E1 = AI-easy), ``modes`` int32 (O, N), ``ai`` bool (O, N) (AI-executed)."""

    mask: jax.Array
    exposed: jax.Array
    modes: jax.Array
    ai: jax.Array


@named_result
class ChainStatistics(NamedTuple):
    """Empirical chains: ``n_chains`` int (O,), ``n_chain_steps`` int (O,), ``mean_chain_length``
    float64 () (pooled over all chains), ``mean_chains`` float64 () (averaged over occupations)."""

    n_chains: jax.Array
    n_chain_steps: jax.Array
    mean_chain_length: jax.Array
    mean_chains: jax.Array


@named_result
class NeighbourDesign(NamedTuple):
    """Rows of the neighbour logit (22): ``X`` float64 (O*N, 7), ``y`` float64 (O*N,), ``w``
    float64 (O*N,) row weights (0 on padding)."""

    X: jax.Array
    y: jax.Array
    w: jax.Array


@named_result
class ExecutionLabel(NamedTuple):
    """Anthropic Economic Index label: ``aug`` and ``auto`` shares, ``label`` int (0 manual,
    1 augmentation, 2 automation); elementwise shapes."""

    aug: jax.Array
    auto: jax.Array
    label: jax.Array
