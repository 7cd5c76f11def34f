"""Model-agnostic machinery: grids, sweeps, stores, phase diagrams, checks, experiments, benchmarks.

The engine knows no paper. Models import it; it imports no model.
"""

from . import checks, phase
from .grid import Grid, make_grid
from .phase import bisect, boundaries, labels_from_thresholds, region_fractions, transition_window
from .store import StoreMismatchError
from .sweep import NonFiniteError, sweep

__all__ = [
    "Grid",
    "NonFiniteError",
    "StoreMismatchError",
    "bisect",
    "boundaries",
    "checks",
    "labels_from_thresholds",
    "make_grid",
    "phase",
    "region_fractions",
    "sweep",
    "transition_window",
]
