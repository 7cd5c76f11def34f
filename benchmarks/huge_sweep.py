"""A 10^9-point sweep streamed to a zarr store: the memory bound, and disk vs device, in practice.

    python benchmarks/huge_sweep.py PATH.zarr [--kernel clt|demo] [--points N] [--chunk C] [--json OUT]

``--kernel clt`` (default): integration P by the CLT (n = 20, default job, linear worker,
sigma = 0.1) over (a1, a2) in [0, 1]^2; ``demo``: the demonstration order parameter. The grid is
square with about ``--points`` points (default 10^9). Besides the sweep it measures, in the same
process, the raw jitted kernel over one chunk of points generated on the device (best of 5, with
XLA's flop count): ``device_rate``. The sweep is bounded by the device when its rate is close to
``device_rate``, and by the disk when ``store_write_GBps`` (store bytes over the sweep's seconds)
is close to what the disk takes (``sweep_s`` includes the one compilation, about
``device.compile_s``). Run it under ``/usr/bin/time -v`` to see the peak memory;
interrupt it at any time and run it again: it resumes (``--fresh`` deletes the store first).
``HAI_SIM_X64=0`` gives the float32 figures. ``--no-store`` measures only the device rate.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import hai_sim  # noqa: F401  (x64 unless HAI_SIM_X64=0)
from hai_sim import integration as I
from hai_sim.demo import order_parameter
from hai_sim.engine import bench, sweep

JOB = I.default_job()
SIGMA = 0.1


def p_clt(a1, a2):
    """Job success probability by the CLT at abilities (a1, a2), default job, sigma = 0.1."""
    return I.success_probability(JOB, I.linear_worker(a1, a2, SIGMA), method="clt")


KERNELS = {"clt": p_clt, "demo": order_parameter}


def device_rate(fn, n: int) -> dict:
    """Raw jitted ``vmap(fn)`` over ``n`` points made on the device from an iota (no host data)."""

    @jax.jit
    def raw(offset):
        i = jnp.arange(n, dtype=offset.dtype) + offset
        u = (i % 9973).astype(jnp.result_type(float)) / 9973.0  # spread over [0, 1) without division
        return jax.vmap(fn)(u, 1.0 - u)                        # of the index by a non-constant

    off = jnp.asarray(0)
    return bench.compare(f"{fn.__name__} raw jitted kernel", raw, None, (off,), n_points=n, repeat=5)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("--kernel", choices=sorted(KERNELS), default="clt")
    ap.add_argument("--points", type=float, default=1e9)
    ap.add_argument("--chunk", type=int, default=None, help="points per chunk (default: sweep's)")
    ap.add_argument("--json", type=Path, default=None, help="write the result record here")
    ap.add_argument("--fresh", action="store_true", help="delete the store first")
    ap.add_argument("--no-store", action="store_true", help="only the raw device rate")
    args = ap.parse_args(argv)

    fn = KERNELS[args.kernel]
    side = math.isqrt(int(args.points - 1)) + 1
    n = side * side
    chunk = args.chunk or min(n, 2**22)
    rec = {"kernel": args.kernel, "points": chunk if args.no_store else n, "x64": bool(jax.config.jax_enable_x64),
           "backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()]}
    dev = device_rate(fn, chunk)
    rec["device"] = dev
    rec["device_rate"] = dev["jax_rate"]
    print(f"{args.kernel}: raw kernel {dev['jax_rate']:.3e} points/s over {chunk} points "
          f"({dev.get('flops_per_point', float('nan')):.0f} flop/pt, {dev.get('gflops', float('nan')):.1f} GFLOP/s, "
          f"x64={rec['x64']}, compile {dev['compile_s']:.2f} s)", flush=True)
    if not args.no_store:
        if args.fresh:
            shutil.rmtree(args.path, ignore_errors=True)
        axes = {"a1": np.linspace(0.0, 1.0, side), "a2": np.linspace(0.0, 1.0, side)}
        t0 = time.perf_counter()
        ds = sweep(fn, axes, store=str(args.path), chunk_size=chunk, progress=True)
        seconds = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in args.path.rglob("*") if f.is_file())
        probe = ds[list(ds.data_vars)[0]].isel(a1=side // 2, a2=slice(0, 5)).values
        rec.update(sweep_s=seconds, sweep_rate=n / seconds, chunk_points=chunk, store_bytes=size,
                   store_write_GBps=size / seconds / 1e9, sweep_vs_device=n / seconds / dev["jax_rate"],
                   complete=int(ds.attrs["complete"]), probe=probe.tolist())
        print(f"{n:.3e} points in {seconds:.1f} s = {n / seconds:.3e} points/s "
              f"({rec['sweep_vs_device']:.2f} x the raw kernel); store {size / 2**20:.1f} MiB "
              f"({rec['store_write_GBps']:.2f} GB/s written); complete={rec['complete']}")
        print("probe row:", probe)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(bench._jsonable({"machine": bench.machine(), "result": rec}), indent=2))
    return rec


if __name__ == "__main__":
    main()
