"""Where a sweep's chunks go: one interface, two sinks (memory and a zarr store).

A sink says which chunks this process still has to compute (:meth:`Sink.pending`), takes each
computed chunk (:meth:`Sink.write`, data already on the host, shaped as the chunk's region plus
each output's trailing dims) and finally gives the Dataset (:meth:`Sink.result`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import xarray as xr

from .grid import Chunk, Grid
from .store import OutputSpec, Store

__all__ = ["Sink", "MemorySink", "ZarrSink"]


class Sink(Protocol):
    def pending(self, chunks: list[Chunk]) -> list[Chunk]:
        """The chunks, among ``chunks``, that this process has to compute."""

    def write(self, chunk: Chunk, data: dict[str, np.ndarray]) -> None:
        """Take one computed chunk."""

    def result(self) -> xr.Dataset:
        """The sweep's Dataset, once every pending chunk is written."""


class MemorySink:
    """The whole result in host memory, returned as an in-memory Dataset."""

    def __init__(self, grid: Grid, outputs: dict[str, OutputSpec], attrs: dict[str, Any]):
        self.grid = grid
        self.outputs = outputs
        self.attrs = attrs
        # Every chunk is written before the result is read, so no fill is needed (a NaN fill of
        # a 10^8-point result cost as much as computing it).
        self.host = {name: np.empty(grid.shape + shape, dtype=dt) for name, (dt, shape, _) in outputs.items()}

    def pending(self, chunks: list[Chunk]) -> list[Chunk]:
        return chunks

    def write(self, chunk: Chunk, data: dict[str, np.ndarray]) -> None:
        region = self.grid.chunk_region(chunk)
        for name, v in data.items():
            self.host[name][region] = v

    def result(self) -> xr.Dataset:
        grid = self.grid
        coords = {a.name: (np.array(a.values, dtype=str) if a.categorical else a.values) for a in grid.axes}
        data_vars = {name: (grid.names + self.outputs[name][2], self.host[name]) for name in self.outputs}
        return xr.Dataset(data_vars, coords=coords, attrs={**self.attrs, "complete": 1})


class ZarrSink:
    """A share of the chunks of a zarr :class:`~hai_sim.engine.store.Store` (this process takes the
    chunks whose index is congruent to ``process_index`` modulo ``process_count``)."""

    def __init__(self, store: Store, n_chunks: int, process_index: int, process_count: int,
                 barrier: Callable[[str], None]):
        self.store = store
        self.n_chunks = n_chunks
        self.process_index = process_index
        self.process_count = process_count
        self.barrier = barrier

    def pending(self, chunks: list[Chunk]) -> list[Chunk]:
        return [c for c in chunks
                if c.index % self.process_count == self.process_index and not self.store.is_done(c)]

    def write(self, chunk: Chunk, data: dict[str, np.ndarray]) -> None:
        self.store.write(chunk, data)

    def result(self) -> xr.Dataset:
        self.barrier("hai_sim.sweep.finished")
        self.store.mark_complete_if_done(self.n_chunks)
        return self.store.to_dataset()
