"""The atlas page: mismatch counts, the reference and tolerance columns, cited notes that resolve on
the page, and the page rendered in a real headless browser (Chromium from the system packages;
skipped where it is missing, except under ``CI=true``, where .ci/run has installed it).

The tiny experiments below are registered only for the duration of a test (a fixture removes
them), so the registry test never sees them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from hai_sim import InputError, atlas, atlas_notes, experiments, plot
from hai_sim.engine.experiment import REGISTRY, Reference, Result, Row, experiment

ROOT = Path(__file__).resolve().parent.parent
TINY = ("integration.zz-atlas-tiny", "delegation.zz-atlas-map")


def _tiny_line(quick: bool = False) -> Result:
    """A curve and five kinds of row: [P] matches (one unsourced), a [P] mismatch, an [R] mismatch, ours only."""
    xs = np.linspace(0, 1, 5)
    fig, (ax,) = plot.new_figure(1)
    ax.plot(xs, xs**2, label="ours")
    ax.plot(xs, xs, color="white", ls="--", label="bound")
    ax.legend()
    ref = Reference.printed("0.502", "§3.5 Fig. 2")
    rows = [
        ref.row("window end", 0.5024),
        ref.row("window start", 0.499, note="the seed's window; see ERRATA 4"),
        Row("gain threshold", 0.40, paper=0.42, tol=0.005, tag="R", source="spec §4.3",
            reason="bisection tolerance 1e-4 of our solver"),
        Row("largest gain", 1.0, note="ours only; ERRATA Inputs 3 for NaN levels"),
        Row("bare", 1.0, paper=1.2, tol=0.5, tag="P"),  # no source, no reason: the page says so
    ]
    return Result(xr.Dataset({"y": ("x", xs**2)}, coords={"x": xs}), fig, "[X] parabola; see spec §2.1.", rows)


def _tiny_map(quick: bool = False) -> Result:
    """A categorical heat map with a legend, citing the clinician of the delegation paper."""
    x, y = np.linspace(0, 1, 6), np.linspace(0, 2, 7)
    codes = (np.add.outer(x, y / 2) > 0.8).astype(float) + (np.add.outer(x, y) > 2.0)
    fig, (ax,) = plot.new_figure(1)
    plot.heatmap(ax, codes, x, y, xlabel="theta", ylabel="beta", label="regime",
                 categorical_names=["manual", "pure delegation", "verified delegation"])
    plot.overlay_curve(ax, x, 1 + x, "beta_1", ls="--")
    ax.legend()
    return Result(xr.Dataset({"r": (("x", "y"), codes)}, coords={"x": x, "y": y}), fig,
                  "[R] regimes of vn_exp_65341958 (synthetic stand-in).",
                  [Row("cells", float(codes.size), paper=40.0, tol=0.0, tag="D", source="spec §4.2")])


@pytest.fixture
def tiny_atlas(tmp_path):
    """Register the tiny experiments, build their atlas, and unregister them afterwards."""
    experiment(TINY[0], title="Tiny line", tag="X")(_tiny_line)
    experiment(TINY[1], title="Tiny map", tag="R")(_tiny_map)
    try:
        index, records = atlas.build(tmp_path / "atlas", quick=True, only=list(TINY), log=lambda *_: None)
    finally:
        for name in TINY:
            REGISTRY.pop(name, None)
    return index, records


def test_header_counts_paper_mismatches_apart_from_reconstruction(tiny_atlas):
    index, records = tiny_atlas
    assert atlas.count_mismatches(records) == (1, 2)  # [P] window start; [R] threshold and [D] cells
    page = index.read_text()
    assert re.search(r"<b>1</b> mismatch\(es\) with the paper \(\[P\] rows\)", page)
    assert re.search(r"<b>2</b> difference\(s\) from derived values or our reconstruction", page)


def test_reference_column_says_whose_number_with_source_and_tolerance_reason(tiny_atlas):
    page = tiny_atlas[0].read_text()
    rows = {re.sub("<[^>]+>", "", m.group(1)): m.group(0)
            for m in re.finditer(r"<tr class=\"\w+\"><td>([^<]*)</td>.*?</tr>", page)}
    assert "paper &middot; §3.5 Fig. 2" in rows["window end"]
    assert "&plusmn;0.0005" in rows["window end"] and "half a unit of the last printed digit" in rows["window end"]
    assert 'class="MISMATCH"' in rows["window start"] and "vs " not in rows["window start"]
    assert "our reconstruction &middot; " in rows["gain threshold"]
    assert "vs our reconstruction" in rows["gain threshold"] and "bisection tolerance" in rows["gain threshold"]
    assert "vs derived from the paper" in rows["cells"]
    assert "none (our number only)" in rows["largest gain"] and "ours only" in rows["largest gain"]
    assert "source not stated" in rows["bare"] and "reason not stated" in rows["bare"]
    assert "not stated" not in rows["window end"] + rows["gain threshold"]


def test_every_cited_note_resolves_to_an_anchor_on_the_page(tiny_atlas):
    page = tiny_atlas[0].read_text()
    targets = set(re.findall(r'<a class="cite" href="#([^"]+)"', page))
    anchors = set(re.findall(r'<dt id="([^"]+)"', page))
    assert targets == anchors == {
        "note-integration-errata-4", "note-integration-spec-4.3", "note-integration-spec-2.1",
        "note-inputs-errata-3", "note-delegation-clinician", "note-delegation-spec-4.2",
    }
    assert "Citations with no note" not in page
    # the note says what the correction is, not just its number
    assert "0.474 to 0.532" in page and "NaN by design" in page


def test_unresolved_citation_is_shown_not_hidden():
    out, notes, unresolved = atlas_notes.link_citations("see ERRATA 77 and spec §99 and ERRATA 2", "chaining")
    assert unresolved == ["ERRATA 77", "spec §99"]
    assert [n.anchor for n in notes] == ["note-chaining-errata-2"]
    assert "ERRATA 77" in out and 'href="#note-chaining-errata-2"' in out


def test_text_around_citations_is_escaped():
    out, _, _ = atlas_notes.link_citations("a <b> & ERRATA 1", "delegation")
    assert out.startswith("a &lt;b&gt; &amp; <a ")


def _citations_in_source(model: str):
    for path in sorted((ROOT / "hai_sim" / model).glob("*.py")):
        for m in atlas_notes._CITATION.finditer(path.read_text()):
            yield path.name, m.group(0)


@pytest.mark.parametrize("model", [m for m in experiments.MODELS if (ROOT / "hai_sim" / m).is_dir()])
def test_every_citation_in_a_models_code_has_a_note(model):
    """Rows and captions are built in the models' code: each citation written there resolves."""
    missing = [(f, c) for f, c in _citations_in_source(model) if atlas_notes.resolve(c, model) is None]
    assert not missing, f"citations with no note in hai_sim/atlas_notes.py: {missing}"


def test_unknown_pattern_writes_nothing(tmp_path):
    with pytest.raises(InputError, match="matches no registered experiment"):
        atlas.build(tmp_path / "none", only=["zzz.*"], log=lambda *_: None)
    assert not (tmp_path / "none").exists()


# --- the page in a real browser ----------------------------------------------------------------

_CHECK = """<script>
window.addEventListener('load', async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const sections = [...document.querySelectorAll('section[id]')].map(s => s.id);
  document.body.setAttribute('data-atlas-check', JSON.stringify({images: imgs.length, broken, sections}));
});
</script>"""


def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _render(page: Path, tmp_path: Path) -> tuple[dict, list[str]]:
    """Load ``page`` (plus the check script) in headless Chromium; returns the check's record and
    the page's JavaScript errors."""
    import json

    browser = _chromium()
    if browser is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is not installed: .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    checked = page.with_name("checked.html")
    checked.write_text(page.read_text().replace("</body>", _CHECK + "</body>"))
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", "--window-size=1400,2000", "--dump-dom", checked.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'data-atlas-check="([^"]*)"', proc.stdout)
    assert m, f"the check script did not run: {proc.stdout[:500]} {proc.stderr[-2000:]}"
    record = json.loads(html.unescape(m.group(1)))
    js_errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and ("Uncaught" in line or
                                                                                   "Error" in line)]
    return record, js_errors


def test_atlas_page_in_a_headless_browser(tiny_atlas, tmp_path):
    index, _ = tiny_atlas
    record, js_errors = _render(index, tmp_path)
    assert js_errors == []
    assert record["images"] == 2 and record["broken"] == []
    assert record["sections"] == [*sorted(TINY), "notes"]
    # the check itself fails on what it is meant to catch: a missing image and a script error
    broken = index.with_name("broken.html")
    broken.write_text(index.read_text().replace("zz-atlas-map.png", "missing.png")
                      .replace("</body>", "<script>undefinedFunction();</script></body>"))
    record, js_errors = _render(broken, tmp_path)
    assert record["broken"] == ["files/delegation.missing.png"]
    assert any("undefinedFunction" in e for e in js_errors)
