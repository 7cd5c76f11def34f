"""A 10^9-point sweep streamed to a zarr store: the memory bound in practice.

Run: ``python benchmarks/huge_sweep.py PATH.zarr [n_side]`` (default 31623^2 ~ 1.0e9 points).
Prints points/s and the store size; run it under ``/usr/bin/time -v`` to see the peak memory.
Interrupt it at any time and run it again: it resumes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import hai_sim  # noqa: F401
from hai_sim.demo import order_parameter
from hai_sim.engine import sweep


def main(path: str, n_side: int = 31623) -> None:
    axes = {"x": np.linspace(0.0, 1.0, n_side), "y": np.linspace(0.0, 1.0, n_side)}
    t0 = time.perf_counter()
    ds = sweep(order_parameter, axes, store=path, progress=True)
    seconds = time.perf_counter() - t0
    n = n_side * n_side
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    print(f"{n:.3e} points in {seconds:.1f} s = {n / seconds:.3e} points/s; store {size / 2**30:.2f} GiB; "
          f"complete={ds.attrs['complete']}")
    probe = ds["order_parameter"].isel(x=n_side // 3, y=slice(0, 5)).values
    print("probe row:", probe)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 31623)
