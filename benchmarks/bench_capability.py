"""Capability kernels against vectorised NumPy/SciPy twins (same math, same run).

Rows: the paper-form team accuracy P1 over independent (alpha, sigma_D, H) points at n = 10
(integer powers, lax.erfc), the exact Gauss-Hermite form, the phase grid (points/s), the Monte
Carlo twin (samples/s) and training steps/s of the transformer (``offline_cpu``; ``paper_default``
outside quick mode). Run ``python benchmarks/bench_capability.py [--quick]``; writes
``benchmarks/results/capability.json``. On a shared machine the figures are contended.
"""

from __future__ import annotations

import math
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

import hai_sim  # noqa: F401  (x64)
from hai_sim import capability as cap
from hai_sim.engine.bench import compare

N = 10
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(160)
_GH_W = _GH_W / math.sqrt(2 * math.pi)
_GH_X, _GH_W = _GH_X[_GH_W > 1e-20], _GH_W[_GH_W > 1e-20]  # the same 74 nodes as the kernel


def _np_phi(x):
    return 0.5 * special.erfc(-x / math.sqrt(2.0))


def numpy_paper(alpha, sigma_D, H):
    """NumPy twin of the product form (eq 8 through H, T4)."""
    A = _np_phi(1.0 / (alpha * sigma_D)) ** (N - 1)
    B = _np_phi((2 * alpha - 1) / (alpha * sigma_D)) * _np_phi(1.0 / sigma_D) ** (N - 2)
    return H * A + (1 - H) * B


def numpy_exact(alpha, sigma_D, H):
    """NumPy twin of the exact form, the same 160-node Gauss-Hermite rule (in blocks)."""
    out = np.empty_like(alpha)
    s = sigma_D / math.sqrt(2)
    for i in range(0, alpha.size, 4096):
        a, si, h = alpha[i:i + 4096, None], s[i:i + 4096, None], H[i:i + 4096, None]
        A = (_np_phi(_GH_X + 1 / (a * si)) ** (N - 1)) @ _GH_W
        B = (_np_phi(_GH_X + (2 * a - 1) / (a * si)) * _np_phi(_GH_X + 1 / si) ** (N - 2)) @ _GH_W
        out[i:i + 4096] = h[:, 0] * A + (1 - h[:, 0]) * B
    return out


def numpy_mc(rng, alpha, K, sigma_D, n_samples):
    y = rng.integers(0, N, n_samples)
    z = rng.standard_normal((n_samples, N))
    guess = np.floor(K + rng.random(n_samples) * (N - K)).astype(int)
    vote = np.where(y < K, y, guess)
    e_y, e_h = np.eye(N)[y], np.eye(N)[vote]
    b = alpha * (e_y + sigma_D / math.sqrt(2) * z) + (1 - alpha) * e_h
    return np.mean(np.argmax(b, axis=1) == y)


def _train_rate(preset: str, batch: int, steps: int, **over):
    from flax import nnx

    from hai_sim.capability import fit as T

    cfg = cap.config(preset, batch=batch, **over)
    sc = cap.ai_expert_scenario(seed=0, n=10, k=5, n_train=batch, n_val=batch, n_test=batch)
    with jax.numpy_dtype_promotion("standard"):
        model = cap.CapabilityModel(cfg, n_agents=2, n_classes=10, d_task=32, rngs=nnx.Rngs(0))
        opt = nnx.Optimizer(model, T._transform(cfg), wrt=nnx.Param)
        args = [jnp.asarray(a) for a in (sc.train.task, sc.train.ai_scores, sc.train.y)]
        E = jnp.asarray(sc.expertise)
        key = jax.random.key(0)
        t0 = time.perf_counter()
        jax.block_until_ready(T._train_step(model, opt, key, *args, E, 0.0, n=10, expert="ms"))
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for s in range(steps):
            loss = T._train_step(model, opt, jax.random.fold_in(key, s), *args, E, 0.0, n=10, expert="ms")
        jax.block_until_ready(loss)
        dt = (time.perf_counter() - t0) / steps
    return {"name": f"capability.train step {preset} batch {batch}", "unit": "steps", "n": 1, "jax_s": dt,
            "jax_rate": 1 / dt, "compile_s": compile_s, "backend": jax.default_backend(),
            "devices": len(jax.devices()), "x64": bool(jax.config.jax_enable_x64),
            "note": f"float32 network, Adam, {steps} timed steps"}


def run(quick: bool = False) -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    m = 1 << 20 if quick else 1 << 22
    alpha = rng.uniform(0.05, 1.0, m)
    sigma_D = rng.uniform(0.2, 2.0, m)
    H = rng.uniform(0.0, 1.0, m)
    args = tuple(jnp.asarray(a) for a in (alpha, sigma_D, H))

    def paper(a, s, h):
        return cap.team_accuracy(a, N, h, s)

    rows.append(compare(f"capability.P1 paper form n={N}", jax.jit(paper), numpy_paper, args, (alpha, sigma_D, H),
                        n_points=m, repeat=3, check=lambda x, y: np.max(np.abs(np.asarray(x) - y)),
                        note="integer powers (static n), lax.erfc"))
    me = 1 << 16 if quick else 1 << 20

    def exact(a, s, h):
        return cap.team_accuracy(a, N, h, s, "exact")

    rows.append(compare(f"capability.P1 exact form n={N}", jax.jit(exact), numpy_exact,
                        tuple(x[:me] for x in args), (alpha[:me], sigma_D[:me], H[:me]), n_points=me, repeat=2,
                        check=lambda x, y: np.max(np.abs(np.asarray(x) - y)),
                        note="160-node Gauss-Hermite rule, its 74 nodes of weight > 1e-20; erf and H inside the sums"))

    side = 16 if quick else 64
    accs, Hs = np.linspace(0.15, 0.99, side), np.linspace(0.0, 1.0, side)
    cap.phase_grid([10], accs, Hs, grid=1001)
    t0 = time.perf_counter()
    cap.phase_grid([10], accs, Hs, grid=1001)
    dt = time.perf_counter() - t0
    rows.append({"name": f"capability.phase_grid {side}x{side} (alpha grid 1001)", "unit": "points", "n": side * side,
                 "jax_s": dt, "jax_rate": side * side / dt, "compile_s": float("nan"),
                 "backend": jax.default_backend(), "devices": len(jax.devices()),
                 "x64": True, "note": "sweep incl. exact calibration and the approximation error; no twin"})

    ns = 1 << 18 if quick else 1 << 22
    key = jax.random.key(0)
    mc = jax.jit(lambda k: cap.team_accuracy_mc(k, 0.8, N, 3, 0.0, 0.6, n_samples=ns).mean)
    rows.append(compare(f"capability.team_accuracy_mc n={N}", mc, lambda r: numpy_mc(r, 0.8, 3, 0.6, ns),
                        (key,), (np.random.default_rng(1),), n_points=ns, unit="samples", repeat=2,
                        note="one parameter point; both sides draw their own samples"))
    rows.append(_train_rate("offline_cpu", 256, 5 if quick else 50))
    if not quick:
        rows.append(_train_rate("paper_default", 64, 5))
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
