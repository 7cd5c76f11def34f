"""A sweep's results on disk (zarr v3) that resume after a crash and never mix two computations.

Layout of ``path`` (a directory):

* a zarr group with one array per axis (its coordinate values) and one per output, whose chunks
  are exactly the sweep's chunks (so two processes never write the same zarr chunk);
* ``.hai_sim/fingerprint`` — the digest of the call that created it (see
  :func:`hai_sim.engine.provenance.fingerprint`); a call with another digest is refused;
* ``.hai_sim/done/<chunk index>`` — an empty marker written only after that chunk's data is in
  the arrays, so a kill at any moment never leaves a half-written chunk marked done.

The xarray view of a store is ``xarray.open_zarr(path, consolidated=False, chunks=None)``.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import zarr

from .errors import InputError
from .grid import Chunk, Grid

__all__ = ["Store", "StoreMismatchError", "OutputSpec"]


class StoreMismatchError(InputError):
    """The store at a path was written by a different sweep call."""


OutputSpec = tuple[np.dtype, tuple[int, ...], tuple[str, ...]]  # dtype, trailing shape, dim names


def _fill_value(dtype: np.dtype):
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return False
    return 0


class Store:
    """Chunked results of one sweep call at ``path``."""

    def __init__(self, path: str | os.PathLike, grid: Grid, fingerprint: str):
        self.path = Path(path)
        self.grid = grid
        self.fingerprint = fingerprint
        self._meta = self.path / ".hai_sim"
        self._done = self._meta / "done"
        self._group = None

    # -- creation and checks ---------------------------------------------------------------
    def exists(self) -> bool:
        return (self._meta / "fingerprint").exists()

    def check(self) -> None:
        """Raise :class:`StoreMismatchError` if the store was written by another call."""
        found = (self._meta / "fingerprint").read_text().strip()
        if found != self.fingerprint:
            info = self._read_info()
            raise StoreMismatchError(
                f"store={str(self.path)!r} holds results of a different sweep call "
                f"(kernel {info.get('kernel', '?')!r}, axes {info.get('axes', '?')}, seed {info.get('seed', '?')}); "
                "its fingerprint differs in the axes, seed, metadata, chunk layout or kernel. "
                "Use another path, or delete the store to recompute."
            )

    def _read_info(self) -> dict[str, Any]:
        try:
            return json.loads((self._meta / "info.json").read_text())
        except (OSError, ValueError):
            return {}

    def create(self, outputs: dict[str, OutputSpec], attrs: dict[str, Any], info: dict[str, Any]) -> None:
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
        # is then reported as an interrupted creation, not as a foreign directory.
        self._done.mkdir(parents=True, exist_ok=True)
        for axis in self.grid.axes:
            if axis.categorical:
                values = np.array(axis.values, dtype=str)
                arr = group.create_array(axis.name, shape=values.shape, chunks=values.shape, dtype=str,
                                         dimension_names=[axis.name])
            else:
                values = axis.values
                arr = group.create_array(axis.name, shape=values.shape, chunks=values.shape, dtype=values.dtype,
                                         dimension_names=[axis.name])
            arr[:] = values
        base_chunks = self.grid.storage_chunks
        for name, (dtype, trailing, dims) in outputs.items():
            group.create_array(
                name,
                shape=self.grid.shape + tuple(trailing),
                chunks=base_chunks + tuple(trailing),
                dtype=dtype,
                fill_value=_fill_value(np.dtype(dtype)),
                dimension_names=list(self.grid.names) + list(dims),
            )
        group.attrs.update(attrs)
        (self._meta / "info.json").write_text(json.dumps(info))
        tmp = self._meta / "fingerprint.tmp"
        tmp.write_text(self.fingerprint)
        os.replace(tmp, self._meta / "fingerprint")

    def create_or_wait(self, outputs: dict[str, OutputSpec], attrs: dict[str, Any], info: dict[str, Any],
                       timeout: float = 600.0) -> None:
        """Create the store unless it exists; with several processes exactly one creates it (an
        exclusive lock file decides which) and the others wait for it, then check its fingerprint."""
        if self.exists():
            self.check()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.parent / f".{self.path.name}.creating"
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            self._wait_for_creator(lock, timeout)
            return
        try:
            os.close(fd)
            if not self.exists():
                self.create(outputs, attrs, info)
            else:
                self.check()
        finally:
            lock.unlink(missing_ok=True)

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
        self.check()

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
            self._group[name][region] = values
        (self._done / str(chunk.index)).touch()

    # -- reading -------------------------------------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        with warnings.catch_warnings():
            # zarr notes that .hai_sim/ is not part of its hierarchy; that is by design.
            warnings.filterwarnings("ignore", message=".*not recognized as a component of a Zarr hierarchy")
            ds = xr.open_zarr(str(self.path), consolidated=False, chunks=None)
        for axis in self.grid.axes:
            if axis.categorical:  # zarr returns a variable-width string dtype; match in-memory results
                ds = ds.assign_coords({axis.name: np.array(axis.values, dtype=str)})
        return ds
