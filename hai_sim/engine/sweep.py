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
   written (to memory or to the store).
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
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from jax.sharding import Mesh, PartitionSpec

from .. import __version__
from .errors import InputError
from .grid import Chunk, Grid, make_grid
from .provenance import fingerprint, git_revision, plain_attrs
from .store import Store

__all__ = ["sweep", "NonFiniteError", "DEFAULT_CHUNK_BYTES"]

DEFAULT_CHUNK_BYTES = 64 * 2**20  # outputs per chunk, bounding host and device memory
_MAX_DEFAULT_CHUNK = 2**22


class NonFiniteError(InputError, FloatingPointError):
    """An output has NaN/inf at a point where the kernel did not declare them."""


@dataclasses.dataclass(frozen=True)
class _Plan:
    """The static structure of one compiled chunk function (hashable, so compiles are cached)."""

    fn: Callable
    names: tuple[str, ...]
    categorical: tuple[bool, ...]
    numeric_shape: tuple[int, ...]
    full_strides: tuple[int, ...]
    split_axis: int  # the grid's chunk layout (see hai_sim.engine.grid)
    rows: int
    eval_points: int  # padded chunk length, a multiple of the device count
    wants_key: bool
    devices: tuple[Any, ...]


def _output_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", None)
    return name if name and name.isidentifier() else "value"


def _wants_key(fn: Callable) -> bool:
    try:
        return "key" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _as_dict(out, single_name: str) -> dict[str, jax.Array]:
    if isinstance(out, Mapping):
        return dict(out)
    return {single_name: out}


@functools.lru_cache(maxsize=64)
def _compiled_chunk_fn(plan: _Plan, categories: tuple[str | None, ...], single_name: str):
    """jit(shard_map(vmap(fn))) from a chunk's position in the grid to its outputs.

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

        def point(kw_numeric, flat_index):
            kw = dict(kw_numeric)
            for i, c in enumerate(plan.categorical):
                if c:
                    kw[plan.names[i]] = categories[i]
            if plan.wants_key:
                kw["key"] = jax.random.fold_in(base_key, flat_index)
            return _as_dict(plan.fn(**kw), single_name)

        return jax.vmap(point)(kwargs, full_flat)

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
    return jax.jit(body)


def _resolve_devices(devices) -> tuple[Any, ...]:
    local = jax.local_devices()
    if devices is None:
        return tuple(local)
    if isinstance(devices, int):
        if not 1 <= devices <= len(local):
            raise ValueError(f"devices={devices}: must be between 1 and the {len(local)} local devices")
        return tuple(local[:devices])
    devs = tuple(devices)
    if not devs:
        raise ValueError("devices=(): at least one device is needed")
    return devs


def _default_chunk(grid_size: int, out_bytes_per_point: int, n_dev: int) -> int:
    by_memory = max(1, DEFAULT_CHUNK_BYTES // max(out_bytes_per_point, 1))
    return max(n_dev, min(grid_size, by_memory, _MAX_DEFAULT_CHUNK))


def sweep(
    fn: Callable,
    axes: Mapping[str, Sequence] | Sequence[tuple[str, Sequence]],
    *,
    seed: int = 0,
    chunk_size: int | None = None,
    store: str | None = None,
    progress: bool = True,
    devices=None,
    allow_nonfinite: Sequence[str] = (),
    metadata: Mapping[str, Any] | None = None,
    output_dims: Mapping[str, Sequence[str]] | None = None,
    process_index: int | None = None,
    process_count: int | None = None,
) -> xr.Dataset:
    """Evaluate ``fn`` at every point of the grid spanned by ``axes``.

    Args:
        fn: the kernel. Called as ``fn(**point)`` with one scalar per axis (a 0-d float64/int64
            array, or the category string for a categorical axis), plus ``key`` (a typed PRNG key)
            when its signature names one. Returns an array or a dict of named arrays; each may
            have trailing dims of its own, named by ``output_dims`` or ``fn.output_dims``
            (else ``<output>_dim0``, ...). An array output is named after ``fn``.
        axes: ordered mapping name -> 1-D values: numbers, or a list of strings (a categorical
            axis, compiled once per category). The result has one dim per axis, in this order.
        seed: base of the per-point keys, ``fold_in(key(seed), flat_index)``.
        chunk_size: points per chunk (memory bound; default: outputs of about 64 MiB, at most
            2^22 points). Results do not depend on it.
        store: path of a zarr store to stream chunks to. Running the same call again (after a
            crash, say) computes only the missing chunks; a store written by a different call is
            refused with :class:`~hai_sim.engine.store.StoreMismatchError`.
        progress: show a per-chunk progress bar (after 2 s) with points/s.
        devices: local devices to shard each chunk over: None for all, an int for the first n,
            or a sequence of devices.
        allow_nonfinite: outputs where NaN/inf are expected by design (a level never crossed).
            Any other output with a non-finite value raises :class:`NonFiniteError` naming the
            output and the first bad point's coordinates.
        metadata: the fixed parameters, recorded in the attrs (and the store's fingerprint).
        output_dims: names of the trailing dims of each output.
        process_index, process_count: this process's share of the chunks. Default:
            ``jax.process_index()`` / ``jax.process_count()`` (a ``jax.distributed`` job). A job
            array passes them explicitly. With more than one process a ``store`` is required.

    Returns:
        An ``xarray.Dataset`` with one coordinate per axis and one variable per output; attrs hold
        the seed, the package version, the git revision, the kernel's name and the metadata.
        When a store is used, the Dataset is a lazy view of it; when this process is one of a job
        array and other shares are not finished, attrs["complete"] is 0 and their points are NaN.
    """
    if not callable(fn):
        raise ValueError(f"fn={fn!r}: must be callable")
    p_index = jax.process_index() if process_index is None else int(process_index)
    p_count = jax.process_count() if process_count is None else int(process_count)
    if p_count < 1 or not 0 <= p_index < p_count:
        raise ValueError(f"process_index={p_index}, process_count={p_count}: need 0 <= index < count")
    if p_count > 1 and store is None:
        raise ValueError("store=None: a sweep split over several processes needs a shared store path")
    devs = _resolve_devices(devices)
    n_dev = len(devs)
    single_name = _output_name(fn)
    wants_key = _wants_key(fn)
    base_key = jax.random.key(int(seed))
    dims_hint = dict(output_dims or getattr(fn, "output_dims", None) or {})
    allow = set(allow_nonfinite)

    provisional = make_grid(axes, 1)
    # Eager calls at the corners: validation sees the extremes before compilation.
    corner_outs = None
    for point, flat in provisional.corner_points():
        kw = {k: (v if isinstance(v, str) else jnp.asarray(v)) for k, v in point.items()}
        if wants_key:
            kw["key"] = jax.random.fold_in(base_key, flat)
        out = _as_dict(fn(**kw), single_name)
        if corner_outs is None:
            corner_outs = out
    outputs: dict[str, tuple[np.dtype, tuple[int, ...], tuple[str, ...]]] = {}
    for name, v in corner_outs.items():
        if not name.isidentifier() or name in provisional.names:
            raise ValueError(f"output name {name!r}: must be an identifier distinct from the axis names")
        if not isinstance(v, (jax.Array, np.ndarray, np.generic, int, float, bool)):
            raise ValueError(f"fn returned {type(v).__name__} for output {name!r}: a kernel must return an "
                             "array or a dict of arrays")
        v = jnp.asarray(v)
        dims = tuple(dims_hint.get(name, tuple(f"{name}_dim{i}" for i in range(v.ndim))))
        if len(dims) != v.ndim:
            raise ValueError(f"output_dims[{name!r}]={dims}: the output has {v.ndim} trailing dims")
        outputs[name] = (np.dtype(v.dtype), tuple(v.shape), dims)
    unknown = allow - set(outputs)
    if unknown:
        raise ValueError(f"allow_nonfinite={sorted(unknown)}: no such outputs (outputs: {sorted(outputs)})")

    bytes_per_point = sum(np.dtype(d).itemsize * math.prod(s) for d, s, _ in outputs.values())
    if chunk_size is None:
        chunk_size = _default_chunk(provisional.numeric_size, bytes_per_point, n_dev)
    grid = make_grid(axes, int(chunk_size))
    chunks = grid.chunks()
    eval_points = -(-grid.chunk_points // n_dev) * n_dev

    attrs = {
        "seed": int(seed),
        "hai_sim_version": __version__,
        "git_revision": git_revision() or "unknown",
        "kernel": f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}",
        **plain_attrs(dict(metadata) if metadata else None),
    }
    st = None
    if store is not None:
        fp = fingerprint(
            grid.names,
            [a.values for a in grid.axes],
            int(seed),
            dict(metadata or {}),
            (grid.split_axis, grid.rows),
            fn,
            {k: list(v[2]) for k, v in outputs.items()},
        )
        attrs["fingerprint"] = fp
        st = Store(store, grid, fp)
        st.create_or_wait(outputs, attrs, {"kernel": attrs["kernel"], "axes": list(grid.names), "seed": int(seed)})
        _barrier("hai_sim.sweep.created", p_count, process_count)
        todo = [c for c in chunks if c.index % p_count == p_index and not st.is_done(c)]
        host = None
    else:
        todo = chunks
        # Every chunk is written before returning, so no fill is needed (a NaN fill of a 10^8-point
        # result cost as much as computing it).
        host = {name: np.empty(grid.shape + shape, dtype=dt) for name, (dt, shape, _) in outputs.items()}

    plan = _Plan(
        fn=fn,
        names=grid.names,
        categorical=tuple(a.categorical for a in grid.axes),
        numeric_shape=grid.numeric_shape,
        full_strides=grid.strides(),
        split_axis=grid.split_axis,
        rows=grid.rows,
        eval_points=eval_points,
        wants_key=wants_key,
        devices=devs,
    )
    numeric_values = tuple(jnp.asarray(a.values) for a in grid.numeric_axes)
    index_dtype = jnp.int64 if jax.config.jax_enable_x64 else jnp.int32
    full_strides = plan.full_strides
    cat_positions = [i for i, a in enumerate(grid.axes) if a.categorical]

    def dispatch(chunk: Chunk):
        categories = tuple(
            grid.axes[i].values[chunk.categories[cat_positions.index(i)]] if grid.axes[i].categorical else None
            for i in range(len(grid.axes))
        )
        cat_offset = sum(chunk.categories[k] * full_strides[i] for k, i in enumerate(cat_positions))
        region = grid.chunk_region(chunk)
        numeric_slices = [sl for sl, a in zip(region, grid.axes) if not a.categorical]
        starts = [sl.start for sl in numeric_slices]
        split_stop = numeric_slices[grid.split_axis].stop if numeric_slices else 1
        f = _compiled_chunk_fn(plan, categories, single_name)
        return f(
            jnp.asarray(starts, index_dtype).reshape(len(starts)),
            jnp.asarray(split_stop, index_dtype),
            jnp.asarray(cat_offset, index_dtype),
            numeric_values,
            base_key,
        )

    def collect(chunk: Chunk, outs) -> None:
        region_shape = grid.region_shape(chunk)
        data = {
            name: np.asarray(v)[: chunk.length].reshape(region_shape + outputs[name][1]) for name, v in outs.items()
        }
        for name, values in data.items():
            if name not in allow and values.dtype.kind in "fc" and not np.isfinite(values).all():
                _raise_nonfinite(grid, chunk, name, values)
        if st is not None:
            st.write(chunk, data)
        else:
            region = grid.chunk_region(chunk)
            for name, v in data.items():
                host[name][region] = v

    _run_chunks(todo, dispatch, collect, grid, progress)

    if st is not None:
        _barrier("hai_sim.sweep.finished", p_count, process_count)
        ds = st.to_dataset()
        complete = st.done_count() >= len(chunks)
        ds.attrs["complete"] = int(complete)
        return ds
    coords = {a.name: (np.array(a.values, dtype=str) if a.categorical else a.values) for a in grid.axes}
    data_vars = {name: (grid.names + outputs[name][2], host[name]) for name in outputs}
    return xr.Dataset(data_vars, coords=coords, attrs={**attrs, "complete": 1})


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
        f"output {name!r} is non-finite at {n_bad} point(s) of a chunk; the first at {coords}. "
        f"If NaN/inf are expected there by design, pass allow_nonfinite=({name!r},)."
    )


def _run_chunks(todo: list[Chunk], dispatch, collect, grid: Grid, progress: bool) -> None:
    if not todo:
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), unit="chunk", delay=2.0, disable=not progress, leave=False)
    t0 = time.perf_counter()
    points = 0
    try:
        pending = (todo[0], dispatch(todo[0]))
        for nxt in todo[1:]:
            ahead = (nxt, dispatch(nxt))  # runs on the device while the previous chunk is written
            collect(*pending)
            points += pending[0].length
            bar.update(1)
            bar.set_postfix_str(f"{points / (time.perf_counter() - t0):.3g} points/s", refresh=False)
            pending = ahead
        collect(*pending)
        bar.update(1)
    finally:
        bar.close()
