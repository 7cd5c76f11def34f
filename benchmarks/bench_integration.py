"""Benchmarks of the integration kernels against vectorised NumPy twins (same math, same run).

Rows: CLT and Edgeworth P over a grid of (a_1, a_2) (n = 20), exact Gil-Pelaez P, Monte Carlo P
(samples/s with common random numbers), and the band-only 1000 x 1000 exact phase diagram.
Run: ``python benchmarks/bench_integration.py [--quick]``; writes benchmarks/results/integration.json.
"""

from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import ndtr

import hai_sim  # noqa: F401  (float64)
from hai_sim import integration as I
from hai_sim.engine.bench import compare
from hai_sim.integration.model import _p_mc_uniforms

SIGMA = 0.1
TAU = 0.25


# ----------------------------------------------------------------------------- NumPy twins
def _np_terms(s, a1, a2, sigma):
    """Mean ability E (N, 2, n), coefficients c (2, n) = 1/(2n) (mean h, complete graph)."""
    n = s.shape[1]
    a = np.stack([a1, a2], axis=-1)[:, :, None]  # (N, 2, 1)
    E = 1.0 - (1.0 - a) * s[None]
    return E, np.full((2, n), 0.5 / n)


def np_clt(s, a1, a2, sigma):
    E, c = _np_terms(s, a1, a2, sigma)
    mean = np.sum(c * (1 - E), axis=(1, 2))
    var = np.sum(c**2 * (sigma * np.minimum(E, 1 - E)) ** 2 / 3, axis=(1, 2))
    return ndtr((TAU - mean) / np.sqrt(var))


def np_edgeworth(s, a1, a2, sigma):
    E, c = _np_terms(s, a1, a2, sigma)
    b2 = (c * sigma * np.minimum(E, 1 - E)) ** 2
    mean = np.sum(c * (1 - E), axis=(1, 2))
    var = np.sum(b2, axis=(1, 2)) / 3
    k4 = -2 * np.sum(b2**2, axis=(1, 2)) / 15
    sd = np.sqrt(var)
    z = (TAU - mean) / sd
    g4 = k4 / sd**4
    return ndtr(z) - np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * g4 / 24 * (z**3 - 3 * z)


def np_exact(s, a1, a2, sigma, n_nodes=256, chunk=256):
    out = np.empty(a1.shape)
    for i in range(0, a1.size, chunk):
        sl = slice(i, i + chunk)
        E, c = _np_terms(s, a1[sl], a2[sl], sigma)
        b = (c * sigma * np.minimum(E, 1 - E)).reshape(E.shape[0], -1)  # (N, K)
        sd = np.sqrt(np.sum(b**2, axis=1) / 3)
        x = TAU - np.sum(c * (1 - E), axis=(1, 2))
        h = np.pi / (np.sum(b, axis=1) + np.abs(x))
        t = h[:, None] * np.arange(1, n_nodes + 1)[None, :]  # (N, Q)
        # sin(q theta) by angle addition from 16 + Q/16 angles per term, as the JAX kernel does.
        th = np.where(b > 0, b * h[:, None], 1e-300)[:, :, None]  # (N, K, 1)
        lo = th * np.arange(1, 17)
        hi = th * (16 * np.arange(n_nodes // 16))
        sin_q = np.sin(hi)[..., :, None] * np.cos(lo)[..., None, :] + np.cos(hi)[..., :, None] * np.sin(lo)[..., None, :]
        sinc = (sin_q / (hi[..., :, None] + lo[..., None, :])).reshape(b.shape[0], b.shape[1], n_nodes)
        cf = np.prod(sinc, axis=1)
        p = 0.5 + (h * x / 2 + h * np.sum(np.sin(t * x[:, None]) / t * cf, axis=1)) / np.pi
        z = x / sd
        out[sl] = np.where(np.abs(z) > 12, (z > 0).astype(float), p)
    return out


def np_mc(s, a1, a2, sigma, U):
    """P for each point with the shared uniforms U (N, 2, n)."""
    out = np.empty(a1.shape)
    for i in range(a1.size):
        a = np.array([a1[i], a2[i]])[:, None]
        E = 1 - (1 - a) * s
        X = E + sigma * np.minimum(E, 1 - E) * (2 * U - 1)
        err = 0.5 * np.mean(1 - X, axis=2).sum(axis=1)
        out[i] = np.mean(err <= TAU)
    return out


# ----------------------------------------------------------------------------- JAX kernels
def _jax_grid(method, job):
    def p(a1, a2):
        return jax.vmap(lambda x, y: I.success_probability(job, I.linear_worker(x, y, SIGMA), method=method))(a1, a2)

    return jax.jit(p)


def _jax_mc(job):
    def p(a1, a2, U):
        return jax.vmap(lambda x, y: _p_mc_uniforms(job, I.linear_worker(x, y, SIGMA), U).mean)(a1, a2)

    return jax.jit(p)


def _maxdiff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def run(quick: bool = False) -> list[dict]:
    job = I.default_job()
    s = np.asarray(job.s)
    rng = np.random.default_rng(0)
    rows = []

    n_fast = 100_000 if quick else 1_000_000
    a1 = rng.uniform(0.3, 0.7, n_fast)
    a2 = rng.uniform(0.2, 0.6, n_fast)
    for method, twin in (("clt", np_clt), ("edgeworth", np_edgeworth)):
        rows.append(compare(f"integration.P_{method} n=20", _jax_grid(method, job),
                            lambda x, y, twin=twin: twin(s, x, y, SIGMA), (jnp.asarray(a1), jnp.asarray(a2)),
                            (a1, a2), n_points=n_fast, check=_maxdiff, repeat=3))

    n_ex = 2_000 if quick else 4_000
    b1 = rng.uniform(0.45, 0.56, n_ex)  # inside the band: every point needs the inversion
    b2 = np.full(n_ex, 0.4)
    rows.append(compare("integration.P_exact n=20 (in band)", _jax_grid("exact", job),
                        lambda x, y: np_exact(s, x, y, SIGMA), (jnp.asarray(b1), jnp.asarray(b2)), (b1, b2),
                        n_points=n_ex, check=_maxdiff, repeat=2))

    n_samples = 20_000 if quick else 100_000
    n_mc = 20 if quick else 100
    U = rng.uniform(size=(n_samples, 2, 20))
    m1 = rng.uniform(0.45, 0.56, n_mc)
    m2 = np.full(n_mc, 0.4)
    rows.append(compare("integration.P_mc n=20 (samples)", _jax_mc(job), lambda x, y, u: np_mc(s, x, y, SIGMA, u),
                        (jnp.asarray(m1), jnp.asarray(m2), jnp.asarray(U)), (m1, m2, U), n_points=n_mc * n_samples,
                        unit="samples", check=_maxdiff, repeat=2))

    side = 200 if quick else 1000
    g = np.linspace(0.0, 1.0, side)
    w = I.linear_worker(0.5, 0.4, SIGMA)
    t0 = time.perf_counter()
    I.phase_diagram(job, w, "a1", g[:8], "a2", g[:8], method="exact")  # compile once
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    P = I.phase_diagram(job, w, "a1", g, "a2", g, method="exact")
    wall = time.perf_counter() - t0
    rows.append(dict(name=f"integration.phase_diagram exact {side}x{side}", unit="points", n=side * side, jax_s=wall,
                     jax_rate=side * side / wall, compile_s=compile_s, backend=jax.default_backend(),
                     devices=len(jax.devices()), x64=True, note=f"band only (|z|<=12); P in [{P.min():.2g}, {P.max():.2g}]"))
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
