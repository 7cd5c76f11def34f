"""Benchmark harness: a jitted kernel against its NumPy twin, with a roofline and a float32 twin.

Speed is reported as a ratio of throughputs measured in one process on one machine, never as an
absolute time in a test. Every row made by :func:`compare` also carries

* **compile time** apart from run time (``compile_s``: lower + compile, not cached);
* **a roofline**: XLA's own cost analysis of the compiled kernel (``flops``, ``transcendentals``
  and ``bytes accessed``, per point), the achieved GFLOP/s, and the fraction of this machine's
  peak, measured in the same process by a 2048 x 2048 matmul through XLA (best of 5,
  :func:`matmul_peak`). XLA counts a transcendental (exp, log, erf, sin, ...) separately from
  flops, though each costs tens of flops on a CPU: a kernel dominated by them shows a low
  fraction of peak for that reason. A kernel with a loop of unknown trip count (``while``,
  ``lax.map``) is counted once per loop body, so its flops per point are a lower bound;
* **float32** (when run by :func:`run_file`): the same benchmark script is run again in a
  subprocess with ``HAI_SIM_X64=0``; each row gains the float32 throughput, the speed ratio to
  float64 and the largest absolute and relative difference from the float64 outputs over the
  benchmark's own grid, per output (``f32_outputs``). The comparison means something only when
  a script's inputs do not depend on the precision: draw them with NumPy (or in float64 and
  round), never with ``jax.random`` in the default dtype, which gives other numbers in float32.

Used by the scripts in ``benchmarks/`` (each exposes ``run(quick) -> list[row]``) and by
``hai-sim bench`` through :func:`run_file`; ``python -m hai_sim.engine.bench [--quick]
[--no-float32] [SCRIPT ...]`` does the same from the shell.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .errors import InputError

__all__ = [
    "compare", "time_call", "compile_time", "cost", "matmul_peak", "roofline", "record",
    "machine", "write", "format_rows", "run_file", "bench_files", "float32_errors", "main",
]

PEAK_SIDE = 2048
BULK = 1e-3  # float32_errors: "bulk" points are within this factor of the largest |value|

# Set by run_file/_child: outputs of each row, by row name, for the float32 comparison; and
# whether NumPy twins run (a float32 child skips them: its rows are compared with float64 JAX).
_CAPTURE: dict[str, list[np.ndarray]] | None = None
_TWINS = True


def _block(out):
    return jax.tree_util.tree_map(lambda x: x.block_until_ready() if hasattr(x, "block_until_ready") else x, out)


def time_call(fn: Callable, *args, repeat: int = 5, min_time: float = 0.2) -> float:
    """Best wall time of one call of ``fn(*args)`` over ``repeat`` rounds (seconds).

    Each round runs the call enough times to last ``min_time`` so that short calls are not
    dominated by timer resolution. Outputs are blocked on, so asynchronous dispatch is counted.
    """
    _block(fn(*args))
    t0 = time.perf_counter()
    _block(fn(*args))
    once = max(time.perf_counter() - t0, 1e-9)
    number = max(1, int(min_time / once))
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            _block(fn(*args))
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def _compile(jitted: Callable, *args):
    t0 = time.perf_counter()
    compiled = jitted.lower(*args).compile()
    return compiled, time.perf_counter() - t0


def compile_time(jitted: Callable, *args) -> float:
    """Seconds to lower and compile ``jitted`` for these arguments (not cached afterwards)."""
    return _compile(jitted, *args)[1]


def cost(compiled) -> dict[str, float]:
    """XLA's cost analysis of a compiled computation: ``flops``, ``transcendentals``, ``bytes``.

    All NaN on a backend without a cost model. ``flops`` leaves out the transcendentals, which
    are counted apart.
    """
    try:
        ca = compiled.cost_analysis()
    except Exception:  # pragma: no cover - backends without a cost model
        ca = None
    if isinstance(ca, (list, tuple)):  # older JAX: one dict per computation
        ca = ca[0] if ca else None
    if not ca:
        return {"flops": math.nan, "transcendentals": math.nan, "bytes": math.nan}
    # XLA leaves out counts that are zero (a kernel of square roots has no "flops" entry).
    return {"flops": float(ca.get("flops", 0.0)), "transcendentals": float(ca.get("transcendentals", 0.0)),
            "bytes": float(ca.get("bytes accessed", 0.0))}


def matmul_peak(side: int | None = None, repeat: int = 5) -> dict[str, Any]:
    """This machine's practical peak: a ``side`` x ``side`` matmul through XLA, best of ``repeat``.

    ``side`` defaults to 2048, or ``HAI_SIM_BENCH_PEAK_SIDE`` (smaller in tests: the figure is
    then only indicative). float64 when x64 is on (the default), float32 otherwise. Returns
    ``{"gflops", "seconds", "dtype", "side"}``; cached for the process, so every row of a run
    divides by the same number.
    """
    side = side or int(os.environ.get("HAI_SIM_BENCH_PEAK_SIDE", PEAK_SIDE))
    return _matmul_peak(side, repeat, bool(jax.config.jax_enable_x64))


@functools.cache
def _matmul_peak(side: int, repeat: int, x64: bool) -> dict[str, Any]:
    dtype = jnp.float64 if x64 else jnp.float32
    a = jax.random.uniform(jax.random.key(0), (side, side), dtype)
    b = jax.random.uniform(jax.random.key(1), (side, side), dtype)
    mm = jax.jit(jnp.matmul)
    seconds = time_call(mm, a, b, repeat=repeat, min_time=0.0)
    return {"gflops": 2.0 * side**3 / seconds / 1e9, "seconds": seconds, "dtype": jnp.dtype(dtype).name,
            "side": side}


def roofline(row: dict[str, Any], compiled=None, *, cost_per_call: dict[str, float] | None = None) -> dict[str, Any]:
    """Add the roofline fields to ``row`` (which has ``n`` and ``jax_rate``); returns ``row``.

    Fields: ``flops_per_point``, ``transcendentals_per_point``, ``bytes_per_point`` (XLA's count
    for one call of the compiled kernel divided by ``n``), ``gflops`` (achieved: flops per point
    times points/s), ``gbytes_s``, ``peak_gflops`` and ``peak_fraction`` (of :func:`matmul_peak`).
    """
    c = cost_per_call if cost_per_call is not None else cost(compiled) if compiled is not None else None
    peak = matmul_peak()
    row["peak_gflops"] = peak["gflops"]
    if c is None:
        return row
    n = row["n"]
    row["flops_per_point"] = c["flops"] / n
    row["transcendentals_per_point"] = c["transcendentals"] / n
    row["bytes_per_point"] = c["bytes"] / n
    row["gflops"] = row["flops_per_point"] * row["jax_rate"] / 1e9
    row["gbytes_s"] = row["bytes_per_point"] * row["jax_rate"] / 1e9
    row["peak_fraction"] = row["gflops"] / peak["gflops"]
    return row


def record(name: str, outputs: Any) -> None:
    """Keep ``outputs`` (a pytree of arrays) of the row ``name`` for the float32 comparison.

    :func:`compare` calls this itself; a script that builds a row by hand calls it so that its
    row, too, gets float32 errors. A no-op outside :func:`run_file`.
    """
    if _CAPTURE is not None:
        _CAPTURE[name] = [np.asarray(x) for x in jax.tree_util.tree_leaves(outputs)]


def compare(
    name: str,
    jax_fn: Callable,
    numpy_fn: Callable | None,
    jax_args: Sequence[Any],
    numpy_args: Sequence[Any] | None = None,
    *,
    n_points: int,
    unit: str = "points",
    repeat: int = 5,
    check: Callable[[Any, Any], float] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """Time ``jax_fn`` (jitted here if it is not already) against ``numpy_fn``, with a roofline.

    Args:
        name: the benchmark's name ("integration.P_clt n=20"); unique within a script.
        jax_fn, numpy_fn: the two implementations; ``numpy_fn`` may be None (no twin).
        jax_args, numpy_args: their arguments (``numpy_args`` defaults to ``jax_args``).
        n_points: how many ``unit``s one call computes (for throughput and per-point costs).
        check: optional ``check(jax_out, numpy_out) -> max abs difference``, recorded so a fast
            but wrong kernel shows up in the report.
    Returns:
        a JSON-ready row: ``jax_s`` (seconds per call), ``jax_rate`` (units/s), ``compile_s``, the
        roofline fields of :func:`roofline`, and with a twin ``numpy_s``, ``numpy_rate``,
        ``ratio`` (JAX over NumPy throughput) and ``max_abs_diff``.
    """
    jitted = jax_fn if hasattr(jax_fn, "lower") else jax.jit(jax_fn)
    try:
        compiled, compile_s = _compile(jitted, *jax_args)
    except Exception:  # pragma: no cover - functions that cannot be lowered directly
        compiled, compile_s = None, float("nan")
    jax_s = time_call(jitted, *jax_args, repeat=repeat)
    row: dict[str, Any] = {
        "name": name,
        "unit": unit,
        "n": int(n_points),
        "jax_s": jax_s,
        "jax_rate": n_points / jax_s,
        "compile_s": compile_s,
        "backend": jax.default_backend(),
        "devices": len(jax.devices()),
        "x64": bool(jax.config.jax_enable_x64),
        "note": note,
    }
    roofline(row, compiled)
    out = None
    if _CAPTURE is not None:
        out = jitted(*jax_args)
        record(name, out)
    if numpy_fn is not None and _TWINS:
        np_args = jax_args if numpy_args is None else numpy_args
        np_args = [np.asarray(a) if isinstance(a, jax.Array) else a for a in np_args]
        numpy_s = time_call(numpy_fn, *np_args, repeat=max(1, repeat // 2))
        row.update(numpy_s=numpy_s, numpy_rate=n_points / numpy_s, ratio=numpy_s / jax_s)
        if check is not None:
            row["max_abs_diff"] = float(check(jitted(*jax_args) if out is None else out, numpy_fn(*np_args)))
    return row


# ----------------------------------------------------------------------------- float32
def float32_errors(out32: Sequence[np.ndarray], out64: Sequence[np.ndarray]) -> list[dict[str, Any]]:
    """Per output leaf: how far the float32 values are from the float64 ones.

    Floating leaves: ``max_abs`` and ``max_rel`` (|f32 - f64| / |f64| over points where f64 is
    finite and nonzero), ``nonfinite`` (points where exactly one of the two is not finite) and
    ``argmax`` (the f64 value where ``max_rel`` is reached, to tell a tail from the bulk).
    ``max_rel_bulk`` is the same over points with |f64| >= 1e-3 max |f64| (the bulk, away from
    tails), ``underflow`` counts points where f64 is nonzero and f32 is exactly 0.
    Integer/boolean leaves (labels): ``mismatch_frac``, the fraction of points that differ.
    """
    stats = []
    for k, (a, b) in enumerate(zip(out32, out64, strict=True)):
        a, b = np.asarray(a), np.asarray(b)
        s: dict[str, Any] = {"leaf": k, "shape": list(b.shape), "dtype64": b.dtype.name}
        if a.shape != b.shape:
            s["error"] = f"shape {a.shape} != {b.shape}"
        elif not np.issubdtype(b.dtype, np.inexact):
            s["mismatch_frac"] = float(np.mean(a != b)) if b.size else 0.0
        else:
            a64 = a.astype(np.float64)
            fa, fb = np.isfinite(a64), np.isfinite(b)
            both = fa & fb
            d = np.abs(a64 - b)
            s["nonfinite"] = int(np.sum(fa != fb))
            s["max_abs"] = float(np.max(d[both])) if both.any() else math.nan
            rel_ok = both & (b != 0)
            if rel_ok.any():
                rel = np.where(rel_ok, d / np.where(rel_ok, np.abs(b), 1.0), 0.0)
                i = int(np.argmax(rel))
                s["max_rel"] = float(rel.flat[i])
                s["argmax"] = float(b.flat[i])
                bulk = rel_ok & (np.abs(b) >= BULK * np.max(np.abs(b[rel_ok])))
                s["max_rel_bulk"] = float(np.max(rel[bulk]))
                s["underflow"] = int(np.sum(rel_ok & (a64 == 0)))
            else:
                s["max_rel"] = s["max_rel_bulk"] = math.nan
        stats.append(s)
    return stats


def _summary(stats: list[dict[str, Any]]) -> dict[str, float]:
    def worst(key):
        vals = [s[key] for s in stats if key in s and not math.isnan(s[key])]
        return max(vals) if vals else math.nan

    return {"f32_max_abs_err": worst("max_abs"), "f32_max_rel_err": worst("max_rel"),
            "f32_max_rel_err_bulk": worst("max_rel_bulk"),
            "f32_nonfinite": int(sum(s.get("nonfinite", 0) for s in stats)),
            "f32_label_mismatch_frac": worst("mismatch_frac")}


def _load_script(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"hai_sim_bench_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _capturing(path: Path, quick: bool, twins: bool):
    global _CAPTURE, _TWINS
    _CAPTURE, _TWINS = {}, twins
    try:
        rows = _load_script(path).run(quick=quick)
        return rows, _CAPTURE
    finally:
        _CAPTURE, _TWINS = None, True


def _child(path: Path, quick: bool, dest: Path) -> None:
    """The float32 side of :func:`run_file`: rows to dest/rows.json, outputs to dest/out.npz."""
    rows, outs = _capturing(path, quick, twins=False)
    names = {r["name"]: i for i, r in enumerate(rows)}
    arrays = {f"{names[n]}_{k}": a for n, leaves in outs.items() if n in names for k, a in enumerate(leaves)}
    np.savez(dest / "out.npz", **arrays)
    (dest / "rows.json").write_text(json.dumps(rows))


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def run_file(path: str | os.PathLike, quick: bool = False, *, float32: bool = True,
             timeout: float | None = None) -> list[dict[str, Any]]:
    """Run one benchmark script (its ``run(quick)``) in float64 here and in float32 in a subprocess.

    Returns the float64 rows, each (when ``float32``) with ``f32_rate``, ``f32_speedup`` (float32
    over float64 throughput), ``f32_compile_s``, ``f32_max_abs_err``, ``f32_max_rel_err``,
    ``f32_max_rel_err_bulk``, ``f32_nonfinite``,
    ``f32_label_mismatch_frac`` and the per-output ``f32_outputs`` (see :func:`float32_errors`).
    A row whose float32 run failed gets ``f32_error`` instead. This process must have x64 on.
    """
    path = Path(path).resolve()
    rows, outs64 = _capturing(path, quick, twins=True)
    if not float32:
        return rows
    with tempfile.TemporaryDirectory(prefix="hai_sim_f32_") as tmp:
        env = dict(os.environ, HAI_SIM_X64="0", JAX_ENABLE_X64="0")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, "-m", "hai_sim.engine.bench", "--child", str(tmp), str(path)] + (["--quick"] if quick else [])
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            for r in rows:
                r["f32_error"] = f"float32 run failed: {err}"
            return rows
        rows32 = {r["name"]: (i, r) for i, r in enumerate(json.loads((Path(tmp) / "rows.json").read_text()))}
        with np.load(Path(tmp) / "out.npz") as z:
            arrays = {k: z[k] for k in z.files}
    for r in rows:
        if r["name"] not in rows32:
            r["f32_error"] = "no float32 row of this name"
            continue
        i, r32 = rows32[r["name"]]
        r["f32_rate"] = r32["jax_rate"]
        r["f32_speedup"] = r32["jax_rate"] / r["jax_rate"]
        r["f32_compile_s"] = r32.get("compile_s", math.nan)
        leaves32 = [arrays[f"{i}_{k}"] for k in range(len(outs64.get(r["name"], []))) if f"{i}_{k}" in arrays]
        if r["name"] in outs64 and len(leaves32) == len(outs64[r["name"]]):
            stats = float32_errors(leaves32, outs64[r["name"]])
            r["f32_outputs"] = stats
            r.update(_summary(stats))
    return rows


def bench_files(bench_dir: str | os.PathLike, only: Sequence[str] | None = None) -> dict[str, Path]:
    """``{stem: path}`` of the ``bench_*.py`` scripts in ``bench_dir`` (stem without ``bench_``)."""
    files = sorted(Path(bench_dir).glob("bench_*.py"))
    stems = {f.stem.removeprefix("bench_"): f for f in files}
    if only:
        unknown = [o for o in only if o not in stems]
        if unknown:
            raise InputError(f"only={unknown}: no such benchmark (have {', '.join(stems)})")
        stems = {k: v for k, v in stems.items() if k in only}
    return stems


# ----------------------------------------------------------------------------- reporting
def machine() -> dict[str, Any]:
    """Where the numbers were taken, with the matmul peak of this run."""
    return {
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "x64": bool(jax.config.jax_enable_x64),
        "matmul_peak": matmul_peak(),
    }


def _jsonable(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    return x


def write(rows: list[dict[str, Any]], path: str | os.PathLike) -> Path:
    """Write ``rows`` with the machine description to JSON (NaN as null); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_jsonable({"machine": machine(), "results": rows}), indent=2))
    return path


def _fmt(r: dict, key: str, spec: str, width: int) -> str:
    v = r.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return f"{'-':>{width}s}"
    return f"{v:{width}{spec}}"


def format_rows(rows: list[dict[str, Any]]) -> str:
    """A fixed-width text table of benchmark rows (for the terminal and closing notes)."""
    head = (f"{'benchmark':40s} {'jax/s':>10s} {'numpy/s':>10s} {'ratio':>7s} {'compile':>7s} {'flop/pt':>8s} "
            f"{'trans/pt':>8s} {'GF/s':>7s} {'%peak':>6s} {'f32 x':>6s} {'f32 rel':>8s} {'f32 bulk':>8s}")
    lines = [head]
    for r in rows:
        pct = dict(r, pct=100 * r["peak_fraction"]) if "peak_fraction" in r else r
        lines.append(" ".join([
            f"{r['name'][:40]:40s}", _fmt(r, "jax_rate", ".3e", 10), _fmt(r, "numpy_rate", ".3e", 10),
            _fmt(r, "ratio", ".1f", 7), _fmt(r, "compile_s", ".2f", 7), _fmt(r, "flops_per_point", ".1f", 8),
            _fmt(r, "transcendentals_per_point", ".1f", 8), _fmt(r, "gflops", ".2f", 7), _fmt(pct, "pct", ".1f", 6),
            _fmt(r, "f32_speedup", ".2f", 6), _fmt(r, "f32_max_rel_err", ".1e", 8),
            _fmt(r, "f32_max_rel_err_bulk", ".1e", 8),
        ]))
    peak = matmul_peak()
    lines.append(f"peak: {peak['side']}x{peak['side']} {peak['dtype']} matmul through XLA, best of 5: "
                 f"{peak['gflops']:.1f} GFLOP/s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hai_sim.engine.bench [--quick] [--no-float32] [--out DIR] [SCRIPT|STEM ...]``."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m hai_sim.engine.bench", description=main.__doc__)
    ap.add_argument("scripts", nargs="*", help="benchmark scripts or stems (default: every benchmarks/bench_*.py)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-float32", dest="float32", action="store_false")
    ap.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    ap.add_argument("--bench-dir", type=Path, default=Path(_package_root()) / "benchmarks")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    import hai_sim  # noqa: F401  (precision from HAI_SIM_X64)

    if args.child is not None:
        _child(Path(args.scripts[0]), args.quick, args.child)
        return 0

    paths = [Path(s) for s in args.scripts if s.endswith(".py")]
    stems = [s for s in args.scripts if not s.endswith(".py")]
    todo = {p.stem.removeprefix("bench_"): p for p in paths}
    if stems or not paths:
        found = bench_files(args.bench_dir, stems or None)
        todo.update((k, found[k]) for k in (stems or found))  # in the order given
    out_dir = args.out or args.bench_dir / "results"
    for stem, path in todo.items():
        rows = run_file(path, args.quick, float32=args.float32)
        dest = write(rows, out_dir / f"{stem}.json")
        print(f"== {stem} ({dest})")
        print(format_rows(rows), flush=True)
    return 0


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: the scripts import
    # hai_sim.engine.bench, whose capture state is the one that matters.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main())
