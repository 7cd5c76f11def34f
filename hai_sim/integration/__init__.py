"""hai_sim.integration: AI-human integration in work (Celis, Huang, Vishnoi, ICML 2025).

Jobs (task-skill graph, subskill difficulties, aggregators h, g, f), workers (decision and action
ability levels with noise), the job success probability P by five methods, the theory of the
phase transition (Theorem 3.2), merging (Theorem 3.3) and productivity compression
(Corollary 3.4), transition windows and phase diagrams. See spec/integration.md and ERRATA.

Contract::

    job = I.default_job()
    w = I.linear_worker(a1=0.5, a2=0.4, sigma=0.1)
    I.success_probability(job, w, method="exact")              # float64 scalar
    p, se = I.success_probability(job, w, "mc", key=key)        # hai_sim.engine.Estimate
    lo, hi = I.transition_window(job, w, param="a1")            # array (2,)
"""

from hai_sim.engine import Estimate
from hai_sim.integration.data import (
    BBL_TASKS,
    JobData,
    ScoreData,
    load_bbl_csv,
    load_job_csv,
    load_onet_skills,
    programmer_job,
    split_difficulties,
    synthetic_bbl,
)
from hai_sim.integration.fit import LinearFit, fit_linear_profile, posterior_linear_profile
from hai_sim.integration.model import (
    METHODS,
    affine_coefficients,
    err_moments,
    job_error,
    level_totals,
    mean_difficulty,
    mu,
    skill_weights,
    standardized_distance,
    success_probability,
)
from hai_sim.integration.params import (
    Job,
    Level,
    Worker,
    default_job,
    linear_worker,
    make_job,
    polynomial_worker,
    worker,
)
from hai_sim.integration.phase import phase_diagram, transition_window
from hai_sim.integration.profiles import Moments, ability_mean, law_cdf, law_moments, law_quantile
from hai_sim.integration.teams import Compression, IntegrationGain, integration_gain, merge, productivity_compression
from hai_sim.integration.theory import (
    a1_critical,
    a2_critical,
    cor34_bound,
    cor34_holds,
    cor34_hypothesis,
    gamma,
    mu1_critical,
    mu2_critical,
    thm32_holds,
    thm32_region,
    thm33_holds,
    thm33_hypothesis,
    upskilling_a1,
)

__all__ = [
    # parameters
    "Job", "Level", "Worker", "default_job", "make_job", "worker", "linear_worker", "polynomial_worker",
    # success probability and its ingredients
    "METHODS", "Estimate", "Moments", "success_probability", "err_moments", "standardized_distance",
    "skill_weights", "affine_coefficients", "job_error", "ability_mean", "law_moments", "law_quantile", "law_cdf",
    # theory
    "mu", "level_totals", "mean_difficulty", "mu1_critical", "mu2_critical", "a1_critical", "a2_critical", "gamma",
    "thm32_region", "thm32_holds", "thm33_hypothesis", "thm33_holds", "cor34_hypothesis", "cor34_bound",
    "cor34_holds", "upskilling_a1",
    # teams
    "merge", "integration_gain", "IntegrationGain", "productivity_compression", "Compression",
    # windows and diagrams
    "transition_window", "phase_diagram",
    # data and fits
    "BBL_TASKS", "JobData", "ScoreData", "programmer_job", "split_difficulties", "synthetic_bbl", "load_job_csv",
    "load_onet_skills", "load_bbl_csv", "LinearFit", "fit_linear_profile", "posterior_linear_profile",
]
