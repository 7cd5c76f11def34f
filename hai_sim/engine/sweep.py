"""``sweep``: evaluate a kernel over a named parameter grid, in bounded memory, on every device.

How a sweep runs:

1. The axes become a :class:`~hai_sim.engine.grid.Grid` cut into chunks (contiguous flat-index
   ranges over the numeric axes of one category combination; each is one block of the zarr
   chunking when a store is used).
2. The kernel is called eagerly at the grid's corners, so host-side validation inside it sees the
   real extremes of every axis before anything compiles.
3. Per category combination, one function is compiled: it turns a chunk's start index into grid
   points on the device (no host meshgrid), evaluates ``vmap(fn)``, and counts non-finite values.
   The chunk is split over the local devices with ``shard_map`` (each device runs its own share,
   so kernels with data-dependent loops do not synchronise on loop conditions). The last, short
   chunk is padded with a valid point, so it does not recompile.
4. Chunks are dispatched one ahead: while chunk k+1 runs, chunk k is copied to the host and
   written to a sink (:mod:`hai_sim.engine.sinks`: memory or a zarr store); in memory on one
   device, a group of chunks goes in one call (see ``sweep``). Compiled chunk functions are
   cached per kernel, holding the kernel weakly: a dropped closure is collected.
5. With several processes (a ``jax.distributed`` job, or a job array given ``process_index`` and
   ``process_count``) each process takes the chunks whose index is congruent to its own, writing
   into one shared store.

Randomness: a kernel argument named ``key`` receives ``fold_in(key(seed), flat_index)``, where
``flat_index`` is the point's C-order index in the full grid, so every draw is independent of the
chunk size, the device count, the process count and the order of evaluation.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import math
import os
import shutil
import sys
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from jax.sharding import Mesh, PartitionSpec

from .. import __version__
from .errors import InputError
from .grid import Chunk, Grid, make_grid
from .provenance import call_fields, combine, git_revision, kernel_label, plain_attrs
from .results import is_named_tuple
from .sinks import MemorySink, Sink, ZarrSink
from .store import Store, check_store_path

__all__ = ["sweep", "NonFiniteError", "DEFAULT_CHUNK_BYTES", "available_memory"]

DEFAULT_CHUNK_BYTES = 64 * 2**20  # outputs per chunk, bounding host and device memory
_MAX_DEFAULT_CHUNK = 2**22
_MAX_SEED = 2**63 - 1
_LOG = logging.getLogger("hai_sim.sweep")


class NonFiniteError(InputError, FloatingPointError):
    """An output has NaN/inf at a point where the kernel did not declare them.

    Attributes: ``output`` (its name), ``n_bad`` (bad points in the chunk where it was found) and
    ``point`` (the first bad point's coordinates), so that a front end can word its own advice.
    """

    def __init__(self, message: str, output: str = "", n_bad: int = 0, point: dict | None = None):
        super().__init__(message)
        self.output = output
        self.n_bad = n_bad
        self.point = dict(point or {})


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static structure of one compiled chunk function (hashable, so compiles are cached)."""

    names: tuple[str, ...]
    categorical: tuple[bool, ...]
    numeric_shape: tuple[int, ...]
    full_strides: tuple[int, ...]
    split_axis: int  # the grid's chunk layout (see hai_sim.engine.grid)
    rows: int
    eval_points: int  # padded chunk length, a multiple of the device count
    wants_key: bool
    devices: tuple[Any, ...]
    single_name: str


def _output_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", None)
    return name if name and name.isidentifier() else "value"


def _wants_key(fn: Callable) -> bool:
    try:
        return "key" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _as_dict(out, single_name: str) -> dict[str, Any]:
    """A kernel's output as named outputs: a mapping as it is, a NamedTuple (a named result) one
    output per field, an array under ``single_name``."""
    if isinstance(out, Mapping):
        return dict(out)
    if is_named_tuple(out):
        return dict(zip(type(out)._fields, out))
    if isinstance(out, (tuple, list)):
        raise InputError(f"the kernel returned a plain {type(out).__name__} of {len(out)} values: return an "
                         "array, a dict of arrays or a NamedTuple (named_result), so each output has a name")
    return {single_name: out}


# Compiled chunk functions, per kernel. The kernel is a weak key and the compiled functions hold it
# only weakly, so a dropped closure (and what it captures) is collected; a kernel that cannot be
# referenced weakly is compiled afresh for each sweep call.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MAX_PER_KERNEL = 16


def _compiled_chunk_fn(fn: Callable, plan: _Plan, categories: tuple[str | None, ...], group: int = 1):
    try:
        per_kernel = _COMPILED.setdefault(fn, {})
        fn_ref = weakref.ref(fn)
    except TypeError:
        per_kernel, fn_ref = {}, (lambda: fn)
    key = (plan, categories, group)
    compiled = per_kernel.get(key)
    if compiled is None:
        if len(per_kernel) >= _MAX_PER_KERNEL:
            per_kernel.clear()
        compiled = per_kernel[key] = _build_chunk_fn(fn_ref, plan, categories, group)
    return compiled


def _build_chunk_fn(fn_ref: Callable[[], Callable], plan: _Plan, categories: tuple[str | None, ...], group: int = 1):
    """jit(shard_map(vmap(fn))) from a chunk's position in the grid to its outputs.

    With ``group`` > 1 (one device) the function takes ``group`` chunks' positions (stacked on a
    leading axis) and evaluates them one after the other in a ``lax.map`` inside one call: device
    memory stays bounded by one chunk, while the host pays one dispatch for the group.

    A chunk is a hyper-rectangle (one index on each axis before the split axis, a run of rows on
    the split axis, every index after it), so each axis's indices are built by broadcasting
    aranges: no integer division, which on CPU is not vectorised for int64 and made point
    generation 10x slower than the kernel. Non-finite values are counted on the host, not here: a
    reduction over a kernel's output makes XLA's CPU fusion recompute the kernel (4x slower).
    """
    n_dev = len(plan.devices)
    local = plan.eval_points // n_dev
    j = plan.split_axis
    shape = plan.numeric_shape
    block = (plan.rows, *shape[j + 1 :]) if shape else (1,)
    block_points = math.prod(block)
    numeric_positions = [i for i, c in enumerate(plan.categorical) if not c]

    def body(starts, split_stop, cat_offset, axis_values, base_key):
        # starts: first index on every numeric axis; split_stop: end of the real rows (the
        # rows past it, and the tail padding, repeat the last real point: always valid input).
        full_flat = cat_offset
        kwargs: dict[str, Any] = {}
        for k, i in enumerate(numeric_positions):
            if k < j:
                idx = jnp.broadcast_to(starts[k], block)
            elif k == j:
                rows = jnp.minimum(starts[k] + jnp.arange(plan.rows, dtype=starts.dtype), split_stop - 1)
                idx = jnp.broadcast_to(rows.reshape((plan.rows,) + (1,) * (len(block) - 1)), block)
            else:
                ar = jnp.arange(shape[k], dtype=starts.dtype)
                idx = jnp.broadcast_to(ar.reshape((1,) * (k - j) + (shape[k],) + (1,) * (len(shape) - k - 1)), block)
            idx = idx.reshape(-1)
            if plan.eval_points > block_points:
                idx = jnp.pad(idx, (0, plan.eval_points - block_points), mode="edge")
            if n_dev > 1:
                idx = jax.lax.dynamic_slice_in_dim(idx, jax.lax.axis_index("d") * local, local)
            kwargs[plan.names[i]] = axis_values[k][idx]
            full_flat = full_flat + idx * plan.full_strides[i]
        if not numeric_positions:
            full_flat = jnp.broadcast_to(cat_offset, (local,))
        fn = fn_ref()  # alive: it is traced only from within a sweep call on it

        def point(kw_numeric, flat_index):
            kw = dict(kw_numeric)
            for i, c in enumerate(plan.categorical):
                if c:
                    kw[plan.names[i]] = categories[i]
            if plan.wants_key:
                kw["key"] = jax.random.fold_in(base_key, flat_index)
            return _as_dict(fn(**kw), plan.single_name)

        out = jax.vmap(point)(kwargs, full_flat)
        if n_dev == 1 and plan.eval_points == block_points and len(block) > 1:
            # A flat output from a fused N-d broadcast de-vectorises on XLA:CPU (3-4x slower than
            # the raw kernel); returning the block shape keeps the kernel at its own speed.
            out = {k: v.reshape(block + v.shape[1:]) for k, v in out.items()}
        return out

    if n_dev > 1:
        mesh = Mesh(np.array(plan.devices), ("d",))
        rep = PartitionSpec()
        body = jax.shard_map(
            body,
            mesh=mesh,
            in_specs=(rep, rep, rep, rep, rep),
            out_specs=PartitionSpec("d"),
            check_vma=False,
        )
    if group > 1:
        one = body

        def body(starts, split_stop, cat_offset, axis_values, base_key):
            return jax.lax.map(lambda pos: one(*pos, axis_values, base_key), (starts, split_stop, cat_offset))

    return jax.jit(body)


def _resolve_devices(devices) -> tuple[Any, ...]:
    local = jax.local_devices()
    if devices is None:
        return tuple(local)
    if isinstance(devices, int):
        if not 1 <= devices <= len(local):
            raise InputError(f"devices={devices}: must be between 1 and the {len(local)} local devices")
        return tuple(local[:devices])
    devs = tuple(devices)
    if not devs:
        raise InputError("devices=(): at least one device is needed")
    return devs


def _default_chunk(grid_size: int, out_bytes_per_point: int, n_dev: int) -> int:
    by_memory = max(1, DEFAULT_CHUNK_BYTES // max(out_bytes_per_point, 1))
    return max(n_dev, min(grid_size, by_memory, _MAX_DEFAULT_CHUNK))


def _check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed={seed!r}: must be an integer in [0, 2**63 - 1]")
    if not 0 <= int(seed) <= _MAX_SEED:
        raise InputError(f"seed={int(seed)}: must be an integer in [0, 2**63 - 1] (= {_MAX_SEED})")
    return int(seed)


def is_numeric_parameter(param: inspect.Parameter) -> bool:
    """Whether a kernel parameter is declared numeric (by a number default or annotation)."""
    default = param.default
    if isinstance(default, (int, float, np.number)) and not isinstance(default, bool):
        return True
    ann = param.annotation
    return ann in (float, int, "float", "int")


def describe_parameter(param: inspect.Parameter) -> str:
    """``w=0.05 by default`` or ``w: float``: how a parameter was declared, for messages."""
    if param.default is not inspect.Parameter.empty:
        return f"{param.name}={param.default!r} by default"
    ann = param.annotation
    return f"{param.name}: {getattr(ann, '__name__', ann)}"


def _check_categorical_axes(fn: Callable, grid: Grid) -> None:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for axis in grid.categorical_axes:
        if axis.name in params and is_numeric_parameter(params[axis.name]):
            raise InputError(f"axis {axis.name!r}: names {list(axis.values)} given for a numeric parameter "
                             f"({describe_parameter(params[axis.name])}); give numbers")


def _call_at(fn: Callable, kw: dict[str, Any]):
    """One eager call at a corner. A TypeError raised while some inputs are strings is taken as a
    name given for a numeric parameter (and said so); any other error propagates as it is."""
    try:
        return fn(**kw)
    except TypeError as e:
        names = {k: v for k, v in kw.items() if isinstance(v, str)}
        if isinstance(fn, functools.partial):
            names.update({k: v for k, v in fn.keywords.items() if isinstance(v, str)})
        if not names:
            raise
        raise InputError(f"{', '.join(f'{k}={v!r}' for k, v in names.items())}: the kernel "
                         f"{kernel_label(fn)} failed on these names ({type(e).__name__}: {e}); "
                         "is the parameter numeric?") from e


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PiB"


def _say(message: str, progress: bool) -> None:
    """A note to the user: logged (logger ``hai_sim.sweep``), and printed on stderr with progress."""
    _LOG.info(message)
    if progress:
        print(f"hai_sim: {message}", file=sys.stderr, flush=True)


def _probe_outputs(fn, grid: Grid, wants_key: bool, base_key, single_name: str, dims_hint: Mapping):
    """Call the kernel eagerly at the grid's corners (so host-side validation sees the extremes of
    every axis before compilation) and read the outputs' names, dtypes and trailing shapes."""
    first = None
    for point, flat in grid.corner_points():
        kw = {k: (v if isinstance(v, str) else jnp.asarray(v)) for k, v in point.items()}
        if wants_key:
            kw["key"] = jax.random.fold_in(base_key, flat)
        out = _as_dict(_call_at(fn, kw), single_name)
        if first is None:
            first = out
    outputs: dict[str, tuple[np.dtype, tuple[int, ...], tuple[str, ...]]] = {}
    for name, v in first.items():
        if not isinstance(name, str) or not name.isidentifier() or name in grid.names:
            raise InputError(f"output name {name!r}: must be an identifier distinct from the axis names")
        if not isinstance(v, (jax.Array, np.ndarray, np.generic, int, float, bool)):
            raise InputError(f"fn returned {type(v).__name__} for output {name!r}: a kernel must return an "
                             "array, a dict of arrays or a NamedTuple of arrays")
        v = jnp.asarray(v)
        dims = tuple(dims_hint.get(name, tuple(f"{name}_dim{i}" for i in range(v.ndim))))
        if len(dims) != v.ndim:
            raise InputError(f"output_dims[{name!r}]={dims}: the output has {v.ndim} trailing dims")
        outputs[name] = (np.dtype(v.dtype), tuple(v.shape), dims)
    return outputs


def sweep(
    fn: Callable,
    axes: Mapping[str, Sequence] | Sequence[tuple[str, Sequence]],
    *,
    seed: int = 0,
    chunk_size: int | None = None,
    store: str | os.PathLike | None = None,
    progress: bool = True,
    devices=None,
    allow_nonfinite: Sequence[str] = (),
    metadata: Mapping[str, Any] | None = None,
    output_dims: Mapping[str, Sequence[str]] | None = None,
    name: str | None = None,
    process_index: int | None = None,
    process_count: int | None = None,
) -> xr.Dataset:
    """Evaluate ``fn`` at every point of the grid spanned by ``axes``.

    Args:
        fn: the kernel. Called as ``fn(**point)`` with one scalar per axis (a 0-d float64/int64
            array, or the category string for a categorical axis), plus ``key`` (a typed PRNG key)
            when its signature names one. Returns an array, a dict of named arrays or a
            NamedTuple (a :func:`~hai_sim.engine.named_result` or a plain ``typing.NamedTuple``:
            one output per field). Each output may have trailing dims of its own, named by
            ``output_dims`` or ``fn.output_dims`` (else ``<output>_dim0``, ...).
        axes: ordered mapping name -> 1-D values: distinct numbers, or a list of distinct strings
            (a categorical axis, compiled once per category). The result has one dim per axis,
            in this order. ``key`` is reserved (the per-point PRNG key).
        seed: an integer in [0, 2**63 - 1], base of the per-point keys,
            ``fold_in(key(seed), flat_index)``.
        chunk_size: points per chunk (memory bound; default: outputs of about 64 MiB, at most
            2^22 points). Results do not depend on it. A resumed store keeps its own layout.
        store: path of a zarr store (a directory ending in ``.zarr``) to stream chunks to. Running
            the same call again (after a crash, say) computes only the missing chunks; a store
            written by a different call is refused with
            :class:`~hai_sim.engine.store.StoreMismatchError` naming what differs. Without a
            store, a result larger than the available memory is refused before compiling.
        progress: show a per-chunk progress bar (after 2 s) with points/s, and notes (store size,
            resumption) on stderr. The notes also go to the ``hai_sim.sweep`` logger.
        devices: local devices to shard each chunk over: None for all, an int for the first n,
            or a sequence of devices.
        allow_nonfinite: outputs where NaN/inf are expected by design (a level never crossed).
            Any other output with a non-finite value raises :class:`NonFiniteError` naming the
            output and the first bad point's coordinates.
        metadata: the fixed parameters, recorded in the attrs (and the store's fingerprint).
        output_dims: names of the trailing dims of each output.
        name: the name of a single (array) output; default: ``fn``'s name.
        process_index, process_count: this process's share of the chunks. Default:
            ``jax.process_index()`` / ``jax.process_count()`` (a ``jax.distributed`` job). A job
            array passes them explicitly. With more than one process a ``store`` is required.

    Returns:
        An ``xarray.Dataset`` with one coordinate per axis and one variable per output; attrs hold
        the seed, the package version, the git revision, the kernel (a readable label), the
        metadata and ``complete`` (1, or 0 for a store some of whose chunks are still missing).
        When a store is used, the Dataset is a lazy view of it.
    """
    if not callable(fn):
        raise InputError(f"fn={fn!r}: must be callable")
    seed = _check_seed(seed)
    p_index = jax.process_index() if process_index is None else int(process_index)
    p_count = jax.process_count() if process_count is None else int(process_count)
    if p_count < 1 or not 0 <= p_index < p_count:
        raise InputError(f"process_index={p_index}, process_count={p_count}: need 0 <= index < count")
    if p_count > 1 and store is None:
        raise InputError("store=None: a sweep split over several processes needs a shared store path")
    if store is not None:
        check_store_path(store)
    if name is not None and not (isinstance(name, str) and name.isidentifier()):
        raise InputError(f"name={name!r}: must be a Python identifier")
    devs = _resolve_devices(devices)
    n_dev = len(devs)
    wants_key = _wants_key(fn)
    single_name = name or _output_name(fn)
    base_key = jax.random.key(seed)
    dims_hint = dict(output_dims or getattr(fn, "output_dims", None) or {})
    allow = set(allow_nonfinite)

    provisional = make_grid(axes, 1)
    if "key" in provisional.names:
        raise InputError("axis 'key': the name is reserved for the per-point PRNG key that sweep passes to "
                         "a kernel's `key` argument; rename the parameter")
    _check_categorical_axes(fn, provisional)
    outputs = _probe_outputs(fn, provisional, wants_key, base_key, single_name, dims_hint)
    if name is not None and list(outputs) != [name]:
        raise InputError(f"name={name!r} names a single array output, but the kernel returns the named "
                         f"outputs {list(outputs)}")
    unknown = allow - set(outputs)
    if unknown:
        raise InputError(f"allow_nonfinite={sorted(unknown)}: no such outputs (outputs: {sorted(outputs)})")

    bytes_per_point = sum(np.dtype(d).itemsize * math.prod(s) for d, s, _ in outputs.values())
    total_bytes = provisional.size * bytes_per_point
    if store is None:
        available = available_memory()
        if available is not None and total_bytes > available:
            raise InputError(
                f"axes {dict(zip(provisional.names, provisional.shape))}: the result has {provisional.size:.3g} "
                f"points, {_bytes(total_bytes)} in memory, more than the {_bytes(available)} available; "
                "stream it to a zarr store instead (store='result.zarr'; on the command line --out result.zarr)"
            )
    if chunk_size is None:
        chunk_size = _default_chunk(provisional.numeric_size, bytes_per_point, n_dev)
    grid = make_grid(axes, int(chunk_size))

    attrs = {
        "seed": seed,
        "hai_sim_version": __version__,
        "git_revision": git_revision() or "unknown",
        "kernel": kernel_label(fn),
        **plain_attrs(dict(metadata) if metadata else None),
    }
    sink: Sink
    if store is not None:
        fields = call_fields(fn, grid.names, [a.values for a in grid.axes], seed, dict(metadata or {}), outputs)
        attrs["fingerprint"] = combine(fields)
        st = Store(store, fields, attrs["fingerprint"])
        asked = grid
        grid = st.open(grid, outputs, attrs)
        _barrier("hai_sim.sweep.created", p_count, process_count)
        chunks = grid.chunks()
        sink = ZarrSink(st, len(chunks), p_index, p_count,
                        lambda tag: _barrier(tag, p_count, process_count))
        done = st.done_count()
        free = shutil.disk_usage(st.path).free
        _say(f"store {str(st.path)!r}: {grid.size:.4g} points in {len(chunks)} chunks, "
             f"{_bytes(total_bytes)} uncompressed (at most that on disk; {_bytes(free)} free there)", progress)
        if done:
            note = ""
            if (grid.split_axis, grid.rows) != (asked.split_axis, asked.rows):
                note = (f" (with the store's chunk layout, {grid.chunk_points} points per chunk, instead of "
                        f"the {asked.chunk_points} asked for)")
            _say(f"resumed: {done} of {len(chunks)} chunks already done{note}", progress)
        if total_bytes > free:
            _say(f"warning: the store may need more than the {_bytes(free)} free on its disk", progress)
    else:
        chunks = grid.chunks()
        sink = MemorySink(grid, outputs, attrs)
    todo = sink.pending(chunks)

    plan = _Plan(
        names=grid.names,
        categorical=tuple(a.categorical for a in grid.axes),
        numeric_shape=grid.numeric_shape,
        full_strides=grid.strides(),
        split_axis=grid.split_axis,
        rows=grid.rows,
        eval_points=-(-grid.chunk_points // n_dev) * n_dev,
        wants_key=wants_key,
        devices=devs,
        single_name=single_name,
    )
    numeric_values = tuple(jnp.asarray(a.values) for a in grid.numeric_axes)
    index_dtype = jnp.int64 if jax.config.jax_enable_x64 else jnp.int32
    full_strides = plan.full_strides
    cat_positions = [i for i, a in enumerate(grid.axes) if a.categorical]
    compiled: dict[tuple, Callable] = {}

    def position(chunk: Chunk):
        region = grid.chunk_region(chunk)
        numeric_slices = [sl for sl, a in zip(region, grid.axes) if not a.categorical]
        split_stop = numeric_slices[grid.split_axis].stop if numeric_slices else 1
        cat_offset = sum(chunk.categories[k] * full_strides[i] for k, i in enumerate(cat_positions))
        return [sl.start for sl in numeric_slices], split_stop, cat_offset

    def dispatch(group: list[Chunk]):
        chunk = group[0]  # a group shares its categories
        categories = tuple(
            grid.axes[i].values[chunk.categories[cat_positions.index(i)]] if grid.axes[i].categorical else None
            for i in range(len(grid.axes))
        )
        f = compiled.get(categories)
        if f is None:
            f = compiled[categories] = _compiled_chunk_fn(fn, plan, categories, group_size)
        # a short last group repeats its last chunk (valid input; its copies are not collected)
        pos = [position(c) for c in group] + [position(group[-1])] * (group_size - len(group))
        starts = np.asarray([p[0] for p in pos], index_dtype).reshape(len(pos), len(pos[0][0]))
        stops = np.asarray([p[1] for p in pos], index_dtype)
        offsets = np.asarray([p[2] for p in pos], index_dtype)
        if group_size == 1:
            starts, stops, offsets = starts[0], stops[0], offsets[0]
        # NumPy arguments: jit's C++ path moves them in one step (jnp.asarray costs ~0.1 ms each,
        # a third of a 2^16-point chunk of a cheap kernel)
        return f(starts, stops, offsets, numeric_values, base_key)

    def collect(group: list[Chunk], outs) -> None:
        outs = {name: np.asarray(v) for name, v in outs.items()}
        for i, chunk in enumerate(group):
            region_shape = grid.region_shape(chunk)
            data = {
                name: (v[i] if group_size > 1 else v).reshape((-1,) + outputs[name][1])[: chunk.length].reshape(region_shape + outputs[name][1])
                for name, v in outs.items()
            }
            for name, values in data.items():
                # the sum is finite when every value is (one pass, no temporary); only a non-finite
                # sum (a NaN/inf, or an overflow of large finite values) needs the full check
                if (name not in allow and values.dtype.kind in "fc" and not np.isfinite(values.sum())
                        and not np.isfinite(values).all()):
                    _raise_nonfinite(grid, chunk, name, values)
            sink.write(chunk, data)

    # In memory on one device, several chunks go in one dispatch (their outputs up to
    # DEFAULT_CHUNK_BYTES): the per-call cost of Python, dispatch and a host sync (~0.1-0.4 ms) is
    # then paid once per group, not once per chunk. Groups have equal sizes (one compile) and never
    # mix category combinations. A store writes chunk by chunk, so it keeps one chunk per call.
    group_size = 1
    if store is None and n_dev == 1 and todo:
        per_combo = max(1, len(todo) // max(1, math.prod(len(a.values) for a in grid.axes if a.categorical)))
        most = max(1, DEFAULT_CHUNK_BYTES // max(1, grid.chunk_points * bytes_per_point))
        n_groups = -(-per_combo // min(most, per_combo))
        group_size = -(-per_combo // n_groups)
    groups: list[list[Chunk]] = []
    for chunk in todo:
        if groups and len(groups[-1]) < group_size and groups[-1][0].categories == chunk.categories:
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    _run_chunks(groups, dispatch, collect, grid, progress)
    return sink.result()


def _barrier(name: str, p_count: int, explicit_count: int | None) -> None:
    """Synchronise a ``jax.distributed`` job; a job array (explicit process_count) never waits."""
    if p_count > 1 and explicit_count is None:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def _raise_nonfinite(grid: Grid, chunk: Chunk, name: str, values: np.ndarray) -> None:
    region = grid.chunk_region(chunk)
    flat = values.reshape(math.prod(values.shape[: len(region)]), -1)
    bad_points = ~np.isfinite(flat).all(axis=1)
    n_bad = int(bad_points.sum())
    first = int(np.flatnonzero(bad_points)[0])
    local = np.unravel_index(first, values.shape[: len(region)])
    coords = {a.name: a.values[s.start + int(i)] for a, s, i in zip(grid.axes, region, local)}
    coords = {k: (v if isinstance(v, str) else float(v)) for k, v in coords.items()}
    raise NonFiniteError(
        f"output {name!r} is non-finite at {n_bad} of {flat.shape[0]} point(s) of a chunk; the first at {coords}. "
        f"If NaN/inf are expected there by design, pass allow_nonfinite=({name!r},).",
        output=name, n_bad=n_bad, point=coords,
    )


def _run_chunks(todo: list[list[Chunk]], dispatch, collect, grid: Grid, progress: bool) -> None:
    if not todo:
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=sum(len(g) for g in todo), unit="chunk", delay=2.0, disable=not progress, leave=False)
    t0 = time.perf_counter()
    points = 0
    try:
        pending = (todo[0], dispatch(todo[0]))
        for nxt in todo[1:]:
            ahead = (nxt, dispatch(nxt))  # runs on the device while the previous group is written
            collect(*pending)
            points += sum(c.length for c in pending[0])
            bar.update(len(pending[0]))
            bar.set_postfix_str(f"{points / (time.perf_counter() - t0):.3g} points/s", refresh=False)
            pending = ahead
        collect(*pending)
        bar.update(len(pending[0]))
    finally:
        bar.close()
