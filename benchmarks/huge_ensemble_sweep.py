"""The 21^4 (p, δ, α, τ) grid × 30 seeds of the admissions pipeline, streamed to a zarr store.

Each grid point runs ``run_admissions`` for ``n_seeds`` seeds (regions C^h > τ, §6 grid 1
convention; p ∈ [0.05, 0.95]) and stores the seed means of the region-target gain of the adaptive
ensemble over the single model, the CGPR team-accuracy gain of the oracle over the standard AI,
their standard errors, and the share of runs where τ emptied a region. 21^4 × 30 = 5.8M runs.

Run: ``python benchmarks/huge_ensemble_sweep.py PATH.zarr [n_side] [n_seeds] [chunk_size]``
(defaults 21, 30, 128). Interrupt it at any time and run the same command again: the store
resumes, computing only missing chunks, and refuses a different call. With
``XLA_FLAGS=--xla_force_host_platform_device_count=2`` each chunk is split over both cores.

Memory: a chunk holds (points × seeds) test sets of 5000 applicants; at chunk_size 128 (1764
chunks of about 110 points, 3300 runs) the process peaked at 2.7 GB, so 1024 would need about
8 times that.

Measured 2026-12-02, final kernel, two host devices, on the shared 2-core machine (other jobs:
load average 7–8, then 4.5): 19 chunks in 240 s (compile 27 s; 8.7 s/chunk, 380 runs/s; the
process got 0.49 cores), killed with SIGKILL; the same command then printed "resumed: 19 of
1764 chunks already done" and ran 23 more in 150 s (3.8 s/chunk, ~870 runs/s; 0.92 cores).
Extrapolations: 1764 × 3.8 s ≈ 1.9 h at that load; by CPU time (≈ 5.1 CPU-s a chunk after
compile, 19 % of it system time) ≈ 75 min if both cores were free, which CPU time measured under
contention overstates. Same-load microbenchmark (960 runs, one device): 190 runs/s before the
fused metric pass and the 10-step fits, 370–520 after (2.0–2.7×). Where the time went before:
the metric pass (60 %), then random bits and the Newton fits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import hai_sim  # noqa: F401  (x64)
from hai_sim.engine import sweep
from hai_sim.ensemble.evaluate import _seed_runs
from hai_sim.ensemble.params import Population


def make_kernel(n_seeds: int):
    def ensemble_grid(key, p, delta, alpha, tau):
        pop = Population(p, delta, alpha, jnp.asarray(0.5), jnp.asarray(0.1))
        m = _seed_runs(jax.random.split(key, n_seeds), pop, None, tau, True, 1000, 5000, 1.0)  # q = 0: no flips drawn
        g_rt = 100.0 * (m.acc_rt_adapt - m.acc_rt_single)
        g_team = 100.0 * (m.team_acc_oracle - m.team_acc_standard)
        se = lambda g: jnp.std(g, ddof=1) / jnp.sqrt(float(n_seeds))  # noqa: E731
        return {"gain_rt": jnp.mean(g_rt), "gain_rt_se": se(g_rt), "gain_team": jnp.mean(g_team),
                "gain_team_se": se(g_team), "empty_share": jnp.mean(m.empty_region.astype(g_rt.dtype))}

    return ensemble_grid


def main(path: str, n_side: int = 21, n_seeds: int = 30, chunk_size: int = 128) -> None:
    axes = {"p": np.linspace(0.05, 0.95, n_side), "delta": np.linspace(0.0, 0.5, n_side),
            "alpha": np.linspace(0.5, 1.0, n_side), "tau": np.linspace(0.0, 1.0, n_side)}
    t0 = time.perf_counter()
    ds = sweep(make_kernel(n_seeds), axes, store=path, chunk_size=chunk_size, progress=True,
               metadata={"n_seeds": n_seeds, "n_train": 1000, "n_test": 5000})
    seconds = time.perf_counter() - t0
    runs = n_side**4 * n_seeds
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    print(f"{n_side}^4 points x {n_seeds} seeds = {runs:.3e} runs in {seconds:.1f} s this call "
          f"({runs / seconds:.3e} runs/s if nothing was resumed); store {size / 2**20:.1f} MiB; "
          f"complete={ds.attrs.get('complete')}; devices={len(jax.devices())}")
    print("gain_rt at the centre:", float(ds["gain_rt"].isel(p=n_side // 2, delta=n_side // 2, alpha=-1,
                                                            tau=n_side // 2)))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], *(int(a) for a in args[1:]))
