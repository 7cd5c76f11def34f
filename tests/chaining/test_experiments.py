"""The fastest registered experiment runs in quick mode and returns a complete Result."""

import xarray as xr

from hai_sim.chaining import experiments  # noqa: F401  (registers)
from hai_sim.engine.experiment import REGISTRY


def test_registered_names():
    names = {n for n in REGISTRY if n.startswith("chaining.")}
    assert {"chaining.table2-figure3", "chaining.figure5-example6", "chaining.examples-1-5", "chaining.figure1-workflow",
            "chaining.phase-alpha-handoff", "chaining.phase-companions", "chaining.adoption-curves",
            "chaining.synthetic-occupations"} <= names


def test_table2_experiment_quick():
    res = REGISTRY["chaining.table2-figure3"](quick=True)
    assert res.figure is not None
    assert isinstance(res.data, xr.Dataset) and "total" in res.data
    assert len(res.table) == 12
    assert not res.mismatches
    assert res.data["total"].sel(panel="b", design="[1,2][3]").item() == 18
