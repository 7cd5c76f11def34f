"""Transition windows and phase diagrams of the success probability (spec §2.5, §6).

``transition_window`` sweeps one ability parameter (or tau) by vectorised bisection
(:func:`hai_sim.engine.phase.level_crossings`), differentiable with respect to every other
parameter of the job and worker by the implicit-function rule. ``phase_diagram`` evaluates P on a
2-D grid; for the exact method it runs the inversion only inside the transition band
|z| <= 12, where every other point is 0 or 1 to within 4e-11 (ERRATA 3).
"""

from __future__ import annotations

import dataclasses
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import phase as engine_phase
from hai_sim.engine.validate import check_choice, check_range
from hai_sim.integration.model import Z_CLAMP, check_method, p_exact, p_mc, standardized_distance, success_probability
from hai_sim.integration.params import WORKER_PARAMS, Job, Worker, validate_job, validate_worker

SWEEP_PARAMS = WORKER_PARAMS + ("sigma", "tau")


def with_param(job: Job, worker: Worker, param: str, x):
    """(job, worker) with ``param`` set to ``x`` (no validation: ``x`` may be traced).

    ``param`` is a Worker field, "sigma" (both levels) or "tau" (the job's tolerance).
    """
    if param == "tau":
        return dataclasses.replace(job, tau=x), worker
    if param == "sigma":
        return job, dataclasses.replace(worker, sigma1=x, sigma2=x)
    return job, dataclasses.replace(worker, **{param: x})


def default_bracket(worker: Worker, param: str):
    """The valid range of ``param``: a_l in [1 - c_l, 1], c_l in [1 - a_l, 1], beta in [0, 64],
    sigma and tau in [0, 1]."""
    if param in ("a1", "a2"):
        return 1.0 - getattr(worker, "c" + param[1]), 1.0
    if param in ("c1", "c2"):
        return 1.0 - getattr(worker, "a" + param[1]), 1.0
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
        lo, hi: the bracket (default: the parameter's valid range, :func:`default_bracket`).
    Returns:
        A tuple with one float64 scalar per level; NaN where the level is not crossed in
        [lo, hi] (ERRATA Inputs 3). Differentiable (jax.grad) with respect to the leaves of
        ``job`` and ``worker`` by the implicit-function rule.
    """
    check_choice("param", param, SWEEP_PARAMS)
    validate_job(job)
    validate_worker(worker)
    check_method(job, worker, method)
    for q in levels:
        check_range("levels", q, 0.0, 1.0, lo_open=True, hi_open=True)
    d_lo, d_hi = default_bracket(worker, param)
    lo = d_lo if lo is None else lo
    hi = d_hi if hi is None else hi
    check_range(f"lo ({param})", lo, *_valid_range(param))
    check_range(f"hi ({param})", hi, *_valid_range(param))
    if method == "mc" and key is None:
        raise ValueError("method='mc': key=None; pass a jax.random.key")
    levels = tuple(float(q) for q in levels)
    return _window(job, worker, jnp.asarray(lo, dtype=float), jnp.asarray(hi, dtype=float), key,
                   param=param, levels=levels, method=method, iters=int(iters), n_samples=int(n_samples))


@partial(jax.jit, static_argnames=("param", "levels", "method", "iters", "n_samples"))
def _window(job, worker, lo, hi, key, *, param, levels, method, iters, n_samples):
    def P(x, j, w):
        j2, w2 = with_param(j, w, param, x)
        if method == "mc":
            return p_mc(j2, w2, key, n_samples).p
        return success_probability(j2, w2, method)

    return engine_phase.level_crossings(P, lo, hi, levels, args=(job, worker), iters=iters)


def _valid_range(param: str):
    if param in ("beta1", "beta2"):
        return 0.0, None
    return 0.0, 1.0


def _grid_fn(job: Job, worker: Worker, xname: str, yname: str, kernel):
    def one(x, y):
        j, w = with_param(job, worker, xname, x)
        j, w = with_param(j, w, yname, y)
        return kernel(j, w)

    return jax.jit(jax.vmap(one))


def phase_diagram(job: Job, worker: Worker, x: str, xs, y: str, ys, method: str = "exact", *,
                  chunk_size: int = 16384) -> np.ndarray:
    """P on the grid ``xs`` x ``ys`` of two parameters (spec §6): a float64 array (len(xs), len(ys)).

    For ``method="exact"`` the standardised distance z is computed everywhere (O(n) per point)
    and the inversion runs only where |z| <= 12 (in fixed-size chunks, one compilation); outside
    the band P is 0 or 1, as the exact kernel itself returns there (ERRATA 3). Other methods are
    vmapped over the whole grid. A host-side driver (not jittable): it selects the band points.
    """
    check_choice("x", x, SWEEP_PARAMS)
    check_choice("y", y, SWEEP_PARAMS)
    if method == "mc":
        raise ValueError("phase_diagram: method='mc' unsupported here; use hai_sim.engine.sweep with a closed-over key")
    check_method(job, worker, method)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    lo_x, hi_x = _valid_range(x)
    lo_y, hi_y = _valid_range(y)
    check_range(x, xs, lo_x, hi_x)
    check_range(y, ys, lo_y, hi_y)
    # Validate the corners eagerly (e.g. a + c >= 1), as engine.sweep does.
    for cx in (xs.min(), xs.max()):
        for cy in (ys.min(), ys.max()):
            j, w = with_param(job, worker, x, jnp.asarray(cx))
            j, w = with_param(j, w, y, jnp.asarray(cy))
            validate_job(j)
            validate_worker(w)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    X, Y = X.reshape(-1), Y.reshape(-1)
    if method != "exact":
        fn = _grid_fn(job, worker, x, y, lambda j, w: success_probability(j, w, method))
        return np.asarray(_chunked(fn, X, Y, chunk_size)).reshape(len(xs), len(ys))
    z = np.asarray(_chunked(_grid_fn(job, worker, x, y, standardized_distance), X, Y, chunk_size))
    out = (z > 0).astype(np.float64)
    band = np.flatnonzero(np.abs(z) <= Z_CLAMP)
    if band.size:
        exact = _grid_fn(job, worker, x, y, p_exact)
        out[band] = _chunked(exact, X[band], Y[band], min(chunk_size, 4096))
    return out.reshape(len(xs), len(ys))


def _chunked(fn, X, Y, chunk: int) -> np.ndarray:
    """fn over flat arrays in chunks padded to one size (a single compilation)."""
    n = X.size
    chunk = max(1, min(chunk, n))
    out = np.empty(n)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        pad = chunk - (stop - start)
        xb = np.pad(X[start:stop], (0, pad), mode="edge")
        yb = np.pad(Y[start:stop], (0, pad), mode="edge")
        out[start:stop] = np.asarray(fn(jnp.asarray(xb), jnp.asarray(yb)))[: stop - start]
    return out
