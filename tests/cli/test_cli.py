"""Every CLI verb through a subprocess (the bad-input paths, in process, are in test_inputs.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import xarray as xr

HERE = Path(__file__).parent
HAI_SIM = [sys.executable, "-m", "hai_sim.cli"]


def cli(*args, cwd=None, extra_env=None, timeout=300):
    env = dict(os.environ, HAI_SIM_EXPERIMENTS="_tiny_experiments", JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH", "")]))
    env.update(extra_env or {})
    return subprocess.run([*HAI_SIM, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def test_info_reports_versions_devices_and_x64():
    proc = cli("info")
    assert proc.returncode == 0, proc.stderr
    assert "jax" in proc.stdout and "x64 on" in proc.stdout and "cpu" in proc.stdout
    off = cli("info", extra_env={"HAI_SIM_X64": "0"})
    assert "x64 off" in off.stdout


def test_list_shows_registered_experiments_with_tags():
    proc = cli("list")
    assert proc.returncode == 0, proc.stderr
    assert "usertest.tiny" in proc.stdout and "[X]" in proc.stdout


def test_run_writes_netcdf_png_and_table(tmp_path):
    proc = cli("run", "usertest.tiny", "--quick", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "1 mismatch" in proc.stdout
    ds = xr.open_dataset(tmp_path / "usertest.tiny.nc", engine="h5netcdf")
    np.testing.assert_allclose(ds["y"].values, np.linspace(0, 1, 5) ** 2)
    assert (tmp_path / "usertest.tiny.png").stat().st_size > 1000
    table = json.loads((tmp_path / "usertest.tiny.json").read_text())
    assert [r["status"] for r in table["table"]] == ["match", "MISMATCH"]


def test_sweep_from_the_shell_to_netcdf_and_to_a_store(tmp_path):
    out = tmp_path / "s.nc"
    proc = cli("sweep", "_tiny_experiments:parabola", "--axis", "x=0:2:5", "--set", "c=1.5", "--out", str(out),
               "--quiet")
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_dataset(out, engine="h5netcdf")
    np.testing.assert_allclose(ds["parabola"].values, np.linspace(0, 2, 5) ** 2 + 1.5, rtol=1e-15)
    assert ds.attrs["c"] == 1.5
    store = tmp_path / "s.zarr"
    proc = cli("sweep", "hai_sim.demo:order_parameter", "--axis", "x=0:1:11", "--axis", "y=0.2,0.4",
               "--out", str(store), "--quiet")
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_zarr(store, consolidated=False, chunks=None)
    assert dict(ds.sizes) == {"x": 11, "y": 2}


def test_atlas_on_a_subset_writes_index_and_marks_mismatches_and_failures(tmp_path):
    proc = cli("atlas", "--quick", "--out", str(tmp_path / "atlas"), "--only", "usertest.*")
    assert proc.returncode == 1  # the deliberately broken experiment fails the atlas...
    page = (tmp_path / "atlas" / "index.html").read_text()
    assert "A tiny user experiment" in page and "deliberate failure" in page  # ...but not the others
    assert 'class="MISMATCH"' in page and 'class="match"' in page
    assert (tmp_path / "atlas" / "files" / "usertest.tiny.png").exists()
    ok = cli("atlas", "--quick", "--out", str(tmp_path / "a2"), "--only", "usertest.tiny")
    assert ok.returncode == 0, ok.stderr


def test_atlas_default_output_is_under_the_current_directory(tmp_path):
    proc = cli("atlas", "--quick", "--only", "usertest.tiny", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "results" / "atlas" / "index.html").exists()


def test_bench_writes_under_the_current_directory_not_into_the_package(tmp_path):
    package_results = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "engine.json"
    before = package_results.stat().st_mtime_ns if package_results.exists() else None
    proc = cli("bench", "--quick", "--no-float32", "--only", "engine", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "benchmarks" / "results" / "engine.json").read_text())["results"]
    assert rows and all(r["jax_rate"] > 0 for r in rows)
    assert any("ratio" in r for r in rows)
    assert (package_results.stat().st_mtime_ns if package_results.exists() else None) == before


def test_a_bug_keeps_its_traceback_and_exits_1(tmp_path):
    # A broadcasting error is a ValueError but not an InputError: it is a bug, not bad input.
    proc = cli("run", "usertest.buggy", "--quick", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" in proc.stderr and "could not be broadcast" in proc.stderr
    assert "hai-sim: error" not in proc.stderr
