"""Named axes -> flat indices -> chunks, and back.

A grid is the Cartesian product of named 1-D axes, in order. Axes are numeric (swept on the device)
or categorical (a few strings such as a noise law; the kernel is compiled once per category). The
grid is never materialised: a chunk is a contiguous range of flat indices over the numeric axes of
one category combination, and points are generated from those indices on the device.

Chunks are laid out so that each one is exactly one block of the on-disk (zarr) chunking: the
numeric axes are split at one "split axis" ``j``, a chunk spans ``rows`` consecutive values of axis
``j`` and all values of the axes after it, and one value of each axis before it. The last chunk
along axis ``j`` may be short; it is padded to the same length so nothing recompiles.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from .errors import InputError

__all__ = ["Axis", "Grid", "Chunk", "make_grid"]


@dataclasses.dataclass(frozen=True)
class Axis:
    """One named axis: ``values`` is a 1-D float64/int64 array, or a tuple of strings."""

    name: str
    values: np.ndarray | tuple[str, ...]

    @property
    def categorical(self) -> bool:
        return isinstance(self.values, tuple)

    def __len__(self) -> int:
        return len(self.values)


@dataclasses.dataclass(frozen=True)
class Chunk:
    """A block of the grid: category indices, and a flat range over the numeric sub-grid."""

    index: int  # position in the grid's chunk list (stable: resume and process shares use it)
    categories: tuple[int, ...]  # one index per categorical axis, in axis order
    start: int  # first flat index over the numeric sub-grid
    length: int  # number of real points (<= the grid's chunk_points; the rest is padding)


@dataclasses.dataclass(frozen=True)
class Grid:
    axes: tuple[Axis, ...]
    split_axis: int  # index into numeric_axes
    rows: int  # values of the split axis per chunk

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def numeric_axes(self) -> tuple[Axis, ...]:
        return tuple(a for a in self.axes if not a.categorical)

    @property
    def categorical_axes(self) -> tuple[Axis, ...]:
        return tuple(a for a in self.axes if a.categorical)

    @property
    def numeric_shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.numeric_axes)

    @property
    def numeric_size(self) -> int:
        return math.prod(self.numeric_shape)

    @property
    def chunk_points(self) -> int:
        """Points per chunk (the padded length every chunk is evaluated at)."""
        trailing = math.prod(self.numeric_shape[self.split_axis + 1 :])
        return self.rows * trailing

    @property
    def storage_chunks(self) -> tuple[int, ...]:
        """Zarr chunk shape over all axes (categorical axes: 1) matching the sweep's chunks."""
        out = []
        k = 0
        for a in self.axes:
            if a.categorical:
                out.append(1)
                continue
            if k < self.split_axis:
                out.append(1)
            elif k == self.split_axis:
                out.append(self.rows)
            else:
                out.append(len(a))
            k += 1
        return tuple(out)

    def strides(self) -> tuple[int, ...]:
        """C-order strides of the full grid (in points), one per axis."""
        shape = self.shape
        return tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))

    def chunks(self) -> list[Chunk]:
        """Every chunk of the grid, in a fixed order."""
        shape = self.numeric_shape
        j = self.split_axis
        outer = math.prod(shape[:j])
        n_j = shape[j] if shape else 1
        trailing = math.prod(shape[j + 1 :])
        cat_combos = list(np.ndindex(*[len(a) for a in self.categorical_axes])) or [()]
        out = []
        for cats in cat_combos:
            for o in range(outer):
                for r0 in range(0, n_j, self.rows):
                    rows = min(self.rows, n_j - r0)
                    start = (o * n_j + r0) * trailing
                    out.append(Chunk(len(out), tuple(int(c) for c in cats), start, rows * trailing))
        return out

    def chunk_region(self, chunk: Chunk) -> tuple[slice, ...]:
        """The hyper-rectangle of the full grid (a slice per axis) that ``chunk`` fills."""
        shape = self.numeric_shape
        j = self.split_axis
        trailing = math.prod(shape[j + 1 :])
        first = np.unravel_index(chunk.start, shape) if shape else ()
        rows = chunk.length // trailing
        numeric_slices = []
        for k in range(len(shape)):
            if k < j:
                numeric_slices.append(slice(int(first[k]), int(first[k]) + 1))
            elif k == j:
                numeric_slices.append(slice(int(first[k]), int(first[k]) + rows))
            else:
                numeric_slices.append(slice(0, shape[k]))
        out = []
        it_num = iter(numeric_slices)
        it_cat = iter(chunk.categories)
        for a in self.axes:
            if a.categorical:
                c = next(it_cat)
                out.append(slice(c, c + 1))
            else:
                out.append(next(it_num))
        return tuple(out)

    def region_shape(self, chunk: Chunk) -> tuple[int, ...]:
        return tuple(s.stop - s.start for s in self.chunk_region(chunk))

    def corner_points(self, limit: int = 64) -> Iterator[tuple[dict, int]]:
        """Grid corners as ``(point, flat_index)``: every combination of each numeric axis's
        minimum and maximum (all of them up to ``limit``; beyond it the all-minimum and all-maximum
        corners and, from each, every single axis flipped to its other extreme), for every
        category combination."""
        numeric = self.numeric_axes
        # The extremes of an axis are its min and max, wherever they sit in the array.
        ext = [sorted({int(np.argmin(a.values)), int(np.argmax(a.values))}) for a in numeric]
        n_corners = math.prod(len(e) for e in ext)
        if n_corners <= limit:
            combos = list(np.ndindex(*[len(e) for e in ext])) or [()]
            num_idx = [tuple(ext[k][c[k]] for k in range(len(ext))) for c in combos]
        else:
            lows = tuple(int(np.argmin(a.values)) for a in numeric)
            highs = tuple(int(np.argmax(a.values)) for a in numeric)
            num_idx = [lows, highs]
            for k in range(len(ext)):
                num_idx.append(lows[:k] + (highs[k],) + lows[k + 1 :])
                num_idx.append(highs[:k] + (lows[k],) + highs[k + 1 :])
        cat_combos = list(np.ndindex(*[len(a) for a in self.categorical_axes])) or [()]
        strides = self.strides()
        seen = set()
        for cats in cat_combos:
            for nums in num_idx:
                full, it_n, it_c = [], iter(nums), iter(cats)
                for a in self.axes:
                    full.append(next(it_c) if a.categorical else next(it_n))
                full = tuple(full)
                if full in seen:
                    continue
                seen.add(full)
                point = {a.name: a.values[i] for a, i in zip(self.axes, full)}
                yield point, sum(i * s for i, s in zip(full, strides))


def _as_axis(name: str, values) -> Axis:
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"axis name {name!r}: must be a Python identifier (it becomes a keyword argument)")
    if isinstance(values, (str, bytes)):
        raise InputError(f"axis {name!r}: values must be a 1-D sequence, got the string {values!r}")
    if isinstance(values, (list, tuple)) and values and all(isinstance(v, str) for v in values):
        if len(set(values)) != len(values):
            raise InputError(f"axis {name!r}: categorical values must be distinct, got {list(values)}")
        return Axis(name, tuple(values))
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(f"axis {name!r}: values must be a non-empty 1-D array, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise InputError(f"axis {name!r}: values must be numbers or strings, got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise InputError(f"axis {name!r}: values must be finite")
    step = np.diff(arr)
    if not ((step > 0).all() or (step < 0).all()) and np.unique(arr).size != arr.size:
        # A repeated value is a repeated computation, and usually a typo (start == stop).
        values_text = np.array2string(arr, threshold=8, separator=", ")
        raise InputError(f"axis {name!r}: values must be distinct, got {values_text}")
    return Axis(name, arr.astype(np.float64 if arr.dtype.kind == "f" else np.int64))


def make_grid(axes: Mapping[str, Sequence] | Sequence[tuple[str, Sequence]], chunk_size: int) -> Grid:
    """Build a :class:`Grid` whose chunks hold at most ``chunk_size`` points (at least one row of
    the last numeric axis)."""
    items = list(axes.items()) if isinstance(axes, Mapping) else list(axes)
    if not items:
        raise InputError("axes: at least one axis is needed")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise InputError(f"axes: names must be distinct, got {names}")
    if int(chunk_size) < 1:
        raise InputError(f"chunk_size={chunk_size}: must be >= 1")
    grid_axes = tuple(_as_axis(n, v) for n, v in items)
    shape = [len(a) for a in grid_axes if not a.categorical]
    if not shape:
        return Grid(grid_axes, 0, 1)
    # Split at the outermost axis whose trailing block fits in a chunk.
    j = len(shape) - 1
    while j > 0 and math.prod(shape[j:]) <= chunk_size:
        j -= 1
    trailing = math.prod(shape[j + 1 :])
    rows = max(1, min(shape[j], chunk_size // trailing))
    return Grid(grid_axes, j, rows)
