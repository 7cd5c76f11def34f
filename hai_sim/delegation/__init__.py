"""Delegation and verification under AI (Huang, Xiao, Vishnoi, arXiv 2603.02961v1).

A worker chooses how much of a task to delegate to an AI (d) and how hard to verify its output
(v); the institution evaluates the worker by its own utility at that action (quality Q). See the
spec (shared/spec/delegation.md) and its ERRATA. Tags: [P] paper, [D] derived, [R] reconstructed,
[X] our extension.

Contract::

    p = make_params()                         # Figure-2 defaults [R], overrides by symbol
    a = worker_action(p, beta, theta)         # d, v, v_star, regime (0 manual, 1 pure, 2 verified), M, U_w
    q = quality(p, beta, theta, tau=13.0)     # Q, Q0, dQ, quality_label, compliance_label
    s = separatrices(p, thetas, tau=13.0)     # theta_0, beta_1..beta_4, beta_4_eff, theta_tau
"""

from .model import (
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
from .calibration import (
    calibrate_clinician,
    clinician_posterior,
    load_collab_cxr,
    simulate_clinician,
    synthetic_clinician,
)
from .extensions import belief_quality, expected_quality_difficulty, params_at_difficulty, reexec_quality
from .interventions import intervention_delta, min_beta_qualified, upskill_min_cost
from .params import DelegationParams, make_params
from .solve import (
    COMPLIANCE_LABELS,
    QUALITY_LABELS,
    REGIMES,
    delegated_quality,
    delegation_gain_I,
    has_closed_form,
    max_delegation_gain,
    quality,
    vstar,
    worker_action,
)
from .theory import regime_from_separatrices, separatrices, theta_tau, theta_zero

__all__ = [
    "COMPLIANCE_LABELS", "QUALITY_LABELS", "REGIMES", "DelegationParams", "coeffs", "cost",
    "delegated_quality", "delegation_gain_I", "detection", "execution_cost", "has_closed_form",
    "institutional_utility", "make_params", "max_delegation_gain", "quality", "regime_from_separatrices",
    "separatrices", "success", "theta_tau", "theta_zero", "verification_cost", "verification_surplus",
    "vstar", "worker_action", "worker_utility", "belief_quality", "expected_quality_difficulty",
    "params_at_difficulty", "reexec_quality", "intervention_delta", "min_beta_qualified", "upskill_min_cost",
    "calibrate_clinician", "clinician_posterior", "load_collab_cxr", "simulate_clinician", "synthetic_clinician",
]
