"""Shared matplotlib helpers: phase-diagram heat maps, boundary overlays, provenance notes.

Everything draws on the Agg backend (no display needed); figures are returned, never shown.
Convention: a 2-D field ``values[i, j]`` is indexed by ``(x[i], y[j])``, so the first axis of a
sweep is horizontal.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402

__all__ = ["new_figure", "heatmap", "overlay_curve", "overlay_boundary", "provenance_note", "TAG_TEXT"]

TAG_TEXT = {
    "P": "paper",
    "D": "derived from the paper",
    "R": "our reconstruction (paper silent)",
    "X": "our extension",
}

_CATEGORICAL = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C",
                "#CCB974", "#64B5CD"]


def new_figure(n_panels: int = 1, *, width: float = 4.2, height: float = 3.6, ncols: int | None = None):
    """A figure with ``n_panels`` axes in a row (or ``ncols`` columns); returns ``(fig, axes)``,
    axes always a flat list."""
    ncols = n_panels if ncols is None else ncols
    nrows = -(-n_panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             constrained_layout=True)
    flat = list(axes.reshape(-1))
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return fig, flat[:n_panels]


def heatmap(
    ax,
    values,
    x: Sequence[float],
    y: Sequence[float],
    *,
    xlabel: str = "",
    ylabel: str = "",
    cmap: str = "viridis",
    label: str = "",
    categorical_names: Sequence[str] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
):
    """Heat map of ``values[len(x), len(y)]`` (first index horizontal); returns the mappable.

    With ``categorical_names``, values are integer region codes ``0..k-1`` drawn with a discrete
    palette and a labelled colour bar; NaN cells stay blank.
    """
    v = np.asarray(values, dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if v.shape != (x.size, y.size):
        raise ValueError(f"values has shape {v.shape}: expected (len(x), len(y)) = {(x.size, y.size)}")
    if categorical_names is not None:
        k = len(categorical_names)
        cm = ListedColormap(_CATEGORICAL[:k] if k <= len(_CATEGORICAL) else plt.get_cmap("tab20").colors[:k])
        norm = BoundaryNorm(np.arange(-0.5, k + 0.5), k)
        m = ax.pcolormesh(x, y, v.T, cmap=cm, norm=norm, shading="nearest", rasterized=True)
        if colorbar:
            cb = ax.figure.colorbar(m, ax=ax, ticks=np.arange(k))
            cb.ax.set_yticklabels(list(categorical_names), fontsize=7)
    else:
        m = ax.pcolormesh(x, y, v.T, cmap=cmap, shading="nearest", vmin=vmin, vmax=vmax, rasterized=True)
        if colorbar:
            cb = ax.figure.colorbar(m, ax=ax)
            if label:
                cb.set_label(label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return m


def overlay_curve(ax, xs, ys, label: str = "", **kw):
    """A line on a phase diagram (a separatrix, a theorem bound). NaN breaks the line."""
    kw.setdefault("color", "white")
    kw.setdefault("lw", 1.4)
    return ax.plot(np.asarray(xs), np.asarray(ys), label=label, **kw)


def overlay_boundary(ax, labels, x, y, **kw):
    """Contours between the integer regions of ``labels[len(x), len(y)]``."""
    lab = np.asarray(labels, dtype=float)
    levels = np.unique(lab[np.isfinite(lab)])
    if levels.size < 2:
        return None
    kw.setdefault("colors", "k")
    kw.setdefault("linewidths", 0.8)
    return ax.contour(np.asarray(x), np.asarray(y), lab.T, levels=(levels[:-1] + levels[1:]) / 2, **kw)


def provenance_note(fig, text: str) -> None:
    """A small footnote on the figure (which numbers are the paper's and which are ours).

    Under a constrained layout the axes are lifted to leave the bottom strip to the note, so it
    never overlaps the x labels."""
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and type(engine).__name__ == "ConstrainedLayoutEngine":
        height_in = fig.get_size_inches()[1]
        engine.set(rect=(0.0, min(0.25 / height_in, 0.1), 1.0, 1.0 - min(0.25 / height_in, 0.1)))
    fig.text(0.005, 0.005, text, fontsize=6.5, color="0.3", ha="left", va="bottom", wrap=True)
