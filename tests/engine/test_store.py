"""Zarr stores: equal to in-memory results, resume after kill -9, refuse a different call,
several processes (job array and jax.distributed) writing one store."""

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from hai_sim.engine import InputError, StoreMismatchError, sweep
from hai_sim.engine.store import store_status

sys.path.insert(0, str(Path(__file__).parent))
import _store_kernels as K  # noqa: E402

HERE = Path(__file__).parent


def _reference():
    return sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, progress=False)


def _assert_same(ds, ref):
    for name in ("v", "r"):
        np.testing.assert_allclose(np.asarray(ds[name].values), ref[name].values, rtol=1e-12, atol=0)
    for axis in K.AXES:
        np.testing.assert_array_equal(ds[axis].values, ref[axis].values)


def test_store_equals_in_memory_and_second_call_computes_nothing(tmp_path):
    path = tmp_path / "s.zarr"
    ds = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=str(path), progress=False)
    _assert_same(ds, _reference())
    assert ds.attrs["complete"] == 1
    markers = sorted((path / ".hai_sim" / "done").iterdir())
    assert len(markers) == 12
    mtimes = [m.stat().st_mtime_ns for m in markers]
    again = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=str(path), progress=False)
    assert [m.stat().st_mtime_ns for m in markers] == mtimes
    _assert_same(again, _reference())
    # The store is a plain zarr group that xarray opens directly.
    direct = xr.open_zarr(str(path), consolidated=False, chunks=None)
    np.testing.assert_array_equal(direct["v"].values, ds["v"].values)


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 12},
        {"metadata": {"tau": 0.3}},
        {"axes": {"a": np.linspace(0.0, 1.0, 24), "b": np.linspace(-2.0, 2.5, 10)}},
        {"fn": "other"},
    ],
)
def test_store_written_by_a_different_call_is_refused(tmp_path, change):
    path = str(tmp_path / "s.zarr")
    sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False)

    def other(a, b, key):
        return {"v": a * b, "r": np.zeros(2) + a}

    kwargs = dict(seed=11, chunk_size=K.CHUNK, store=path, progress=False)
    fn, axes = K.fast_kernel, K.AXES
    if "fn" in change:
        fn = other
    if "axes" in change:
        axes = change["axes"]
    kwargs.update({k: v for k, v in change.items() if k not in ("fn", "axes")})
    with pytest.raises(StoreMismatchError, match="different sweep call"):
        sweep(fn, axes, **kwargs)


def test_a_different_chunk_size_resumes_with_the_stores_layout_and_says_so(tmp_path, caplog):
    path = tmp_path / "s.zarr"
    first = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=str(path), progress=False)
    (path / ".hai_sim" / "done" / "5").unlink()  # as if the run had stopped before chunk 5
    with caplog.at_level("INFO", logger="hai_sim.sweep"):
        ds = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=40, store=str(path), progress=False)
    assert "resumed: 11 of 12 chunks already done (with the store's chunk layout, 20 points per chunk, " \
           "instead of the 40 asked for)" in caplog.text
    assert len(list((path / ".hai_sim" / "done").iterdir())) == 12
    _assert_same(ds, _reference())
    assert ds["v"].encoding["chunks"] == first["v"].encoding["chunks"] == (2, 10)


def test_closed_over_value_is_part_of_the_fingerprint(tmp_path):
    path = str(tmp_path / "s.zarr")

    def make(scale):
        def scaled(a, b):
            return a * b * scale

        return scaled

    sweep(make(2.0), K.AXES, store=path, progress=False)
    sweep(make(2.0), K.AXES, store=path, progress=False)  # same call: accepted
    with pytest.raises(StoreMismatchError):
        sweep(make(3.0), K.AXES, store=path, progress=False)


def test_a_foreign_directory_is_not_overwritten(tmp_path):
    path = tmp_path / "s.zarr"
    path.mkdir()
    (path / "precious.txt").write_text("keep me")
    with pytest.raises(StoreMismatchError, match="not a hai_sim sweep store"):
        sweep(K.fast_kernel, K.AXES, store=str(path), progress=False)
    assert (path / "precious.txt").read_text() == "keep me"


def test_an_interrupted_creation_is_reported_as_such(tmp_path):
    path = tmp_path / "s.zarr"
    (path / ".hai_sim" / "done").mkdir(parents=True)  # what a crash before the fingerprint leaves
    with pytest.raises(StoreMismatchError, match="creation of it was interrupted"):
        sweep(K.fast_kernel, K.AXES, store=str(path), progress=False)


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    import hai_sim
    from hai_sim.engine import sweep
    import _store_kernels as K
    sweep(K.kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=sys.argv[1], progress=False)
    """
)


def test_resume_after_kill_minus_9_equals_uninterrupted_run(tmp_path):
    path = tmp_path / "s.zarr"
    done = path / ".hai_sim" / "done"
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(path), str(HERE)])
    try:
        t0 = time.monotonic()
        while not (done.exists() and len(list(done.iterdir())) >= 3):
            assert proc.poll() is None, "the sweep finished or died before it could be killed"
            assert time.monotonic() - t0 < 120
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    before = {m.name: m.stat().st_mtime_ns for m in done.iterdir()}
    assert 3 <= len(before) < 12
    ds = sweep(K.kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=str(path), progress=False)
    after = {m.name: m.stat().st_mtime_ns for m in done.iterdir()}
    assert len(after) == 12
    assert all(after[k] == v for k, v in before.items())  # finished chunks were not recomputed
    _assert_same(ds, _reference())


_SHARE_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    import hai_sim
    from hai_sim.engine import sweep
    import _store_kernels as K
    ds = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=sys.argv[1], progress=False,
               process_index=int(sys.argv[3]), process_count=int(sys.argv[4]))
    """
)


def test_job_array_shares_fill_one_store(tmp_path):
    path = str(tmp_path / "s.zarr")
    procs = [subprocess.Popen([sys.executable, "-c", _SHARE_SCRIPT, path, str(HERE), str(i), "3"]) for i in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    ds = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False)
    assert ds.attrs["complete"] == 1
    _assert_same(ds, _reference())


_DIST_SCRIPT = textwrap.dedent(
    """
    import sys
    import jax
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=sys.argv[3], num_processes=2, process_id=int(sys.argv[4]))
    sys.path.insert(0, sys.argv[2])
    import hai_sim
    from hai_sim.engine import sweep
    import _store_kernels as K
    assert jax.process_count() == 2
    ds = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=sys.argv[1], progress=False)
    assert ds.attrs["complete"] == 1, "returned before the other process finished"
    print("ok", jax.process_index(), flush=True)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_under_jax_distributed_produce_the_single_process_store(tmp_path):
    path = str(tmp_path / "s.zarr")
    addr = f"127.0.0.1:{_free_port()}"
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    procs = [
        subprocess.Popen([sys.executable, "-c", _DIST_SCRIPT, path, str(HERE), addr, str(i)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(2)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    ds_single = sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=str(tmp_path / "one.zarr"),
                      progress=False)
    ds_multi = xr.open_zarr(path, consolidated=False, chunks=None)
    for name in ("v", "r"):
        np.testing.assert_allclose(ds_multi[name].values, ds_single[name].values, rtol=1e-12, atol=0)
    assert len(list((Path(path) / ".hai_sim" / "done").iterdir())) == 12


# ------------------------------------------------------------------ what a store says (issue: stores)


def test_a_refused_store_names_each_differing_field_with_both_values(tmp_path):
    path = str(tmp_path / "s.zarr")
    sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False, metadata={"tau": 0.3})
    with pytest.raises(StoreMismatchError) as info:
        sweep(K.fast_kernel, K.AXES, seed=12, chunk_size=K.CHUNK, store=path, progress=False, metadata={"tau": 0.4})
    msg = str(info.value)
    assert "seed: store '11', this call '12'" in msg
    assert """metadata: store '{"tau": 0.3}', this call '{"tau": 0.4}'""" in msg
    assert "kernel:" not in msg and "axes:" not in msg
    axes = {"a": K.AXES["a"], "b": np.linspace(-2.0, 2.5, 10)}
    with pytest.raises(StoreMismatchError, match=r"axes: store 'a\[24 values, 0 \.\. 1\], b\[10 values, -2 \.\. 2\]', "
                                                 r"this call 'a\[24 values, 0 \.\. 1\], b\[10 values, -2 \.\. 2\.5\]'"):
        sweep(K.fast_kernel, axes, seed=11, chunk_size=K.CHUNK, store=path, progress=False, metadata={"tau": 0.3})
    with pytest.raises(StoreMismatchError, match=r"kernel: store '_store_kernels\.fast_kernel', "
                                                 r"this call '_store_kernels\.kernel'"):
        sweep(K.kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False, metadata={"tau": 0.3})


def test_identical_runs_give_identical_readable_attrs(tmp_path):
    fn = functools.partial(K.scaled, scale=2.0)
    a = sweep(fn, K.AXES, store=str(tmp_path / "a.zarr"), progress=False)
    b = sweep(functools.partial(K.scaled, scale=2.0), K.AXES, store=str(tmp_path / "b.zarr"), progress=False)
    assert a.attrs == b.attrs
    assert a.attrs["kernel"] == "functools.partial(_store_kernels.scaled, scale=2.0)"
    assert "0x" not in json.dumps(a.attrs)


def test_partial_store_says_so_in_attrs_and_status_and_opens_without_warnings(tmp_path):
    path = str(tmp_path / "s.zarr")
    sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False,
          process_index=0, process_count=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        part = xr.open_zarr(path, consolidated=False)
    assert part.attrs["complete"] == 0
    assert store_status(path) == (6, 12, 0)  # the even chunks of 12
    assert np.isnan(part["v"].values[2:4]).all()  # chunk 1 (rows 2-3 of a) is not there yet
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xr.open_zarr(path)  # plain call: at most xarray's note on consolidated metadata
    assert not [w for w in caught if ".hai_sim" in str(w.message)]
    sweep(K.fast_kernel, K.AXES, seed=11, chunk_size=K.CHUNK, store=path, progress=False,
          process_index=1, process_count=2)
    assert store_status(path) == (12, 12, 1)
    assert xr.open_zarr(path, consolidated=False).attrs["complete"] == 1


def test_store_paths_of_the_wrong_kind_are_refused(tmp_path):
    (tmp_path / "file.zarr").write_text("x")
    (tmp_path / "plain").write_text("x")
    for store, match in [(tmp_path / "file.zarr", "is an existing file"),
                         (tmp_path / "plain" / "s.zarr", "is a file, not a directory"),
                         ("/proc/hai_sim_no_such_dir/s.zarr", "cannot write"),
                         (tmp_path / "s.nc", "must end in .zarr")]:
        with pytest.raises(InputError, match=match):
            sweep(K.fast_kernel, K.AXES, store=str(store), progress=False)
