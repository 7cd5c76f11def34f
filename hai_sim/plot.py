"""Shared matplotlib helpers: phase-diagram heat maps, boundary overlays, provenance notes, and
one categorical palette per model.

Everything draws on the Agg backend (no display needed); figures are returned, never shown.
Convention: a 2-D field ``values[i, j]`` is indexed by ``(x[i], y[j])``, so the first axis of a
sweep is horizontal.

Figures made by :func:`new_figure` follow the house style when they are drawn (saved), whatever
the model code did in between:

- every legend sits on a mid-grey box with a dark frame, and a light legend entry (a white or pale
  line) gets a dark outline, so each entry is visible whatever its colour;
- no text is smaller than :data:`MIN_FONT` points (legends, ticks, labels, colour bars);
- a legend on a heat map's axes (see :func:`heatmap`) is moved below the axes, off the data.

A model declares its categories once with :class:`Palette`, so one category keeps one colour
across all of its figures (``CATEGORIES = plot.Palette(["manual", "AI chain", ...])``, then
``color=CATEGORIES["manual"]`` or ``heatmap(..., categorical_names=names, palette=CATEGORIES)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.patheffects as path_effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb, to_rgba_array  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

from .engine.errors import InputError  # noqa: E402

__all__ = [
    "new_figure",
    "heatmap",
    "overlay_curve",
    "overlay_boundary",
    "provenance_note",
    "legend",
    "Palette",
    "DIVERGING",
    "MIN_FONT",
    "TAG_TEXT",
]

TAG_TEXT = {
    "P": "paper",
    "D": "derived from the paper",
    "R": "our reconstruction (paper silent)",
    "X": "our extension",
}

_CATEGORICAL = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C",
                "#CCB974", "#64B5CD"]

# A signed difference (a change in quality, a gain) is drawn with this map centred on zero: blue is
# "more / improved", red is "less / loss", in every figure of every model.
DIVERGING = "RdBu"

MIN_FONT = 8.0
_LEGEND_FACE = "0.78"  # mid grey: white, black and the palette's colours all stand out on it
_LEGEND_EDGE = "0.25"
_LIGHT = 0.75  # relative luminance above which a legend entry gets a dark outline


class Palette:
    """One colour per named category, fixed for a whole model.

    A model declares every category it ever draws, once, in a fixed order (say in its
    ``experiments.py``); the i-th category gets the i-th colour of the house palette, so a category
    keeps its colour in every figure, whichever subset a figure shows.

    Args:
        categories: the category names (strings), each once.
        colors: optional explicit colours (any matplotlib colour), one per category; by default
            the house palette (10 colours, then tab20).

    Examples:
        >>> MODES = Palette(["manual", "AI chain", "augmented"])
        >>> MODES["AI chain"]
        '#DD8452'
        >>> MODES.colors(["augmented", "manual"])
        ['#55A868', '#4C72B0']
    """

    def __init__(self, categories: Iterable[str], colors: Sequence | None = None):
        names = [str(c) for c in categories]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"Palette categories={names}: each name must appear once (repeated: {dup})")
        if colors is None:
            base = _CATEGORICAL if len(names) <= len(_CATEGORICAL) else list(plt.get_cmap("tab20").colors)
            if len(names) > len(base):
                raise InputError(f"Palette categories: {len(names)} names; at most {len(base)} distinct colours")
            colors = base[: len(names)]
        elif len(colors) != len(names):
            raise InputError(f"Palette colors: {len(colors)} colours for {len(names)} categories; need one each")
        self._colors = dict(zip(names, colors))

    @property
    def categories(self) -> list[str]:
        """The declared category names, in order."""
        return list(self._colors)

    def __getitem__(self, name: str):
        try:
            return self._colors[name]
        except KeyError:
            raise InputError(f"category {name!r} is not in this palette; declared: {self.categories}") from None

    def __contains__(self, name) -> bool:
        return name in self._colors

    def colors(self, names: Iterable[str]) -> list:
        """The colours of ``names``, in that order."""
        return [self[n] for n in names]

    def cmap(self, names: Sequence[str]) -> ListedColormap:
        """A discrete colour map for integer codes ``0..len(names)-1`` meaning ``names``."""
        return ListedColormap(self.colors(names))

    def handles(self, names: Iterable[str] | None = None) -> list[Patch]:
        """Legend entries (filled squares) for ``names`` (default: every category), e.g.
        ``ax.legend(handles=PALETTE.handles(["manual", "AI chain"]))`` for a bar or box chart."""
        names = self.categories if names is None else list(names)
        return [Patch(facecolor=self[n], edgecolor="0.2", label=n) for n in names]

    def __repr__(self) -> str:
        return f"Palette({self.categories})"


def _luminance(color) -> float:
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _style_legend(leg: Legend) -> None:
    frame = leg.get_frame()
    frame.set_facecolor(_LEGEND_FACE)
    frame.set_edgecolor(_LEGEND_EDGE)
    frame.set_alpha(0.95)
    for text in leg.get_texts():
        text.set_fontsize(max(text.get_fontsize(), MIN_FONT))
    for handle in leg.legend_handles:
        if handle is None:
            continue
        getter = getattr(handle, "get_color", None) or getattr(handle, "get_facecolor", None)
        try:
            rgba = to_rgba_array(getter())[0] if getter is not None else None
        except (ValueError, TypeError, IndexError):  # "none", an empty or colour-mapped collection
            rgba = None
        if rgba is not None and rgba[3] > 0 and _luminance(rgba[:3]) > _LIGHT:
            lw = np.max(getattr(handle, "get_linewidth", lambda: 1.5)())
            handle.set_path_effects([path_effects.Stroke(linewidth=float(lw) + 1.8, foreground="0.1"),
                                     path_effects.Normal()])


def _below_axes(ax, leg: Legend) -> None:
    """Move an axes legend under the axes' x label (constrained layout then makes room).

    The offset is in points below the axes' bottom edge, estimated from the tick and label
    fonts, so it holds whatever size the layout gives the axes."""
    ticks = ax.xaxis.get_ticklabels()
    tick_pt = max([t.get_fontsize() for t in ticks], default=plt.rcParams["xtick.labelsize"]
                  if not isinstance(plt.rcParams["xtick.labelsize"], str) else 10.0)
    label_pt = ax.xaxis.label.get_fontsize() if ax.xaxis.label.get_text() else 0.0
    major = ax.xaxis.get_major_ticks()
    tick_len = max(major[0].tick1line.get_markersize(), 0.0) + major[0].get_pad() if major else 7.0
    offset_pt = tick_len + 1.1 * tick_pt + (ax.xaxis.labelpad + 1.1 * label_pt if label_pt else 0.0) + 1.0
    leg.set_loc("upper center")
    leg.set_bbox_to_anchor(
        (0.5, 0.0), transform=ax.transAxes + ScaledTranslation(0.0, -offset_pt / 72.0, ax.figure.dpi_scale_trans))
    leg.borderaxespad = 0.0
    leg.set_in_layout(True)


class _HouseFigure(Figure):
    """A Figure that applies the house style (module docstring) each time it is drawn."""

    def draw(self, renderer):
        for text in self.findobj(Text):
            if text.get_text() and text.get_fontsize() < MIN_FONT:
                text.set_fontsize(MIN_FONT)
        for ax in self.axes:
            for tick_label in ax.get_xticklabels() + ax.get_yticklabels():
                tick_label.set_fontsize(max(tick_label.get_fontsize(), MIN_FONT))
            leg = ax.get_legend()
            if leg is None:
                continue
            _style_legend(leg)
            if getattr(ax, "_hai_legend_below", False) and not getattr(leg, "_hai_placed", False):
                _below_axes(ax, leg)
                leg._hai_placed = True
        for leg in self.legends:
            _style_legend(leg)
        super().draw(renderer)


def new_figure(n_panels: int = 1, *, width: float = 4.2, height: float = 3.6, ncols: int | None = None):
    """A figure with ``n_panels`` axes in a row (or ``ncols`` columns); returns ``(fig, axes)``,
    axes always a flat list. The figure follows the house style when drawn (module docstring)."""
    ncols = n_panels if ncols is None else ncols
    nrows = -(-n_panels // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                             constrained_layout=True, FigureClass=_HouseFigure)
    flat = list(axes.reshape(-1))
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return fig, flat[:n_panels]


def legend(ax, *, below: bool | None = None, **kw) -> Legend:
    """``ax.legend(**kw)`` in the house style; ``below=True`` puts it under the axes, off the data
    (the default on a heat map's axes)."""
    leg = ax.legend(**kw)
    if below is not None:
        ax._hai_legend_below = below
    _style_legend(leg)
    return leg


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
    palette: Palette | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    legend_below: bool = True,
):
    """Heat map of ``values[len(x), len(y)]`` (first index horizontal); returns the mappable.

    Args:
        values: float array of shape ``(len(x), len(y))``.
        x, y: the coordinates of the cells' centres.
        label: the colour bar's label, in words ("probability of success", not "P").
        categorical_names: values are then integer region codes ``0..k-1`` drawn with a discrete
            palette and a colour bar labelled by these names; NaN cells stay blank.
        palette: with ``categorical_names``, the model's :class:`Palette`, so each region keeps
            its colour across figures (default: the house palette in code order).
        legend_below: a legend later drawn on these axes (curves overlaid on the map) is placed
            under the axes when the figure is drawn, so it never hides data.
    """
    v = np.asarray(values, dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if v.shape != (x.size, y.size):
        raise InputError(f"values has shape {v.shape}: expected (len(x), len(y)) = {(x.size, y.size)}")
    ax._hai_legend_below = legend_below
    if categorical_names is not None:
        k = len(categorical_names)
        if palette is not None:
            cm = palette.cmap(categorical_names)
        else:
            cm = ListedColormap(_CATEGORICAL[:k] if k <= len(_CATEGORICAL) else plt.get_cmap("tab20").colors[:k])
        norm = BoundaryNorm(np.arange(-0.5, k + 0.5), k)
        m = ax.pcolormesh(x, y, v.T, cmap=cm, norm=norm, shading="nearest", rasterized=True)
        if colorbar:
            cb = ax.figure.colorbar(m, ax=ax, ticks=np.arange(k))
            cb.ax.set_yticklabels(list(categorical_names), fontsize=MIN_FONT)
            if label:
                cb.set_label(label)
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
