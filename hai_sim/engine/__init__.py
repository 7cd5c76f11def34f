"""Model-agnostic machinery: grids, sweeps, stores, phase diagrams, checks, experiments, benchmarks.

The engine knows no paper. Models import it; it imports no model.

The one shape every model follows (see ``shared/design.md``): parameters subclass :class:`Params`;
public functions validate on the host, then call a :func:`jit_core`; they return one array, a
:func:`named_result` (Monte Carlo: :class:`Estimate`) or an ``xarray.Dataset``; every
user-facing error is an :class:`InputError`.
"""

from . import checks, phase, special
from .band import BandResult, band_evaluate, chunked_map
from .core import jit_core, trace_count
from .errors import InputError
from .grid import Grid, make_grid
from .params import Params, static
from .phase import bisect, boundaries, labels_from_thresholds, level_crossings, region_fractions, transition_window
from .results import Estimate, NamedResult, named_result
from .store import StoreMismatchError, StoreStatus, store_status
from .sweep import NonFiniteError, available_memory, sweep

__all__ = [
    "BandResult",
    "Estimate",
    "Grid",
    "InputError",
    "NamedResult",
    "NonFiniteError",
    "Params",
    "StoreMismatchError",
    "StoreStatus",
    "available_memory",
    "bisect",
    "band_evaluate",
    "boundaries",
    "chunked_map",
    "checks",
    "jit_core",
    "labels_from_thresholds",
    "level_crossings",
    "make_grid",
    "named_result",
    "phase",
    "region_fractions",
    "special",
    "static",
    "store_status",
    "sweep",
    "trace_count",
    "transition_window",
]
