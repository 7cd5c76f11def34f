"""One registered experiment end to end (quick mode): Result shape, figure, table statuses."""

import matplotlib.figure

from hai_sim.engine.experiment import REGISTRY


def test_fig3c_quick_runs_and_matches_reference():
    import hai_sim.delegation.experiments  # noqa: F401  (registers)

    names = {n for n in REGISTRY if n.startswith("delegation.")}
    assert {"delegation.fig2a-regimes", "delegation.fig2b-quality", "delegation.fig2c-compliance",
            "delegation.fig3a-upskilling", "delegation.fig3b-capable-ai", "delegation.fig3c-incentive",
            "delegation.fig4-difficulty", "delegation.fig5-belief", "delegation.fig6-reexecution"} <= names
    r = REGISTRY["delegation.fig3c-incentive"](quick=True)
    assert isinstance(r.figure, matplotlib.figure.Figure)
    assert {"dQ", "regime_before", "regime_after"} <= set(r.data.data_vars)
    assert r.data.attrs["method"] and r.data.sizes == {"theta": 401, "beta": 400}
    assert len(r.table) >= 3 and not r.mismatches
    assert "R" in {row.tag for row in r.table}
