#!/usr/bin/env bash
# hai_sim on a GPU machine without network: install, benchmark, 10^9-point CLT sweep, JSON out.
#
# The machine has python3 (3.12) with a CUDA build of JAX already installed. Prepare the wheels
# here first (benchmarks/gpu_wheels.sh -> .whl/), copy the checkout over, then run
#
#   benchmarks/gpu.sh [OUT_DIR]              # default results/gpu-<UTC time>; about 6 minutes
#
# Steps, each under its own time limit so the whole run stays within ~6 minutes on one H100/H200:
#   1. install: the wheels of .whl/ whose distributions the machine lacks, and hai_sim itself
#      (pip install --no-deps --no-index), into OUT_DIR/../.gpu_site (on PYTHONPATH; the
#      machine's site-packages are not touched);
#   2. bench: each benchmarks/bench_*.py in float64 with its float32 twin -> OUT_DIR/bench/*.json;
#   3. clt: the raw CLT kernel's device rate in float64 and float32, and the 10^9-point CLT
#      sweep streamed to a zarr store (float64) -> OUT_DIR/clt_*.json;
#   4. ensemble (once hai_sim.ensemble exists): its experiments in quick mode (reduced seeds)
#      -> OUT_DIR/ensemble/;
#   5. OUT_DIR/summary.json: machine, per-step seconds and exit codes.
#
# Environment: GPU_SH_PYTHON (default python3), GPU_SH_QUICK=1 (tiny sizes: the CPU rehearsal),
# GPU_SH_STORE (where the zarr store goes; default OUT_DIR/clt.zarr, deleted at the end unless
# GPU_SH_KEEP_STORE=1), GPU_SH_POINTS (CLT sweep points, default 1e9).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${GPU_SH_PYTHON:-python3}
QUICK=${GPU_SH_QUICK:-0}
OUT=${1:-results/gpu-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SITE=${GPU_SH_SITE:-$ROOT/.gpu_site}
STORE=${GPU_SH_STORE:-$OUT/clt.zarr}
if [ "$QUICK" = 1 ]; then
  POINTS=${GPU_SH_POINTS:-1e6}; CHUNK=65536; BENCH_FLAGS=--quick
  T_KERNEL=900; T_OTHER=900; T_F32=300; T_CLT=300; T_ENS=300
else  # about 6 minutes in all when every step runs to its limit
  POINTS=${GPU_SH_POINTS:-1e9}; CHUNK=$((1 << 24)); BENCH_FLAGS=
  T_KERNEL=55; T_OTHER=35; T_F32=30; T_CLT=100; T_ENS=40
fi
LOG=$OUT/gpu.log
steps=()

say() { echo "[gpu.sh $(date -u +%H:%M:%S)] $*" | tee -a "$LOG"; }

# step NAME LIMIT CMD...: run under a time limit (LIMIT 0: none, for shell functions), log,
# record seconds and exit code.
step() {
  local name=$1 limit=$2; shift 2
  say "$name: $*"
  local t0=$SECONDS rc
  if [ "$limit" = 0 ]; then
    "$@" >>"$LOG" 2>&1; rc=$?
  else
    timeout --signal=INT --kill-after=15 "$limit" "$@" >>"$LOG" 2>&1; rc=$?
  fi
  local dt=$((SECONDS - t0))
  [ $rc = 124 ] && say "$name: time limit ${limit}s reached (partial results kept)"
  say "$name: exit $rc after ${dt}s"
  steps+=("{\"step\": \"$name\", \"seconds\": $dt, \"exit\": $rc, \"limit_s\": $limit}")
  return 0
}

# ---------------------------------------------------------------------------- 1. install
install() {
  "$PY" - <<'EOF' || return 1
import jax
print("python", __import__("sys").version.split()[0], "jax", jax.__version__, "backend", jax.default_backend(),
      "devices", jax.devices())
EOF
  [ -d .whl ] || { echo "no .whl/ folder: run benchmarks/gpu_wheels.sh where there is network" >&2; return 1; }
  mkdir -p "$SITE" && printf '*\n' > "$SITE/.gitignore"
  # Wheels whose distribution this python cannot find (neither its own nor already in SITE).
  local missing
  missing=$(PYTHONPATH=$SITE "$PY" - .whl <<'EOF'
import importlib.metadata as md, pathlib, re, sys
skip = {"setuptools", "wheel"}  # build-time only: pip takes them from .whl/ for the build
for w in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    name = re.sub(r"[-_.]+", "-", w.name.split("-")[0]).lower()
    if name in skip:
        continue
    try:
        md.version(name)
    except md.PackageNotFoundError:
        print(w)
EOF
)
  if [ -n "$missing" ]; then
    echo "installing $(echo "$missing" | wc -l) wheel(s) into $SITE"
    # shellcheck disable=SC2086
    "$PY" -m pip install --quiet --no-deps --no-index --no-compile --no-warn-script-location --target "$SITE" $missing || return 1
  fi
  # hai_sim itself; its build backend (setuptools, wheel) comes from .whl/ too.
  "$PY" -m pip install --quiet --no-deps --no-index --find-links .whl --no-warn-script-location \
    --upgrade --target "$SITE" "$ROOT" || return 1
  (cd / && PYTHONPATH=$SITE "$PY" -c "import hai_sim, hai_sim.cli, hai_sim.engine, zarr, xarray; print('hai_sim', hai_sim.__version__, 'from', hai_sim.__file__)")
}

say "out: $OUT; python: $PY; quick: $QUICK"
step install 0 install
export PYTHONPATH=$SITE
cd "$OUT"  # hai_sim is imported from SITE, not from the checkout

# ---------------------------------------------------------------------------- 2. bench
# One step per script, most telling first, each with its own limit (a slow one cannot eat the
# others' time). On a GPU the kernel rows (integration, delegation) run at full size; the engine
# rows (whose store sweeps the CLT step below covers at 10^9 points) and chaining's (host-bound
# NumPy twins) at quick size. Chaining has no float32 twin: its exact long run (16 cells,
# n = 16) did not finish in 240 s in float32 (seconds in float64); its hull bisection's 1e-12
# relative tolerances are below float32's resolution.
for spec in "integration $T_KERNEL $BENCH_FLAGS" "delegation $T_KERNEL $BENCH_FLAGS" \
            "engine $T_OTHER --quick" "chaining $T_OTHER --quick --no-float32"; do
  set -- $spec
  # shellcheck disable=SC2086
  step "bench_$1" "$2" "$PY" -m hai_sim.engine.bench ${*:3} --bench-dir "$ROOT/benchmarks" --out "$OUT/bench" "$1"
done

# ---------------------------------------------------------------------------- 3. CLT
step clt_rate_f32 "$T_F32" env HAI_SIM_X64=0 "$PY" "$ROOT/benchmarks/huge_sweep.py" "$STORE" --no-store \
  --chunk "$CHUNK" --json "$OUT/clt_rate_float32.json"
step clt_sweep "$T_CLT" "$PY" "$ROOT/benchmarks/huge_sweep.py" "$STORE" --fresh --points "$POINTS" \
  --chunk "$CHUNK" --json "$OUT/clt_sweep_float64.json"
[ "${GPU_SH_KEEP_STORE:-0}" = 1 ] || rm -rf "$STORE"

# ---------------------------------------------------------------------------- 4. ensemble
if "$PY" -c "import hai_sim.ensemble" 2>/dev/null; then
  step ensemble "$T_ENS" "$PY" -m hai_sim.cli atlas --quick --only 'ensemble.*' --out "$OUT/ensemble"
else
  say "ensemble: hai_sim.ensemble not in this checkout, skipped"
fi

# ---------------------------------------------------------------------------- 5. summary
"$PY" - "$OUT" "$(IFS=,; echo "${steps[*]}")" <<'EOF'
import json, pathlib, sys
from hai_sim.engine import bench
out = pathlib.Path(sys.argv[1])
steps = json.loads("[" + sys.argv[2] + "]")
res = {"machine": bench.machine(), "steps": steps, "files": sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))}
for name in ("clt_rate_float32.json", "clt_sweep_float64.json"):
    p = out / name
    if p.is_file():
        r = json.loads(p.read_text())["result"]
        res[name.removesuffix(".json")] = {k: r.get(k) for k in
            ("points", "x64", "device_rate", "sweep_rate", "sweep_vs_device", "store_write_GBps", "complete")}
(out / "summary.json").write_text(json.dumps(res, indent=2))
print(json.dumps({k: v for k, v in res.items() if k != "machine"}, indent=2))
EOF
say "done: $OUT (total ${SECONDS}s)"
