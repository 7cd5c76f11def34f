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
class Reference:
    """A number we compare with, kept in a model's ``references.py`` table.

    Attributes:
        value: the reference number (float) or a short string (an ordering, a label).
        tag: whose number it is: P printed in the paper, D derived from it, R our reconstruction
            (the spec's choice where the paper is silent), X our extension.
        source: where it comes from: section, table or figure of the paper, or the spec section.
        tol: absolute tolerance of a numeric comparison (None: exact).
        reason: why that tolerance (half a unit of the last printed digit; k standard errors of
            a seed mean; a solver or fit tolerance). A tolerance is never larger than the effect
            the row is about.
    """

    value: Any
    tag: str
    source: str
    tol: float | None = None
    reason: str = ""

    def __post_init__(self):
        if self.tag not in TAGS:
            raise ValueError(f"Reference.tag={self.tag!r}: must be one of {TAGS}")
        if not self.source:
            raise ValueError("Reference.source is empty: say where the number comes from")
        if self.tol is not None and not self.reason:
            raise ValueError(f"Reference(value={self.value!r}, tol={self.tol!r}): a tolerance needs its reason")

    @classmethod
    def printed(cls, text: str, source: str, *, tag: str = "P", reason: str = "") -> "Reference":
        """A number as printed (``"0.502"``, ``"2.3e-7"``), matched to half a unit of its last printed digit."""
        mantissa, _, exponent = text.strip().lower().partition("e")
        digits = mantissa.lstrip("+-")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        tol = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        why = f"half a unit of the last printed digit of {text}"
        return cls(float(text), tag, source, tol=tol, reason=f"{why}; {reason}" if reason else why)

    def row(self, quantity: str, ours: Any, *, note: str = "", tol: float | None = None,
            reason: str | None = None) -> "Row":
        """A table row comparing ``ours`` with this reference (``tol``/``reason`` override, e.g. a
        standard-error band computed from the run)."""
        return Row(quantity, ours, self.value, tol=self.tol if tol is None else tol, tag=self.tag, note=note,
                   source=self.source, reason=self.reason if reason is None else reason)


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a figure's table: our value beside the reference value.

    Attributes:
        quantity: what is compared, in the paper's words ("a_1 window at sigma=0.3").
        ours: our number (float) or a short string.
        paper: the reference value, or None where there is none to compare with.
        tol: absolute tolerance for a numeric match; None compares exactly.
        tag: provenance of the *reference* value: P, D, R or X (see module docstring).
        note: free text (the method used, why a mismatch is expected).
        source: where the reference value comes from (section, table, figure, spec section).
        reason: why the tolerance is what it is.
    """

    quantity: str
    ours: Any
    paper: Any = None
    tol: float | None = None
    tag: str = "P"
    note: str = ""
    source: str = ""
    reason: str = ""

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
            "source": self.source,
            "reason": self.reason,
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
    heavy: bool = False

    def __call__(self, quick: bool = False) -> Result:
        result = self.func(quick)
        if not isinstance(result, Result):
            raise TypeError(f"experiment {self.name!r} returned {type(result).__name__}, not Result")
        return result


REGISTRY: dict[str, Experiment] = {}


def experiment(name: str, *, title: str, tag: str, heavy: bool = False) -> Callable[[Callable[[bool], Result]], Callable]:
    """Register ``func(quick: bool = False) -> Result`` under ``name`` ("model.kebab-name").

    ``tag`` is the provenance of the experiment as a whole (P: reproduces a paper figure; R: a
    reconstruction; X: our extension, such as a phase diagram the paper does not draw).
    ``heavy`` marks an experiment whose quick run is too slow for the default test suite (the
    registry test then runs it in the ``slow`` suite only).
    """
    if not _NAME.match(name):
        raise ValueError(f"experiment name {name!r}: must look like 'model.kebab-name'")
    if tag not in TAGS:
        raise ValueError(f"experiment tag={tag!r}: must be one of {TAGS}")

    def register(func):
        if name in REGISTRY and REGISTRY[name].func.__qualname__ != func.__qualname__:
            raise ValueError(f"experiment {name!r} is registered twice")
        summary = (func.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        REGISTRY[name] = Experiment(name=name, func=func, title=title, tag=tag, summary=summary, heavy=heavy)
        return func

    return register
