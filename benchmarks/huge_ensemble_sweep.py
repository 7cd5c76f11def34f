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

Measured 2026-12-02 on the shared 2-core machine, two host devices, chunk 128, after the seeds
were put in sequence (``lax.map``) under the vmap over points (2.3× more runs per CPU-second than
vmapping both): a fresh store ran 97 chunks in 255 s wall (2.5 s/chunk, another job holding about
one core) and was killed with SIGKILL; the same command printed "resumed: 97 of 1764 chunks already
done" and ran 46 more in 150 s wall, using 151.5 CPU-s (148.7 user, 2.8 system, compile included).
That is ≤ 3.3 CPU-s a chunk, compile included, so the 1764 chunks need ≤ 97 CPU-min:
≈ 35–48 min of wall time with both cores free (goal < 60 min; the aim, 30 min, not shown).
Before that change the same grid took ≈ 4.9 CPU-s a chunk (≈ 72 min with both cores), and before
the fused metric pass and 10-step fits about 2.5× more again.
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
