"""Inner and outer problem: v*, (d*, v*), quality (spec §2.1-2.2), against independent oracles."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from hai_sim import delegation as D

FAMILIES = [
    dict(detection="inverse_linear", verification_cost="linear"),
    dict(detection="exponential", verification_cost="linear"),
    dict(detection="exponential", verification_cost="quadratic"),
    dict(detection="inverse_linear", verification_cost="quadratic"),
]

# Spec §4.2 golden table [R]: beta, theta, regime, v spent, D(v), S, C, U_w, Q, Q0.
GOLDEN = np.array([
    [0.10, 0.20, 1, 0.0, 0.0, 0.600000, 0.0, 10.000000, 12.000000, 11.600000],
    [0.30, 0.20, 2, 0.666667, 0.166667, 0.653333, 1.200000, 10.133333, 12.640000, 11.600000],
    [1.00, 0.20, 2, 1.190890, 0.543565, 0.773941, 2.930297, 11.418220, 14.873982, 11.600000],
    [0.20, 0.45, 2, 0.385165, 0.071523, 0.622887, 0.542516, 10.029670, 12.252611, 13.600000],
    [0.30, 0.45, 2, 1.063635, 0.241902, 0.677409, 1.595820, 10.339396, 13.045603, 13.600000],
    [1.00, 0.45, 2, 1.408319, 0.584773, 0.787127, 2.694819, 11.983362, 15.457962, 13.600000],
    [0.30, 0.70, 0, 0.0, 0.0, 0.800000, 3.000000, 12.000000, 15.600000, 15.600000],
    [0.80, 0.70, 2, 1.665476, 0.571254, 0.782801, 2.350980, 12.219048, 15.603250, 15.600000],
    [1.50, 0.70, 2, 1.462496, 0.686888, 0.819804, 2.286761, 13.208341, 16.764714, 15.600000],
    [0.50, 0.90, 0, 0.0, 0.0, 0.800000, 1.000000, 14.000000, 17.200000, 17.200000],
    [2.00, 0.90, 2, 1.449359, 0.743505, 0.837922, 1.746761, 14.201282, 17.740243, 17.200000],
])


@pytest.mark.parametrize("method", ["closed", "bisection"])
def test_golden_table(method):
    p = D.make_params()
    beta, theta = jnp.asarray(GOLDEN[:, 0]), jnp.asarray(GOLDEN[:, 1])
    a = D.worker_action(p, beta, theta, method=method)
    q = D.quality(p, beta, theta, method=method)
    np.testing.assert_array_equal(np.asarray(a["regime"]), GOLDEN[:, 2].astype(int))
    np.testing.assert_allclose(a["v"], GOLDEN[:, 3], atol=1e-6)
    np.testing.assert_allclose(D.detection(p, a["v"], beta), GOLDEN[:, 4], atol=1e-6)
    np.testing.assert_allclose(D.success(p, a["d"], a["v"], beta), GOLDEN[:, 5], atol=1e-6)
    np.testing.assert_allclose(D.cost(p, a["d"], a["v"], beta, theta), GOLDEN[:, 6], atol=1e-6)
    np.testing.assert_allclose(a["U_w"], GOLDEN[:, 7], atol=1e-6)
    np.testing.assert_allclose(q["Q"], GOLDEN[:, 8], atol=1e-6)
    np.testing.assert_allclose(q["Q0"], GOLDEN[:, 9], atol=1e-6)


def test_manual_quality_at_theta0_errata2():
    p = D.make_params()
    # ERRATA 2: Q0(0.5) = 14.0; 13.6 is U_I at d = 0.2 (a tie-breaking artefact in the spec).
    assert float(D.quality(p, 0.1, 0.5)["Q0"]) == pytest.approx(14.0, abs=1e-12)
    assert float(D.institutional_utility(p, 0.2, 0.0, 0.1, 0.5)) == pytest.approx(13.6, abs=1e-12)


@pytest.mark.parametrize("fam", FAMILIES[:3])
def test_closed_form_equals_bisection_on_grid(fam):
    p = D.make_params(**fam)
    beta = jnp.linspace(1e-3, 3.0, 120)[:, None]
    theta = jnp.linspace(0.0, 1.0, 121)[None, :]
    qc = D.quality(p, beta, theta, method="closed")
    qb = D.quality(p, beta, theta, method="bisection")
    np.testing.assert_allclose(qc["v_star"], qb["v_star"], atol=1e-10)
    np.testing.assert_allclose(qc["Q"], qb["Q"], atol=1e-10)
    assert (np.asarray(qc["regime"]) == np.asarray(qb["regime"])).all()
    assert (np.asarray(qc["quality_label"]) == np.asarray(qb["quality_label"])).all()


@pytest.mark.parametrize("fam", FAMILIES)
def test_vstar_against_scipy_bounded_maximisation(fam):
    p = D.make_params(**fam)
    rng = np.random.default_rng(0)
    beta, theta = rng.uniform(0.05, 3.0, 12), rng.uniform(0.0, 1.0, 12)
    v = np.asarray(D.vstar(p, jnp.asarray(beta), jnp.asarray(theta)))
    for b, t, vv in zip(beta, theta, v):
        B_w = 0.4 * (20.0 - 10.0 * (1.0 - t))  # (1 - p_a)(s_w p_w - c_w), Figure-2 numbers
        Dv = (lambda x: b * x / (1 + b * x)) if fam["detection"] == "inverse_linear" else (lambda x: 1 - np.exp(-b * x))
        kap = (lambda x: x) if fam["verification_cost"] == "linear" else (lambda x: 0.5 * x * x)
        res = minimize_scalar(lambda x: -(B_w * Dv(x) - kap(x)), bounds=(0.0, 10.0), method="bounded",
                              options=dict(xatol=1e-12))
        best = max(res.x, 0.0) if -res.fun > 0 else 0.0
        assert vv == pytest.approx(best, abs=1e-6)


def _brute_force(beta, theta, nv=4001, vmax=4.0):
    """Plain-NumPy maximisation of U_w over d in {0, 1} x v grid (Figure-2 parameters)."""
    v = np.linspace(0.0, vmax, nv)
    b, t = beta[:, None, None], theta[None, :, None]
    c_w = 10.0 * (1.0 - t)
    Dv = b * v / (1.0 + b * v)
    S1 = 0.6 + 0.4 * Dv * 0.8
    C1 = v + 0.4 * Dv * c_w
    U1 = 25.0 * S1 - 5.0 - C1
    U0 = 25.0 * 0.8 - 5.0 - c_w[..., 0]
    j = U1.argmax(-1)
    return U0 + 0 * b[..., 0], U1.max(-1), v[j]


def test_regimes_and_utility_match_brute_force_off_node():
    p = D.make_params()
    beta = np.linspace(0.0031, 1.9969, 41)
    theta = np.linspace(0.0013, 0.9981, 37)  # avoids theta_0 = 0.5, theta_A = 0.25 (ERRATA 4)
    U0, U1, v1 = _brute_force(beta, theta)
    a = D.worker_action(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :])
    u_opt = np.maximum(U0, U1)
    assert (u_opt <= np.asarray(a["U_w"]) + 1e-9).all()
    assert np.max(np.asarray(a["U_w"]) - u_opt) < 1e-5
    margin = np.abs(U1 - U0) > 1e-4
    d_bf = (U1 > U0).astype(int)
    phi0 = 0.4 * (20.0 - 10.0 * (1.0 - theta))[None, :] * beta[:, None] - 1.0  # phi'(0)
    reg_bf = np.where(d_bf == 0, 0, np.where(phi0 <= 0, 1, 2))
    ok = margin & (np.abs(phi0) > 1e-6)
    assert ok.mean() > 0.95
    np.testing.assert_array_equal(np.asarray(a["regime"])[ok], reg_bf[ok])
    delegating = (d_bf == 1) & ok
    np.testing.assert_allclose(np.asarray(a["v"])[delegating], v1[delegating], atol=1.5e-3)


def test_optimum_in_d_is_at_an_endpoint():
    # Remark 2.1: U_w is affine in d, so over 21 d values the best is at d = 0 or d = 1.
    p = D.make_params()
    d = jnp.linspace(0, 1, 21)[:, None, None]
    v = jnp.linspace(0, 4, 801)[None, :, None]
    beta = jnp.array([0.1, 0.3, 0.8, 1.5])[None, None, :]
    for t in (0.1, 0.45, 0.7, 0.9):
        U = np.asarray(D.worker_utility(p, d, v, beta, t))
        best_d = U.max(axis=1).argmax(axis=0)
        assert set(best_d.tolist()) <= {0, 20}


def test_proposition_34_quality_gap_identity():
    p = D.make_params()
    beta = jnp.linspace(0.01, 2, 50)[:, None]
    theta = jnp.linspace(0.003, 0.997, 51)[None, :]
    q = D.quality(p, beta, theta)
    direct = D.institutional_utility(p, q["d"], q["v_star"], beta, theta)
    np.testing.assert_allclose(q["Q"], direct, atol=1e-12)
    np.testing.assert_allclose(q["Q0"], D.institutional_utility(p, 0.0, 0.0, beta, theta), atol=1e-12)


@pytest.mark.parametrize("method", ["closed", "bisection"])
def test_ift_derivative_of_vstar(method):
    p = D.make_params()
    g = jax.grad(lambda b: D.vstar(p, b, 0.6, method=method))(0.8)
    assert float(g) == pytest.approx(-0.2052670, abs=1e-7)
    # against a central difference of the closed form itself
    f = lambda b: float(D.vstar(p, b, 0.6, method="closed"))
    assert float(g) == pytest.approx((f(0.8 + 1e-6) - f(0.8 - 1e-6)) / 2e-6, abs=1e-8)


@pytest.mark.parametrize("fam", [FAMILIES[0], pytest.param(FAMILIES[1], marks=pytest.mark.slow),
                                 pytest.param(FAMILIES[2], marks=pytest.mark.slow), FAMILIES[3]])
def test_gradients_of_quality_match_finite_differences(fam):
    p = D.make_params(**fam)
    b = jnp.array([0.8, 1.3, 1.5, 2.0])
    t = jnp.array([0.2, 0.45, 0.7, 0.9])
    assert (np.asarray(D.worker_action(p, b, t)["regime"]) == 2).all()

    def Q(b_, t_, pa):
        return D.quality(p.replace(p_a=pa), b_, t_, method="bisection")["Q"]

    pa = jnp.full_like(b, 0.6)
    grads = jax.jit(jax.vmap(jax.grad(Q, argnums=(0, 1, 2))))(b, t, pa)
    Qv = jax.jit(jax.vmap(Q))
    h = 1e-6
    fd = [
        (Qv(b + h, t, pa) - Qv(b - h, t, pa)) / (2 * h),
        (Qv(b, t + h, pa) - Qv(b, t - h, pa)) / (2 * h),
        (Qv(b, t, pa + h) - Qv(b, t, pa - h)) / (2 * h),
    ]
    for g, f in zip(grads, fd):
        np.testing.assert_allclose(g, f, rtol=1e-5, atol=1e-7)


def test_jit_vmap_and_no_recompilation():
    p = D.make_params()
    traces = []

    @jax.jit
    def f(params, beta, theta):
        traces.append(1)
        return D.quality(params, beta, theta, method="bisection")["Q"]

    b1, t1 = jnp.linspace(0.1, 2, 7), jnp.linspace(0.1, 0.9, 7)
    out1 = f(p, b1, t1)
    out2 = f(p.replace(p_a=0.65), b1 + 0.01, t1)
    f(p, b1 * 0.5, t1 * 0.9)
    assert len(traces) == 1
    np.testing.assert_allclose(out1, D.quality(p, b1, t1)["Q"], atol=1e-10)
    assert not np.allclose(out1, out2)
    vm = jax.vmap(jax.vmap(lambda b, t: D.worker_action(p, b, t)["v_star"], (None, 0)), (0, None))(b1, t1)
    np.testing.assert_allclose(vm, D.worker_action(p, b1[:, None], t1[None, :])["v_star"], atol=1e-14)


@pytest.mark.parametrize("scale", [1.0, 100.0, 1e4])
def test_tie_rule_delegates_at_theta0_relative_tolerance(scale):
    # At theta = theta_0 and low beta the worker is indifferent; ties delegate (Theorem 3.1). The
    # rounding of G there grows with the utility scale (ERRATA 5), so the tolerance is relative.
    for p_a in np.linspace(0.5, 0.7, 9):
        p = D.make_params(p_a=p_a, b_w=20 * scale, l_w=5 * scale, b_I=24 * scale, l_I=6 * scale,
                          K=10 * scale, c_v=scale)
        t0 = float(D.theta_zero(p))
        assert int(D.worker_action(p, 1e-3 / scale, t0)["regime"]) == 1


def test_bad_abilities_and_methods():
    p = D.make_params()
    with pytest.raises(ValueError, match="beta"):
        D.worker_action(p, -0.1, 0.5)
    with pytest.raises(ValueError, match="theta"):
        D.quality(p, 0.1, jnp.array([0.2, jnp.nan]))
    with pytest.raises(ValueError, match="theta"):
        D.worker_action(p, 0.1, 1.2)  # c_w = K (1 - theta) would be negative
    with pytest.raises(ValueError, match="thetas"):
        D.separatrices(p, jnp.array([-0.1, 0.5]))
    with pytest.raises(ValueError, match="method"):
        D.worker_action(p, 0.1, 0.5, method="newton")
    with pytest.raises(ValueError, match="closed form"):
        D.vstar(D.make_params(verification_cost="quadratic"), 0.1, 0.5, method="closed")
    with pytest.raises(ValueError, match="tau"):
        D.quality(p, 0.1, 0.5, tau=float("inf"))


def test_labels_and_compliance_codes():
    p = D.make_params()
    # (beta, theta): improved / gain at (1.0, 0.2); degraded at (0.3, 0.45) with loss (Q0 = 13.6 >= 13 > Q? no)
    q = D.quality(p, jnp.array([1.0, 0.2, 0.3, 0.5]), jnp.array([0.2, 0.45, 0.7, 0.9]))
    np.testing.assert_array_equal(q["quality_label"], [2, 0, 1, 1])
    # Q: 14.87 (Q0 11.6) gain; 12.25 (Q0 13.6) loss; 15.6 both qualified; 17.2 both qualified
    np.testing.assert_array_equal(q["compliance_label"], [1, 2, 3, 3])
    q = D.quality(p, 0.1, 0.2, tau=20.0)
    assert int(q["compliance_label"]) == 0


def test_aligned_institution_never_loses_quality():
    # Spec §1.3 [P]: with b_I = b_w, l_I = l_w, rho = 1, U_I = U_w, so Q >= Q0 (AI enlarges the action set).
    for fam in (FAMILIES[0], FAMILIES[2]):
        p = D.make_params(b_I=20.0, l_I=5.0, rho=1.0, **fam)
        q = D.quality(p, jnp.linspace(1e-3, 3, 90)[:, None], jnp.linspace(0, 1, 91)[None, :])
        assert (np.asarray(q["dQ"]) >= -1e-12).all()
        assert (np.asarray(q["quality_label"]) != 0).all()


def test_theta0_column_of_reference_grid_errata3():
    # ERRATA 3: on the reference grid theta = 0.5 is a node where G evaluates to about -1.8e-15; the tie
    # rule keeps its 34 cells with beta <= 1/6 in pure delegation (the rest of the column verifies).
    p = D.make_params()
    theta = jnp.linspace(0.0, 1.0, 401)[200]
    G = float(D.coeffs(p, 0.0, theta)["G"])
    assert -1e-13 < G < 0
    beta = jnp.linspace(1e-4, 2.0, 400)
    r = np.asarray(D.worker_action(p, beta, theta)["regime"])
    assert (r == 1).sum() == 34 and (r == 0).sum() == 0
    assert np.asarray(beta)[r == 1].max() <= 1 / 6
