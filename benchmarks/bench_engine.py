"""The sweep engine: per-chunk overhead, and points/s of a cheap kernel against a NumPy twin.

The kernel is the demonstration order parameter P(x, y) = Phi((x + y - 1) / w); its NumPy twin
evaluates the same formula (scipy.special.ndtr) over the same grid in the same chunks, in one
process, so the ratio compares like with like. Run: ``python benchmarks/bench_engine.py [--quick]``.
"""

from __future__ import annotations

import sys
import time

import jax
import numpy as np
from scipy.special import ndtr

import hai_sim  # noqa: F401  (x64)
from hai_sim.demo import WIDTH, order_parameter
from hai_sim.engine import sweep
from hai_sim.engine.bench import format_rows, write


def numpy_twin(xs: np.ndarray, ys: np.ndarray, chunk_rows: int) -> np.ndarray:
    out = np.empty((xs.size, ys.size))
    for r0 in range(0, xs.size, chunk_rows):
        x = xs[r0 : r0 + chunk_rows, None]
        out[r0 : r0 + chunk_rows] = ndtr((x + ys[None, :] - 1.0) / WIDTH)
    return out


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def throughput(n_side: int, chunk: int, repeat: int) -> dict:
    xs = np.linspace(0.0, 1.0, n_side)
    ys = np.linspace(0.0, 1.0, n_side)
    axes = {"x": xs, "y": ys}
    t0 = time.perf_counter()
    ds = sweep(order_parameter, axes, chunk_size=chunk, progress=False)  # compiles
    first = time.perf_counter() - t0
    jax_s = _best(lambda: sweep(order_parameter, axes, chunk_size=chunk, progress=False), repeat)
    rows = max(1, chunk // n_side)
    np_s = _best(lambda: numpy_twin(xs, ys, rows), repeat)
    diff = float(np.max(np.abs(ds["order_parameter"].values - numpy_twin(xs, ys, rows))))
    n = n_side * n_side
    return {
        "name": f"sweep Phi((x+y-1)/w) {n:.0e} pts",
        "unit": "points",
        "n": n,
        "jax_s": jax_s,
        "jax_rate": n / jax_s,
        "numpy_s": np_s,
        "numpy_rate": n / np_s,
        "ratio": np_s / jax_s,
        "compile_s": max(first - jax_s, 0.0),
        "max_abs_diff": diff,
        "chunk_points": chunk,
        "backend": jax.default_backend(),
        "devices": len(jax.devices()),
    }


def overhead_per_chunk(n_chunks: int) -> dict:
    xs = np.arange(float(n_chunks * 8))
    axes = {"x": xs}

    def trivial(x):
        return x

    sweep(trivial, axes, chunk_size=8, progress=False)
    many = _best(lambda: sweep(trivial, axes, chunk_size=8, progress=False), 3)
    one = _best(lambda: sweep(trivial, axes, chunk_size=xs.size, progress=False), 3)
    per_chunk = (many - one) / (n_chunks - 1)
    return {
        "name": f"sweep overhead per chunk ({n_chunks} chunks)",
        "unit": "chunks",
        "n": n_chunks,
        "jax_s": per_chunk,
        "jax_rate": 1.0 / per_chunk,
        "compile_s": 0.0,
        "note": "seconds per extra chunk of a trivial kernel (dispatch, copy, write)",
        "backend": jax.default_backend(),
        "devices": len(jax.devices()),
    }


def run(quick: bool = False) -> list[dict]:
    rows = [overhead_per_chunk(100 if quick else 1000)]
    sides = [1000] if quick else [3163, 10000]  # 1e6; 1e7 and 1e8 points
    for side in sides:
        rows.append(throughput(side, chunk=2**22, repeat=1 if side >= 10000 else 3))
    return rows


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    results = run(quick)
    print(format_rows(results))
    print(write(results, "benchmarks/results/engine.json"))
