"""Tests of hai_sim.engine.phase against independent oracles (scipy, numpy, brute force, FD)."""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize, stats

from hai_sim.engine import phase

SETTINGS = settings(max_examples=30, deadline=None)
# a few fixed shapes: each new shape costs a compilation
SHAPES = st.sampled_from([(1,), (6,), (1, 4), (3, 4), (4, 1, 3), (2, 3, 4)])


# ----------------------------------------------------------------------------- bisect


def cubic(x, c0, c1, sgn):
    """Strictly monotone for c1 > 0: sgn * (x^3 + c1 x + c0)."""
    return sgn * (x**3 + c1 * x + c0)


_bisect_cubic = jax.jit(lambda lo, hi, c0, c1, sgn: phase.bisect(cubic, lo, hi, args=(c0, c1, sgn)))


@SETTINGS
@given(
    c0=st.floats(-5, 5),
    c1=st.floats(0.01, 3),
    sgn=st.sampled_from([-1.0, 1.0]),
    lo=st.floats(-3, -0.01),
    hi=st.floats(0.01, 3),
)
def test_bisect_matches_brentq_on_random_monotone_cubics(c0, c1, sgn, lo, hi):
    got = float(_bisect_cubic(lo, hi, c0, c1, sgn))
    g_lo, g_hi = cubic(lo, c0, c1, sgn), cubic(hi, c0, c1, sgn)
    if g_lo * g_hi > 0:
        assert np.isnan(got)
    else:
        want = optimize.brentq(cubic, lo, hi, args=(c0, c1, sgn), xtol=1e-15, rtol=4 * np.finfo(float).eps)
        assert got == pytest.approx(want, abs=1e-12)


def _tanh_g(x, s, k):
    return jnp.tanh(k * (x - s)) - 0.25


_bisect_tanh = jax.jit(lambda shift, scale: phase.bisect(_tanh_g, -10.0, 10.0, args=(shift, scale)))


@SETTINGS
@given(
    shift=hnp.arrays(np.float64, 6, elements=st.floats(-2, 2)),
    scale=st.floats(0.1, 5),
)
def test_bisect_vectorised_elementwise_vs_brentq(shift, scale):
    # g(x) = tanh(scale * (x - shift)) - 0.25, increasing; root = shift + atanh(0.25)/scale
    got = np.asarray(_bisect_tanh(shift, scale))
    assert got.shape == shift.shape
    for i, s in enumerate(shift):
        want = optimize.brentq(lambda x: np.tanh(scale * (x - s)) - 0.25, -10, 10, xtol=1e-15)
        assert got[i] == pytest.approx(want, abs=1e-11)
        assert got[i] == pytest.approx(s + np.arctanh(0.25) / scale, abs=1e-11)


def test_bisect_decreasing_and_unbracketed():
    # scale < 0: tanh(scale (x - shift)) - 0.25 is decreasing, root shift + atanh(0.25)/scale;
    # the roots of shift = +-20 lie outside [-10, 10]: NaN
    shift = np.array([-20.0, -1.0, 0.0, 0.5, 1.0, 20.0])
    got = np.asarray(_bisect_tanh(shift, -2.0))
    want = shift + np.arctanh(0.25) / -2.0
    np.testing.assert_allclose(got[1:5], want[1:5], atol=1e-12)
    assert np.isnan(got[0]) and np.isnan(got[5])


def test_bisect_array_brackets_broadcast():
    lo = jnp.asarray([0.0, 1.0, 2.0])
    hi = lo + 1.0
    got = np.asarray(phase.bisect(lambda x: x - 1.5, lo, hi))
    assert got.shape == (3,)
    assert np.isnan(got[0]) and np.isnan(got[2])
    assert got[1] == pytest.approx(1.5, abs=1e-13)


def test_bisect_root_at_bracket_end():
    # x^3 - 1 (c1 = 0) vanishes exactly at 1; both signs of monotonicity
    for sgn in (1.0, -1.0):
        assert float(_bisect_cubic(1.0, 2.0, -1.0, 0.0, sgn)) == pytest.approx(1.0, abs=1e-13)
        assert float(_bisect_cubic(0.0, 1.0, -1.0, 0.0, sgn)) == pytest.approx(1.0, abs=1e-13)


_cubic_root = jax.jit(lambda c0, c1: phase.bisect(cubic, -5.0, 5.0, args=(c0, c1, 1.0)))
_cubic_root_grad = jax.jit(jax.grad(_cubic_root, argnums=(0, 1)))


@SETTINGS
@given(c0=st.floats(-4, 4), c1=st.floats(0.1, 3))
def test_bisect_grad_implicit_function_closed_form(c0, c1):
    # root x* of x^3 + c1 x + c0: dx*/dc0 = -1/(3x^2 + c1), dx*/dc1 = -x/(3x^2 + c1)
    root = _cubic_root
    x = optimize.brentq(cubic, -5, 5, args=(c0, c1, 1.0), xtol=1e-15)
    d0, d1 = _cubic_root_grad(c0, c1)
    denom = 3 * x**2 + c1
    assert float(d0) == pytest.approx(-1 / denom, rel=1e-8)
    assert float(d1) == pytest.approx(-x / denom, rel=1e-8, abs=1e-12)
    # central finite differences of the root itself
    h = 1e-6
    fd0 = (float(root(c0 + h, c1)) - float(root(c0 - h, c1))) / (2 * h)
    assert float(d0) == pytest.approx(fd0, rel=1e-5)


# ----------------------------------------------------------------------------- level_crossings


def phi_curve(x, m, s):
    return jax.scipy.stats.norm.cdf((x - m) / s)


def one_minus_phi(x, m, s):
    return 1.0 - jax.scipy.stats.norm.cdf((x - m) / s)


LEVELS = (0.2, 0.5, 0.8)
Z_UP = stats.norm.ppf(LEVELS)  # Phi((x - m)/s) = q  at  x = m + s Phi^{-1}(q)
Z_DOWN = stats.norm.ppf(1 - np.asarray(LEVELS))  # 1 - Phi((x - m)/s) = q  at  x = m + s Phi^{-1}(1 - q)
N = 8  # one shape for all batched calls: one compilation per function


def _stacked(f):
    def window(m, s):
        return jnp.stack(phase.level_crossings(f, -30.0, 30.0, LEVELS, args=(m, s)), axis=-1)

    return window


# all under jit and vmap over (m, s): values; d/dm, d/ds by reverse and by forward mode
_TW = {"up": jax.jit(jax.vmap(_stacked(phi_curve))), "down": jax.jit(jax.vmap(_stacked(one_minus_phi)))}
_REV = {k: jax.jit(jax.vmap(jax.jacrev(_stacked(f), argnums=(0, 1)))) for k, f in
        [("up", phi_curve), ("down", one_minus_phi)]}
_FWD_UP = jax.jit(jax.vmap(jax.jacfwd(_stacked(phi_curve), argnums=(0, 1))))
_ms = hnp.arrays(np.float64, N, elements=st.floats(-2, 2))
_ss = hnp.arrays(np.float64, N, elements=st.floats(0.05, 1.5))


@SETTINGS
@given(m=_ms, s=_ss, direction=st.sampled_from(["up", "down"]))
def test_level_crossings_closed_form(m, s, direction):
    z = Z_UP if direction == "up" else Z_DOWN
    got = np.asarray(_TW[direction](m, s))
    assert got.shape == (N, len(LEVELS))
    np.testing.assert_allclose(got, m[:, None] + s[:, None] * z[None, :], rtol=0, atol=1e-10)


def test_level_crossings_eager_default_levels():
    out = phase.level_crossings(phi_curve, -10.0, 10.0, args=(0.3, 0.7))
    assert isinstance(out, tuple) and len(out) == 2
    assert float(out[0]) == pytest.approx(0.3 + 0.7 * stats.norm.ppf(0.2), abs=1e-10)
    assert float(out[1]) == pytest.approx(0.3 + 0.7 * stats.norm.ppf(0.8), abs=1e-10)


GRAD_M = np.array([0.0, 1.3, -0.7, 0.2, 2.0, -2.0, 0.5, 0.0])
GRAD_S = np.array([1.0, 0.25, 2.0, 0.6, 0.1, 1.5, 3.0, 0.05])


@pytest.mark.parametrize("direction", ["up", "down"])
def test_transition_window_grad_closed_form_and_fd(direction):
    value = _TW[direction]
    z = Z_UP if direction == "up" else Z_DOWN
    h = 1e-5
    fd_m = (np.asarray(value(GRAD_M + h, GRAD_S)) - np.asarray(value(GRAD_M - h, GRAD_S))) / (2 * h)
    fd_s = (np.asarray(value(GRAD_M, GRAD_S + h)) - np.asarray(value(GRAD_M, GRAD_S - h))) / (2 * h)
    derivs = [_REV[direction](GRAD_M, GRAD_S)]
    if direction == "up":
        derivs.append(_FWD_UP(GRAD_M, GRAD_S))
    for dm, ds in derivs:
        dm, ds = np.asarray(dm), np.asarray(ds)
        assert dm.shape == ds.shape == (N, len(LEVELS))
        # closed form: d x_q / dm = 1, d x_q / ds = z_q
        np.testing.assert_allclose(dm, 1.0, rtol=1e-9)
        np.testing.assert_allclose(ds, np.broadcast_to(z, ds.shape), rtol=1e-9, atol=1e-12)
        # central finite differences
        np.testing.assert_allclose(dm, fd_m, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(ds, fd_s, rtol=1e-6, atol=1e-8)


def test_transition_window_eager_grad():
    # outside jit too: d x_0.8 / d s = Phi^{-1}(0.8)
    ds = jax.grad(lambda s: phase.level_crossings(phi_curve, -30.0, 30.0, (0.8,), args=(0.1, s))[0])(0.7)
    assert float(ds) == pytest.approx(stats.norm.ppf(0.8), rel=1e-9)


def test_transition_window_nan_when_level_not_crossed():
    # On [-30, 30]: m = +-100, s = 1 crosses no level (Phi is ~0 or ~1 throughout); m = 0, s = 100
    # spans only [Phi(-0.3), Phi(0.3)] = [0.382, 0.618], so 0.2 and 0.8 are never reached and
    # 0.5 is crossed at 0; m = 0, s = 1 crosses all three.
    m = np.array([-100.0, 100.0, 0.0, 0.0, -100.0, 100.0, 0.0, 0.0])
    s = np.array([1.0, 1.0, 100.0, 1.0, 1.0, 1.0, 100.0, 1.0])
    got = np.asarray(_TW["up"](m, s))
    assert np.isnan(got[[0, 1, 4, 5]]).all()
    assert np.isnan(got[[2, 6]][:, [0, 2]]).all()
    np.testing.assert_allclose(got[[2, 6], 1], 0.0, atol=1e-10)
    np.testing.assert_allclose(got[3], Z_UP, atol=1e-10)
    # levels outside (0, 1) are never crossed
    (above,) = phase.level_crossings(phi_curve, -1.0, 1.0, (1.5,), args=(0.0, 1.0))
    assert np.isnan(float(above))


def test_transition_window_no_retrace_for_new_values():
    traces = {"n": 0}

    @jax.jit
    def window(m, s):
        traces["n"] += 1
        return phase.level_crossings(phi_curve, -20.0, 20.0, (0.25, 0.75), args=(m, s))

    a = window(jnp.asarray([0.0, 0.5]), jnp.asarray([1.0, 0.5]))
    b = window(jnp.asarray([1.0, -0.5]), jnp.asarray([0.3, 2.0]))
    assert traces["n"] == 1
    np.testing.assert_allclose(np.asarray(b[1]), np.array([1.0, -0.5]) + np.array([0.3, 2.0]) * stats.norm.ppf(0.75),
                               atol=1e-10)
    np.testing.assert_allclose(np.asarray(a[0]), np.array([0.0, 0.5]) + np.array([1.0, 0.5]) * stats.norm.ppf(0.25),
                               atol=1e-10)


# ----------------------------------------------------------------------------- labels_from_thresholds


def digitize_oracle(values, thresholds):
    values = np.asarray(values, dtype=float)
    t = np.sort(np.asarray(thresholds, dtype=float))
    lab = np.digitize(values, t, right=False)  # = number of thresholds <= value
    return np.where(np.isnan(values), -1, lab)


thresholds_st = st.integers(0, 2).flatmap(lambda k: st.lists(st.floats(-3, 3), min_size=2 * k, max_size=2 * k))


@settings(max_examples=20, deadline=None)
@given(data=st.data(), thresholds=thresholds_st)
def test_labels_from_thresholds_vs_digitize(data, thresholds):
    # values: random floats plus the thresholds themselves (ties count as reached) and NaN
    extra = st.sampled_from(thresholds + [np.nan]) if thresholds else st.just(np.nan)
    elems = st.one_of(st.floats(-4, 4), extra)
    values = data.draw(hnp.arrays(np.float64, st.sampled_from([(6,), (3, 4), (2, 3, 4)]), elements=elems))
    order = data.draw(st.permutations(thresholds))
    with jax.numpy_rank_promotion("allow"):  # semantics only; strict mode is tested below
        got = np.asarray(phase.labels_from_thresholds(values, order))
    assert got.dtype == np.int32
    assert got.shape == values.shape
    np.testing.assert_array_equal(got, digitize_oracle(values, thresholds))


def test_labels_from_thresholds_scalar():
    assert int(phase.labels_from_thresholds(0.5, [0.0, 1.0])) == 1
    assert int(phase.labels_from_thresholds(1.0, [1.0, 0.0])) == 2
    assert int(phase.labels_from_thresholds(-1.0, [0.0, 1.0])) == 0
    assert int(phase.labels_from_thresholds(np.nan, [0.0, 1.0])) == -1


def test_labels_from_thresholds_under_strict_rank_promotion():
    values = np.array([[-1.0, 0.5], [1.5, np.nan]])
    got = np.asarray(phase.labels_from_thresholds(values, [0.0, 1.0]))
    np.testing.assert_array_equal(got, digitize_oracle(values, [0.0, 1.0]))


def test_labels_from_thresholds_integer_values():
    values = np.array([0, 1, 2])
    with jax.numpy_rank_promotion("allow"):
        got = np.asarray(phase.labels_from_thresholds(values, [0.5, 1.5]))
    np.testing.assert_array_equal(got, [0, 1, 2])


# ----------------------------------------------------------------------------- boundaries


def boundaries_oracle(labels):
    labels = np.asarray(labels)
    mask = np.zeros(labels.shape, dtype=bool)
    for idx in itertools.product(*[range(n) for n in labels.shape]):
        for ax in range(labels.ndim):
            for d in (-1, 1):
                nb = list(idx)
                nb[ax] += d
                if 0 <= nb[ax] < labels.shape[ax] and labels[tuple(nb)] != labels[idx]:
                    mask[idx] = True
    return mask


_boundaries = jax.jit(phase.boundaries)


@SETTINGS
@given(hnp.arrays(np.int32, SHAPES, elements=st.integers(-1, 2)))
def test_boundaries_vs_brute_force(labels):
    got = np.asarray(_boundaries(labels))
    assert got.dtype == bool and got.shape == labels.shape
    np.testing.assert_array_equal(got, boundaries_oracle(labels))


def test_boundaries_known_pattern():
    labels = np.zeros((3, 4), dtype=np.int32)
    labels[2:, :] = 1
    want = np.zeros((3, 4), dtype=bool)
    want[1:3, :] = True
    np.testing.assert_array_equal(np.asarray(_boundaries(labels)), want)
    assert not np.asarray(_boundaries(np.full((3, 4), 7, dtype=np.int32))).any()


def test_boundaries_eager():
    labels = np.array([[0, 0, 1, 1], [0, 2, 1, 1], [0, 0, 0, 0]], dtype=np.int32)
    np.testing.assert_array_equal(np.asarray(phase.boundaries(labels)), boundaries_oracle(labels))


# ----------------------------------------------------------------------------- region_fractions


_region_fractions = jax.jit(phase.region_fractions, static_argnums=1)


@SETTINGS
@given(hnp.arrays(np.int32, SHAPES, elements=st.integers(-1, 3)), st.just(3))
def test_region_fractions_vs_numpy(labels, n_labels):
    got = np.asarray(_region_fractions(labels, n_labels))
    assert got.shape == (n_labels,)
    want = np.array([np.mean(labels == k) for k in range(n_labels)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_bisect_gradient_is_finite_where_the_root_is_masked_out():
    # The root of v - b in [0, 5] is b for b in [0, 5] and missing (NaN) for b < 0; a caller that
    # masks the missing case with jnp.where must get the masked branch's gradient (0), not NaN.
    from hai_sim.engine.phase import bisect

    def f(b):
        return jnp.where(b < 0, 0.0, bisect(lambda v, bb: v - bb, 0.0, 5.0, args=(b,)))

    assert float(jax.grad(f)(-0.5)) == 0.0
    assert abs(float(jax.grad(f)(0.5)) - 1.0) < 1e-12


def test_transition_window_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="level_crossings"):
        old = phase.transition_window(phi_curve, -10.0, 10.0, args=(0.3, 0.7))
    new = phase.level_crossings(phi_curve, -10.0, 10.0, args=(0.3, 0.7))
    assert [float(x) for x in old] == [float(x) for x in new]
