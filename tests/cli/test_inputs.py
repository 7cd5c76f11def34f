"""Bad input on the command line: one line on stderr naming the input, exit code 2, nothing left
behind (in process, through typer's CliRunner, so each case costs milliseconds to a second)."""

import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from hai_sim import cli as cli_mod
from hai_sim.engine.experiment import REGISTRY

HERE = Path(__file__).parent
PROC_DIR = Path("/proc/hai_sim_no_such_dir")


@pytest.fixture
def invoke(monkeypatch, tmp_path):
    monkeypatch.setenv("HAI_SIM_EXPERIMENTS", "_tiny_experiments")
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setattr(cli_mod, "_setup_jax", lambda: None)  # no persistent cache in the test process
    monkeypatch.chdir(tmp_path)
    saved = dict(REGISTRY)
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli_mod.app, [str(a) for a in args])
    REGISTRY.clear()  # the user experiments must not leak into the registry test
    REGISTRY.update(saved)
    sys.modules.pop("_tiny_experiments", None)


def one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hai-sim: error: ") and "Traceback" not in result.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


PARABOLA = "_tiny_experiments:parabola"
DEMO = "hai_sim.demo:order_parameter"


@pytest.mark.parametrize(
    "args, fragments",
    [
        (("run", "no.such-experiment"), ["no.such-experiment", "not registered"]),
        (("run", "usertest.tyni"), ["did you mean usertest.tiny"]),
        (("sweep", PARABOLA, "--axis", "x=0:1"), ["--axis x=0:1", "start:stop:num"]),
        (("sweep", PARABOLA, "--axis", "x=a:1:3"), ["must be numbers"]),
        (("sweep", PARABOLA, "--axis", "x"), ["expected name="]),
        (("sweep", "no_such_module:f", "--axis", "x=0:1:3"), ["no module named 'no_such_module'"]),
        (("sweep", "_tiny_experiments:nope", "--axis", "x=0:1:3"), ["has no attribute 'nope'"]),
        (("sweep", "parabola", "--axis", "x=0:1:3"), ["MODULE:FUNCTION"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--out", "a.txt"), [".nc or .zarr"]),
        (("sweep", PARABOLA, "--axis", "z=0:1:3"), ["no parameter(s) ['z']"]),
        (("sweep", PARABOLA, "--set", "c=1", "--axis", "c=0:1:3"), ["also given as --axis"]),
        (("sweep", DEMO, "--axis", "x=0:1:3"), ["needs ['y']"]),
        # usage errors of the command line itself: one line, no box
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--nope"), ["No such option: --nope"]),
        (("sweep",), ["Missing argument 'kernel'"]),
        (("bogus",), ["No such command 'bogus'"]),
        (("atlas", "--only", "nothing.*"), ["matches no registered experiment"]),
        (("bench", "--only", "nosuch"), ["--only nosuch", "no such benchmark", "engine"]),
        # Inputs that ended in a traceback
        (("sweep", DEMO, "--axis", "x=0:1:1000000000000", "--axis", "y=0:1:3"),
         ["--axis x=0:1:1000000000000", "do not fit in memory"]),
        (("sweep", DEMO, "--axis", "x=0:1:1000000", "--axis", "y=0:1:1000000", "--out", "big.nc"),
         ["1e+12 points", "7.28 TiB", "--out result.zarr"]),
        (("sweep", DEMO, "--axis", "x=0:1:3", "--axis", "y=0:1:3", "--set", "w=abc"),
         ["--set w=abc", "'w' is a numeric parameter"]),
        (("sweep", DEMO, "--axis", "x=0:1:3", "--axis", "y=0:1:3", "--set", "w=0.1,0.2"),
         ["--set w=0.1,0.2", "use --axis w=0.1,0.2"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--axis", "c=uniform,normal"),
         ["--axis c=uniform,normal", "'c' is a numeric parameter"]),
        (("sweep", DEMO, "--axis", "x=uniform,normal", "--axis", "y=0:1:3"),
         ["x='uniform'", "is the parameter numeric?"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--seed", "99999999999999999999"), ["--seed"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--seed", "-1"), ["--seed"]),
        # Silently accepted before
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--axis", "x=0:1:5"), ["--axis x", "given twice"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--set", "c=1", "--set", "c=2"), ["--set c", "given twice"]),
        (("sweep", PARABOLA, "--axis", "x=1:1:5"), ["--axis x=1:1:5", "all be equal", "x=1"]),
        (("sweep", PARABOLA, "--axis", "x=0.1,,0.2"), ["--axis x=0.1,,0.2", "empty value"]),
        (("sweep", PARABOLA, "--axis", "x=0.1,0.2,0.1"), ["a value is repeated"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--axis", "key=0:1:3"), ["'key' is reserved"]),
        (("sweep", PARABOLA, "--axis", "x=0:1:3", "--set", "key=3"), ["'key' is reserved"]),
        # Misleading before
        (("sweep", DEMO, "--axis", "x=0:1:3", "--axis", "y=0:1:3", "--set", "w=nan"),
         ["--set w=nan", "must be finite"]),
        (("sweep", PARABOLA, "--axis", "x=0:inf:3"), ["must be finite"]),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(invoke, args, fragments):
    one_line_error(invoke(*args), *fragments)


def test_nonfinite_output_names_the_flag_and_the_likely_cause(invoke):
    line = one_line_error(invoke("sweep", DEMO, "--axis", "x=0:1:3", "--axis", "y=0:1:3", "--set", "w=0"),
                          "'order_parameter' is non-finite", "--set w=0", "likely cause",
                          "--allow-nonfinite order_parameter")
    assert "allow_nonfinite=(" not in line  # no Python syntax on the command line


def test_an_unknown_experiment_module_is_bad_input(invoke, monkeypatch):
    monkeypatch.setenv("HAI_SIM_EXPERIMENTS", "_tiny_experiments,no_such_experiments_module")
    one_line_error(invoke("list"), "HAI_SIM_EXPERIMENTS", "no module named 'no_such_experiments_module'")


def test_a_huge_range_gives_its_values_without_numpy_warnings(invoke, tmp_path):
    result = invoke("sweep", DEMO, "--axis", "x=0:1:3", "--axis", "y=-1e308:1e308:5", "--out", "w.nc", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    ds = xr.open_dataset(tmp_path / "w.nc", engine="h5netcdf")
    np.testing.assert_array_equal(ds["y"].values, [-1e308, -5e307, 0.0, 5e307, 1e308])
    # Phi is 0 or 1 at |y| this large, whatever x.
    np.testing.assert_array_equal(ds["order_parameter"].values[:, [0, 1, 3, 4]], [[0, 0, 1, 1]] * 3)


@pytest.mark.parametrize("verb", ["sweep", "run", "atlas"])
def test_out_of_the_wrong_kind_or_unwritable_is_refused_in_one_line(invoke, tmp_path, verb):
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "a_dir.nc").mkdir()
    (tmp_path / "a_file.zarr").write_text("x")
    base = {"sweep": ("sweep", PARABOLA, "--axis", "x=0:1:3", "--quiet"),
            "run": ("run", "usertest.tiny", "--quick"),
            "atlas": ("atlas", "--quick", "--only", "usertest.tiny")}[verb]
    if verb == "sweep":
        one_line_error(invoke(*base, "--out", "a_dir.nc"), "is an existing directory")
        one_line_error(invoke(*base, "--out", "a_file.zarr"), "is an existing file")
        one_line_error(invoke(*base, "--out", "a_file/s.nc"), "'a_file' is a file, not a directory")
        one_line_error(invoke(*base, "--out", PROC_DIR / "s.nc"), "cannot write")
        one_line_error(invoke(*base, "--out", "/proc/s.zarr"), "cannot write")
    else:
        one_line_error(invoke(*base, "--out", "a_file"), "is an existing file; a directory is needed")
        one_line_error(invoke(*base, "--out", "a_file/deeper"), "'a_file' is a file, not a directory")
        one_line_error(invoke(*base, "--out", PROC_DIR), "cannot write")
    assert not PROC_DIR.exists()


def test_a_missing_parent_directory_is_created(invoke, tmp_path):
    result = invoke("sweep", PARABOLA, "--axis", "x=0:1:3", "--out", "new/deeper/s.nc", "--quiet")
    assert result.exit_code == 0, result.stderr
    np.testing.assert_allclose(xr.open_dataset(tmp_path / "new/deeper/s.nc")["parabola"].values, [0, 0.25, 1])


def test_atlas_only_matching_nothing_leaves_no_folder(invoke, tmp_path):
    one_line_error(invoke("atlas", "--only", "zzz.*", "--out", "atlas_out"), "--only zzz.*", "matches no")
    assert not (tmp_path / "atlas_out").exists() and not (tmp_path / "results").exists()


def test_a_store_says_its_size_up_front_and_when_it_resumes(invoke, tmp_path):
    args = ("sweep", DEMO, "--axis", "x=0:1:30", "--axis", "y=0:1:4", "--out", "s.zarr", "--chunk-size", "8")
    first = invoke(*args)
    assert first.exit_code == 0, first.stderr
    # 120 float64 points = 960 B, in 15 chunks of 2 rows of x.
    assert "store 's.zarr': 120 points in 15 chunks, 960 B uncompressed" in first.stderr
    for i in range(5):
        (tmp_path / "s.zarr" / ".hai_sim" / "done" / str(i)).unlink()
    again = invoke(*args, "--quiet")
    assert again.exit_code == 0 and again.stderr == ""  # --quiet: no notes
    for i in range(5):
        (tmp_path / "s.zarr" / ".hai_sim" / "done" / str(i)).unlink()
    loud = invoke(*args[:-2], "--chunk-size", "4")
    assert "resumed: 10 of 15 chunks already done (with the store's chunk layout, 8 points per chunk, " \
           "instead of the 4 asked for)" in loud.stderr
