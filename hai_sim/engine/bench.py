"""Benchmark harness: a jitted kernel against its NumPy twin, in the same run.

Speed is reported as a ratio of throughputs (JAX points/s over NumPy points/s) measured in one
process on one machine, never as an absolute time in a test. Compilation is timed separately.
Used by the scripts in ``benchmarks/`` and by ``hai-sim bench``.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np


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


def compile_time(jitted: Callable, *args) -> float:
    """Seconds to lower and compile ``jitted`` for these arguments (not cached afterwards)."""
    t0 = time.perf_counter()
    jitted.lower(*args).compile()
    return time.perf_counter() - t0


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
    """Time ``jax_fn`` (jitted here if it is not already) against ``numpy_fn``.

    Args:
        name: the benchmark's name ("integration.P_clt n=20").
        jax_fn, numpy_fn: the two implementations; ``numpy_fn`` may be None (no twin).
        jax_args, numpy_args: their arguments (``numpy_args`` defaults to ``jax_args``).
        n_points: how many ``unit``s one call computes (for throughput).
        check: optional ``check(jax_out, numpy_out) -> max abs difference``, recorded so a fast
            but wrong kernel shows up in the report.
    Returns:
        a JSON-ready dict: seconds per call, throughput of each side, ratio, compile time.
    """
    jitted = jax_fn if hasattr(jax_fn, "lower") else jax.jit(jax_fn)
    try:
        compile_s = compile_time(jitted, *jax_args)
    except Exception:  # pragma: no cover - functions that cannot be lowered directly
        compile_s = float("nan")
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
    if numpy_fn is not None:
        np_args = jax_args if numpy_args is None else numpy_args
        np_args = [np.asarray(a) if isinstance(a, jax.Array) else a for a in np_args]
        numpy_s = time_call(numpy_fn, *np_args, repeat=max(1, repeat // 2))
        row.update(numpy_s=numpy_s, numpy_rate=n_points / numpy_s, ratio=numpy_s / jax_s)
        if check is not None:
            row["max_abs_diff"] = float(check(jitted(*jax_args), numpy_fn(*np_args)))
    return row


def machine() -> dict[str, Any]:
    """Where the numbers were taken."""
    return {
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }


def write(rows: list[dict[str, Any]], path: str | os.PathLike) -> Path:
    """Write ``rows`` with the machine description to JSON; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2))
    return path


def format_rows(rows: list[dict[str, Any]]) -> str:
    """A fixed-width text table of benchmark rows (for the terminal and closing notes)."""
    lines = [f"{'benchmark':44s} {'jax/s':>12s} {'numpy/s':>12s} {'ratio':>8s} {'compile s':>9s}"]
    for r in rows:
        np_rate = f"{r['numpy_rate']:12.3e}" if "numpy_rate" in r else f"{'-':>12s}"
        ratio = f"{r['ratio']:8.1f}" if "ratio" in r else f"{'-':>8s}"
        lines.append(f"{r['name'][:44]:44s} {r['jax_rate']:12.3e} {np_rate} {ratio} {r['compile_s']:9.2f}")
    return "\n".join(lines)
