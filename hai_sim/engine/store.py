"""A sweep's results on disk (zarr v3) that resume after a crash and never mix two computations.

Layout of ``path`` (a directory whose name ends in ``.zarr``):

* a zarr group with one array per axis (its coordinate values) and one per output, whose chunks
  are exactly the sweep's chunks (so two processes never write the same zarr chunk); its attrs
  hold the provenance and ``complete``: 0 at creation, set to 1 (its only later write) by the
  process that sees every chunk done, so a partial store opened with ``xarray.open_zarr`` says so;
* ``.hai_sim/`` (an empty zarr group to zarr and xarray, so opening the store warns about nothing):
  ``fingerprint`` (the digest of the call that created it, written last), ``info.json`` (each part
  of the call as text and digest, and the chunk layout), and ``done/<chunk index>``: an empty
  marker written only after that chunk's data is in the arrays, so a kill at any moment never
  leaves a half-written chunk marked done.

A call whose fingerprint differs is refused with :class:`StoreMismatchError` naming the parts that
differ (kernel, axes, seed, metadata, outputs, version) with both values. The chunk layout is not
part of the fingerprint: a resumed store keeps the layout it was created with.

The xarray view of a store is ``xarray.open_zarr(path, consolidated=False, chunks=None)``;
:func:`store_status` reports how many chunks are done.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import xarray as xr
import zarr

from .errors import InputError
from .grid import Chunk, Grid
from .results import named_result

__all__ = ["Store", "StoreMismatchError", "StoreStatus", "OutputSpec", "check_store_path", "store_status"]


class StoreMismatchError(InputError):
    """The store at a path was written by a different sweep call."""


OutputSpec = tuple[np.dtype, tuple[int, ...], tuple[str, ...]]  # dtype, trailing shape, dim names

_GROUP_JSON = json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {}})


@named_result
class StoreStatus(NamedTuple):
    """How far a store is: ``done`` of ``total`` chunks; ``complete`` is its attr (0 or 1)."""

    done: int
    total: int
    complete: int


def _fill_value(dtype: np.dtype):
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return False
    return 0


def check_store_path(path: str | os.PathLike, flag: str = "store") -> Path:
    """Refuse a store path that cannot hold a zarr directory, before any work: a name not ending
    in ``.zarr``, an existing file, a parent that is a file, or a place that cannot be written.
    Missing parent directories are created."""
    p = Path(path)
    if p.suffix != ".zarr":
        raise InputError(f"{flag}={str(p)!r}: a store is a zarr directory, so its name must end in .zarr "
                         "(for a netCDF file, sweep in memory and call .to_netcdf)")
    if p.exists() and not p.is_dir():
        raise InputError(f"{flag}={str(p)!r} is an existing file; a store is a directory")
    ensure_writable_dir(p.parent, flag, p)
    return p


def ensure_writable_dir(directory: Path, flag: str, target: Path | None = None) -> None:
    """Create ``directory`` (and its parents) and check that a file can be created in it; raise an
    :class:`InputError` naming ``flag`` otherwise."""
    shown = str(target if target is not None else directory)
    for parent in [directory, *directory.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{flag}={shown!r}: {str(parent)!r} is a file, not a directory")
            break
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".hai_sim-write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as e:
        raise InputError(f"{flag}={shown!r}: cannot write in {str(directory)!r} ({e.strerror or e})") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def store_status(path: str | os.PathLike) -> StoreStatus:
    """Done and total chunks of the store at ``path`` (from its markers), and its ``complete`` attr."""
    p = Path(path)
    meta = p / ".hai_sim"
    if not (meta / "fingerprint").exists():
        raise InputError(f"store={str(p)!r} is not a (completely created) hai_sim sweep store")
    layout = _read_json(meta / "info.json").get("layout", {})
    done = meta / "done"
    n_done = sum(1 for _ in done.iterdir()) if done.exists() else 0
    complete = int(zarr.open_group(str(p), mode="r").attrs.get("complete", 0))
    return StoreStatus(n_done, int(layout.get("chunks", -1)), complete)


class Store:
    """Chunked results of one sweep call at ``path``.

    ``fields`` are the parts of the call (:func:`hai_sim.engine.provenance.call_fields`) and
    ``fingerprint`` their combined digest. :meth:`open` creates the store or checks it and returns
    the grid to use (with the stored chunk layout when resuming).
    """

    def __init__(self, path: str | os.PathLike, fields: dict[str, dict[str, str]], fingerprint: str):
        self.path = Path(path)
        self.fields = fields
        self.fingerprint = fingerprint
        self.grid: Grid | None = None
        self._meta = self.path / ".hai_sim"
        self._done = self._meta / "done"
        self._group = None
        self._arrays: dict[str, Any] = {}

    # -- creation and checks ---------------------------------------------------------------
    def exists(self) -> bool:
        return (self._meta / "fingerprint").exists()

    def _info(self) -> dict[str, Any]:
        return _read_json(self._meta / "info.json")

    def check(self) -> None:
        """Raise :class:`StoreMismatchError` naming what differs if the store was written by
        another call."""
        found = (self._meta / "fingerprint").read_text().strip()
        if found == self.fingerprint:
            return
        stored = self._info().get("fields")
        where = f"store={str(self.path)!r} holds results of a different sweep call"
        if not stored:
            raise StoreMismatchError(f"{where} (written by an older hai_sim, with no record of its call). "
                                     "Use another path, or delete the store to recompute.")
        diffs = []
        for name, mine in self.fields.items():
            theirs = stored.get(name, {"text": "(not recorded)", "digest": ""})
            if theirs.get("digest") == mine["digest"]:
                continue
            a, b = theirs.get("text", "?"), mine["text"]
            if a == b:  # same name or summary, different content (source, captured values, values)
                a, b = f"{a} [digest {theirs.get('digest', '')[:12]}]", f"{b} [digest {mine['digest'][:12]}]"
            diffs.append(f"{name}: store {a!r}, this call {b!r}")
        raise StoreMismatchError(f"{where}; " + "; ".join(diffs or ["fingerprint"]) +
                                 ". Use another path, or delete the store to recompute.")

    def layout(self) -> tuple[int, int]:
        """The stored chunk layout: (split axis, rows per chunk)."""
        layout = self._info().get("layout", {})
        return int(layout["split_axis"]), int(layout["rows"])

    def _create(self, grid: Grid, outputs: dict[str, OutputSpec], attrs: dict[str, Any]) -> None:
        """Create the arrays (fill values everywhere) and write the fingerprint last."""
        if self._meta.exists() and not self.exists():
            raise StoreMismatchError(f"store={str(self.path)!r}: an earlier creation of it was interrupted; "
                                     "delete it and run again")
        if self.path.exists() and any(self.path.iterdir()) and not self.exists():
            raise StoreMismatchError(
                f"store={str(self.path)!r} exists and is not a hai_sim sweep store; refusing to overwrite it"
            )
        group = zarr.open_group(str(self.path), mode="w")
        # Marks the directory as ours from the start: a crash before the fingerprint is written
        # is then reported as an interrupted creation, not as a foreign directory. Its zarr.json
        # makes .hai_sim an (empty) group, so zarr and xarray do not warn about it.
        self._done.mkdir(parents=True, exist_ok=True)
        (self._meta / "zarr.json").write_text(_GROUP_JSON)
        for axis in grid.axes:
            values = np.array(axis.values, dtype=str) if axis.categorical else axis.values
            arr = group.create_array(axis.name, shape=values.shape, chunks=values.shape, dtype=values.dtype,
                                     dimension_names=[axis.name])
            arr[:] = values
        base_chunks = grid.storage_chunks
        for name, (dtype, trailing, dims) in outputs.items():
            group.create_array(
                name,
                shape=grid.shape + tuple(trailing),
                chunks=base_chunks + tuple(trailing),
                dtype=dtype,
                fill_value=_fill_value(np.dtype(dtype)),
                dimension_names=list(grid.names) + list(dims),
            )
        group.attrs.update({**attrs, "complete": 0})
        layout = {"split_axis": grid.split_axis, "rows": grid.rows, "chunk_points": grid.chunk_points,
                  "chunks": len(grid.chunks())}
        (self._meta / "info.json").write_text(json.dumps({"fields": self.fields, "layout": layout}, indent=1))
        tmp = self._meta / "fingerprint.tmp"
        tmp.write_text(self.fingerprint)
        os.replace(tmp, self._meta / "fingerprint")

    def open(self, grid: Grid, outputs: dict[str, OutputSpec], attrs: dict[str, Any], timeout: float = 600.0) -> Grid:
        """Create the store with ``grid``'s layout unless it exists; with several processes exactly
        one creates it (an exclusive lock file decides which) and the others wait for it. An
        existing store is checked, and its own chunk layout replaces ``grid``'s."""
        check_store_path(self.path)
        if not self.exists():
            lock = self.path.parent / f".{self.path.name}.creating"
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                self._wait_for_creator(lock, timeout)
            else:
                try:
                    os.close(fd)
                    if not self.exists():
                        self._create(grid, outputs, attrs)
                finally:
                    lock.unlink(missing_ok=True)
        self.check()
        split_axis, rows = self.layout()
        self.grid = dataclasses.replace(grid, split_axis=split_axis, rows=rows)
        return self.grid

    def _wait_for_creator(self, lock: Path, timeout: float) -> None:
        t0 = time.monotonic()
        while not self.exists():
            if not lock.exists() and not self.exists():
                raise StoreMismatchError(f"store={str(self.path)!r}: its creator stopped before finishing; "
                                         "delete the store and run again")
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"store={str(self.path)!r} was not created within {timeout:.0f} s "
                                   f"(a stale lock? delete {str(lock)!r})")
            time.sleep(0.1)

    # -- chunks ------------------------------------------------------------------------------
    def is_done(self, chunk: Chunk) -> bool:
        return (self._done / str(chunk.index)).exists()

    def done_count(self) -> int:
        return sum(1 for _ in self._done.iterdir()) if self._done.exists() else 0

    def write(self, chunk: Chunk, outputs: dict[str, np.ndarray]) -> None:
        """Write one chunk's data (shape = the chunk's region + trailing dims), then mark it done."""
        if self._group is None:
            self._group = zarr.open_group(str(self.path), mode="r+")
        region = self.grid.chunk_region(chunk)
        for name, values in outputs.items():
            # opened once per store: each group[name] reads the array's metadata from disk again
            arr = self._arrays.get(name)
            if arr is None:
                arr = self._arrays[name] = self._group[name]
            arr[region] = values
        (self._done / str(chunk.index)).touch()

    def mark_complete_if_done(self, total: int) -> bool:
        """Set the ``complete`` attr to 1 when every chunk is done (the attr's only write after
        creation, so processes never race on other attrs). Returns whether the store is complete."""
        if self.done_count() < total:
            return False
        group = zarr.open_group(str(self.path), mode="r+")
        if int(group.attrs.get("complete", 0)) != 1:
            group.attrs["complete"] = 1
        return True

    # -- reading -------------------------------------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        ds = xr.open_zarr(str(self.path), consolidated=False, chunks=None)
        for axis in self.grid.axes:
            if axis.categorical:  # zarr returns a variable-width string dtype; match in-memory results
                ds = ds.assign_coords({axis.name: np.array(axis.values, dtype=str)})
        return ds
