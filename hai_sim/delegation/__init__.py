"""Delegation and verification under AI (Huang, Xiao, Vishnoi, arXiv 2603.02961v1).

A worker chooses how much of a task to delegate to an AI (d) and how hard to verify its output
(v); the institution evaluates the worker by its own utility at that action (quality Q). See the
spec (shared/spec/delegation.md) and its ERRATA. Tags: [P] paper, [D] derived, [R] reconstructed,
[X] our extension.

Contract::

    p = make_params()                         # Figure-2 defaults [R], overrides by symbol
    a = worker_action(p, beta, theta)         # WorkerAction: d, v, v_star, regime (0 manual, 1 pure, 2 verified), M, U_w
    q = quality(p, beta, theta, tau=13.0)     # Quality: Q, Q0, dQ, quality_label, compliance_label, ...
    s = separatrices(p, thetas, tau=13.0)     # Separatrices: theta_0, beta_1..beta_4, beta_4_eff, theta_tau

Every public function checks its concrete arguments on the host (an :class:`hai_sim.InputError`
naming the argument) and then calls a jitted core; results are arrays, named results
(``r.Q``, ``r["Q"]``, ``r.keys()``; iteration runs over the values, as for any tuple) or tables.
"""

from .calibration import (
    Calibration,
    ClinicianPosterior,
    calibrate_clinician,
    clinician_posterior,
    load_collab_cxr,
    simulate_clinician,
    synthetic_clinician,
)
from .extensions import (
    BeliefQuality,
    DifficultyQuality,
    belief_quality,
    expected_quality_difficulty,
    params_at_difficulty,
    reexec_quality,
)
from .interventions import InterventionDelta, Upskilling, intervention_delta, min_beta_qualified, upskill_min_cost
from .model import (
    Coeffs,
    coeffs,
    cost,
    detection,
    execution_cost,
    institutional_utility,
    success,
    verification_cost,
    verification_surplus,
    worker_utility,
)
from .params import DelegationParams, make_params
from .solve import (
    COMPLIANCE_LABELS,
    QUALITY_LABELS,
    REGIMES,
    Quality,
    WorkerAction,
    delegated_quality,
    delegation_gain_I,
    has_closed_form,
    max_delegation_gain,
    quality,
    vstar,
    worker_action,
)
from .theory import Separatrices, regime_from_separatrices, separatrices, theta_tau, theta_zero

__all__ = [
    # parameters
    "DelegationParams", "make_params",
    # primitives and core equations (spec §1.2-1.4)
    "Coeffs", "coeffs", "cost", "detection", "execution_cost", "institutional_utility", "success",
    "verification_cost", "verification_surplus", "worker_utility",
    # the worker's problem and quality (spec §2.1-2.2)
    "COMPLIANCE_LABELS", "QUALITY_LABELS", "REGIMES", "Quality", "WorkerAction", "delegated_quality",
    "delegation_gain_I", "has_closed_form", "max_delegation_gain", "quality", "vstar", "worker_action",
    # separatrices (spec §2.3)
    "Separatrices", "regime_from_separatrices", "separatrices", "theta_tau", "theta_zero",
    # interventions (Section 6)
    "InterventionDelta", "Upskilling", "intervention_delta", "min_beta_qualified", "upskill_min_cost",
    # extensions (Section 7)
    "BeliefQuality", "DifficultyQuality", "belief_quality", "expected_quality_difficulty",
    "params_at_difficulty", "reexec_quality",
    # Collab-CXR calibration (Section 4)
    "Calibration", "ClinicianPosterior", "calibrate_clinician", "clinician_posterior", "load_collab_cxr",
    "simulate_clinician", "synthetic_clinician",
]
