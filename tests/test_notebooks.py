"""Every model's guided-tour notebook executes end to end and prints what its tour promises."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# Fragments each tour prints when its numbers come out right (independent of plotting).
EXPECTED = {
    "integration": ["sigma=0.3: a_1 from 0.4743 to 0.5319", "sigma=0.1: a_1 from 0.4941 to 0.5134",
                    "sigma=0.01: a_1 from 0.5029 to 0.5048", "a_1^c = 0.50382", "Theorem 3.2 region at a_1 = 0.6: 1",
                    "Theorem 3.3 hypothesis: True"],
    "delegation": ["Assumption 3.2", "beta-only"],
    "chaining": ["MCCAM", "Phi =", "alpha = 0.785380"],
    "capability": ["sigma_D(0.90) = 0.441", "Global k=5 = 96.46", "expert weight"],
    "ensemble": ["RRS route agreement", "T = p_hat/(1 - p_hat) to", "adaptive gain (10 seeds)"],
}


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_executes(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not any(o.get("output_type") == "error" for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    for fragment in EXPECTED[name]:
        assert fragment in text, f"{name}.ipynb did not print {fragment!r}"
