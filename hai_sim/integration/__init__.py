"""hai_sim.integration: AI-human integration in work (Celis, Huang, Vishnoi, ICML 2025).

Jobs (task-skill graph, subskill difficulties, aggregators h, g, f), workers (decision and action
ability profiles with noise), the job success probability P by five methods, the theory of the
phase transition (Theorem 3.2), merging (Theorem 3.3) and productivity compression
(Corollary 3.4), transition windows and phase diagrams. See spec/integration.md and ERRATA.
"""

from hai_sim.integration.data import (
    BBL_TASKS,
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
    MCResult,
    affine_coefficients,
    err_moments,
    job_error,
    p_clt,
    p_edgeworth,
    p_exact,
    p_fft,
    p_mc,
    p_mc_uniforms,
    skill_weights,
    standardized_distance,
    success_probability,
)
from hai_sim.integration.params import (
    Job,
    Worker,
    default_job,
    linear_worker,
    make_job,
    polynomial_worker,
    worker,
)
from hai_sim.integration.phase import default_bracket, phase_diagram, transition_window, with_param
from hai_sim.integration.profiles import ability_mean, law_cdf, law_moments, law_quantile
from hai_sim.integration.teams import Compression, IntegrationGain, integration_gain, merge, productivity_compression
from hai_sim.integration.theory import (
    a1_critical,
    a2_critical,
    cor34_bound,
    cor34_holds,
    cor34_hypothesis,
    gamma,
    level_totals,
    mean_difficulty,
    mu,
    mu1_critical,
    mu2_critical,
    thm32_holds,
    thm32_region,
    thm33_holds,
    thm33_hypothesis,
    upskilling_a1,
)

__all__ = [
    "BBL_TASKS", "load_bbl_csv", "load_job_csv", "load_onet_skills", "programmer_job", "split_difficulties",
    "synthetic_bbl", "LinearFit", "fit_linear_profile", "posterior_linear_profile",
    "METHODS", "MCResult", "affine_coefficients", "err_moments", "job_error", "p_clt", "p_edgeworth",
    "p_exact", "p_fft", "p_mc", "p_mc_uniforms", "skill_weights", "standardized_distance",
    "success_probability", "Job", "Worker", "default_job", "linear_worker", "make_job",
    "polynomial_worker", "worker", "ability_mean", "law_cdf", "law_moments", "law_quantile",
    "default_bracket", "phase_diagram", "transition_window", "with_param", "Compression",
    "IntegrationGain", "integration_gain", "merge", "productivity_compression", "a1_critical",
    "a2_critical", "cor34_bound", "cor34_holds", "cor34_hypothesis", "gamma", "level_totals",
    "mean_difficulty", "mu", "mu1_critical", "mu2_critical", "thm32_holds", "thm32_region",
    "thm33_holds", "thm33_hypothesis", "upskilling_a1",
]
