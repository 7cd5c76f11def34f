"""``hai-sim``: the command line (typer).

Verbs: ``info``, ``list``, ``run``, ``sweep``, ``atlas``, ``bench``. Bad input — a
:class:`hai_sim.InputError` (an unknown name, a malformed or out-of-range value, a refused store, a
non-finite result of the given parameters) or a usage error of the command line itself — prints
one line on stderr and exits with code 2. Anything else is a bug: it keeps its traceback and exits
with code 1. One handler, :class:`_OneLineErrors`, does this for every verb. JAX's persistent
compilation cache is turned on, so repeated runs skip compilation.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import inspect
import math
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import numpy as np
import typer
import typer.core

from .engine.errors import InputError

CACHE_DIR = Path(os.environ.get("HAI_SIM_CACHE", Path.home() / ".cache" / "hai_sim" / "jax"))
_MAX_SEED = 2**63 - 1


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    return " ".join(lines) if lines else "bad input"


def _is_click_error(e: BaseException, kind: str = "ClickException") -> bool:
    # typer >= 0.29 raises the exceptions of its vendored copy of click, older typer click's own.
    return any(c.__name__ == kind for c in type(e).__mro__)


class _OneLineErrors(typer.core.TyperGroup):
    """The one error handler: InputError and usage errors -> one line, exit 2; bugs propagate."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except InputError as e:
            typer.echo(f"hai-sim: error: {_one_line(e)}", err=True)
            code = 2
        except Exception as e:
            if _is_click_error(e, "NoArgsIsHelpError"):
                typer.echo(e.format_message())
                code = 2
            elif _is_click_error(e):
                typer.echo(f"hai-sim: error: {_one_line(e.format_message())}", err=True)
                code = e.exit_code
            elif _is_click_error(e, "Abort"):
                typer.echo("hai-sim: aborted", err=True)
                code = 1
            else:
                raise
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(cls=_OneLineErrors, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="hai_sim: sweeps, phase diagrams and paper reproductions for human-AI collaboration theory.")


def _setup_jax() -> None:
    import jax

    import hai_sim  # noqa: F401  (x64)

    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    except OSError:
        pass  # a read-only home only loses the cache


# -- parameter types ----------------------------------------------------------------------------

def _number(text: str) -> int | float | None:
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return None


class _ParamType(click.ParamType):
    def fail(self, message, param=None, ctx=None):
        # The message names the flag itself; click's "Invalid value:" prefix would only repeat it.
        raise click.UsageError(message, ctx)

    def _name_and_rest(self, flag: str, spec: str, expected: str, param, ctx) -> tuple[str, str]:
        """``name=rest`` -> (name, rest); the name must be an identifier other than ``key``."""
        if "=" not in spec:
            self.fail(f"{flag}: expected {expected}", param, ctx)
        name, rest = (s.strip() for s in spec.split("=", 1))
        if not name.isidentifier():
            self.fail(f"{flag}: {name!r} is not a valid parameter name", param, ctx)
        if name == "key":
            self.fail(f"{flag}: 'key' is reserved for the per-point PRNG key that sweep passes to the kernel",
                      param, ctx)
        return name, rest


class AxisType(_ParamType):
    """``name=start:stop:num`` (evenly spaced, both ends included) or ``name=v1,v2,...`` (numbers,
    or names for a categorical parameter) -> ``(name, values)``: a float64 array or a list of str."""

    name = "NAME=SPEC"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        spec = str(value)
        flag = f"--axis {spec}"
        name, rhs = self._name_and_rest(flag, spec, "name=start:stop:num or name=v1,v2,...", param, ctx)
        if ":" in rhs:
            return name, self._range(flag, rhs, param, ctx)
        return name, self._list(flag, rhs, param, ctx)

    def _range(self, flag, rhs, param, ctx):
        parts = rhs.split(":")
        if len(parts) != 3:
            self.fail(f"{flag}: expected name=start:stop:num", param, ctx)
        start, stop, num = _number(parts[0]), _number(parts[1]), _number(parts[2])
        if start is None or stop is None or not isinstance(num, int):
            self.fail(f"{flag}: start and stop must be numbers and num an integer", param, ctx)
        start, stop = float(start), float(stop)
        if not (math.isfinite(start) and math.isfinite(stop)):
            self.fail(f"{flag}: start and stop must be finite", param, ctx)
        if num < 1:
            self.fail(f"{flag}: num={num} must be >= 1", param, ctx)
        if num > 1 and start == stop:
            self.fail(f"{flag}: start equals stop, so its {num} values would all be equal; "
                      f"for one value use {flag.split()[1].split('=')[0]}={parts[0]}", param, ctx)
        from hai_sim.engine import available_memory

        available = available_memory()
        if available is not None and 8 * num > available / 2:
            self.fail(f"{flag}: {num:.3g} values ({8 * num / 2**30:.3g} GiB for the axis alone) do not fit in "
                      f"memory ({available / 2**30:.3g} GiB available)", param, ctx)
        with np.errstate(all="raise"):
            try:
                return np.linspace(start, stop, num)
            except FloatingPointError:  # stop - start overflows: blend the ends instead
                t = np.linspace(0.0, 1.0, num)
                return start * (1.0 - t) + stop * t

    def _list(self, flag, rhs, param, ctx):
        items = [v.strip() for v in rhs.split(",")]
        if any(not v for v in items):
            self.fail(f"{flag}: an empty value (two commas in a row, or one at an end)", param, ctx)
        values = [_number(v) for v in items]
        if all(v is None for v in values):
            if len(set(items)) != len(items):
                self.fail(f"{flag}: a value is repeated", param, ctx)
            return items
        if any(v is None for v in values):
            self.fail(f"{flag}: mixes numbers and names", param, ctx)
        arr = np.asarray(values, dtype=float)
        if not np.isfinite(arr).all():
            self.fail(f"{flag}: values must be finite", param, ctx)
        if np.unique(arr).size != arr.size:
            self.fail(f"{flag}: a value is repeated", param, ctx)
        return arr


class FixedType(_ParamType):
    """``name=value`` -> ``(name, value)``: one finite number, or one name."""

    name = "NAME=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        spec = str(value)
        flag = f"--set {spec}"
        name, text = self._name_and_rest(flag, spec, "name=value", param, ctx)
        if not text:
            self.fail(f"{flag}: no value", param, ctx)
        if "," in text:
            self.fail(f"{flag}: a fixed value is one number or name; to sweep several values use "
                      f"--axis {name}={text}", param, ctx)
        number = _number(text)
        if number is None:
            return name, text
        if not math.isfinite(number):
            self.fail(f"{flag}: a fixed value must be finite", param, ctx)
        return name, number


def _no_duplicates(flag: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise InputError(f"{flag} {name}: given twice; give each name once")
        seen[name] = value
    return seen


# -- outputs ------------------------------------------------------------------------------------

def _out_dir(out: Path) -> Path:
    """A directory to write into: refuse an existing file or an unwritable place; create parents."""
    from hai_sim.engine.store import ensure_writable_dir

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out={str(out)!r} is an existing file; a directory is needed")
    ensure_writable_dir(out, "--out")
    return out


def _out_file(out: Path) -> Path:
    from hai_sim.engine.store import ensure_writable_dir

    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out={str(out)!r} is an existing directory; a .nc file is needed")
    ensure_writable_dir(out.parent, "--out", out)
    return out


# -- verbs ----------------------------------------------------------------------------------------

@app.command()
def info() -> None:
    """Versions, devices and float64 status."""
    _setup_jax()
    import jax

    import hai_sim
    from hai_sim.engine.provenance import git_revision

    typer.echo(f"hai_sim {hai_sim.__version__} (git {git_revision() or 'unknown'})")
    typer.echo(f"python {sys.version.split()[0]}, jax {jax.__version__}, numpy {np.__version__}")
    typer.echo(f"backend {jax.default_backend()}, devices: {', '.join(str(d) for d in jax.devices())}")
    typer.echo(f"x64 {'on' if jax.config.jax_enable_x64 else 'off (HAI_SIM_X64=0)'}")
    typer.echo(f"compilation cache {CACHE_DIR}")


@app.command("list")
def list_() -> None:
    """The registered experiments, with their provenance tag and summary."""
    from hai_sim import experiments as registry

    for name, exp in registry.load().items():
        typer.echo(f"{name:44s} [{exp.tag}] {exp.title}")


@app.command()
def run(
    name: str,
    quick: Annotated[bool, typer.Option("--quick", help="small grids (seconds, not minutes)")] = False,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results"),
) -> None:
    """Run one experiment: its Dataset to netCDF, figure to PNG, table to JSON under OUT."""
    _setup_jax()
    from hai_sim import experiments as registry

    registry.get(name)  # unknown names fail before any work
    out = _out_dir(out)
    rec = registry.run(name, quick=quick, out=out)
    typer.echo(f"{name}: {rec.seconds:.1f} s, {len(rec.result.mismatches)} mismatch(es) with the paper")
    for kind, path in rec.files.items():
        typer.echo(f"  {kind}: {path}")


def _load_kernel(target: str):
    if ":" not in target:
        raise InputError(f"kernel {target!r}: expected MODULE:FUNCTION, e.g. hai_sim.demo:order_parameter")
    mod_name, func_name = target.split(":", 1)
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as e:
        if e.name is None or not (mod_name == e.name or mod_name.startswith(e.name + ".")):
            raise  # the module exists but one of its own imports is missing: a bug, keep the traceback
        raise InputError(f"kernel {target!r}: no module named {mod_name!r}") from None
    fn = mod
    for part in func_name.split("."):
        if not hasattr(fn, part):
            raise InputError(f"kernel {target!r}: module {mod_name!r} has no attribute {func_name!r}")
        fn = getattr(fn, part)
    if not callable(fn):
        raise InputError(f"kernel {target!r}: not callable")
    return fn


def _check_signature(target: str, fn, axes: dict[str, Any], fixed: dict[str, Any]) -> None:
    """Missing or unknown parameters, and names given for numeric parameters, are the user's to
    fix: say which, before any compilation."""
    from hai_sim.engine.sweep import describe_parameter, is_numeric_parameter

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for flag, given in (("--set", fixed), ("--axis", axes)):
        for name, value in given.items():
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            p = params.get(name)
            if names and p is not None and is_numeric_parameter(p):
                raise InputError(f"{flag} {name}={','.join(names)}: {name!r} is a numeric parameter "
                                 f"({describe_parameter(p)}); give a number")
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    given = set(axes) | set(fixed)
    unknown = sorted(given - set(params))
    if unknown:
        raise InputError(f"kernel {target!r} has no parameter(s) {unknown}; it takes {list(params)}")
    missing = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in given
               and n != "key" and p.kind is not inspect.Parameter.VAR_POSITIONAL]
    if missing:
        raise InputError(f"kernel {target!r} needs {missing}: give each as --axis or --set")


@app.command("sweep")
def sweep_cmd(
    kernel: Annotated[str, typer.Argument(help="MODULE:FUNCTION, e.g. hai_sim.demo:order_parameter")],
    axis: Annotated[list[str], typer.Option("--axis", parser=AxisType(), metavar="NAME=SPEC",
                                            help="name=start:stop:num or name=v1,v2 (repeatable)")],
    set_: Annotated[list[str] | None, typer.Option("--set", parser=FixedType(), metavar="NAME=VALUE",
                                                   help="name=value, a fixed argument (repeatable)")] = None,
    out: Annotated[Path, typer.Option(help="output: FILE.nc (netCDF) or DIR.zarr (resumable store)")] = Path(
        "sweep.nc"),
    seed: Annotated[int, typer.Option(min=0, max=_MAX_SEED, help="base of the per-point PRNG keys")] = 0,
    chunk_size: Annotated[int | None, typer.Option(min=1, help="points per chunk")] = None,
    allow_nonfinite: Annotated[list[str] | None, typer.Option(help="outputs allowed to be NaN")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar or notes")] = False,
) -> None:
    """Sweep any kernel over a grid from the shell."""
    _setup_jax()
    from hai_sim.engine import NonFiniteError, sweep
    from hai_sim.engine.store import check_store_path

    fn = _load_kernel(kernel)
    axes = _no_duplicates("--axis", list(axis))
    fixed = _no_duplicates("--set", list(set_ or []))
    clash = set(fixed) & set(axes)
    if clash:
        raise InputError(f"--set {sorted(clash)}: also given as --axis")
    _check_signature(kernel, fn, axes, fixed)
    out = Path(out)
    if out.suffix not in (".nc", ".zarr"):
        raise InputError(f"--out {str(out)!r}: must end in .nc or .zarr")
    store = str(check_store_path(out, "--out")) if out.suffix == ".zarr" else None
    if store is None:
        _out_file(out)
    target = functools.partial(fn, **fixed) if fixed else fn
    try:
        ds = sweep(target, axes, seed=seed, chunk_size=chunk_size, store=store, progress=not quiet,
                   allow_nonfinite=tuple(allow_nonfinite or ()), metadata=fixed)
    except NonFiniteError as e:
        where = ", ".join(f"{k}={v}" for k, v in e.point.items())
        cause = (f"a fixed value outside the kernel's domain ({' '.join(f'--set {k}={v}' for k, v in fixed.items())})"
                 if fixed else "an --axis value outside the kernel's domain")
        raise InputError(f"output {e.output!r} is non-finite (NaN or inf) at {e.n_bad} point(s), the first at {where}; "
                         f"likely cause: {cause}; if NaN/inf is expected there, pass --allow-nonfinite "
                         f"{e.output}") from None
    if store is None:
        ds.to_netcdf(out, engine="h5netcdf")
    typer.echo(f"{kernel}: {dict(ds.sizes)} -> {out}")


@app.command()
def atlas(
    quick: Annotated[bool, typer.Option("--quick", help="small grids: at most ~5 minutes on 2 cores")] = False,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results/atlas"),
    only: Annotated[list[str] | None, typer.Option(help="glob of experiment names (repeatable)")] = None,
) -> None:
    """Run every registered experiment and write OUT/index.html."""
    _setup_jax()
    from hai_sim import atlas as atlas_mod
    from hai_sim import experiments as registry

    if only:  # refused before anything is written
        names = list(registry.load())
        if not any(fnmatch.fnmatch(n, pat) for n in names for pat in only):
            raise InputError(f"--only {' '.join(only)}: matches no registered experiment (`hai-sim list` shows them)")
    out = _out_dir(out)
    index, records = atlas_mod.build(out, quick=quick, only=only, log=typer.echo)
    failed = [r.name for r in records if r.error is not None]
    typer.echo(f"atlas: {index}")
    if failed:
        typer.echo(f"hai-sim: {len(failed)} experiment(s) failed: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="small sizes")] = False,
    only: Annotated[list[str] | None, typer.Option(help="benchmark file stems, e.g. engine (repeatable)")] = None,
    out: Annotated[Path | None, typer.Option(help="results directory (default ./benchmarks/results)")] = None,
    float32: Annotated[bool, typer.Option("--float32/--no-float32",
                                          help="also run each script in float32 (a subprocess) and report "
                                               "its speed and error against float64")] = True,
) -> None:
    """Time each kernel family against its NumPy twin (with roofline and float32 figures); JSON per family."""
    _setup_jax()
    from hai_sim.engine.bench import bench_files
    from hai_sim.engine.bench import main as bench_main

    bench_dir = Path(__file__).resolve().parents[1] / "benchmarks"
    if not bench_dir.is_dir():
        bench_dir = Path.cwd() / "benchmarks"
    if not bench_dir.is_dir():
        raise InputError("no benchmarks/ directory next to the package or in the current directory")
    unknown = [o for o in only or [] if o not in bench_files(bench_dir)]
    if unknown:  # refused here, so the message names the flag rather than the engine's argument
        raise InputError(f"--only {' '.join(unknown)}: no such benchmark (have {', '.join(bench_files(bench_dir))})")
    # Results go where the user is (or to --out), never into the installed package.
    out_dir = _out_dir(out if out is not None else Path.cwd() / "benchmarks" / "results")
    argv = [*(only or []), "--bench-dir", str(bench_dir), "--out", str(out_dir)]
    bench_main(argv + ["--quick"] * quick + ["--no-float32"] * (not float32))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
