"""The sweep engine: per-chunk overhead, and `sweep` beside the raw jitted kernel and a NumPy twin.

The kernel is the demonstration order parameter P(x, y) = Phi((x + y - 1) / w). Rows:

* ``raw jit kernel``: one jitted call over the whole (x, y) grid (outer broadcast, no chunking,
  no host copy of the result beyond the device buffer): the speed a sweep cannot beat. Its NumPy
  twin evaluates the same formula (scipy.special.ndtr) over the same grid in one process.
* ``sweep in memory, chunk 2^k`` and ``sweep to store, chunk 2^k`` (k >= 16): the full sweep
  (point generation on the device, chunked dispatch, copy to the host, Dataset; for the store a
  zarr write to a fresh directory on local disk), with ``vs_raw`` = its throughput over the raw
  kernel's and ``overhead`` = 1 - vs_raw. The goal is overhead <= 10 %.
* ``sweep overhead per chunk``: seconds per extra chunk of a trivial kernel (in memory, where
  chunks go to the device in groups: the cost per chunk inside a group).

Every sweep's result is checked bitwise against the raw kernel (``identical``).
Run: ``python benchmarks/bench_engine.py [--quick]`` (or ``python -m hai_sim.engine.bench engine``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import jax
import numpy as np
from scipy.special import ndtr

import hai_sim  # noqa: F401  (x64)
from hai_sim.demo import WIDTH, order_parameter
from hai_sim.engine import bench, sweep


def numpy_twin(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return ndtr((xs[:, None] + ys[None, :] - 1.0) / WIDTH)


@jax.jit
def raw_kernel(xs, ys):
    return order_parameter(xs[:, None], ys[None, :])


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _row(name: str, n: int, seconds: float, raw: dict, **extra) -> dict:
    rate = n / seconds
    row = {"name": name, "unit": "points", "n": n, "jax_s": seconds, "jax_rate": rate,
           "vs_raw": rate / raw["jax_rate"], "overhead": 1.0 - rate / raw["jax_rate"],
           "backend": jax.default_backend(), "devices": len(jax.devices()),
           "x64": bool(jax.config.jax_enable_x64), **extra}
    # Same arithmetic per point as the raw kernel: its XLA count is this row's too.
    return bench.roofline(row, cost_per_call={k: raw[f"{k}_per_point"] * n for k in ("flops", "transcendentals")}
                          | {"bytes": raw["bytes_per_point"] * n})


def sweep_rows(n_side: int, chunks: list[int], repeat: int, store_dir: Path) -> list[dict]:
    xs = np.linspace(0.0, 1.0, n_side)
    ys = np.linspace(0.0, 1.0, n_side)
    axes = {"x": xs, "y": ys}
    n = n_side * n_side
    raw = bench.compare(f"engine.raw jit kernel {n:.0e} pts", raw_kernel, numpy_twin, (xs, ys), n_points=n,
                        repeat=repeat, check=lambda a, b: float(np.max(np.abs(np.asarray(a) - b))),
                        note="one jitted call over the whole grid: the bound for sweep")
    want = np.asarray(raw_kernel(xs, ys))
    rows = [raw]
    for chunk in chunks:
        t0 = time.perf_counter()
        ds = sweep(order_parameter, axes, chunk_size=chunk, progress=False)  # compiles
        first = time.perf_counter() - t0
        mem_s = _best(lambda chunk=chunk: sweep(order_parameter, axes, chunk_size=chunk, progress=False), repeat)
        got = ds["order_parameter"].values
        name = f"engine.sweep in memory {n:.0e} pts chunk 2^{chunk.bit_length() - 1}"
        bench.record(name, got)
        rows.append(_row(name, n, mem_s, raw, chunk_points=chunk, compile_s=max(first - mem_s, 0.0),
                         identical=bool(np.array_equal(got, want))))

        def to_store(chunk=chunk):
            path = store_dir / f"s{chunk}.zarr"
            shutil.rmtree(path, ignore_errors=True)
            return sweep(order_parameter, axes, chunk_size=chunk, store=str(path), progress=False)

        store_s = _best(to_store, repeat)
        got = to_store()["order_parameter"].values
        name = f"engine.sweep to store {n:.0e} pts chunk 2^{chunk.bit_length() - 1}"
        bench.record(name, got)
        size = sum(f.stat().st_size for f in (store_dir / f"s{chunk}.zarr").rglob("*") if f.is_file())
        rows.append(_row(name, n, store_s, raw, chunk_points=chunk, compile_s=0.0, store_bytes=size,
                         identical=bool(np.array_equal(got, want)), note="zarr on local disk, fresh store"))
    return rows


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
        "name": f"engine.sweep overhead per chunk ({n_chunks} chunks)",
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
    # quick: 2^20 points; full: 1e8 points (0.8 GB per result, 0.8 GB store).
    # best of 5 at quick sizes (a 10^6-point sweep takes ~10 ms: two tries are at the mercy of the load)
    side, chunks, repeat = (1024, [2**16, 2**18], 5) if quick else (10000, [2**16, 2**20, 2**22], 2)
    with tempfile.TemporaryDirectory(prefix="hai_sim_bench_") as tmp:
        rows += sweep_rows(side, chunks, repeat, Path(tmp))
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
