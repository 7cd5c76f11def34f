"""The benchmark harness: XLA cost counts, float32 error statistics, the float32 subprocess, and
chunk-size independence of sweep results (what the sweep benchmark rows rely on). No timings are
asserted anywhere."""

import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim.engine import bench, sweep
from hai_sim.demo import order_parameter


@pytest.fixture(autouse=True)
def small_peak(monkeypatch):
    """A 256-point matmul as "peak" (2048 takes ~10 s on 2 busy cores, here and in each subprocess)."""
    monkeypatch.setenv("HAI_SIM_BENCH_PEAK_SIDE", "256")


def test_cost_counts_matmul_flops_and_transcendentals_exactly():
    n = 64
    a = jnp.ones((n, n))
    c = bench.cost(jax.jit(jnp.matmul).lower(a, a).compile())
    assert c["flops"] == 2 * n**3  # n^2 dot products of n multiply-adds
    x = jnp.linspace(0.0, 1.0, 1000)
    c = bench.cost(jax.jit(lambda v: jnp.exp(v) + jnp.sin(v)).lower(x).compile())
    assert c["transcendentals"] == 2 * 1000
    assert c["bytes"] >= 2 * 8 * 1000  # reads x and writes the result, float64


def test_roofline_fields_follow_from_cost_and_rate():
    row = {"n": 100, "jax_rate": 2e6}
    bench.roofline(row, cost_per_call={"flops": 5000.0, "transcendentals": 300.0, "bytes": 2400.0})
    assert row["flops_per_point"] == 50.0 and row["transcendentals_per_point"] == 3.0
    assert row["gflops"] == pytest.approx(50.0 * 2e6 / 1e9)
    assert row["peak_fraction"] == pytest.approx(row["gflops"] / bench.matmul_peak()["gflops"])
    assert bench.matmul_peak()["dtype"] == "float64"


def test_float32_errors_against_hand_computed_differences():
    f64 = np.array([1.0, 2.0, 1e-50, 0.0, np.nan])
    f32 = np.array([1.0 + 1e-7, 2.0 - 4e-7, 0.0, 0.0, 3.0])
    labels64, labels32 = np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])
    s, lab = bench.float32_errors([f32, labels32], [f64, labels64])
    assert s["max_abs"] == pytest.approx(4e-7)
    assert s["max_rel"] == 1.0 and s["argmax"] == 1e-50  # the underflowed tail value
    assert s["max_rel_bulk"] == pytest.approx(2e-7)  # 1e-50 is not in the bulk
    assert s["underflow"] == 1 and s["nonfinite"] == 1
    assert lab["mismatch_frac"] == 0.25


SCRIPT = textwrap.dedent('''
    import jax.numpy as jnp
    import numpy as np
    from hai_sim.engine.bench import compare

    def run(quick=False):
        x = np.linspace(1.0, 4.0, 4096)
        return [compare("sqrt", jnp.sqrt, np.sqrt, (jnp.asarray(x),), (x,), n_points=x.size, repeat=1,
                        check=lambda a, b: float(np.max(np.abs(np.asarray(a) - b))))]
''')


def test_run_file_adds_roofline_and_a_float32_twin(tmp_path):
    path = tmp_path / "bench_sqrt.py"
    path.write_text(SCRIPT)
    (row,) = bench.run_file(path, quick=True)
    assert "f32_error" not in row, row.get("f32_error")
    assert row["x64"] and row["max_abs_diff"] == 0.0
    for key in ("compile_s", "flops_per_point", "transcendentals_per_point", "gflops", "peak_fraction",
                "f32_rate", "f32_speedup"):
        assert np.isfinite(row[key]) and row[key] >= 0, key
    # Input rounding to float32 (<= 2^-24 relative) is halved by sqrt, plus sqrt's own correctly
    # rounded result (<= 2^-24): <= 1.5 * 2^-24. A float64 subprocess would give 0, a wrong
    # precision or a broken comparison something far larger.
    eps32 = float(np.finfo(np.float32).eps)
    assert 0 < row["f32_max_rel_err"] <= 0.75 * eps32
    assert row["f32_nonfinite"] == 0


@pytest.mark.parametrize("chunk", [2**16, 2**16 + 123, 3 * 2**15])
def test_sweep_results_identical_for_every_chunk_size(chunk):
    xs, ys = np.linspace(0.0, 1.0, 301), np.linspace(0.0, 1.0, 457)  # 137557 points, >= 2 chunks
    whole = sweep(order_parameter, {"x": xs, "y": ys}, chunk_size=xs.size * ys.size, progress=False)
    chunked = sweep(order_parameter, {"x": xs, "y": ys}, chunk_size=chunk, progress=False)
    np.testing.assert_array_equal(chunked["order_parameter"].values, whole["order_parameter"].values)
    raw = jax.jit(jax.vmap(jax.vmap(order_parameter, (None, 0)), (0, None)))(xs, ys)
    np.testing.assert_array_equal(whole["order_parameter"].values, np.asarray(raw))
