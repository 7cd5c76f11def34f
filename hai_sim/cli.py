"""``hai-sim``: the command line (typer).

Verbs: ``info``, ``list``, ``run``, ``sweep``, ``atlas``, ``bench``. Bad input (an unknown name, a
malformed axis, a value out of range) prints one line on stderr and exits with code 2, never a
traceback. JAX's persistent compilation cache is turned on, so repeated runs skip compilation.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="hai_sim: sweeps, phase diagrams and paper reproductions for human-AI collaboration theory.")

CACHE_DIR = Path(os.environ.get("HAI_SIM_CACHE", Path.home() / ".cache" / "hai_sim" / "jax"))


class UserError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


def _fail(msg: str) -> None:
    typer.echo(f"hai-sim: error: {msg}", err=True)
    raise typer.Exit(2)


def _guard(func):
    """Turn bad input (ValueError, UserError, a module named by the user that does not exist,
    non-finite results of the given parameters) into one line on stderr and exit code 2. Other
    exceptions are bugs and keep their traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (UserError, ValueError, ModuleNotFoundError, FloatingPointError) as e:
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            _fail(msg)

    return wrapper


def _setup_jax() -> None:
    import jax

    import hai_sim  # noqa: F401  (x64)

    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    except OSError:
        pass  # a read-only home only loses the cache


@app.command()
@_guard
def info() -> None:
    """Versions, devices and float64 status."""
    _setup_jax()
    import jax
    import numpy as np

    import hai_sim
    from hai_sim.engine.provenance import git_revision

    typer.echo(f"hai_sim {hai_sim.__version__} (git {git_revision() or 'unknown'})")
    typer.echo(f"python {sys.version.split()[0]}, jax {jax.__version__}, numpy {np.__version__}")
    typer.echo(f"backend {jax.default_backend()}, devices: {', '.join(str(d) for d in jax.devices())}")
    typer.echo(f"x64 {'on' if jax.config.jax_enable_x64 else 'off (HAI_SIM_X64=0)'}")
    typer.echo(f"compilation cache {CACHE_DIR}")


@app.command("list")
@_guard
def list_() -> None:
    """The registered experiments, with their provenance tag and summary."""
    from hai_sim import experiments as registry

    for name, exp in registry.load().items():
        typer.echo(f"{name:44s} [{exp.tag}] {exp.title}")


@app.command()
@_guard
def run(
    name: str,
    quick: Annotated[bool, typer.Option("--quick", help="small grids (seconds, not minutes)")] = False,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results"),
) -> None:
    """Run one experiment: its Dataset to netCDF, figure to PNG, table to JSON under OUT."""
    _setup_jax()
    from hai_sim import experiments as registry

    registry.get(name)  # unknown names fail before any work
    rec = registry.run(name, quick=quick, out=out)
    typer.echo(f"{name}: {rec.seconds:.1f} s, {len(rec.result.mismatches)} mismatch(es) with the paper")
    for kind, path in rec.files.items():
        typer.echo(f"  {kind}: {path}")


def _parse_value(text: str):
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def _parse_axis(spec: str) -> tuple[str, object]:
    import numpy as np

    if "=" not in spec:
        raise UserError(f"--axis {spec!r}: expected name=start:stop:num or name=v1,v2,...")
    name, rhs = spec.split("=", 1)
    name = name.strip()
    if not name.isidentifier():
        raise UserError(f"--axis {spec!r}: {name!r} is not a valid parameter name")
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) != 3:
            raise UserError(f"--axis {spec!r}: expected name=start:stop:num")
        try:
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise UserError(f"--axis {spec!r}: start and stop must be numbers and num an integer") from None
        if num < 1:
            raise UserError(f"--axis {spec!r}: num={num} must be >= 1")
        return name, np.linspace(start, stop, num)
    values = [_parse_value(v.strip()) for v in rhs.split(",") if v.strip()]
    if not values:
        raise UserError(f"--axis {spec!r}: no values")
    if all(isinstance(v, str) for v in values):
        return name, values
    if any(isinstance(v, str) for v in values):
        raise UserError(f"--axis {spec!r}: mixes numbers and names")
    return name, np.asarray(values, dtype=float)


def _load_kernel(target: str):
    if ":" not in target:
        raise UserError(f"kernel {target!r}: expected MODULE:FUNCTION, e.g. hai_sim.demo:order_parameter")
    mod_name, func_name = target.split(":", 1)
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError:
        raise UserError(f"kernel {target!r}: no module named {mod_name!r}") from None
    fn = mod
    for part in func_name.split("."):
        if not hasattr(fn, part):
            raise UserError(f"kernel {target!r}: module {mod_name!r} has no attribute {func_name!r}")
        fn = getattr(fn, part)
    if not callable(fn):
        raise UserError(f"kernel {target!r}: not callable")
    return fn


def _check_signature(target: str, fn, axes: set[str], fixed: set[str]) -> None:
    """Missing or unknown parameters are the user's to fix: say which, before any compilation."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    given = axes | fixed
    unknown = sorted(given - set(params))
    if unknown:
        raise UserError(f"kernel {target!r} has no parameter(s) {unknown}; it takes {list(params)}")
    missing = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in given
               and n != "key" and p.kind is not inspect.Parameter.VAR_POSITIONAL]
    if missing:
        raise UserError(f"kernel {target!r} needs {missing}: give each as --axis or --set")


@app.command("sweep")
@_guard
def sweep_cmd(
    kernel: Annotated[str, typer.Argument(help="MODULE:FUNCTION, e.g. hai_sim.demo:order_parameter")],
    axis: Annotated[list[str], typer.Option("--axis", help="name=start:stop:num or name=v1,v2 (repeatable)")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="name=value, a fixed argument (repeatable)")] = None,
    out: Annotated[Path, typer.Option(help="output: FILE.nc (netCDF) or DIR.zarr (resumable store)")] = Path(
        "sweep.nc"),
    seed: int = 0,
    chunk_size: Annotated[int | None, typer.Option(help="points per chunk")] = None,
    allow_nonfinite: Annotated[list[str] | None, typer.Option(help="outputs allowed to be NaN")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Sweep any kernel over a grid from the shell."""
    _setup_jax()
    from hai_sim.engine import sweep

    fn = _load_kernel(kernel)
    axes = dict(_parse_axis(a) for a in axis)
    fixed = {}
    for s in set_ or []:
        if "=" not in s:
            raise UserError(f"--set {s!r}: expected name=value")
        k, v = s.split("=", 1)
        fixed[k.strip()] = _parse_value(v.strip())
    clash = set(fixed) & set(axes)
    if clash:
        raise UserError(f"--set {sorted(clash)}: also given as --axis")
    _check_signature(kernel, fn, set(axes), set(fixed))
    target = functools.partial(fn, **fixed) if fixed else fn
    out = Path(out)
    if out.suffix not in (".nc", ".zarr"):
        raise UserError(f"--out {str(out)!r}: must end in .nc or .zarr")
    store = str(out) if out.suffix == ".zarr" else None
    ds = sweep(target, axes, seed=seed, chunk_size=chunk_size, store=store, progress=not quiet,
               allow_nonfinite=tuple(allow_nonfinite or ()), metadata=fixed)
    if store is None:
        out.parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(out, engine="h5netcdf")
    typer.echo(f"{kernel}: {dict(ds.sizes)} -> {out}")


@app.command()
@_guard
def atlas(
    quick: Annotated[bool, typer.Option("--quick", help="small grids: at most ~5 minutes on 2 cores")] = False,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results/atlas"),
    only: Annotated[list[str] | None, typer.Option(help="glob of experiment names (repeatable)")] = None,
) -> None:
    """Run every registered experiment and write OUT/index.html."""
    _setup_jax()
    from hai_sim import atlas as atlas_mod

    index, records = atlas_mod.build(out, quick=quick, only=only, log=typer.echo)
    failed = [r.name for r in records if r.error is not None]
    typer.echo(f"atlas: {index}")
    if failed:
        typer.echo(f"hai-sim: {len(failed)} experiment(s) failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


@app.command()
@_guard
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="small sizes")] = False,
    only: Annotated[list[str] | None, typer.Option(help="benchmark file stems, e.g. engine (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option(help="results directory (default benchmarks/results)")] = None,
) -> None:
    """Time each kernel family against its NumPy twin; write JSON per family."""
    _setup_jax()
    import importlib.util

    from hai_sim.engine.bench import format_rows, write

    bench_dir = Path(__file__).resolve().parents[1] / "benchmarks"
    if not bench_dir.is_dir():
        bench_dir = Path.cwd() / "benchmarks"
    if not bench_dir.is_dir():
        raise UserError("no benchmarks/ directory next to the package or in the current directory")
    files = sorted(bench_dir.glob("bench_*.py"))
    stems = {f.stem.removeprefix("bench_"): f for f in files}
    if only:
        unknown = [o for o in only if o not in stems]
        if unknown:
            raise UserError(f"--only {unknown}: no such benchmark (have {', '.join(stems)})")
        stems = {k: v for k, v in stems.items() if k in only}
    out_dir = out or bench_dir / "results"
    for stem, path in stems.items():
        spec = importlib.util.spec_from_file_location(f"hai_sim_bench_{stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        rows = mod.run(quick=quick)
        dest = write(rows, Path(out_dir) / f"{stem}.json")
        typer.echo(f"== {stem} ({dest})")
        typer.echo(format_rows(rows))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
