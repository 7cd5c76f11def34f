"""hai_sim.integration: AI-human integration in work (Celis, Huang, Vishnoi, ICML 2025).

Jobs (task-skill graph, subskill difficulties, aggregators h, g, f), workers (decision and action
ability profiles with noise), the job success probability P by five methods, the theory of the
phase transition (Theorem 3.2), merging (Theorem 3.3) and productivity compression
(Corollary 3.4), transition windows and phase diagrams. See spec/integration.md and ERRATA.
"""

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
from hai_sim.integration.profiles import ability_mean, law_cdf, law_moments, law_quantile

__all__ = [
    "METHODS", "MCResult", "affine_coefficients", "err_moments", "job_error", "p_clt", "p_edgeworth",
    "p_exact", "p_fft", "p_mc", "p_mc_uniforms", "skill_weights", "standardized_distance",
    "success_probability", "Job", "Worker", "default_job", "linear_worker", "make_job",
    "polynomial_worker", "worker", "ability_mean", "law_cdf", "law_moments", "law_quantile",
]
