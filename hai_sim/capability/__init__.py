"""Capability vectors for human–AI collaboration (Jie, "Learning to Collaborate", seed 003).

Tags: [P] paper, [D] derived, [R] our reconstruction, [X] our extension (spec
``shared/spec/capability.md`` and its ERRATA).
"""

from .montecarlo import team_accuracy_mc
from .phase import phase_grid
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
    "EXPERTS", "METHODS", "Baseline", "Optimum", "Sigma", "ai_accuracy", "global_baseline",
    "human_accuracy", "optimal_alpha", "phase_grid", "sigma_from_acc", "team_accuracy", "team_accuracy_mc",
]
