"""Transition windows and phase diagrams of the success probability (spec §2.5, §6).

``transition_window`` sweeps one ability parameter (or tau) by vectorised bisection
(:func:`hai_sim.engine.phase.level_crossings`), differentiable with respect to every other
parameter of the job and worker by the implicit-function rule. ``phase_diagram`` evaluates P on a
2-D grid; for the exact method it runs the inversion only inside the transition band
|z| <= 12, where every other point is 0 or 1 to within 4e-11 (ERRATA 3), through the engine's
band-only evaluation (:func:`hai_sim.engine.band.band_evaluate`).
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, jit_core
from hai_sim.engine import phase as engine_phase
from hai_sim.engine.band import band_evaluate, chunked_map
from hai_sim.engine.validate import check_choice, check_range
from hai_sim.integration.model import Z_CLAMP, _p_exact, _success_unchecked, check_method, standardized_distance
from hai_sim.integration.params import WORKER_PARAMS, Job, Worker, with_worker_param

SWEEP_PARAMS = WORKER_PARAMS + ("sigma", "tau")


def _with_param(job: Job, worker: Worker, param: str, x) -> tuple[Job, Worker]:
    """(job, worker) with ``param`` set to ``x`` (no validation: ``x`` may be traced).

    ``param`` is a flat Worker parameter (``a1`` … ``sigma2``), "sigma" (both levels) or "tau"
    (the job's tolerance).
    """
    check_choice("param", param, SWEEP_PARAMS)
    if param == "tau":
        return dataclasses.replace(job, tau=x), worker
    return job, with_worker_param(worker, param, x)


def _default_bracket(worker: Worker, param: str) -> tuple[float, float]:
    """The valid range of ``param``: a_l in [1 - c_l, 1], c_l in [1 - a_l, 1], beta in [0, 64],
    sigma and tau in [0, 1]."""
    check_choice("param", param, SWEEP_PARAMS)
    if param in ("a1", "a2"):
        return 1.0 - worker.level(int(param[1])).c, 1.0
    if param in ("c1", "c2"):
        return 1.0 - worker.level(int(param[1])).a, 1.0
    if param in ("beta1", "beta2"):
        return 0.0, 64.0
    return 0.0, 1.0


def transition_window(job: Job, worker: Worker, param: str = "a1", levels=(0.2, 0.8), method: str = "exact", *,
                      lo=None, hi=None, iters: int = 64, key=None, n_samples: int = 100_000):
    """Where P crosses each level as ``param`` moves in [lo, hi] (spec §1.7, §2.5).

    Args:
        job, worker: the fixed parameters; ``param``'s own value is ignored.
        param: "a1", "a2", "c1", "c2", "beta1", "beta2", "sigma1", "sigma2", "sigma" or "tau".
        levels: the levels of P (default 0.2 and 0.8).
        method: as in :func:`success_probability` ("mc" needs ``key``; with its common random
            numbers the Monte Carlo P is exactly monotone, so bisection is well posed).
        lo, hi: the bracket (default: the parameter's valid range, :func:`_default_bracket`).
    Returns:
        A float64 array of shape ``(len(levels),)`` (unpacks as ``lo, hi = ...``); NaN where the
        level is not crossed in [lo, hi] (ERRATA Inputs 3). Differentiable (jax.grad) with
        respect to the leaves of ``job`` and ``worker`` by the implicit-function rule.
    """
    check_choice("param", param, SWEEP_PARAMS)
    job._validate()
    worker._validate()
    check_method(job, worker, method)
    for q in levels:
        check_range("levels", q, 0.0, 1.0, lo_open=True, hi_open=True)
    d_lo, d_hi = _default_bracket(worker, param)
    lo = d_lo if lo is None else lo
    hi = d_hi if hi is None else hi
    check_range(f"lo ({param})", lo, *_valid_range(param))
    check_range(f"hi ({param})", hi, *_valid_range(param))
    if method == "mc" and key is None:
        raise InputError("method='mc': key=None; pass a jax.random.key")
    check_range("iters", iters, 1, None)
    levels = tuple(float(q) for q in levels)
    return _window_core(job, worker, jnp.asarray(lo, dtype=float), jnp.asarray(hi, dtype=float),
                        key if method == "mc" else None, param=param, levels=levels, method=method,
                        iters=int(iters), n_samples=int(n_samples))


@jit_core(static_argnames=("param", "levels", "method", "iters", "n_samples"))
def _window_core(job, worker, lo, hi, key, *, param, levels, method, iters, n_samples):
    def P(x, j, w):
        j2, w2 = _with_param(j, w, param, x)
        p = _success_unchecked(j2, w2, method, key=key, n_samples=n_samples)
        return p.mean if method == "mc" else p

    return jnp.stack(engine_phase.level_crossings(P, lo, hi, levels, args=(job, worker), iters=iters))


def _valid_range(param: str):
    if param in ("beta1", "beta2"):
        return 0.0, None
    return 0.0, 1.0


def phase_diagram(job: Job, worker: Worker, x: str, xs, y: str, ys, method: str = "exact", *,
                  chunk_size: int = 16384) -> np.ndarray:
    """P on the grid ``xs`` x ``ys`` of two parameters (spec §6): a float64 array (len(xs), len(ys)).

    For ``method="exact"`` the standardised distance z is computed everywhere (O(n) per point)
    and the inversion runs only where |z| <= 12 (engine band-only evaluation); outside the band P
    is 0 or 1, as the exact kernel itself returns there (ERRATA 3). Other methods are evaluated
    at every point. A host-side driver (not jittable).
    """
    check_choice("x", x, SWEEP_PARAMS)
    check_choice("y", y, SWEEP_PARAMS)
    if method == "mc":
        raise InputError("phase_diagram: method='mc' unsupported here; use hai_sim.engine.sweep with a closed-over key")
    check_method(job, worker, method)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    check_range(x, xs, *_valid_range(x))
    check_range(y, ys, *_valid_range(y))
    job._validate()
    worker._validate()
    # Validate the corners eagerly (e.g. a + c >= 1), as engine.sweep does.
    for cx in (xs.min(), xs.max()):
        for cy in (ys.min(), ys.max()):
            j, w = _with_param(job, worker, x, jnp.asarray(cx))
            j, w = _with_param(j, w, y, jnp.asarray(cy))
            j._validate()
            w._validate()
    X, Y = np.meshgrid(xs, ys, indexing="ij")

    def at(fn):
        def one(a, b):
            j, w = _with_param(job, worker, x, a)
            j, w = _with_param(j, w, y, b)
            return fn(j, w)

        return one

    if method == "exact":
        def screen(j, w):
            z = standardized_distance(j, w)
            return jnp.abs(z) <= Z_CLAMP, (z > 0).astype(z.dtype)

        out = band_evaluate(at(_p_exact), at(screen), X.reshape(-1), Y.reshape(-1), chunk_size=chunk_size,
                            band_chunk_size=min(chunk_size, 4096)).values
    else:
        out = chunked_map(at(lambda j, w: _success_unchecked(j, w, method)), X.reshape(-1), Y.reshape(-1),
                          chunk_size=chunk_size)
    return out.reshape(len(xs), len(ys))
