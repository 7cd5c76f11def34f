"""run_admissions under jit(vmap) against NumPy twins of the same pipeline (same run).

The twin is the pipeline as a researcher writes it: each run vectorised in NumPy (data, four
damped-Newton logistic fits with the same number of steps and logit-step cap, fused metrics), seeds in
a Python loop. A second twin batches the seeds too (einsum over a leading seed axis). Both twins
use the same algorithm as the kernel, so the ratio measures the implementation, not the solver.

Run ``python benchmarks/bench_ensemble.py [--quick]``; writes ``benchmarks/results/ensemble.json``.
Timings on a shared machine are contended: read ratios, not absolute rates.
"""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np

import hai_sim  # noqa: F401  (x64)
from hai_sim.engine.bench import compare
from hai_sim.ensemble.evaluate import _seed_runs
from hai_sim.ensemble.fit import PIPELINE_ITERS as ITERS  # the kernel's Newton steps in run_admissions
from hai_sim.ensemble.params import Population

MAX_DZ = 4.0
N_TRAIN, N_TEST = 1000, 5000


def np_fit(X, t, s, C=1.0):
    """Damped Newton for Σ s ℓ / Σ s + (λ/2)‖w‖², λ = 1/(C Σ s); X (..., n, 2) -> (..., 3)."""
    Z = np.concatenate([np.ones(X.shape[:-1] + (1,)), X], axis=-1)
    total = s.sum(-1, keepdims=True)
    empty = total[..., 0] <= 0
    sn = s / np.where(total > 0, total, 1.0)
    lam = 1.0 / (C * np.where(total > 0, total, 1.0))
    pen = np.array([0.0, 1.0, 1.0])
    beta = np.zeros(X.shape[:-2] + (3,))
    ridge = lam[..., None] * np.diag(pen) + np.where(empty, 1.0, 0.0)[..., None, None] * np.eye(3)
    for _ in range(ITERS):
        z = np.einsum("...nk,...k->...n", Z, beta)
        sig = 1.0 / (1.0 + np.exp(-z))
        grad = np.einsum("...nk,...n->...k", Z, sn * (sig - t)) + lam * pen * beta
        hess = np.einsum("...nk,...n,...nl->...kl", Z, sn * sig * (1 - sig), Z) + ridge
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        dz = np.max(np.abs(np.einsum("...nk,...k->...n", Z, step)) * (sn > 0), axis=-1)
        beta = beta - np.minimum(1.0, MAX_DZ / np.maximum(dz, 1e-300))[..., None] * step
    return np.where(empty[..., None], 0.0, beta)


def np_data(rng, n, p, delta, alpha, shape=()):
    u = rng.random(shape + (5, n))
    gpa, score = u[..., 0, :], u[..., 1, :]
    a = u[..., 2, :] < p
    y = np.where(a, (0.5 + delta) * score + (0.5 - delta) * gpa, (0.5 + delta) * gpa + (0.5 - delta) * score) >= 0.5
    acc = np.where(a, alpha, 0.5)
    h = np.where(u[..., 3, :] < acc, y, ~y)
    conf = np.clip(acc + 0.1 * (2 * u[..., 4, :] - 1), 0, 1)
    return np.stack([gpa, score], -1), y.astype(float), h.astype(float), a, conf


def np_run(rng, p, delta, alpha, q, shape=()):
    """One run (or a batch of runs of the given leading shape): region-target and team accuracies."""
    X, y, h, a, c = np_data(rng, N_TRAIN, p, delta, alpha, shape)
    ones = np.ones_like(c)
    fits = [np_fit(X, t, s) for t, s in ((y, ones), (np.where(a, h, y), ones), (h, a * c), (y, (~a) * (1 - c)))]
    Xt, yt, ht, at, _ = np_data(rng, N_TEST, p, delta, alpha, shape)
    Z = np.concatenate([np.ones(Xt.shape[:-1] + (1,)), Xt], -1)
    z = [np.einsum("...nk,...k->...n", Z, th) for th in fits]
    pr = [(zz > 0).astype(float) for zz in z]
    route = at ^ (rng.random(at.shape) < q)
    preds = pr + [np.where(at, pr[2], pr[3]), np.where(route, pr[2], pr[3]),
                  np.where(np.abs(z[2]) >= np.abs(z[3]), pr[2], pr[3])]
    target = np.where(at, ht, yt)
    out = []
    for pred in preds:
        acc_rt = (pred == target).mean(-1)
        n_a = at.sum(-1)
        r = 1 - np.where(n_a > 0, ((pred != ht) & at).sum(-1) / np.maximum(n_a, 1), 0.0)
        team = 1 - ((((ht != yt) & at).sum(-1) + (((pred != yt) & ~at).sum(-1))) / N_TEST
                    + ((((ht != yt) & ~at).sum(-1) - ((pred != yt) & ~at).sum(-1)) / N_TEST) * (1 - r))
        out += [acc_rt, team]
    return np.stack(out, -1)


def numpy_loop(seeds, p, delta, alpha, q):
    return np.stack([np.stack([np_run(np.random.default_rng(int(s)), pi, d, a, qq) for s in seeds])
                     for pi, d, a, qq in zip(p, delta, alpha, q)])


def numpy_batched(seeds, p, delta, alpha, q):
    return np.stack([np_run(np.random.default_rng(0), pi, d, a, qq, shape=(len(seeds),))
                     for pi, d, a, qq in zip(p, delta, alpha, q)])


@jax.jit
def jax_runs(keys, p, delta, alpha, q):
    def point(pp, dd, aa, qq):
        pop = Population(pp, dd, aa, jnp.asarray(0.5), jnp.asarray(0.1))
        m = _seed_runs(keys, pop, qq, jnp.asarray(0.0), False, N_TRAIN, N_TEST, 1.0)
        return jnp.stack([m.acc_rt_adapt, m.team_acc_adapt], axis=-1)

    return jax.vmap(point)(p, delta, alpha, q)


def _check_twin() -> float:
    """The twin's fit equals fit_wlr on the same data (so the two sides compute the same thing)."""
    from hai_sim.ensemble import fit_wlr

    X, y, h, a, c = np_data(np.random.default_rng(0), N_TRAIN, 0.5, 0.25, 1.0)
    return float(np.max(np.abs(np_fit(X, h, a * c) - np.asarray(fit_wlr(X, h, a * c)))))


def run(quick: bool = False) -> list[dict]:
    """The benchmark rows (``hai-sim bench`` prints and writes them)."""
    diff = _check_twin()
    assert diff < 1e-8, f"NumPy twin's fit differs from fit_wlr by {diff}"
    n_points, n_seeds = (4, 8) if quick else (16, 30)
    rng = np.random.default_rng(1)
    p = rng.uniform(0.2, 0.8, n_points)
    delta = rng.uniform(0.0, 0.5, n_points)
    alpha = rng.uniform(0.5, 1.0, n_points)
    q = rng.uniform(0.0, 0.3, n_points)
    keys = jax.random.split(jax.random.key(0), n_seeds)
    args = [jnp.asarray(v) for v in (p, delta, alpha, q)]
    seeds = np.arange(n_seeds)
    runs = n_points * n_seeds
    rows = [
        compare(f"ensemble.run_admissions jit(vmap) vs NumPy loop ({runs} runs)", jax_runs, numpy_loop,
                [keys, *args], [seeds, p, delta, alpha, q], n_points=runs, unit="runs", repeat=3,
                note="NumPy twin: each run vectorised, seeds in a Python loop; contended shared machine"),
        compare(f"ensemble.run_admissions jit(vmap) vs NumPy batched ({runs} runs)", jax_runs, numpy_batched,
                [keys, *args], [seeds, p, delta, alpha, q], n_points=runs, unit="runs", repeat=3,
                note="NumPy twin batched over seeds (einsum); contended shared machine"),
    ]
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
