"""sweep against direct NumPy evaluation; invariance to chunking and devices; keys; NaN; no recompiles."""

import gc
import json
import os
import subprocess
import sys
import textwrap
import weakref
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim.engine import InputError, NonFiniteError, named_result, sweep

X = np.linspace(-1.0, 2.0, 13)
Y = np.linspace(0.1, 3.0, 7)
Z = np.array([0.5, 1.5, 4.0])


def kernel(x, y, z):
    return {"f": jnp.sin(x) * jnp.exp(-y) + z**2, "g": jnp.stack([x * y, y / z])}


def test_three_axis_grid_matches_direct_numpy():
    ds = sweep(kernel, {"x": X, "y": Y, "z": Z}, chunk_size=17, progress=False)
    xx, yy, zz = np.meshgrid(X, Y, Z, indexing="ij")
    np.testing.assert_allclose(ds["f"].values, np.sin(xx) * np.exp(-yy) + zz**2, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ds["g"].values[..., 0], xx * yy, rtol=1e-15)
    np.testing.assert_allclose(ds["g"].values[..., 1], yy / zz, rtol=1e-15)
    assert ds["f"].dims == ("x", "y", "z")
    assert ds["g"].dims == ("x", "y", "z", "g_dim0")
    np.testing.assert_array_equal(ds["x"].values, X)
    assert ds.attrs["seed"] == 0 and "hai_sim_version" in ds.attrs and "git_revision" in ds.attrs


def test_output_dims_named_by_the_kernel_and_array_output_named_after_fn():
    def hist(a):
        return jnp.stack([a, 2 * a, 3 * a])

    hist.output_dims = {"hist": ("bin",)}
    ds = sweep(hist, {"a": [1.0, 2.0]}, progress=False, metadata={"note": "x", "k": 3})
    assert ds["hist"].dims == ("a", "bin")
    np.testing.assert_array_equal(ds["hist"].values, [[1, 2, 3], [2, 4, 6]])
    assert ds.attrs["k"] == 3 and json.loads(ds.attrs["metadata_json"]) == {"k": 3, "note": "x"}


def test_categorical_axis_compiles_once_per_category_and_matches_numpy():
    traces = []

    def law_kernel(x, law):
        traces.append(law) if isinstance(x, jax.core.Tracer) else None
        return jnp.where(True, jnp.sin(x), 0.0) if law == "sin" else jnp.cos(x)

    ds = sweep(law_kernel, {"law": ["sin", "cos"], "x": X}, chunk_size=4, progress=False)
    np.testing.assert_allclose(ds["law_kernel"].sel(law="sin").values, np.sin(X), rtol=1e-15)
    np.testing.assert_allclose(ds["law_kernel"].sel(law="cos").values, np.cos(X), rtol=1e-15)
    assert sorted(traces) == ["cos", "sin"]  # 4 chunks per category, one trace each


def test_no_recompilation_across_chunks_and_padded_last_chunk():
    traces = []

    def counted(x, y):
        if isinstance(x, jax.core.Tracer):
            traces.append(1)
        return x + 10 * y

    # 13 x 7 = 91 points in chunks of 2 rows of y (14 points): the last chunk is short (padded).
    ds = sweep(counted, {"x": X, "y": Y}, chunk_size=10, progress=False)
    assert len(traces) == 1
    np.testing.assert_allclose(ds["counted"].values, X[:, None] + 10 * Y[None, :], rtol=1e-14, atol=1e-14)


def keyed(a, b, key):
    return {"u": jax.random.uniform(key) + 0 * a, "n": jax.random.normal(key, (3,)) + b}


def test_keys_identical_for_any_chunk_size_and_are_fold_in_of_flat_index():
    axes = {"a": np.linspace(0, 1, 11), "b": np.arange(5.0)}
    results = [sweep(keyed, axes, seed=7, chunk_size=c, progress=False) for c in (1, 3, 5, 12, 55, 1000)]
    for ds in results[1:]:
        np.testing.assert_array_equal(ds["u"].values, results[0]["u"].values)
        np.testing.assert_array_equal(ds["n"].values, results[0]["n"].values)
    # The documented rule, computed independently: key of point (i, j) = fold_in(key(7), i * 5 + j).
    base = jax.random.key(7)
    for i, j in [(0, 0), (3, 4), (10, 2)]:
        k = jax.random.fold_in(base, i * 5 + j)
        assert float(results[0]["u"].values[i, j]) == float(jax.random.uniform(k))
    # Different points draw different numbers.
    assert len(np.unique(results[0]["u"].values)) == 55


def test_nonfinite_raises_naming_output_and_first_bad_point():
    def blows_up(x, y):
        return {"ok": x + y, "bad": jnp.log(x - 0.5) + y}

    with pytest.raises(NonFiniteError, match=r"'bad'.*'x': 0\.0.*'y': 0\.1"):
        sweep(blows_up, {"x": np.linspace(0, 1, 5), "y": [0.1, 0.2]}, chunk_size=4, progress=False)
    ds = sweep(blows_up, {"x": np.linspace(0, 1, 5), "y": [0.1, 0.2]}, allow_nonfinite=("bad",),
               progress=False)
    assert np.isnan(ds["bad"].values[0, 0]) and np.isfinite(ds["bad"].values[-1]).all()


def test_allow_nonfinite_must_name_real_outputs():
    with pytest.raises(ValueError, match="allow_nonfinite"):
        sweep(lambda x: x, {"x": [1.0]}, allow_nonfinite=("nope",), progress=False)


def test_corner_points_are_validated_eagerly_before_compilation():
    seen = []

    def validating(sigma):
        if not isinstance(sigma, jax.core.Tracer):
            seen.append(float(sigma))
            if float(sigma) > 1.0:
                raise ValueError(f"sigma={float(sigma)} is outside the allowed range [0, 1]")
        return sigma * 2

    with pytest.raises(ValueError, match=r"sigma=1\.5"):
        sweep(validating, {"sigma": [0.5, 0.2, 1.5, 0.7]}, progress=False)
    seen.clear()
    sweep(validating, {"sigma": [0.5, 0.2, 0.9, 0.7]}, progress=False)
    assert sorted(seen) == [0.2, 0.9]  # the extremes, wherever they sit in the axis


@pytest.mark.parametrize(
    "axes, match",
    [
        ({}, "at least one axis"),
        ({"x": []}, "non-empty"),
        ({"x": [[1.0, 2.0]]}, "1-D"),
        ({"x": [1.0, np.nan]}, "finite"),
        ({"not valid": [1.0]}, "identifier"),
        ({"x": ["a", "a"]}, "distinct"),
    ],
)
def test_bad_axes_are_rejected(axes, match):
    with pytest.raises(ValueError, match=match):
        sweep(lambda **kw: 0.0, axes, progress=False)


def test_bad_devices_and_process_arguments():
    with pytest.raises(ValueError, match="devices=5"):
        sweep(lambda x: x, {"x": [1.0]}, devices=5, progress=False)
    with pytest.raises(ValueError, match="store"):
        sweep(lambda x: x, {"x": [1.0]}, process_index=0, process_count=2, progress=False)


def test_a_kernel_returning_a_non_array_is_rejected():
    with pytest.raises(ValueError, match="must return an array, a dict of arrays or a NamedTuple"):
        sweep(lambda x: {"v": "text"}, {"x": [1.0]}, progress=False)


def test_output_name_clashing_with_axis_is_rejected():
    with pytest.raises(ValueError, match="output name 'x'"):
        sweep(lambda x: {"x": x}, {"x": [1.0]}, progress=False)


_DEVICE_SCRIPT = textwrap.dedent(
    """
    import os, sys, json
    import numpy as np
    import jax
    import hai_sim
    from hai_sim.engine import sweep
    import jax.numpy as jnp

    def kern(a, b, key):
        # A data-dependent loop (while_loop) and random draws: the cases shard_map exists for.
        def cond(s):
            return s[0] < 5 + (a * 10).astype(jnp.int32)
        def body(s):
            return (s[0] + 1, s[1] * 0.5 + jnp.sin(b))
        n, v = jax.lax.while_loop(cond, body, (jnp.int32(0), a))
        return {"v": v, "n": n, "r": jax.random.normal(key, (2,))}

    ds = sweep(kern, {"a": np.linspace(0, 1, 21), "b": np.linspace(-1, 1, 17)}, seed=3,
               chunk_size=int(sys.argv[1]), progress=False)
    np.savez(sys.argv[2], v=ds.v.values, n=ds.n.values, r=ds.r.values, ndev=len(jax.devices()))
    """
)


def _run_with_devices(tmp_path, n_devices, chunk, name):
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={n_devices}", JAX_PLATFORMS="cpu")
    out = tmp_path / f"{name}.npz"
    subprocess.run([sys.executable, "-c", _DEVICE_SCRIPT, str(chunk), str(out)], check=True, env=env, timeout=300)
    return np.load(out)


def test_identical_results_on_one_and_four_devices(tmp_path):
    # Different device counts *and* different chunkings (50 points = 2 padded rows + 1 device;
    # 7 points split over 4 devices with padding) must give the same numbers.
    one = _run_with_devices(tmp_path, 1, 50, "one")
    four = _run_with_devices(tmp_path, 4, 7, "four")
    assert int(one["ndev"]) == 1 and int(four["ndev"]) == 4
    np.testing.assert_allclose(four["v"], one["v"], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(four["n"], one["n"])
    np.testing.assert_allclose(four["r"], one["r"], rtol=1e-12, atol=0)


class Pair(NamedTuple):
    total: jax.Array
    spread: jax.Array


@named_result
class Moments(NamedTuple):
    mean: jax.Array
    var: jax.Array


def test_named_tuple_outputs_give_one_variable_per_field():
    plain = sweep(lambda x, y: Pair(x + y, jnp.stack([x - y, y - x])), {"x": X, "y": Y}, progress=False)
    xx, yy = np.meshgrid(X, Y, indexing="ij")
    assert set(plain.data_vars) == {"total", "spread"}
    np.testing.assert_allclose(plain["total"].values, xx + yy, rtol=1e-15)
    np.testing.assert_allclose(plain["spread"].values[..., 1], yy - xx, rtol=1e-15)
    ours = sweep(lambda x: Moments(x / 2, x**2 / 12), {"x": X}, progress=False)  # uniform on [0, x]
    assert set(ours.data_vars) == {"mean", "var"}
    np.testing.assert_allclose(ours["var"].values, X**2 / 12, rtol=1e-15)


def test_name_names_a_single_output_and_is_refused_for_named_outputs():
    ds = sweep(lambda x: 3 * x, {"x": X}, name="tripled", progress=False)
    assert list(ds.data_vars) == ["tripled"]
    np.testing.assert_allclose(ds["tripled"].values, 3 * X, rtol=1e-15)
    with pytest.raises(InputError, match=r"name='p' names a single array output.*\['mean', 'var'\]"):
        sweep(lambda x: Moments(x, x), {"x": X}, name="p", progress=False)
    with pytest.raises(InputError, match="plain tuple of 2 values"):
        sweep(lambda x: (x, x), {"x": X}, progress=False)


def test_compiled_chunk_cache_holds_kernels_weakly():
    class Big:  # what a closure might capture: it must go when the kernel goes
        pass

    def make(c):
        payload = Big()

        def kernel(x):
            return x * c + 0 * len(repr(type(payload)))

        return kernel, payload

    kernel, payload = make(2.0)
    ds = sweep(kernel, {"x": X}, chunk_size=4, progress=False)
    np.testing.assert_allclose(ds["kernel"].values, 2 * X, rtol=1e-15)
    again = sweep(kernel, {"x": X}, chunk_size=4, progress=False)  # cached: same numbers
    np.testing.assert_array_equal(again["kernel"].values, ds["kernel"].values)
    refs = weakref.ref(kernel), weakref.ref(payload)
    del kernel, payload, ds, again
    gc.collect()
    assert refs[0]() is None and refs[1]() is None


# ------------------------------------------------------------------ bad input from Python (issue: inputs)


def parabola(x, c=0.0):
    return x**2 + c


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(seed=2**64), r"seed=18446744073709551616: must be an integer in \[0, 2\*\*63 - 1\]"),
        (dict(seed=-1), r"seed=-1"),
        (dict(seed=1.5), r"seed=1\.5"),
        (dict(store="out.csv"), r"store='.*out.csv': a store is a zarr directory, so its name must end in \.zarr"),
        (dict(axes={"x": [1.0, 1.0, 1.0]}), r"axis 'x': values must be distinct"),
        (dict(axes={"x": [0.1, 0.2], "key": [1.0, 2.0]}), r"axis 'key': the name is reserved"),
        (dict(axes={"x": [0.1, 0.2], "c": ["uniform", "normal"]}),
         r"axis 'c': names \['uniform', 'normal'\] given for a numeric parameter"),
        (dict(fn=lambda x, y: x + y - 1, axes={"x": ["uniform", "normal"], "y": [0.5]}),
         r"x='uniform'.*is the parameter numeric\?"),
        (dict(axes={"x": np.arange(10**6), "c": np.arange(10**6)}),
         r"1e\+12 points, 7\.28 TiB in memory, more than the .* available; stream it to a zarr store"),
    ],
)
def test_bad_python_input_is_an_input_error_before_compiling(kwargs, match, tmp_path):
    traced = []

    def watched(x, c=0.0):
        if isinstance(x, jax.core.Tracer):
            traced.append(1)
        return parabola(x, c)

    kwargs = {"fn": watched, "axes": {"x": [0.1, 0.2]}, **kwargs}
    if "store" in kwargs:
        kwargs["store"] = str(tmp_path / kwargs["store"])
    with pytest.raises(InputError, match=match):
        sweep(kwargs.pop("fn"), kwargs.pop("axes"), progress=False, **kwargs)
    assert not traced and not (tmp_path / "out.csv").exists()


def test_largest_seed_is_accepted():
    ds = sweep(keyed, {"a": [0.0], "b": [1.0]}, seed=2**63 - 1, progress=False)
    expected = jax.random.uniform(jax.random.fold_in(jax.random.key(2**63 - 1), 0))
    assert float(ds["u"].values[0, 0]) == float(expected)


def test_nonfinite_error_carries_output_count_and_point():
    with pytest.raises(NonFiniteError) as info:
        sweep(lambda x: jnp.log(x), {"x": [-1.0, 0.5, -2.0]}, progress=False, name="logx")
    assert (info.value.output, info.value.n_bad, info.value.point) == ("logx", 2, {"x": -1.0})
