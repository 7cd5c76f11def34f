#!/usr/bin/env bash
# Prepare .whl/: the wheels that benchmarks/gpu.sh installs on a GPU machine without network.
#
# The GPU machine has Python 3.12 and a CUDA build of JAX 0.11 (with numpy, scipy, ml_dtypes,
# opt_einsum) but none of hai_sim's other dependencies. This downloads, for CPython 3.12 on
# manylinux x86_64 and without resolving dependencies (--no-deps: jax, jaxlib and numpy stay the
# machine's), every package hai_sim imports beyond JAX's own, pinned to the versions installed in
# this checkout's Python (the versions the tests ran with), else the newest. gpu.sh installs only
# the ones the machine lacks. Total kept under 64 MiB; the folder is gitignored.
#
#   benchmarks/gpu_wheels.sh                      # -> .whl/ for Python 3.12
#   GPU_WHEELS_PY=3.11 benchmarks/gpu_wheels.sh   # for a CPU rehearsal on this machine's Python
#   GPU_WHEELS_ENSEMBLE=1 ...                     # also flax/optax/orbax for hai_sim.ensemble
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
TARGET_PY=${GPU_WHEELS_PY:-3.12}
DEST=${GPU_WHEELS_DIR:-.whl}
LIMIT_MIB=64

# What `import hai_sim` and its CLI, store, plots and models pull in beyond JAX (checked by
# importing everything here and listing sys.modules), with their own runtime requirements.
CORE="xarray pandas python-dateutil six zarr numcodecs donfig pyyaml google-crc32c typing_extensions
packaging fsspec typer click rich markdown-it-py mdurl pygments shellingham annotated-doc pydantic
pydantic-core annotated-types typing-inspection tqdm matplotlib contourpy cycler fonttools kiwisolver
pillow pyparsing h5netcdf h5py numpyro multipledispatch setuptools wheel"
# The neural parts (Flax NNX, optax, Orbax checkpoints): only when asked, tensorstore is large.
ENSEMBLE="flax optax chex toolz absl-py msgpack treescope orbax-checkpoint tensorstore etils
nest-asyncio humanize protobuf aiofiles simplejson psutil"
PKGS=$CORE
[ "${GPU_WHEELS_ENSEMBLE:-0}" = 1 ] && PKGS="$PKGS $ENSEMBLE"

freeze=$("$PY" -m pip list --format=freeze 2>/dev/null || true)
specs=()
for p in $PKGS; do
  # Same version as here when installed (names compared case- and -/_-insensitively).
  v=$(printf '%s\n' "$freeze" | awk -F'==' -v n="$p" 'BEGIN{IGNORECASE=1; gsub(/[-_.]/,"-",n)}
        {k=$1; gsub(/[-_.]/,"-",k); if (tolower(k)==tolower(n)) print $2}')
  case $p in setuptools|wheel) v="" ;; esac  # the build backend: newest (pyproject needs >= 77)
  specs+=("${p}${v:+==$v}")
done

mkdir -p "$DEST"
printf '*\n' > "$DEST/.gitignore"  # never committed (the repository's .gitignore need not know it)
pyver=${TARGET_PY/./}
"$PY" -m pip download --quiet --no-deps --only-binary=:all: --dest "$DEST" \
  --python-version "$TARGET_PY" --implementation cp --abi "cp$pyver" --abi abi3 --abi none \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform any "${specs[@]}"

total=$(du -sk "$DEST" | cut -f1)
echo "$DEST: $(ls "$DEST"/*.whl | wc -l) wheels, $((total / 1024)) MiB (limit $LIMIT_MIB MiB)"
if [ "$total" -gt $((LIMIT_MIB * 1024)) ]; then
  echo "gpu_wheels.sh: $DEST is over $LIMIT_MIB MiB" >&2
  exit 1
fi
