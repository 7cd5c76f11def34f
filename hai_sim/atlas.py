"""The atlas: every registered experiment run and laid out on one static HTML page.

Each entry shows the figure, its caption (which says which numbers are the paper's and which are
ours), and the table of paper values beside ours with mismatches marked as mismatches. A failing
experiment is shown with its error and makes the atlas's return code non-zero; the others still run.
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
from .engine.provenance import git_revision
from .plot import TAG_TEXT

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .meta{color:#666;font-size:.9em}
section{border-top:1px solid #ddd;padding:1em 0} img{max-width:100%}
table{border-collapse:collapse;font-size:.85em;margin-top:.6em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
.match{background:#e6f4ea} .MISMATCH{background:#fde2e1;font-weight:bold} .ours{background:#f1f1f1}
.tag{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.8em;background:#eef;color:#334}
.error{background:#fde2e1;padding:.5em;white-space:pre-wrap;font-family:monospace;font-size:.8em}
nav a{margin-right:.8em}
"""


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return html.escape(str(v))


def _section(rec: registry.RunRecord, out: Path) -> str:
    tag = f'<span class="tag" title="{html.escape(TAG_TEXT.get(rec.tag, ""))}">[{rec.tag}]</span>'
    head = f'<section id="{html.escape(rec.name)}"><h2>{html.escape(rec.title)} {tag}</h2>'
    head += f'<div class="meta">{html.escape(rec.name)} &middot; {rec.seconds:.1f} s</div>'
    if rec.error is not None:
        return head + f'<div class="error">{html.escape(rec.error)}</div></section>'
    parts = [head]
    if "figure" in rec.files:
        rel = os.path.relpath(rec.files["figure"], out)
        parts.append(f'<img src="{html.escape(rel)}" alt="{html.escape(rec.name)}">')
    parts.append(f"<p>{html.escape(rec.result.caption)}</p>")
    if rec.result.table:
        rows = ["<table><tr><th>quantity</th><th>ours</th><th>reference</th><th>tol</th><th>ref. source</th>"
                "<th>status</th><th>note</th></tr>"]
        for r in rec.result.table:
            cls = {"match": "match", "MISMATCH": "MISMATCH"}.get(r.status, "ours")
            rows.append(
                f'<tr class="{cls}"><td>{html.escape(r.quantity)}</td><td>{_fmt(r.ours)}</td>'
                f"<td>{_fmt(r.paper)}</td><td>{_fmt(r.tol)}</td><td>[{r.tag}] {html.escape(TAG_TEXT[r.tag])}</td>"
                f"<td>{r.status}</td><td>{html.escape(r.note)}</td></tr>"
            )
        rows.append("</table>")
        parts.append("".join(rows))
    links = " &middot; ".join(
        f'<a href="{html.escape(os.path.relpath(p, out))}">{k}</a>' for k, p in rec.files.items() if k != "figure"
    )
    parts.append(f'<div class="meta">files: {links}</div></section>')
    return "".join(parts)


def build(
    out: str | Path = "results/atlas",
    *,
    quick: bool = False,
    only: list[str] | None = None,
    log=print,
) -> tuple[Path, list[registry.RunRecord]]:
    """Run the experiments (all, or those matching the glob patterns in ``only``) and write
    ``<out>/index.html``. Returns the page's path and one record per experiment."""
    out = Path(out)
    (out / "files").mkdir(parents=True, exist_ok=True)
    exps = registry.load()
    selected = [n for n in exps if not only or any(fnmatch.fnmatch(n, pat) for pat in only)]
    if not selected:
        raise ValueError(f"only={only}: matches no registered experiment (`hai-sim list` shows them)")
    records = []
    t_start = time.perf_counter()
    for name in selected:
        exp = exps[name]
        t0 = time.perf_counter()
        try:
            rec = registry.run(name, quick=quick, out=out / "files")
            log(f"  {name:48s} {rec.seconds:7.1f} s  {len(rec.result.mismatches)} mismatch(es) with the paper")
        except Exception:  # noqa: BLE001 - one broken experiment must not hide the others
            rec = registry.RunRecord(name, exp.title, exp.tag, time.perf_counter() - t0, None, {},
                                     error=traceback.format_exc())
            log(f"  {name:48s} FAILED")
        records.append(rec)
    total = time.perf_counter() - t_start
    n_mis = sum(len(r.result.mismatches) for r in records if r.result is not None)
    n_err = sum(r.error is not None for r in records)
    nav = " ".join(f'<a href="#{html.escape(r.name)}">{html.escape(r.name)}</a>' for r in records)
    page = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>hai_sim atlas</title><style>{_STYLE}</style>"
        "</head><body><h1>hai_sim atlas</h1>",
        f'<div class="meta">hai_sim {__version__} &middot; git {html.escape(git_revision() or "unknown")} &middot; '
        f'{"quick" if quick else "full"} run &middot; {len(records)} experiments in {total:.0f} s &middot; '
        f"{n_mis} mismatch(es) with the paper shown as such &middot; {n_err} failure(s)</div>",
        "<p>Tags: " + "; ".join(f"[{k}] {v}" for k, v in TAG_TEXT.items()) + ".</p>",
        f"<nav>{nav}</nav>",
        *(_section(r, out) for r in records),
        "</body></html>",
    ]
    index = out / "index.html"
    index.write_text("\n".join(page))
    return index, records
