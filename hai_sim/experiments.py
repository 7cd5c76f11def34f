"""The experiment registry as the CLI and the atlas see it.

Each model's ``experiments`` module registers its experiments with
:func:`hai_sim.engine.experiment.experiment`; :func:`load` imports them all. :func:`run` runs one
and saves its Dataset (netCDF), figure (PNG) and table (JSON) under an output directory.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from .engine.errors import InputError
from .engine.experiment import REGISTRY, Experiment, Result

MODELS = ("integration", "delegation", "chaining", "ensemble", "capability")


def load() -> dict[str, Experiment]:
    """Import every model's experiments (models not present in this install are skipped), then
    the user's own experiment modules named in ``HAI_SIM_EXPERIMENTS`` (comma-separated)."""
    for model in MODELS:
        try:
            importlib.import_module(f"hai_sim.{model}.experiments")
        except ModuleNotFoundError as e:
            if e.name not in (f"hai_sim.{model}", f"hai_sim.{model}.experiments"):
                raise
    for module in filter(None, (m.strip() for m in os.environ.get("HAI_SIM_EXPERIMENTS", "").split(","))):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name is None or not (module == e.name or module.startswith(e.name + ".")):
                raise  # the module exists but one of its own imports is missing: a bug
            raise InputError(f"HAI_SIM_EXPERIMENTS={os.environ['HAI_SIM_EXPERIMENTS']!r}: no module named "
                             f"{module!r} (a comma-separated list of importable modules)") from None
    return dict(sorted(REGISTRY.items()))


def names() -> list[str]:
    return list(load())


def get(name: str) -> Experiment:
    """The experiment called ``name``; :class:`~hai_sim.InputError` (with close matches) when there is none."""
    exps = load()
    if name not in exps:
        close = difflib.get_close_matches(name, list(exps), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `hai-sim list` shows them all"
        raise InputError(f"experiment {name!r} is not registered{hint}")
    return exps[name]


@dataclasses.dataclass
class RunRecord:
    name: str
    title: str
    tag: str
    seconds: float
    result: Result | None
    files: dict[str, str]
    error: str | None = None


def _netcdf_safe(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if value is None:
        return "none"
    if isinstance(value, (dict, list, tuple)) and not (
        isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value)
    ):
        return json.dumps(value, default=str)
    return value


def save(name: str, result: Result, out: Path, *, seconds: float, title: str = "", tag: str = "") -> dict[str, str]:
    """Write ``<out>/<name>.nc``, ``.png`` and ``.json``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    ds = result.data.copy()
    ds.attrs = {k: _netcdf_safe(v) for k, v in ds.attrs.items()}
    for var in ds.variables.values():
        var.attrs = {k: _netcdf_safe(v) for k, v in var.attrs.items()}
    nc = out / f"{name}.nc"
    ds.to_netcdf(nc, engine="h5netcdf")
    files["data"] = str(nc)
    if result.figure is not None:
        png = out / f"{name}.png"
        result.figure.savefig(png, dpi=110)
        import matplotlib.pyplot as plt

        plt.close(result.figure)
        files["figure"] = str(png)
    meta = {
        "name": name,
        "title": title,
        "tag": tag,
        "caption": result.caption,
        "seconds": seconds,
        "table": [r.as_dict() for r in result.table],
        "mismatches": len(result.mismatches),
    }
    js = out / f"{name}.json"
    js.write_text(json.dumps(meta, indent=2, default=str))
    files["table"] = str(js)
    return files


def run(name: str, *, quick: bool = False, out: str | Path | None = None) -> RunRecord:
    """Run one experiment; with ``out``, save its files there."""
    exp = get(name)
    t0 = time.perf_counter()
    result = exp(quick)
    seconds = time.perf_counter() - t0
    files = save(name, result, Path(out), seconds=seconds, title=exp.title, tag=exp.tag) if out else {}
    return RunRecord(name, exp.title, exp.tag, seconds, result, files)
