"""Capability vectors for human–AI collaboration (Jie, "Learning to Collaborate", seed 003).

Tags: [P] paper, [D] derived, [R] our reconstruction, [X] our extension (spec
``shared/spec/capability.md`` and its ERRATA).
"""

from .data import (
    Scenario,
    Split,
    ai_expert_scenario,
    expert_votes,
    gaussian_task_world,
    load_cifar10_batches,
    load_cifar10h_probs,
    load_features,
)
from .model import CapabilityModel, Fusion
from .montecarlo import team_accuracy_mc
from .params import PRESETS, Config, config
from .phase import phase_grid
from .fit import Evaluation, Fit, evaluate, global_empirical, lce_loss, load_model, save_model, train
from .theory import (
    EXPERTS,
    METHODS,
    Baseline,
    Optimum,
    Sigma,
    ai_accuracy,
    global_baseline,
    human_accuracy,
    optimal_alpha,
    sigma_from_acc,
    team_accuracy,
)

__all__ = [
    "PRESETS", "CapabilityModel", "Config", "Evaluation", "Fit", "Fusion", "Scenario", "Split",
    "ai_expert_scenario", "config", "evaluate", "expert_votes", "gaussian_task_world", "global_empirical",
    "lce_loss", "load_cifar10_batches", "load_cifar10h_probs", "load_features", "load_model", "save_model",
    "train",
    "EXPERTS", "METHODS", "Baseline", "Optimum", "Sigma", "ai_accuracy", "global_baseline",
    "human_accuracy", "optimal_alpha", "phase_grid", "sigma_from_acc", "team_accuracy", "team_accuracy_mc",
]
