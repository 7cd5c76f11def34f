"""Every CLI verb through a subprocess, including the bad-input paths (one line, exit code 2)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

HERE = Path(__file__).parent
HAI_SIM = [sys.executable, "-m", "hai_sim.cli"]


def cli(*args, cwd=None, extra_env=None, timeout=300):
    env = dict(os.environ, HAI_SIM_EXPERIMENTS="_tiny_experiments", JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH", "")]))
    env.update(extra_env or {})
    return subprocess.run([*HAI_SIM, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


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


@pytest.mark.parametrize(
    "args, fragments",
    [
        (("run", "no.such-experiment"), ["no.such-experiment", "not registered"]),
        (("run", "usertest.tyni"), ["did you mean usertest.tiny"]),
        (("sweep", "_tiny_experiments:parabola", "--axis", "x=0:1"), ["--axis", "start:stop:num"]),
        (("sweep", "_tiny_experiments:parabola", "--axis", "x=a:1:3"), ["must be numbers"]),
        (("sweep", "_tiny_experiments:parabola", "--axis", "x"), ["expected name="]),
        (("sweep", "no_such_module:f", "--axis", "x=0:1:3"), ["no module named 'no_such_module'"]),
        (("sweep", "_tiny_experiments:nope", "--axis", "x=0:1:3"), ["has no attribute 'nope'"]),
        (("sweep", "parabola", "--axis", "x=0:1:3"), ["MODULE:FUNCTION"]),
        (("sweep", "_tiny_experiments:parabola", "--axis", "x=0:1:3", "--out", "a.txt"), [".nc or .zarr"]),
        (("sweep", "hai_sim.demo:order_parameter", "--axis", "x=0:1:3", "--axis", "y=0:1:3", "--set", "w=0",
          "--out", "neg.nc"), ["non-finite"]),
        (("sweep", "_tiny_experiments:parabola", "--axis", "z=0:1:3"), ["no parameter(s) ['z']"]),
        (("sweep", "_tiny_experiments:parabola", "--set", "c=1", "--axis", "c=0:1:3"), ["also given as --axis"]),
        (("sweep", "hai_sim.demo:order_parameter", "--axis", "x=0:1:3"), ["needs ['y']"]),
        (("atlas", "--only", "nothing.*"), ["matches no registered experiment"]),
        (("bench", "--only", "nosuch"), ["no such benchmark"]),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path, args, fragments):
    assert_one_line_error(cli(*args, cwd=tmp_path), *fragments)


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


def test_bench_runs_a_subset_and_writes_json(tmp_path):
    proc = cli("bench", "--quick", "--only", "engine", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "engine.json").read_text())["results"]
    assert rows and all(r["jax_rate"] > 0 for r in rows)
    assert any("ratio" in r for r in rows)
