"""Every registered experiment runs (quick mode, fixed seeds) and shows exactly the expected mismatches.

Each model lists the rows that do not reproduce the paper, with the reason, in
``hai_sim.<model>.references.EXPECTED_MISMATCHES``: a dict ``{(experiment, quantity): reason}``.
A new mismatch fails this test, and so does an expected one that disappears (the list must be
kept true). Experiments registered with ``heavy=True`` run only in the ``slow`` suite.
"""

from __future__ import annotations

import importlib

import pytest

from hai_sim import experiments

REGISTRY = experiments.load()


def _expected_mismatches() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for model in experiments.MODELS:
        try:
            refs = importlib.import_module(f"hai_sim.{model}.references")
        except ModuleNotFoundError as e:
            if e.name in (f"hai_sim.{model}", f"hai_sim.{model}.references"):
                continue
            raise
        out.update(getattr(refs, "EXPECTED_MISMATCHES", {}))
    return out


EXPECTED = _expected_mismatches()


def _params():
    for name, exp in REGISTRY.items():
        marks = [pytest.mark.slow] if exp.heavy else []
        yield pytest.param(name, id=name, marks=marks)


def test_expected_mismatches_name_registered_experiments():
    unknown = sorted({name for name, _ in EXPECTED} - set(REGISTRY))
    assert not unknown, f"EXPECTED_MISMATCHES names experiments that are not registered: {unknown}"
    assert all(reason.strip() for reason in EXPECTED.values()), "every expected mismatch needs its reason"


@pytest.mark.parametrize("name", list(_params()))
def test_experiment_runs_with_expected_mismatches(name):
    import matplotlib.pyplot as plt

    result = REGISTRY[name](quick=True)
    plt.close("all")
    got = {(name, r.quantity) for r in result.mismatches}
    want = {k for k in EXPECTED if k[0] == name}
    assert got == want, (
        f"unexpected MISMATCH rows: {sorted(q for _, q in got - want)}; "
        f"expected mismatches that now match: {sorted(q for _, q in want - got)}"
    )
    for row in result.table:
        if row.paper is not None and not isinstance(row.paper, str) and row.tol:
            assert row.reason or row.note, f"row {row.quantity!r} has a tolerance without a reason"
