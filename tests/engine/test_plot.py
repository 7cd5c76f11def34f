"""Tests of hai_sim.plot: heatmap shapes, colours and labels; overlays; figure helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from hai_sim import InputError, plot  # noqa: E402


@pytest.fixture
def ax():
    fig, axes = plot.new_figure(1)
    yield axes[0]
    plt.close(fig)


X = np.array([0.0, 0.5, 1.0])
Y = np.array([-1.0, 0.0, 2.0, 3.0])


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (12,), (3, 4, 1)])
def test_heatmap_shape_mismatch(ax, shape):
    with pytest.raises(ValueError, match=r"expected \(len\(x\), len\(y\)\) = \(3, 4\)"):
        plot.heatmap(ax, np.zeros(shape), X, Y)


def test_heatmap_continuous(ax):
    v = np.add.outer(X, Y)  # v[i, j] = x_i + y_j: first index horizontal
    m = plot.heatmap(ax, v, X, Y, xlabel="ability", ylabel="noise", label="P(success)", vmin=-2, vmax=5)
    assert isinstance(m, matplotlib.cm.ScalarMappable)
    # pcolormesh stores the field row-major over (y, x): the transpose of v
    np.testing.assert_array_equal(np.asarray(m.get_array()).reshape(len(Y), len(X)), v.T)
    assert m.norm.vmin == -2 and m.norm.vmax == 5
    assert ax.get_xlabel() == "ability" and ax.get_ylabel() == "noise"
    cbars = [a for a in ax.figure.axes if a is not ax]
    assert len(cbars) == 1 and cbars[0].get_ylabel() == "P(success)"
    # the mesh spans x horizontally and y vertically (nearest shading: cell centres at the data)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 <= X.min() and x1 >= X.max() and y0 <= Y.min() and y1 >= Y.max()
    assert x1 - x0 < 2 and y1 - y0 > 3


def test_heatmap_no_colorbar(ax):
    plot.heatmap(ax, np.ones((3, 4)), X, Y, colorbar=False)
    assert ax.figure.axes == [ax]


@pytest.mark.parametrize("k", [3, 12])  # the built-in palette and the tab20 fallback
def test_heatmap_categorical(ax, k):
    names = [f"region {i}" for i in range(k)]
    codes = (np.arange(12).reshape(3, 4) % k).astype(float)
    codes[1, 2] = np.nan
    m = plot.heatmap(ax, codes, X, Y, categorical_names=names)
    arr = m.get_array()
    flat = np.ma.getmaskarray(arr).reshape(len(Y), len(X))
    assert flat[2, 1] and flat.sum() == 1  # the NaN cell (x=1, y=2) stays blank
    # each code maps to its own colour, distinct between codes
    colours = [m.cmap(m.norm(c)) for c in range(k)]
    assert len(set(colours)) == k
    if k <= len(plot._CATEGORICAL):
        assert colours == [to_rgba(c) for c in plot._CATEGORICAL[:k]]
    cbars = [a for a in ax.figure.axes if a is not ax]
    assert len(cbars) == 1
    assert [t.get_text() for t in cbars[0].get_yticklabels()] == names
    np.testing.assert_array_equal(cbars[0].get_yticks(), np.arange(k))


def test_overlay_boundary(ax):
    labels = np.zeros((3, 4))
    labels[2:, :] = 1
    labels[:, 3] = 2
    cs = plot.overlay_boundary(ax, labels, X, Y)
    np.testing.assert_allclose(cs.levels, [0.5, 1.5])
    assert plot.overlay_boundary(ax, np.ones((3, 4)), X, Y) is None
    assert plot.overlay_boundary(ax, np.full((3, 4), np.nan), X, Y) is None


def test_overlay_curve(ax):
    xs = np.array([0.0, 0.5, np.nan, 1.0])
    (line,) = plot.overlay_curve(ax, xs, 2 * xs, label="separatrix", color="red")
    np.testing.assert_array_equal(line.get_xdata(), xs)
    assert line.get_label() == "separatrix" and line.get_color() == "red"


@pytest.mark.parametrize("n,ncols,grid", [(1, None, (1, 1)), (3, None, (1, 3)), (5, 2, (3, 2))])
def test_new_figure(n, ncols, grid):
    fig, axes = plot.new_figure(n, ncols=ncols, width=2.0, height=1.5)
    try:
        assert len(axes) == n
        assert all(a.get_visible() for a in axes)
        assert len(fig.axes) == grid[0] * grid[1]
        assert sum(not a.get_visible() for a in fig.axes) == grid[0] * grid[1] - n
        np.testing.assert_allclose(fig.get_size_inches(), [2.0 * grid[1], 1.5 * grid[0]])
    finally:
        plt.close(fig)


def test_provenance_note_and_render(ax, tmp_path):
    fig = ax.figure
    plot.heatmap(ax, np.random.default_rng(0).random((3, 4)), X, Y)
    plot.provenance_note(fig, "P: paper; X: ours")
    assert any(t.get_text() == "P: paper; X: ours" for t in fig.texts)
    out = tmp_path / "fig.png"
    fig.savefig(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(plot.TAG_TEXT) == {"P", "D", "R", "X"}


# --- the house style and the palette ---------------------------------------------------------------

def _luminance(c):
    r, g, b = to_rgba(c)[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_keeps_one_colour_per_category_across_subsets():
    pal = plot.Palette(["manual", "AI chain", "augmented", "fragmented"])
    assert pal.colors(["fragmented", "manual"]) == [pal["fragmented"], pal["manual"]]
    assert len({pal[c] for c in pal.categories}) == 4
    # a figure that shows only two categories draws them with the same colours as one showing all
    fig, (a, b) = plot.new_figure(2)
    try:
        codes = np.array([[0.0, 1.0], [1.0, 0.0]])
        m_all = plot.heatmap(a, np.array([[0.0, 3.0], [2.0, 1.0]]), [0, 1], [0, 1],
                             categorical_names=pal.categories, palette=pal)
        m_two = plot.heatmap(b, codes, [0, 1], [0, 1], categorical_names=["augmented", "manual"], palette=pal)
        assert m_two.cmap(m_two.norm(0)) == to_rgba(pal["augmented"]) == m_all.cmap(m_all.norm(2))
        assert m_two.cmap(m_two.norm(1)) == to_rgba(pal["manual"]) == m_all.cmap(m_all.norm(0))
    finally:
        plt.close(fig)


def test_palette_handles_label_each_category_with_its_colour():
    pal = plot.Palette(["manual", "AI chain", "augmented"])
    handles = pal.handles(["augmented", "manual"])
    assert [h.get_label() for h in handles] == ["augmented", "manual"]
    assert [h.get_facecolor() for h in handles] == [to_rgba(pal["augmented"]), to_rgba(pal["manual"])]
    assert [h.get_label() for h in pal.handles()] == pal.categories


def test_palette_rejects_bad_names():
    with pytest.raises(InputError, match=r"repeated: \['a'\]"):
        plot.Palette(["a", "b", "a"])
    with pytest.raises(InputError, match="'c' is not in this palette"):
        plot.Palette(["a", "b"])["c"]
    with pytest.raises(InputError, match="2 colours for 3 categories"):
        plot.Palette(["a", "b", "c"], colors=["k", "w"])


def test_every_legend_entry_is_visible_after_drawing():
    fig, (ax,) = plot.new_figure(1)
    try:
        xs = np.linspace(0, 1, 5)
        ax.plot(xs, xs, color="white", ls="--", label="light")
        ax.plot(xs, 1 - xs, color="black", label="dark")
        leg = ax.legend(fontsize=5)
        fig.canvas.draw()
        face = leg.get_frame().get_facecolor()
        # the box differs clearly from both white and black lines
        assert 0.15 < _luminance(face) < 0.85
        light, dark = leg.legend_handles
        assert light.get_path_effects() and not dark.get_path_effects()
        assert _luminance(light.get_path_effects()[0]._gc["foreground"]) < 0.2
        assert all(t.get_fontsize() >= plot.MIN_FONT for t in leg.get_texts())
        assert all(t.get_fontsize() >= plot.MIN_FONT for t in ax.get_xticklabels())
    finally:
        plt.close(fig)


def test_heatmap_legend_goes_below_the_axes():
    fig, (ax,) = plot.new_figure(1)
    try:
        plot.heatmap(ax, np.ones((3, 4)), X, Y, xlabel="ability", ylabel="noise", label="probability")
        plot.overlay_curve(ax, X, X, "separatrix")
        leg = ax.legend(loc="upper left")
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        box, axbox, lab = leg.get_window_extent(r), ax.get_window_extent(r), ax.xaxis.label.get_window_extent(r)
        assert box.y1 <= lab.y0 + 1 and box.y1 < axbox.y0  # under the x label, off the data
        assert fig.bbox.y0 <= box.y0  # and still on the figure
        ylab = ax.yaxis.label.get_window_extent(r)
        assert ylab.x0 >= fig.bbox.x0  # moving the legend does not push the y label off the figure
        assert all(ylab.x1 <= t.get_window_extent(r).x0 + 1 for t in ax.get_yticklabels() if t.get_text())
    finally:
        plt.close(fig)


def test_house_style_draws_every_kind_of_legend_entry():
    """Collections (colour-mapped, empty), patches, error bars, 'none' colours and figure legends."""
    fig, (a, b) = plot.new_figure(2)
    try:
        xs = np.linspace(0, 1, 5)
        a.scatter(xs, xs, c=xs, label="colour-mapped")
        a.scatter([], [], label="empty")
        a.axhline(0.5, color="none", label="invisible")
        a.legend()
        b.bar([1, 2], [3, 4], color="#f4f4f4", label="light bar")
        b.errorbar(xs, xs, yerr=0.1, color="white", label="light error bars")
        leg = b.legend()
        fig.legend(["figure-level"])
        fig.canvas.draw()
        light_bar = leg.legend_handles[0]
        assert light_bar.get_path_effects()  # a pale patch gets the dark outline too
        assert all(_luminance(f.get_frame().get_facecolor()) < 0.85 for f in [leg, *fig.legends])
    finally:
        plt.close(fig)
