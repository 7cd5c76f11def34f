"""Named experiments: a paper figure, table or phase diagram as a function ``quick -> Result``.

A model's ``experiments.py`` registers its experiments with :func:`experiment`; the CLI and the
atlas find them through :mod:`hai_sim.experiments`. The engine knows no paper: this module only
defines the record types and the registry.

Provenance tags follow the specs: ``P`` printed in the paper, ``D`` derived from it, ``R`` our
reconstruction where the paper is silent, ``X`` our extension. A :class:`Row` compares one of our
numbers with the paper's and reports a mismatch as a mismatch.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from typing import Any

TAGS = ("P", "D", "R", "X")
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9\-]*$")


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a figure's table: our value beside the reference value.

    Attributes:
        quantity: what is compared, in the paper's words ("a_1 window at sigma=0.3").
        ours: our number (float) or a short string.
        paper: the reference value, or None where there is none to compare with.
        tol: absolute tolerance for a numeric match; None compares strings exactly.
        tag: provenance of the *reference* value: P, D, R or X (see module docstring).
        note: free text (an erratum number, the method used, why a mismatch is expected).
    """

    quantity: str
    ours: Any
    paper: Any = None
    tol: float | None = None
    tag: str = "P"
    note: str = ""

    def __post_init__(self):
        if self.tag not in TAGS:
            raise ValueError(f"Row.tag={self.tag!r}: must be one of {TAGS}")

    @property
    def status(self) -> str:
        """``"match"``, ``"MISMATCH"`` or ``"ours only"`` (no reference value)."""
        if self.paper is None:
            return "ours only"
        if isinstance(self.paper, str) or isinstance(self.ours, str):
            return "match" if str(self.ours) == str(self.paper) else "MISMATCH"
        ours, paper = float(self.ours), float(self.paper)
        if ours == paper:  # also equal infinities
            return "match"
        if math.isnan(ours) or math.isnan(paper):
            return "MISMATCH"
        tol = 0.0 if self.tol is None else float(self.tol)
        return "match" if abs(ours - paper) <= tol else "MISMATCH"

    def as_dict(self) -> dict[str, Any]:
        def plain(v):
            return v if v is None or isinstance(v, str) else float(v)

        return {
            "quantity": self.quantity,
            "ours": plain(self.ours),
            "paper": plain(self.paper),
            "tol": self.tol,
            "tag": self.tag,
            "status": self.status,
            "note": self.note,
        }


@dataclasses.dataclass
class Result:
    """What an experiment returns.

    Attributes:
        data: the labelled numbers behind the figure (saved as netCDF).
        figure: a matplotlib Figure (saved as PNG), or None for a table-only experiment.
        caption: says what is shown and which numbers are the paper's and which are ours.
        table: rows of paper-vs-ours comparisons.
    """

    data: Any  # xarray.Dataset; typed loosely so importing this module needs no xarray
    figure: Any
    caption: str
    table: list[Row] = dataclasses.field(default_factory=list)

    @property
    def mismatches(self) -> list[Row]:
        return [r for r in self.table if r.status == "MISMATCH"]


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A registered experiment. ``func(quick: bool) -> Result``."""

    name: str
    func: Callable[[bool], Result]
    title: str
    tag: str
    summary: str

    def __call__(self, quick: bool = False) -> Result:
        result = self.func(quick)
        if not isinstance(result, Result):
            raise TypeError(f"experiment {self.name!r} returned {type(result).__name__}, not Result")
        return result


REGISTRY: dict[str, Experiment] = {}


def experiment(name: str, *, title: str, tag: str) -> Callable[[Callable[[bool], Result]], Callable]:
    """Register ``func(quick: bool = False) -> Result`` under ``name`` ("model.kebab-name").

    ``tag`` is the provenance of the experiment as a whole (P: reproduces a paper figure; R: a
    reconstruction; X: our extension, such as a phase diagram the paper does not draw).
    """
    if not _NAME.match(name):
        raise ValueError(f"experiment name {name!r}: must look like 'model.kebab-name'")
    if tag not in TAGS:
        raise ValueError(f"experiment tag={tag!r}: must be one of {TAGS}")

    def register(func):
        if name in REGISTRY and REGISTRY[name].func.__qualname__ != func.__qualname__:
            raise ValueError(f"experiment {name!r} is registered twice")
        summary = (func.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        REGISTRY[name] = Experiment(name=name, func=func, title=title, tag=tag, summary=summary)
        return func

    return register
