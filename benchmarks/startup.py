"""Start-up: `hai-sim atlas --quick` cold (empty HAI_SIM_CACHE) and warm, with per-kernel compile times.

    python benchmarks/startup.py [--only GLOB ...] [--json OUT] [--out DIR]

Runs the atlas twice in fresh processes sharing one new compilation cache: the first run is
cold (every kernel compiles), the second warm (JAX's persistent cache, as `make demo` sees it the
second time). JAX's own compile log (``JAX_LOG_COMPILES=1``) gives, per jitted function, how many
times it was compiled and the seconds XLA spent; warm, the cache hits are counted. Prints the
totals, the seconds per experiment both ways, and the kernels that cost the most to compile.
Not a ``bench_*`` script: it takes minutes, so ``hai-sim bench`` does not run it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPILED = re.compile(r"Finished XLA compilation of (.+?) in ([0-9.]+) sec")
TRACED = re.compile(r"Finished tracing \+ transforming (.+?) for (?:pjit|jit) in ([0-9.]+) sec|"
                    r"Finished tracing (.+?) for jit in ([0-9.]+) sec")
HIT = re.compile(r"Persistent compilation cache hit for '(.+?)'")
EXPERIMENT = re.compile(r"^\s+(\S+)\s+([0-9.]+) s\s")


def atlas_run(cache: Path, out: Path, only: list[str]) -> dict:
    """One `hai-sim atlas --quick` in a fresh process; its wall time, experiments and compiles."""
    env = dict(os.environ, HAI_SIM_CACHE=str(cache), JAX_LOG_COMPILES="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "hai_sim.cli", "atlas", "--quick", "--out", str(out)]
    for pat in only:
        cmd += ["--only", pat]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    compiles: dict[str, list[float]] = collections.defaultdict(list)
    for name, sec in COMPILED.findall(proc.stderr):
        compiles[name].append(float(sec))
    experiments = {m.group(1): float(m.group(2)) for line in proc.stdout.splitlines() if (m := EXPERIMENT.match(line))}
    return {
        "wall_s": wall,
        "exit": proc.returncode,
        "experiments_s": experiments,
        "xla_compile_s": sum(map(sum, compiles.values())),
        "compiles": {k: {"count": len(v), "seconds": sum(v)} for k, v in compiles.items()},
        "cache_hits": len(HIT.findall(proc.stderr)),
        "stderr_tail": proc.stderr[-2000:] if proc.returncode else "",
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", default=[], help="glob of experiment names (repeatable)")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "startup.json")
    ap.add_argument("--out", type=Path, default=None, help="atlas output directory (default: a temporary one)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hai_sim_startup_") as tmp:
        cache = Path(tmp) / "cache"
        out = args.out or Path(tmp) / "atlas"
        cold = atlas_run(cache, out, args.only)
        warm = atlas_run(cache, out, args.only)
    res = {"only": args.only, "cold": cold, "warm": warm}
    print(f"atlas --quick cold {cold['wall_s']:.1f} s (XLA compile {cold['xla_compile_s']:.1f} s), "
          f"warm {warm['wall_s']:.1f} s (XLA compile {warm['xla_compile_s']:.1f} s, {warm['cache_hits']} cache hits); "
          f"exit {cold['exit']}/{warm['exit']}")
    print(f"{'experiment':48s} {'cold s':>8s} {'warm s':>8s}")
    for name, sec in cold["experiments_s"].items():
        print(f"{name:48s} {sec:8.1f} {warm['experiments_s'].get(name, float('nan')):8.1f}")
    top = sorted(cold["compiles"].items(), key=lambda kv: -kv[1]["seconds"])[:15]
    print(f"{'kernel (cold compiles)':48s} {'count':>6s} {'XLA s':>8s}")
    for name, c in top:
        print(f"{name[:48]:48s} {c['count']:6d} {c['seconds']:8.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2))
    print(args.json)
    return res


if __name__ == "__main__":
    main()
