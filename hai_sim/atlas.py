"""The atlas: every registered experiment run and laid out on one static HTML page.

Each entry shows the figure, its caption (which says which numbers are the paper's and which are
ours), and a table of our values beside the reference values: whose number the reference is (the
paper's, derived from it, our reconstruction, our extension), where it comes from, the tolerance
with its reason, and the status, a mismatch shown as ``MISMATCH``. The header counts mismatches
with the paper ([P] rows) apart from differences from derived values or our reconstruction
([D]/[R]/[X] rows). Every note that a row or caption cites (``ERRATA 5``, ``spec §4.3``,
``vn_exp_65341958``) links to the "Notes and corrections" section at the end of the page, which
states it in our own words (:mod:`hai_sim.atlas_notes`).

A failing experiment is shown with its error and makes the atlas's return code non-zero; the
others still run.
"""

from __future__ import annotations

import fnmatch
import html
import os
import time
import traceback
from pathlib import Path

from . import __version__
from . import experiments as registry
from .atlas_notes import Note, link_citations
from .engine.errors import InputError
from .engine.experiment import Row
from .engine.provenance import git_revision
from .plot import TAG_TEXT

__all__ = ["build", "count_mismatches", "WHOSE"]

# Whose number a reference value is, in the reference column's words.
WHOSE = {"P": "paper", "D": "derived from the paper", "R": "our reconstruction", "X": "our extension"}

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222;
     font-size:16px;line-height:1.45}
h1{margin-bottom:.2em} .meta{color:#555;font-size:.9em}
section{border-top:1px solid #ccc;padding:1em 0}
figure{margin:.6em 0} figure img{max-width:100%;height:auto;border:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em;margin-top:.6em;width:100%}
td,th{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
tr.match td.status{background:#dcefe0} tr.MISMATCH td.status{background:#f8d0cd;font-weight:bold}
tr.ours td.status{background:#eee}
.small{font-size:.85em;color:#444} .missing{color:#a33;font-style:italic}
.tag{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.8em;background:#e3e6f5;color:#223}
.error{background:#fde2e1;padding:.5em;white-space:pre-wrap;font-family:monospace;font-size:.8em}
.counts{font-size:1.05em;margin:.6em 0} .counts b{font-size:1.1em}
nav{line-height:1.9} nav a{margin-right:.8em}
dl.notes dt{font-weight:bold;margin-top:.8em} dl.notes dd{margin-left:1.2em}
a.cite{text-decoration:underline dotted}
"""


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return html.escape(str(v))


def count_mismatches(records) -> tuple[int, int]:
    """``(with the paper, with our reconstruction)``: MISMATCH rows whose reference is tagged [P],
    and those tagged [D], [R] or [X]."""
    rows = [r for rec in records if rec.result is not None for r in rec.result.mismatches]
    paper = sum(r.tag == "P" for r in rows)
    return paper, len(rows) - paper


class _Citations:
    """The notes cited on the page so far, in order, and the citations that resolve nowhere."""

    def __init__(self):
        self.notes: list[Note] = []
        self.unresolved: list[tuple[str, str]] = []

    def link(self, text: str, exp_name: str) -> str:
        model = exp_name.split(".", 1)[0]
        out, notes, unresolved = link_citations(text or "", model)
        self.notes += [n for n in notes if n not in self.notes]
        self.unresolved += [(exp_name, u) for u in unresolved]
        return out


def _row(r: Row, name: str, cites: _Citations) -> str:
    cls = {"match": "match", "MISMATCH": "MISMATCH"}.get(r.status, "ours")
    if r.paper is None:
        ref = '<span class="small">none (our number only)</span>'
    else:
        source = cites.link(r.source, name) if r.source else '<span class="missing">source not stated</span>'
        ref = f'{_fmt(r.paper)}<br><span class="small">{WHOSE[r.tag]} &middot; {source}</span>'
    tol = ""
    if r.paper is not None:
        tol = "exact" if r.tol is None or r.tol == 0 else f"&plusmn;{_fmt(r.tol)}"
        if r.reason:
            tol += f'<br><span class="small">{cites.link(r.reason, name)}</span>'
        elif tol != "exact":  # a tolerance owes its reason (the reference-table policy)
            tol += '<br><span class="small missing">reason not stated</span>'
    status = r.status
    if status == "MISMATCH" and r.tag != "P":
        status += f'<br><span class="small">vs {WHOSE[r.tag]}</span>'
    return (f'<tr class="{cls}"><td>{html.escape(r.quantity)}</td><td class="num">{_fmt(r.ours)}</td>'
            f'<td class="num">{ref}</td><td class="num">{tol}</td><td class="status">{status}</td>'
            f"<td>{cites.link(r.note, name)}</td></tr>")


def _section(rec: registry.RunRecord, out: Path, cites: _Citations) -> str:
    tag = f'<span class="tag" title="{html.escape(TAG_TEXT.get(rec.tag, ""))}">[{rec.tag}]</span>'
    head = f'<section id="{html.escape(rec.name)}"><h2>{html.escape(rec.title)} {tag}</h2>'
    head += f'<div class="meta">{html.escape(rec.name)} &middot; {rec.seconds:.1f} s</div>'
    if rec.error is not None:
        return head + f'<div class="error">{html.escape(rec.error)}</div></section>'
    parts = [head]
    if "figure" in rec.files:
        rel = html.escape(os.path.relpath(rec.files["figure"], out))
        parts.append(f'<figure><a href="{rel}"><img src="{rel}" alt="figure of {html.escape(rec.name)}" '
                     'loading="lazy"></a></figure>')
    parts.append(f"<p>{cites.link(rec.result.caption, rec.name)}</p>")
    if rec.result.table:
        parts.append("<table><tr><th>quantity</th><th>ours</th><th>reference (whose &middot; source)</th>"
                     "<th>tolerance (why)</th><th>status</th><th>note</th></tr>")
        parts += [_row(r, rec.name, cites) for r in rec.result.table]
        parts.append("</table>")
    links = " &middot; ".join(
        f'<a href="{html.escape(os.path.relpath(p, out))}">{k}</a>' for k, p in rec.files.items() if k != "figure"
    )
    parts.append(f'<div class="meta">files: {links}</div></section>')
    return "".join(parts)


def _notes_section(cites: _Citations) -> str:
    parts = ['<section id="notes"><h2>Notes and corrections</h2>',
             "<p>Each note cited above, in our words: corrections to the papers and to our "
             "specifications of them (ERRATA), the sections of those specifications, and named data "
             "points of the papers.</p>"]
    if cites.notes:
        parts.append('<dl class="notes">')
        parts += [f'<dt id="{n.anchor}">{html.escape(n.title)}</dt><dd>{html.escape(n.text)}</dd>'
                  for n in cites.notes]
        parts.append("</dl>")
    else:
        parts.append("<p>No row on this page cites a note.</p>")
    if cites.unresolved:
        items = "".join(f"<li>{html.escape(e)}: {html.escape(c)}</li>" for e, c in cites.unresolved)
        parts.append(f'<p class="error">Citations with no note (a bug in the atlas notes):</p><ul>{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def build(
    out: str | Path = "results/atlas",
    *,
    quick: bool = False,
    only: list[str] | None = None,
    log=print,
) -> tuple[Path, list[registry.RunRecord]]:
    """Run the experiments (all, or those matching the glob patterns in ``only``) and write
    ``<out>/index.html``.

    Returns:
        The page's path and one :class:`hai_sim.experiments.RunRecord` per experiment.

    Raises:
        InputError: ``only`` matches no registered experiment (nothing is written then).
    """
    out = Path(out)
    exps = registry.load()
    selected = [n for n in exps if not only or any(fnmatch.fnmatch(n, pat) for pat in only)]
    if not selected:
        raise InputError(f"only={only}: matches no registered experiment (`hai-sim list` shows them)")
    (out / "files").mkdir(parents=True, exist_ok=True)
    records = []
    t_start = time.perf_counter()
    for name in selected:
        exp = exps[name]
        t0 = time.perf_counter()
        try:
            rec = registry.run(name, quick=quick, out=out / "files")
            log(f"  {name:48s} {rec.seconds:7.1f} s  {len(rec.result.mismatches)} mismatch(es)")
        except Exception:  # noqa: BLE001 - one broken experiment must not hide the others
            rec = registry.RunRecord(name, exp.title, exp.tag, time.perf_counter() - t0, None, {},
                                     error=traceback.format_exc())
            log(f"  {name:48s} FAILED")
        records.append(rec)
    total = time.perf_counter() - t_start
    index = out / "index.html"
    index.write_text(_page(records, out, quick=quick, seconds=total))
    return index, records


def _page(records, out: Path, *, quick: bool, seconds: float) -> str:
    n_paper, n_recon = count_mismatches(records)
    n_err = sum(r.error is not None for r in records)
    n_rows = sum(len(r.result.table) for r in records if r.result is not None)
    cites = _Citations()
    sections = [_section(r, out, cites) for r in records]  # before the notes: they collect citations
    nav = " ".join(f'<a href="#{html.escape(r.name)}">{html.escape(r.name)}</a>' for r in records)
    counts = (
        f'<div class="counts"><b>{n_paper}</b> mismatch(es) with the paper ([P] rows) &middot; '
        f"<b>{n_recon}</b> difference(s) from derived values or our reconstruction ([D]/[R]/[X] rows) "
        f"&middot; {n_rows} rows in all &middot; <b>{n_err}</b> failed experiment(s)</div>"
    )
    return "\n".join([
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>hai_sim atlas</title><style>{_STYLE}</style></head><body><h1>hai_sim atlas</h1>",
        f'<div class="meta">hai_sim {__version__} &middot; git {html.escape(git_revision() or "unknown")} '
        f'&middot; {"quick" if quick else "full"} run &middot; {len(records)} experiments in {seconds:.0f} s</div>',
        counts,
        "<p>The reference column says whose number each reference is: "
        + "; ".join(f"[{k}] {v}" for k, v in TAG_TEXT.items())
        + ". A mismatch is shown as MISMATCH; one against a derived value or our reconstruction "
        'says so. Cited notes are explained under <a href="#notes">Notes and corrections</a>.</p>',
        f'<nav>{nav} <a href="#notes">notes and corrections</a></nav>',
        *sections,
        _notes_section(cites),
        "</body></html>",
    ])
