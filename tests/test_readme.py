"""The README's code blocks: each is marked runnable or documentation only, and each runnable one
runs as written.

Markers, on the line before a fenced block: ``<!-- test: run -->`` or
``<!-- test: skip (reason) -->``. Python blocks run in a fresh interpreter, shell blocks with
``bash -e``, each in an empty directory with this checkout first on ``PYTHONPATH`` and this
interpreter's ``bin`` (where ``hai-sim`` is installed) first on ``PATH``, under a time cap.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CAP_S = 600  # per block: the CLI block runs one quick experiment and a 501 x 501 sweep

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)
_MARK = re.compile(r"<!-- test: (run|skip \(([^)]+)\)) -->\s*$")


def blocks(text: str) -> list[tuple[int, str, str, str | None]]:
    """Every fenced block as ``(line, language, code, marker)``; the marker is ``"run"``,
    ``"skip"`` or None (unmarked)."""
    out = []
    for m in _BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = _MARK.search(before)
        out.append((line, m.group(1), m.group(2), None if mark is None else mark.group(1).split(" ")[0]))
    return out


BLOCKS = blocks(README.read_text())


def test_blocks_are_found_and_every_block_is_marked():
    assert len(BLOCKS) >= 5
    unmarked = [line for line, _, _, mark in BLOCKS if mark is None]
    assert not unmarked, f"README.md blocks at lines {unmarked} have no <!-- test: run/skip (reason) --> marker"
    assert blocks("<!-- test: skip (why) -->\n```bash\nx\n```\n```python\ny\n```\n") == [
        (2, "bash", "x\n", "skip"), (5, "python", "y\n", None)]


RUNNABLE = [pytest.param(lang, code, id=f"line{line}-{lang}") for line, lang, code, mark in BLOCKS if mark == "run"]


@pytest.mark.slow
@pytest.mark.parametrize("lang,code", RUNNABLE)
def test_runnable_block_runs_as_written(lang, code, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               MPLBACKEND="Agg")
    if lang == "python":
        cmd = [sys.executable, "-c", code]
    elif lang in ("bash", "sh", "shell"):
        cmd = ["bash", "-e", "-c", code]
    else:
        pytest.fail(f"a runnable block in language {lang!r}: mark it skip or teach this test to run it")
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=CAP_S)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), "a runnable block should show its user something"
