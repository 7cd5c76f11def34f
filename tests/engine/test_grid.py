"""Tests of hai_sim.engine.grid: chunks tile the grid exactly once, regions, storage chunks, corners."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hai_sim.engine.grid import Axis, make_grid

SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def axes_specs(draw, max_numeric=3, max_categorical=2, max_len=6):
    """A list of (name, values) with numeric and categorical axes interleaved at random."""
    n_num = draw(st.integers(0 if max_categorical else 1, max_numeric))
    n_cat = draw(st.integers(0 if n_num else 1, max_categorical))
    kinds = draw(st.permutations(["n"] * n_num + ["c"] * n_cat))
    out = []
    for i, kind in enumerate(kinds):
        n = draw(st.integers(1, max_len))
        if kind == "c":
            out.append((f"cat{i}", tuple(f"v{j}" for j in range(n))))
        else:
            vals = draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n, unique=True))
            out.append((f"num{i}", vals))
    return out


def numeric_region_indices(grid, region):
    """Flat indices over the numeric sub-grid of a chunk region (brute force)."""
    num_slices = [s for s, a in zip(region, grid.axes) if not a.categorical]
    ranges = [range(s.start, s.stop) for s in num_slices]
    return sorted(int(np.ravel_multi_index(idx, grid.numeric_shape)) if idx else 0
                  for idx in itertools.product(*ranges))


@SETTINGS
@given(spec=axes_specs(), chunk_size=st.integers(1, 60))
def test_chunks_tile_grid_exactly_once(spec, chunk_size):
    grid = make_grid(spec, chunk_size)
    chunks = grid.chunks()
    assert [c.index for c in chunks] == list(range(len(chunks)))
    # chunk_points respects the budget and is the padded length of every chunk
    assert grid.chunk_points <= chunk_size
    assert all(1 <= c.length <= grid.chunk_points for c in chunks)
    # flat numeric ranges: per category combination, every flat index exactly once
    cat_sizes = [len(a) for a in grid.categorical_axes]
    counts = {cats: np.zeros(grid.numeric_size, dtype=int) for cats in itertools.product(*map(range, cat_sizes))}
    for c in chunks:
        counts[c.categories][c.start : c.start + c.length] += 1
    for cnt in counts.values():
        np.testing.assert_array_equal(cnt, 1)
    # regions over the full grid: every cell exactly once
    cover = np.zeros(grid.shape, dtype=int)
    for c in chunks:
        region = grid.chunk_region(c)
        assert len(region) == len(grid.axes)
        cover[region] += 1
        assert grid.region_shape(c) == cover[region].shape
        assert math.prod(grid.region_shape(c)) == c.length
        # the region is exactly the unravelled flat range over the numeric axes
        assert numeric_region_indices(grid, region) == list(range(c.start, c.start + c.length))
        # categorical slices select the chunk's category
        cat_slices = [s for s, a in zip(region, grid.axes) if a.categorical]
        assert [(s.start, s.stop) for s in cat_slices] == [(k, k + 1) for k in c.categories]
    np.testing.assert_array_equal(cover, 1)


@SETTINGS
@given(spec=axes_specs(), chunk_size=st.integers(1, 60))
def test_storage_chunks_consistent_with_regions(spec, chunk_size):
    grid = make_grid(spec, chunk_size)
    sc = grid.storage_chunks
    assert len(sc) == len(grid.axes)
    assert all(s >= 1 for s in sc)
    assert math.prod(min(s, n) for s, n in zip(sc, grid.shape)) == grid.chunk_points
    for c in grid.chunks():
        for sl, s, n in zip(grid.chunk_region(c), sc, grid.shape):
            # each region is exactly one storage block: aligned, full unless it hits the axis end
            assert sl.start % s == 0
            assert sl.stop - sl.start == min(s, n - sl.start)


@SETTINGS
@given(spec=axes_specs(max_categorical=0, max_len=8), chunk_size=st.integers(1, 100))
def test_rows_maximal_for_budget(spec, chunk_size):
    grid = make_grid(spec, chunk_size)
    shape = grid.numeric_shape
    j = grid.split_axis
    trailing = math.prod(shape[j + 1 :])
    assert grid.chunk_points == grid.rows * trailing
    if grid.rows < shape[j]:
        assert (grid.rows + 1) * trailing > chunk_size  # could not take another row
    # outermost split: the whole block from j on does not fit, unless j is the first axis
    if j > 0:
        assert math.prod(shape[j:]) > chunk_size


def test_make_grid_examples():
    g = make_grid({"a": np.arange(4.0), "b": np.arange(5.0)}, 10)
    assert (g.split_axis, g.rows, g.chunk_points, g.storage_chunks) == (0, 2, 10, (2, 5))
    assert [(c.start, c.length) for c in g.chunks()] == [(0, 10), (10, 10)]
    g = make_grid({"a": np.arange(4.0), "b": np.arange(5.0)}, 3)
    assert (g.split_axis, g.rows, g.chunk_points, g.storage_chunks) == (1, 3, 3, (1, 3))
    assert [(c.start, c.length) for c in g.chunks()][:3] == [(0, 3), (3, 2), (5, 3)]
    g = make_grid([("law", ("gauss", "laplace")), ("x", [0.0, 1.0, 2.0])], 100)
    assert g.names == ("law", "x") and g.shape == (2, 3) and g.size == 6
    assert [(c.categories, c.start, c.length) for c in g.chunks()] == [((0,), 0, 3), ((1,), 0, 3)]
    assert g.storage_chunks == (1, 3)


def test_all_categorical_grid():
    g = make_grid({"law": ("a", "b"), "agg": ("mean", "max", "min")}, 7)
    chunks = g.chunks()
    assert len(chunks) == 6 and all(c.length == 1 and c.start == 0 for c in chunks)
    assert sorted(c.categories for c in chunks) == sorted(itertools.product(range(2), range(3)))
    assert g.storage_chunks == (1, 1)
    assert g.region_shape(chunks[0]) == (1, 1)


@SETTINGS
@given(spec=axes_specs())
def test_strides_are_c_order(spec):
    grid = make_grid(spec, 10)
    itemsize = 8
    assert grid.strides() == tuple(s // itemsize for s in np.empty(grid.shape).strides)


def _ext_indices(axis):
    v = np.asarray(axis.values)
    return {int(np.argmin(v)), int(np.argmax(v))}


@SETTINGS
@given(spec=axes_specs(), limit=st.sampled_from([1, 2, 4, 64]))
def test_corner_points_cover_extremes(spec, limit):
    grid = make_grid(spec, 10)
    corners = list(grid.corner_points(limit=limit))
    flats = [f for _, f in corners]
    assert len(set(flats)) == len(flats)  # no duplicates
    for point, flat in corners:
        idx = np.unravel_index(flat, grid.shape)
        assert set(point) == set(grid.names)
        for a, i in zip(grid.axes, idx):
            if a.categorical:
                assert point[a.name] == a.values[i]
            else:
                assert point[a.name] == a.values[i]
                assert int(i) in _ext_indices(a)
    numeric = grid.numeric_axes
    cats = list(itertools.product(*[a.values for a in grid.categorical_axes]))
    # every axis's min and max appears, in every category combination
    for combo in cats:
        pts = [p for p, _ in corners if tuple(p[a.name] for a in grid.categorical_axes) == combo]
        for a in numeric:
            seen = {p[a.name] for p in pts}
            assert min(a.values) in seen and max(a.values) in seen
    n_corners = math.prod(len(_ext_indices(a)) for a in numeric)
    if n_corners <= limit:
        # all combinations of min/max per axis, brute force
        want = {
            tuple(combo) + tuple(c)
            for combo in cats
            for c in itertools.product(*[sorted({min(a.values), max(a.values)}) for a in numeric])
        }
        got = {tuple(p[a.name] for a in grid.categorical_axes) + tuple(p[a.name] for a in numeric) for p, _ in corners}
        assert got == want


def test_corner_points_over_limit_include_all_min_and_all_max():
    # two decreasing and two increasing axes: 'lows' = (a max, b max, c min, d min) is two flips
    # away from both the all-min and the all-max corner
    grid = make_grid({"a": [3.0, 2.0, 1.0], "b": [5.0, 0.0], "c": [1.0, 9.0], "d": [-1.0, 1.0]}, 10)
    pts = [tuple(p[n] for n in "abcd") for p, _ in grid.corner_points(limit=2)]
    assert (1.0, 0.0, 1.0, -1.0) in pts and (3.0, 5.0, 9.0, 1.0) in pts


@pytest.mark.parametrize(
    "axes,chunk_size,match",
    [
        ({}, 4, "at least one axis"),
        ([("a", [1.0]), ("a", [2.0])], 4, "distinct"),
        ({"a": [1.0]}, 0, "chunk_size"),
        ({"1a": [1.0]}, 4, "identifier"),
        ({"a b": [1.0]}, 4, "identifier"),
        ({"a": "abc"}, 4, "string"),
        ({"a": []}, 4, "non-empty"),
        ({"a": [[1.0, 2.0]]}, 4, "1-D"),
        ({"a": [1.0, np.nan]}, 4, "finite"),
        ({"a": [1.0, np.inf]}, 4, "finite"),
        ({"a": ("x", "x")}, 4, "distinct"),
        ({"a": [1 + 2j]}, 4, "numbers or strings"),
        ({"a": ["x", 1]}, 4, "numbers or strings"),
    ],
)
def test_make_grid_rejects(axes, chunk_size, match):
    with pytest.raises(ValueError, match=match):
        make_grid(axes, chunk_size)


def test_axis_dtypes():
    g = make_grid({"f": [0.5, 1.5], "i": [1, 2, 3], "b": [True, False], "c": ["u", "v"]}, 4)
    f, i, b, c = g.axes
    assert f.values.dtype == np.float64 and i.values.dtype == np.int64 and b.values.dtype == np.int64
    assert c.values == ("u", "v") and c.categorical and not f.categorical
    np.testing.assert_array_equal(b.values, [1, 0])
    assert len(Axis("z", ("p", "q", "r"))) == 3
    assert g.numeric_shape == (2, 3, 2) and g.numeric_size == 12
