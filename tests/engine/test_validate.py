"""Tests of hai_sim.engine.validate: messages, open/closed ends, NaN/inf, arrays, tracers."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hai_sim.engine.validate import check_choice, check_range, check_shape, is_concrete


def test_message_names_parameter_value_and_range():
    with pytest.raises(ValueError) as e:
        check_range("sigma", 2.5, 0.0, 1.0)
    msg = str(e.value)
    assert msg.startswith("sigma=")
    assert "2.5" in msg
    assert "[0, 1]" in msg


def test_message_shows_plain_value():
    with pytest.raises(ValueError) as e:
        check_range("n", 6, 1, 5)
    assert str(e.value).startswith("n=6 is outside the allowed range [1, 5]")
    with pytest.raises(ValueError) as e:
        check_range("sigma", np.array([0.5, 2.5]), 0.0, 1.0)
    assert str(e.value).startswith("sigma=2.5 (at index (1,) of shape (2,))")


@pytest.mark.parametrize(
    "kw,bracket",
    [
        (dict(lo_open=False, hi_open=False), "[0.5, 3]"),
        (dict(lo_open=True, hi_open=False), "(0.5, 3]"),
        (dict(lo_open=False, hi_open=True), "[0.5, 3)"),
        (dict(lo_open=True, hi_open=True), "(0.5, 3)"),
    ],
)
def test_range_brackets_in_message(kw, bracket):
    with pytest.raises(ValueError, match=re.escape(bracket)):
        check_range("theta", 7.0, 0.5, 3.0, **kw)


def test_unbounded_ends_in_message():
    with pytest.raises(ValueError, match=re.escape("-inf, 1]")):
        check_range("a", 2.0, None, 1.0)
    with pytest.raises(ValueError, match=re.escape("[0, inf")):
        check_range("a", -2.0, 0.0, None)


def test_closed_and_open_end_points():
    check_range("p", 0.0, 0.0, 1.0)
    check_range("p", 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="p="):
        check_range("p", 0.0, 0.0, 1.0, lo_open=True)
    with pytest.raises(ValueError, match="p="):
        check_range("p", 1.0, 0.0, 1.0, hi_open=True)
    check_range("p", 1e-300, 0.0, 1.0, lo_open=True)
    check_range("p", np.nextafter(1.0, 0.0), 0.0, 1.0, hi_open=True)
    with pytest.raises(ValueError):
        check_range("p", -1e-300, 0.0, 1.0)


def test_nan_always_rejected():
    with pytest.raises(ValueError, match="x=.*nan"):
        check_range("x", float("nan"))
    with pytest.raises(ValueError, match="x="):
        check_range("x", np.nan, finite=False)
    with pytest.raises(ValueError, match=r"at index \(2,\)"):
        check_range("x", np.array([0.1, 0.2, np.nan]), 0, 1, finite=False)


def test_infinity_rejected_when_finite():
    with pytest.raises(ValueError, match="inf"):
        check_range("x", np.inf)
    with pytest.raises(ValueError):
        check_range("x", -np.inf, finite=True)
    check_range("x", np.inf, finite=False)
    check_range("x", np.array([-np.inf, 0.0, np.inf]), finite=False)
    with pytest.raises(ValueError):
        check_range("x", np.inf, None, 10.0, finite=False)


def test_array_index_of_first_bad_element_reported():
    v = np.zeros((3, 4))
    v[1, 2] = 5.0
    v[2, 0] = 7.0
    with pytest.raises(ValueError) as e:
        check_range("w", v, 0.0, 1.0)
    msg = str(e.value)
    assert "w=" in msg and "5.0" in msg and "7.0" not in msg
    assert "(1, 2)" in msg and "(3, 4)" in msg


def test_jax_arrays_are_checked_whole():
    check_range("q", jnp.linspace(0.0, 1.0, 5), 0.0, 1.0)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        check_range("q", jnp.asarray([0.0, 0.5, 0.9, 0.99, 1.01]), 0.0, 1.0)


def test_integer_and_none_values():
    check_range("n", 3, 1, 5)
    check_range("n", np.arange(1, 6), 1, 5)
    with pytest.raises(ValueError, match=r"n=\S*6"):
        check_range("n", 6, 1, 5)
    check_range("n", None, 1, 5)  # None means "not given": nothing to check


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], {"a": 1}])
def test_non_numeric_rejected(bad):
    with pytest.raises(ValueError, match="must be numeric"):
        check_range("z", bad, 0, 1)


def test_tracers_are_skipped_under_jit_and_vmap():
    @jax.jit
    def f(x):
        check_range("x", x, 0.0, 1.0)
        return 2 * x

    assert float(f(5.0)) == 10.0  # out of range, but traced: no error
    g = jax.vmap(lambda x: (check_range("x", x, 0.0, 1.0), x + 1)[1])
    np.testing.assert_array_equal(np.asarray(g(jnp.asarray([-3.0, 3.0]))), [-2.0, 4.0])
    # ... while the same value, concrete, is refused
    with pytest.raises(ValueError):
        check_range("x", 5.0, 0.0, 1.0)


def test_is_concrete():
    assert is_concrete(1.0)
    assert is_concrete({"a": jnp.ones(3), "b": (np.zeros(2), 3)})
    seen = []

    @jax.jit
    def f(x, y):
        seen.append((is_concrete(x), is_concrete({"x": 1.0, "y": y}), is_concrete(1.0)))
        return x

    f(1.0, 2.0)
    assert seen == [(False, False, True)]


@settings(max_examples=30, deadline=None)
@given(
    v=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                 elements=st.one_of(st.floats(-5, 5), st.sampled_from([np.nan, np.inf, -np.inf]))),
    lo=st.one_of(st.none(), st.floats(-3, 0)),
    hi=st.one_of(st.none(), st.floats(0, 3)),
    lo_open=st.booleans(),
    hi_open=st.booleans(),
    finite=st.booleans(),
)
def test_raises_iff_some_element_outside(v, lo, hi, lo_open, hi_open, finite):
    ok = ~np.isnan(v)
    if finite:
        ok &= np.isfinite(v)
    if lo is not None:
        ok &= (v > lo) if lo_open else (v >= lo)
    if hi is not None:
        ok &= (v < hi) if hi_open else (v <= hi)
    if ok.all():
        check_range("v", v, lo, hi, lo_open=lo_open, hi_open=hi_open, finite=finite)
    else:
        with pytest.raises(ValueError) as e:
            check_range("v", v, lo, hi, lo_open=lo_open, hi_open=hi_open, finite=finite)
        msg = str(e.value)
        assert msg.startswith("v=")
        first = np.flatnonzero(~ok.reshape(-1))[0]
        if v.ndim > 0:
            idx = tuple(int(i) for i in np.unravel_index(first, v.shape))
            assert f"at index {idx} of shape {v.shape}" in msg


def test_check_choice():
    check_choice("law", "gauss", ("gauss", "laplace"))
    with pytest.raises(ValueError) as e:
        check_choice("law", "cauchy", ["gauss", "laplace"])
    msg = str(e.value)
    assert "law='cauchy'" in msg and "'gauss'" in msg and "'laplace'" in msg


def test_check_shape():
    check_shape("x", np.zeros((2, 3)), (2, 3))
    check_shape("x", np.zeros((2, 3)), (None, 3))
    check_shape("x", 1.0, ())
    with pytest.raises(ValueError, match=re.escape("x has shape (2, 3): expected (*, 4)")):
        check_shape("x", np.zeros((2, 3)), (None, 4))
    with pytest.raises(ValueError, match=re.escape("expected (2, 3, *)")):
        check_shape("x", np.zeros((2, 3)), (2, 3, None))
    with pytest.raises(ValueError, match=re.escape("y has shape (5,)")):
        check_shape("y", jnp.zeros(5), (4,))
