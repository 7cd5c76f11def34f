"""Phase diagrams of the Global baseline over (n, AI accuracy, expert accuracy H) (spec §6) [X].

By T4 the global-weight problem depends on the expert only through H, so for each n the plane
(AI accuracy, H) holds every case: AI-only (α* = 1), complementary (0 < α* < 1) and human-only
(α* = 0) regions, the value of collaboration, and where the paper's product form over-predicts
(including its spurious gains at H = 1/n for weak AIs, §3.4).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from hai_sim.engine import sweep

from ._checks import check_acc, check_choice, check_grid, check_int_range, check_range
from .theory import METHODS, _optimum, _p1, _sigma_D

__all__ = ["phase_grid"]


@functools.lru_cache(maxsize=8)
def _kernel(method: str, grid: int):
    def capability_phase(n, ai_acc, H):
        n = jnp.asarray(n).astype(jnp.float64)
        sD_paper = _sigma_D(ai_acc, n, None, "paper")
        paper = _optimum(n, H, sD_paper, None, "paper", grid, True)
        sD_exact = _sigma_D(ai_acc, n, None, "exact")
        realised = _p1(paper.alpha, n, H, sD_exact, None, "exact")
        opt = paper if method == "paper" else _optimum(n, H, sD_exact, None, "exact", grid, True)
        p0 = opt.acc - opt.gain
        return {
            "alpha": opt.alpha,
            "acc": opt.acc,
            "gain": opt.gain,
            "value": opt.acc - jnp.maximum(p0, H),
            "approx_error": paper.acc - realised,
        }

    # jitted so that sweep's eager corner calls (validation) run compiled, not op by op.
    return jax.jit(capability_phase)


def phase_grid(n, ai_acc, H, method: str = "paper", *, grid: int = 10001, chunk_size: int | None = None,
               progress: bool = False) -> xr.Dataset:
    """α*, P1*, gain, value and approximation error over the grid ``n × ai_acc × H``.

    Args:
        n: 1-D integers ≥ 2 (the options); ai_acc: 1-D AI accuracies in (1/min(n), 1);
            H: 1-D expert accuracies in [0, 1].
        method: how σ is calibrated from ``ai_acc`` and P1 computed, ``"paper"`` or ``"exact"``.
        grid: α grid points of :func:`optimal_alpha`; chunk_size: points per sweep chunk.
    Returns:
        ``xarray.Dataset`` with dims (n, ai_acc, H) and float64 variables ``alpha`` (α*),
        ``acc`` (P1(α*)), ``gain`` (P1(α*) − P1(1)), ``value`` (P1(α*) − max(P0, H)) and
        ``approx_error`` (paper-form prediction at the eq-9 σ minus the exact accuracy of its α*
        at the exactly calibrated σ).
    """
    check_choice("method", method, METHODS)
    check_grid(grid)
    n_arr, acc_arr, H_arr = (np.atleast_1d(np.asarray(a)) for a in (n, ai_acc, H))
    for name, arr in (("n", n_arr), ("ai_acc", acc_arr), ("H", H_arr)):
        if arr.ndim != 1 or arr.size == 0:
            from hai_sim.engine.errors import InputError

            raise InputError(f"{name} has shape {arr.shape}: expected a non-empty 1-D axis")
    check_int_range("n", n_arr, 2)
    check_acc("ai_acc", acc_arr, n_arr.min())
    check_range("H", H_arr, 0.0, 1.0)
    if chunk_size is None:
        chunk_size = 4096 if method == "paper" else 256
    return sweep(
        _kernel(method, int(grid)),
        {"n": n_arr.astype(np.int64), "ai_acc": acc_arr.astype(np.float64), "H": H_arr.astype(np.float64)},
        chunk_size=chunk_size,
        progress=progress,
        metadata={"method": method, "grid": int(grid), "expert_model": "H only (T4)"},
    )
