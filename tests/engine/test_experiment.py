"""Tests of hai_sim.engine.experiment: Row.status semantics, Result, the registry decorator."""

from __future__ import annotations

import math

import numpy as np
import pytest

import hai_sim.engine.experiment as exp_mod
from hai_sim.engine.experiment import TAGS, Experiment, Result, Row, experiment


@pytest.fixture
def registry():
    """Restore the global REGISTRY (contents and identity) after the test."""
    saved = dict(exp_mod.REGISTRY)
    yield exp_mod.REGISTRY
    exp_mod.REGISTRY.clear()
    exp_mod.REGISTRY.update(saved)


# ----------------------------------------------------------------------------- Row


@pytest.mark.parametrize(
    "ours,paper,tol,want",
    [
        (1.0, 1.0, None, "match"),
        (1.0, 1.0 + 1e-12, None, "MISMATCH"),  # tol None: exact
        (0.30, 0.31, 0.02, "match"),
        (0.30, 0.33, 0.02, "MISMATCH"),
        (0.5, 0.25, 0.25, "match"),  # |diff| == tol is a match (exact in binary)
        (0.5, 0.25, 0.2499, "MISMATCH"),
        (-2.0, 2.0, 3.9, "MISMATCH"),
        (-2.0, 2.0, 4.0, "match"),
        (3, 3.0, None, "match"),
        (np.float64(0.1), 0.1, 0.0, "match"),
        (math.nan, 1.0, 10.0, "MISMATCH"),
        (1.0, math.nan, 10.0, "MISMATCH"),
        (math.nan, math.nan, None, "MISMATCH"),
        ("a_1 < a_2", "a_1 < a_2", None, "match"),
        ("a_1 < a_2", "a_1 > a_2", None, "MISMATCH"),
        ("0.5", 0.5, None, "match"),  # a string side compares as strings
        ("0.50", 0.5, 1.0, "MISMATCH"),
        (0.7, None, None, "ours only"),
        ("yes", None, 0.1, "ours only"),
        (math.nan, None, None, "ours only"),
    ],
)
def test_row_status(ours, paper, tol, want):
    assert Row("q", ours, paper, tol=tol).status == want


def test_row_status_vs_oracle_grid():
    rng = np.random.default_rng(1)
    for _ in range(200):
        ours, paper = rng.normal(size=2)
        tol = abs(rng.normal()) if rng.random() < 0.8 else None
        want = "match" if abs(ours - paper) <= (tol or 0.0) else "MISMATCH"
        assert Row("q", float(ours), float(paper), tol=tol).status == want


@pytest.mark.parametrize("tag", ["p", "", "Z", "PD", None])
def test_row_bad_tag(tag):
    with pytest.raises(ValueError, match="Row.tag"):
        Row("q", 1.0, 1.0, tag=tag)


def test_row_tags_accepted_and_as_dict():
    for t in TAGS:
        Row("q", 1.0, tag=t)
    d = Row("window", np.float64(0.25), 0.3, tol=0.1, tag="D", note="erratum 2").as_dict()
    assert d == {"quantity": "window", "ours": 0.25, "paper": 0.3, "tol": 0.1, "tag": "D",
                 "status": "match", "note": "erratum 2", "source": "", "reason": ""}
    assert type(d["ours"]) is float
    d = Row("regime", "delegate", None, tag="X").as_dict()
    assert d["ours"] == "delegate" and d["paper"] is None and d["status"] == "ours only"


def test_result_mismatches():
    rows = [Row("a", 1.0, 1.0), Row("b", 1.0, 2.0, tol=0.5), Row("c", 1.0), Row("d", "x", "y")]
    res = Result(data=None, figure=None, caption="c", table=rows)
    assert [r.quantity for r in res.mismatches] == ["b", "d"]
    assert Result(data=None, figure=None, caption="").table == []


# ----------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    "name",
    ["nomodel", "Model.fig-1", "model.Fig1", "model.fig_1", "1model.fig", "model.", ".fig", "model.fig.x",
     "model.-fig", "model fig", "model.fig 1", ""],
)
def test_register_rejects_bad_names(registry, name):
    before = dict(registry)
    with pytest.raises(ValueError, match="experiment name"):
        experiment(name, title="t", tag="P")
    assert registry == before


@pytest.mark.parametrize("tag", ["p", "Q", "", "PX"])
def test_register_rejects_bad_tags(registry, tag):
    with pytest.raises(ValueError, match="tag"):
        experiment("model.fig-1", title="t", tag=tag)


def test_register_accepts_good_names(registry):
    for name in ["delegation.fig-3", "integration.phase-diagram", "m_2.a", "a.0-b"]:
        experiment(name, title="t", tag="X")(lambda quick=False: None)
        assert name in registry


def test_register_records_and_returns_func(registry):
    def run(quick: bool = False):
        """First paragraph
        on two lines.

        Second paragraph."""
        return Result(data={"quick": quick}, figure=None, caption="cap", table=[Row("q", 1.0, 1.0)])

    out = experiment("testmodel.fig-7", title="Figure 7", tag="R")(run)
    assert out is run
    e = registry["testmodel.fig-7"]
    assert isinstance(e, Experiment)
    assert (e.name, e.title, e.tag, e.func) == ("testmodel.fig-7", "Figure 7", "R", run)
    assert e.summary == "First paragraph         on two lines."
    assert e(quick=True).data == {"quick": True}
    assert e().data == {"quick": False}


def test_register_empty_docstring_summary(registry):
    experiment("testmodel.nodoc", title="t", tag="P")(lambda quick=False: None)
    assert registry["testmodel.nodoc"].summary == ""


def test_experiment_call_requires_result(registry):
    def bad(quick=False):
        return {"not": "a Result"}

    experiment("testmodel.bad", title="t", tag="P")(bad)
    with pytest.raises(TypeError, match="testmodel.bad"):
        registry["testmodel.bad"]()


def test_double_registration_raises(registry):
    def first(quick=False):
        return None

    def second(quick=False):
        return None

    experiment("testmodel.twice", title="t", tag="P")(first)
    with pytest.raises(ValueError, match="registered twice"):
        experiment("testmodel.twice", title="t2", tag="P")(second)
    assert registry["testmodel.twice"].func is first


def test_reregistering_same_function_is_allowed(registry):
    # a module imported twice (reload) registers the same qualified name again
    def run(quick=False):
        return None

    experiment("testmodel.again", title="t", tag="P")(run)
    experiment("testmodel.again", title="t", tag="P")(run)
    assert registry["testmodel.again"].func is run


def test_fixture_restores_registry(registry):
    # the registry is the module-level dict that the CLI and the atlas read
    assert registry is exp_mod.REGISTRY
    assert not any(k.startswith("testmodel.") for k in registry)


# ----------------------------------------------------------------------------- references


@pytest.mark.parametrize("text,tol", [("0.502", 0.0005), ("13", 0.5), ("-1.25", 0.005), ("0.40", 0.005), ("2.3e-7", 5e-9), ("8.90E-7", 5e-10)])
def test_printed_reference_tolerance_is_half_a_last_digit(text, tol):
    from hai_sim.engine.experiment import Reference

    ref = Reference.printed(text, "Table 1")
    assert ref.value == float(text) and ref.tag == "P"
    assert math.isclose(ref.tol, tol, rel_tol=1e-12)
    # the row it makes matches just inside the half digit and fails just outside
    assert ref.row("q", float(text) + 0.99 * tol).status == "match"
    assert ref.row("q", float(text) - 1.01 * tol).status == "MISMATCH"
    assert ref.row("q", 0.0).source == "Table 1"


def test_reference_needs_source_and_reason():
    from hai_sim.engine.experiment import Reference

    with pytest.raises(ValueError, match="source"):
        Reference(1.0, "P", "")
    with pytest.raises(ValueError, match="reason"):
        Reference(1.0, "R", "spec §4", tol=0.1)
    with pytest.raises(ValueError, match="tag"):
        Reference(1.0, "Q", "spec §4")
    row = Reference(1.0, "R", "spec §4", tol=0.1, reason="solver tolerance").row("x", 1.05, note="n")
    assert (row.tag, row.source, row.reason, row.note, row.status) == ("R", "spec §4", "solver tolerance", "n", "match")
