"""Tests of hai_sim.engine.checks against closed-form derivatives and numpy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hai_sim.engine import checks

XS = np.linspace(-2.0, 2.0, 9)


def poly(x):
    return 3.0 * x**3 - 2.0 * x**2 + 0.5 * x - 1.0


def dpoly(x):
    return 9.0 * x**2 - 4.0 * x + 0.5


@pytest.mark.parametrize(
    "f,df",
    [(poly, dpoly), (jnp.sin, np.cos), (lambda x: jnp.exp(0.5 * x), lambda x: 0.5 * np.exp(0.5 * x))],
    ids=["poly", "sin", "exp"],
)
def test_grad_vs_fd_closed_form(f, df):
    ad, fd = checks.grad_vs_fd(f, XS)
    assert ad.shape == XS.shape and fd.shape == XS.shape
    np.testing.assert_allclose(np.asarray(ad), df(XS), rtol=1e-12, atol=1e-12)
    # central difference error is O(eps^2 f''') + O(ulp/eps): well under 1e-7 here
    np.testing.assert_allclose(np.asarray(fd), df(XS), rtol=1e-7, atol=1e-7)


def test_grad_vs_fd_fd_is_central_difference():
    # for a cubic, the central difference has exact error eps^2 * f'''/6 = eps^2 * 3 (f''' = 18)
    eps = 1e-2
    _, fd = checks.grad_vs_fd(poly, XS, eps=eps)
    np.testing.assert_allclose(np.asarray(fd), dpoly(XS) + 3.0 * eps**2, rtol=0, atol=1e-10)


def test_grad_vs_fd_keeps_shape_and_promotes_ints():
    x = np.arange(6).reshape(2, 3)  # integer input is promoted to float
    ad, fd = checks.grad_vs_fd(poly, x)
    assert ad.shape == (2, 3) and fd.shape == (2, 3)
    assert ad.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(ad), dpoly(x.astype(float)), rtol=1e-12)


def test_grad_vs_fd_detects_a_wrong_derivative():
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return jnp.sin(x), 2.0 * jnp.cos(x) * t  # wrong by a factor 2

    ad, fd = checks.grad_vs_fd(f, XS)
    np.testing.assert_allclose(np.asarray(ad), 2 * np.cos(XS), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(fd), np.cos(XS), rtol=1e-7, atol=1e-8)


def test_derivative_sign_on_grid_known_signs():
    xs = np.array([-np.pi, -np.pi / 4, np.pi / 4, 3 * np.pi / 4, 5 * np.pi / 4])
    # d/dx sin = cos: -1, +, +, -, -
    got = np.asarray(checks.derivative_sign_on_grid(jnp.sin, xs))
    np.testing.assert_array_equal(got, [-1, 1, 1, -1, -1])
    assert got.dtype == np.int32


def test_derivative_sign_on_grid_zero_and_atol():
    xs = np.array([[-1.0, -0.01, 0.0], [0.01, 0.5, 1.0]])
    # d/dx x^2 = 2x: exact zero at 0
    got = np.asarray(checks.derivative_sign_on_grid(lambda x: x**2, xs))
    np.testing.assert_array_equal(got, np.sign(2 * xs).astype(int))
    assert got.shape == (2, 3)
    # d/dx x^3 = 3x^2 >= 0; |3x^2| <= 1e-3 counts as 0 for |x| <= 0.0183
    got = np.asarray(checks.derivative_sign_on_grid(lambda x: x**3, xs, atol=1e-3))
    want = np.where(np.abs(3 * xs**2) <= 1e-3, 0, 1)
    np.testing.assert_array_equal(got, want)
    assert (got == 0).sum() == 3


@settings(max_examples=30, deadline=None)
@given(a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_derivative_sign_of_quadratic(a, b):
    # f(x) = a x^2 + b x, f'(x) = 2 a x + b
    xs = np.linspace(-1.0, 1.0, 7)
    got = np.asarray(_sign_quadratic(xs, a, b))
    want = np.sign(2 * a * xs + b)
    mask = np.abs(2 * a * xs + b) > 1e-12
    np.testing.assert_array_equal(got[mask], want[mask])


@jax.jit
def _sign_quadratic(xs, a, b):
    return checks.derivative_sign_on_grid(lambda x: a * x**2 + b * x, xs)


@settings(max_examples=30, deadline=None)
@given(
    a=hnp.arrays(np.float64, 5, elements=st.floats(-10, 10)),
    b=hnp.arrays(np.float64, 5, elements=st.floats(-10, 10)),
)
def test_max_rel_error_vs_numpy(a, b):
    want = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))
    got = checks.max_rel_error(a, b)
    assert isinstance(got, float)
    assert got == pytest.approx(want, rel=1e-15) or (np.isinf(want) and np.isinf(got))


def test_max_rel_error_floor():
    assert checks.max_rel_error([1.0, 2.0], [0.0, 2.0], floor=0.5) == pytest.approx(2.0)
    assert checks.max_rel_error([1.1, 2.0], [1.0, 2.0]) == pytest.approx(0.1, rel=1e-12)
    assert checks.max_rel_error([3.0], [3.0]) == 0.0
