"""Separatrices and the paper's theorems and lemmas (spec §2.3, §3; ERRATA 1, 4, 6)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import delegation as D

FAMILIES = [
    dict(detection="inverse_linear", verification_cost="linear"),
    dict(detection="exponential", verification_cost="linear"),
    dict(detection="exponential", verification_cost="quadratic"),
    dict(detection="inverse_linear", verification_cost="quadratic"),
]
# The Figure-2 family runs by default; the others are slow (the property test covers exponential D).
FAMILY_PARAMS = [
    FAMILIES[0],
    pytest.param(FAMILIES[1], marks=pytest.mark.slow),
    pytest.param(FAMILIES[2], marks=pytest.mark.slow),
    pytest.param(FAMILIES[3], marks=pytest.mark.slow),
]


def _brute_force_regime(fam, beta, theta, nv=3001, vmax=6.0):
    """Independent NumPy maximisation of U_w over {0, 1} x v-grid, Figure-2 numbers.

    Returns (regime, margin): margin is the smaller of |U(1) - U(0)| and |phi'(0)|-based gap so
    that the caller can drop cells that sit on a boundary."""
    v = np.linspace(0.0, vmax, nv)
    b, t = beta[:, None, None], theta[None, :, None]
    c_w = 10.0 * (1.0 - t)
    Dv = b * v / (1.0 + b * v) if fam["detection"] == "inverse_linear" else 1.0 - np.exp(-b * v)
    kap = v if fam["verification_cost"] == "linear" else 0.5 * v * v
    U1 = 25.0 * (0.6 + 0.4 * Dv * 0.8) - 5.0 - kap - 0.4 * Dv * c_w
    U0 = (25.0 * 0.8 - 5.0 - c_w)[..., 0]
    best = U1.max(-1)
    v_best = v[U1.argmax(-1)]
    regime = np.where(best >= U0, np.where(v_best > 0, 2, 1), 0)
    B_w = (0.4 * (20.0 - c_w))[..., 0]
    kappa0 = 1.0 if fam["verification_cost"] == "linear" else 0.0
    phi0 = B_w * b[..., 0] - kappa0
    margin = np.minimum(np.abs(best - U0), np.where(kappa0 > 0, np.abs(phi0), np.inf))
    return regime, margin


# ---------------------------------------------------------------- reference numbers


def test_reference_separatrix_values_figure2():
    p = D.make_params()
    th = jnp.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 7 / 9, 0.9, 1.0])
    s = D.separatrices(p, th)
    assert float(s["theta_0"]) == pytest.approx(0.5, abs=1e-14)
    assert float(s["theta_tau"]) == pytest.approx(0.375, abs=1e-14)
    b1 = np.asarray(s["beta_1"])
    assert np.isnan(b1[:6]).all()  # theta <= theta_0 (ties at theta_0 delegate)
    np.testing.assert_allclose(b1[6:], [0.4273, 0.7021, 1.0, 1.74593, 2.8499], atol=1e-4)
    # spec §4.2 formula, written independently
    t = np.asarray(th[6:])
    np.testing.assert_allclose(b1[6:], 1 / (2 * np.sqrt(1 + t) - np.sqrt(10 * t - 5)) ** 2, rtol=1e-12)
    b2 = np.asarray(s["beta_2"])
    np.testing.assert_allclose(b2[:6], 1 / (4 * (1 + np.asarray(th[:6]))), rtol=1e-12)
    assert np.isnan(b2[6:]).all()
    b3 = np.asarray(s["beta_3"])
    np.testing.assert_array_equal(b3[:3], 0.0)  # A_I > 0 for theta < theta_A = 0.25
    np.testing.assert_allclose(b3[3:8], [0.2425, 0.3366, 0.4526, 0.6015, 0.7987], atol=1e-4)
    np.testing.assert_allclose(b3[8:], b1[8:], rtol=1e-12)  # beta_3 = beta_1 past theta_B = 7/9
    b4 = np.asarray(s["beta_4"])
    np.testing.assert_allclose(b4[[0, 4, 5, 6, 9]], [0.4444, 0.3052, 0.2825, 0.2627, 0.2164], atol=1e-4)
    b4e = np.asarray(s["beta_4_eff"])
    np.testing.assert_allclose(b4e[:6], b4[:6])
    np.testing.assert_allclose(b4e[6:], np.maximum(b1[6:], b4[6:]))
    assert float(D.separatrices(p, jnp.array([0.25]))["beta_4"][0]) == pytest.approx(0.3465, abs=1e-4)


def test_theta_C_where_level_set_meets_beta_1():
    # ERRATA 1: beta_4 = beta_1 at theta_C = 0.53267 with beta_1(theta_C) = 0.2757.
    p = D.make_params()
    th = jnp.linspace(0.51, 0.6, 9001)
    s = D.separatrices(p, th)
    k = int(np.nanargmin(np.abs(np.asarray(s["beta_4"] - s["beta_1"]))))
    assert float(th[k]) == pytest.approx(0.53267, abs=2e-5)
    assert float(s["beta_1"][k]) == pytest.approx(0.2757, abs=1e-4)


def test_verified_effort_jumps_at_beta_1():
    p = D.make_params()
    b1 = float(D.separatrices(p, jnp.array([0.7]))["beta_1"][0])
    below = D.worker_action(p, b1 * (1 - 1e-9), 0.7)
    at = D.worker_action(p, b1, 0.7)
    assert int(below["regime"]) == 0 and int(at["regime"]) == 2
    assert float(at["v"]) == pytest.approx(1.69, abs=5e-3)


@pytest.mark.parametrize("inner", ["closed", pytest.param("bisection", marks=pytest.mark.slow)])
def test_closed_separatrices_equal_bisection(inner):
    p = D.make_params()
    th = jnp.linspace(0.0013, 0.9981, 173)
    c = D.separatrices(p, th, method="closed")
    b = D.separatrices(p, th, method="bisection", inner=inner)
    for k in c.keys():
        np.testing.assert_allclose(b[k], c[k], rtol=1e-10, atol=1e-12, err_msg=k)


# ---------------------------------------------------------------- Theorem 3.1


@pytest.mark.parametrize("fam", FAMILY_PARAMS)
def test_theorem_31_separatrix_classification_equals_brute_force(fam):
    p = D.make_params(**fam)
    beta = np.linspace(0.0031, 2.4969, 31)
    theta = np.linspace(0.0013, 0.9981, 29)
    s = D.separatrices(p, jnp.asarray(theta), method="bisection")
    reg = np.asarray(D.regime_from_separatrices(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :],
                                                {k: v[None, :] if v.ndim else v for k, v in s.items()}))
    reg_bf, margin = _brute_force_regime(fam, beta, theta)
    ok = margin > 1e-3
    assert ok.mean() > 0.9
    np.testing.assert_array_equal(reg[ok], reg_bf[ok])
    # the solver's own regimes agree with the separatrix classification everywhere off the boundary
    np.testing.assert_array_equal(np.asarray(D.worker_action(p, jnp.asarray(beta)[:, None],
                                                             jnp.asarray(theta)[None, :])["regime"])[ok], reg[ok])


def test_theorem_31_first_beta_of_each_regime_matches_separatrix():
    p = D.make_params()
    beta = np.linspace(1e-4, 2.0, 4001)
    step = beta[1] - beta[0]
    theta = np.linspace(0.0013, 0.9981, 41)
    reg = np.asarray(D.worker_action(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :])["regime"])
    s = D.separatrices(p, jnp.asarray(theta))
    # Theorem 3.1 per column: before theta_0 = 0.5 pure delegation then verified (never manual), after it
    # manual then verified (never pure); either way the regime code is non-decreasing in beta
    before, after = theta < 0.5, theta > 0.5
    assert (np.diff(reg, axis=0) >= 0).all()
    assert (reg[:, before] != 0).all() and (reg[:, after] != 1).all()
    assert (reg[0, before] == 1).all() and (reg[0, after] == 0).all()
    for j, t in enumerate(theta):
        col = reg[:, j]
        first_verified = beta[np.argmax(col == 2)]
        ref = float(s["beta_2"][j]) if t < 0.5 else float(s["beta_1"][j])
        if ref < 2.0:
            assert abs(first_verified - ref) <= step + 1e-12
        if t > 0.5:
            assert (col[beta < float(s["beta_1"][j]) - 1e-12] == 0).all()


def test_theorem_31_monotone_separatrices_and_meeting_point():
    p = D.make_params()
    th = jnp.linspace(0.0, 1.0, 1001)
    s = D.separatrices(p, th)
    b1 = np.asarray(s["beta_1"])[np.asarray(th) > 0.5 + 1e-9]
    b2 = np.asarray(s["beta_2"])[np.asarray(th) <= 0.5]
    assert (np.diff(b1) > 0).all() and (np.diff(b2) < 0).all()
    # beta_1 -> beta_2 at theta_0 (the two separatrices meet at (theta_0, kappa'(0)/B_w(theta_0)))
    # (at distance 1e-12 the tie tolerance already puts theta on theta_0's side: beta_1 is NaN)
    gaps = [abs(float(D.separatrices(p, jnp.array([0.5 + d]))["beta_1"][0]) - 1 / 6) for d in (1e-4, 1e-6, 1e-8)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-4
    # gap ~ sqrt(-G): two decades of distance shrink it by one decade
    assert gaps[1] / gaps[2] == pytest.approx(10.0, rel=0.05)


# ---------------------------------------------------------------- Theorems 3.5 and 3.6


def _grid():
    beta = np.linspace(0.0031, 2.4969, 181)
    theta = np.linspace(0.0013, 0.9981, 163)
    return beta, theta


THEOREM_FAMILIES = [
    FAMILIES[0],
    pytest.param(FAMILIES[1], marks=pytest.mark.slow),
    pytest.param(FAMILIES[2], marks=pytest.mark.slow),
    pytest.param(FAMILIES[3], marks=pytest.mark.slow),
]


@pytest.mark.parametrize("fam", THEOREM_FAMILIES)
def test_theorem_35_quality_regions(fam):
    p = D.make_params(**fam)
    beta, theta = _grid()
    q = D.quality(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :])
    s = D.separatrices(p, jnp.asarray(theta), method="bisection")
    b = beta[:, None]
    after = theta[None, :] > float(s["theta_0"])
    b1 = np.where(after, np.asarray(s["beta_1"])[None, :], -np.inf)
    b3 = np.asarray(s["beta_3"])[None, :]
    improved = b > b3
    unchanged = after & (b < b1)
    degraded = (b < b3) & (~after | (b >= b1))
    pred = np.where(improved, 2, np.where(unchanged, 1, np.where(degraded, 0, -1)))
    step = beta[1] - beta[0]
    away = (np.abs(b - b3) > 2 * step) & (np.abs(b - np.where(after, b1, np.inf)) > 2 * step)
    lab = np.asarray(q["quality_label"])
    np.testing.assert_array_equal(lab[away], pred[away])
    assert (lab == 0).any() and (lab == 2).any()  # both regimes exist


@pytest.mark.parametrize("fam", THEOREM_FAMILIES)
def test_theorem_36_compliance_regions(fam):
    p = D.make_params(**fam)
    beta, theta = _grid()
    q = D.quality(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :])
    s = D.separatrices(p, jnp.asarray(theta), method="bisection")
    t0, tt = float(s["theta_0"]), float(s["theta_tau"])
    b = beta[:, None]
    th = theta[None, :]
    b1 = np.asarray(s["beta_1"])[None, :]
    b4 = np.asarray(s["beta_4"])[None, :]
    b4e = np.asarray(s["beta_4_eff"])[None, :]
    gain = (((th <= t0) & (th < tt) & (b >= b4e)) | ((t0 < th) & (th < tt) & (b >= np.maximum(b1, b4))))
    b4n = np.where(np.isnan(b4), -np.inf, b4)
    loss = ((tt <= th) & (th <= t0) & (b < b4n)) | ((th > t0) & (th >= tt) & (b1 <= b) & (b < b4n))
    step = beta[1] - beta[0]
    near = np.zeros_like(gain)
    for edge in (b1, b4, b4e):
        near |= np.abs(b - np.nan_to_num(edge, nan=np.inf)) <= 2 * step
    lab = np.asarray(q["compliance_label"])
    np.testing.assert_array_equal((lab == 1)[~near], gain[~near])
    np.testing.assert_array_equal((lab == 2)[~near], loss[~near])
    assert (lab == 1).any() and (lab == 2).any()


def test_beta_4_level_set_is_non_increasing():
    p = D.make_params()
    b4 = np.asarray(D.separatrices(p, jnp.linspace(0, 1, 501))["beta_4"])
    assert np.isfinite(b4).all() and (np.diff(b4) <= 0).all()


# ---------------------------------------------------------------- region areas (spec §4.2 [R])


@pytest.mark.parametrize(
    "fam, beta_lo, fractions, degraded, loss",
    [
        (FAMILIES[0], 1e-4, (0.257, 0.051, 0.692), 0.059, 0.020),
        # the other families' areas are also rows of delegation.robustness-families (slow suite)
        pytest.param(FAMILIES[1], 1e-3, (0.135, 0.051, 0.814), 0.035, 0.015, marks=pytest.mark.slow),
        pytest.param(FAMILIES[3], 1e-3, (0.206, 0.0, 0.794), 0.066, None, marks=pytest.mark.slow),
        pytest.param(FAMILIES[2], 1e-3, (0.125, 0.0, 0.875), 0.042, None, marks=pytest.mark.slow),
    ],
)
def test_area_fractions_reference_grid(fam, beta_lo, fractions, degraded, loss):
    p = D.make_params(**fam)
    q = D.quality(p, jnp.linspace(beta_lo, 2.0, 400)[:, None], jnp.linspace(0.0, 1.0, 401)[None, :])
    r = np.asarray(q["regime"])
    np.testing.assert_allclose([(r == k).mean() for k in range(3)], fractions, atol=6e-4)
    assert (np.asarray(q["quality_label"]) == 0).mean() == pytest.approx(degraded, abs=6e-4)
    if loss is not None:
        assert (np.asarray(q["compliance_label"]) == 2).mean() == pytest.approx(loss, abs=6e-4)
    if fam == FAMILIES[0]:
        lab = np.asarray(q["quality_label"])
        np.testing.assert_allclose([(lab == 2).mean(), (lab == 1).mean()], [0.684, 0.257], atol=6e-4)
        assert (np.asarray(q["compliance_label"]) == 1).mean() == pytest.approx(0.304, abs=6e-4)


# ---------------------------------------------------------------- Lemmas 3.7-3.10 (jax.grad)


def _masked_grid(p, nb=24, nt=25):
    beta = jnp.linspace(0.02, 2.0, nb)
    theta = jnp.linspace(0.0013, 0.9981, nt)
    B, T = jnp.meshgrid(beta, theta, indexing="ij")
    s = D.separatrices(p, theta, method="bisection")
    step = 2 * float(beta[1] - beta[0])
    near = np.zeros(B.shape, bool)
    for k in ("beta_1", "beta_2", "beta_3"):
        near |= np.abs(np.asarray(B) - np.nan_to_num(np.asarray(s[k]), nan=np.inf)[None, :]) < step
    near |= np.abs(np.asarray(T) - float(s["theta_0"])) < 0.03
    return B.reshape(-1), T.reshape(-1), ~near.reshape(-1)


def _grad2(f):
    return jax.jit(jax.vmap(jax.grad(f, argnums=(0, 1))))


LEMMA_FAMILIES = [
    FAMILIES[0],
    pytest.param(FAMILIES[1], marks=pytest.mark.slow),
    pytest.param(FAMILIES[2], marks=pytest.mark.slow),
    pytest.param(FAMILIES[3], marks=pytest.mark.slow),
]


@pytest.mark.parametrize("fam", LEMMA_FAMILIES)
def test_lemmas_37_to_310_derivative_signs(fam):
    p = D.make_params(**fam)
    B, T, keep = _masked_grid(p)
    tol = -1e-10
    kappa0 = 1.0 if fam["verification_cost"] == "linear" else 0.0
    quantities = {
        "M": lambda b, t: D.max_delegation_gain(p, b, t, method="bisection"),  # Lemma 3.7
        "phi0": lambda b, t: D.coeffs(p, b, t)["B_w"] * b - kappa0,  # Lemma 3.8: phi'(0), both D forms
        "Dv": lambda b, t: D.detection(p, D.vstar(p, b, t, method="bisection"), b),  # Assumption 3.3
        "dI": lambda b, t: D.delegation_gain_I(p, b, t, method="bisection"),  # Lemma 3.9
        "UI": lambda b, t: D.delegated_quality(p, b, t, method="bisection"),  # Lemma 3.10
        "v": lambda b, t: D.vstar(p, b, t, method="bisection"),  # Lemma 3.10's proof
    }

    @jax.jit
    def all_grads(b, t):
        return {k: jax.vmap(jax.grad(f, argnums=(0, 1)))(b, t) for k, f in quantities.items()}

    g = jax.tree_util.tree_map(np.asarray, all_grads(B, T))
    assert (g["M"][0] >= tol).all() and (g["M"][1] < 0).all()
    assert (g["phi0"][0] >= tol).all() and (g["phi0"][1] >= tol).all()
    assert (g["Dv"][0] >= tol).all()
    d_star = np.asarray(D.worker_action(p, B, T)["d"])
    deleg = (d_star == 1) & np.asarray(keep)
    assert deleg.sum() > 50
    assert (g["dI"][0][deleg] >= tol).all()
    assert (g["UI"][0][deleg] >= tol).all() and (g["UI"][1][deleg] >= tol).all()
    interior = deleg & (np.asarray(D.vstar(p, B, T)) > 0)
    assert (g["v"][1][interior] >= tol).all()
    # d* non-decreasing in beta, non-increasing in theta (Lemma 3.9, Theorem 3.1)
    dd = np.asarray(D.worker_action(p, jnp.linspace(0.01, 2, 60)[:, None], jnp.linspace(0, 1, 61)[None, :])["d"])
    assert (np.diff(dd, axis=0) >= 0).all() and (np.diff(dd, axis=1) <= 0).all()


@pytest.mark.parametrize("fam", FAMILIES[1:], ids=lambda f: f"{f['detection']}/{f['verification_cost']}")
def test_theorem_31_and_lemmas_on_the_other_families(fam):
    """Cheap default-suite check of Theorem 3.1 and Lemmas 3.7-3.10 off Figure 2's family.

    Theorem 3.1: the separatrix classification equals a NumPy brute force on a coarse grid.
    Lemmas: signs of central finite differences (independent of the autodiff used in the slow test).
    A difference quotient of a monotone function has the right sign even across a kink, so no
    boundary mask is needed."""
    p = D.make_params(**fam)
    beta = np.linspace(0.0031, 2.4969, 15)
    theta = np.linspace(0.0013, 0.9981, 13)
    s = D.separatrices(p, jnp.asarray(theta))
    reg = np.asarray(D.regime_from_separatrices(p, jnp.asarray(beta)[:, None], jnp.asarray(theta)[None, :],
                                                {"beta_1": s.beta_1[None, :], "beta_2": s.beta_2[None, :]}))
    reg_bf, margin = _brute_force_regime(fam, beta, theta)
    ok = margin > 1e-3
    assert ok.mean() > 0.8
    np.testing.assert_array_equal(reg[ok], reg_bf[ok])
    assert {0, 2} <= set(reg.ravel().tolist())

    B, T = (x.ravel() for x in np.meshgrid(beta, theta, indexing="ij"))
    h = 1e-6

    @jax.jit
    def quantities(b, t):
        v = D.vstar(p, b, t)
        return {"M": D.max_delegation_gain(p, b, t), "dI": D.delegation_gain_I(p, b, t),
                "UI": D.delegated_quality(p, b, t), "v": v, "Dv": D.detection(p, v, b)}

    pts_b = jnp.asarray(np.concatenate([B + h, B - h, B, B]))
    pts_t = jnp.asarray(np.concatenate([T, T, T + h, T - h]))
    q = {k: np.asarray(x).reshape(4, -1) for k, x in quantities(pts_b, pts_t).items()}
    db = {k: (x[0] - x[1]) / (2 * h) for k, x in q.items()}
    dt = {k: (x[2] - x[3]) / (2 * h) for k, x in q.items()}
    tol = -1e-6  # finite-difference rounding: about eps * |U| / h
    assert (db["M"] >= tol).all() and (dt["M"] < 0).all()  # Lemma 3.7
    assert (db["Dv"] >= tol).all()  # Assumption 3.3
    deleg = np.asarray(D.worker_action(p, jnp.asarray(B), jnp.asarray(T)).d) == 1
    assert deleg.sum() > 40
    assert (db["dI"][deleg] >= tol).all()  # Lemma 3.9
    assert (db["UI"][deleg] >= tol).all() and (dt["UI"][deleg] >= tol).all()  # Lemma 3.10
    assert (dt["v"][deleg] >= tol).all()  # Lemma 3.10's proof (v* non-decreasing in theta)
    # the checks have teeth: the quantities do move
    assert db["UI"][deleg].max() > 0.1 and (dt["M"] < -1.0).all()


@pytest.mark.slow  # Lemma 3.7's sign is checked by default (autodiff and finite differences); this is the formula
def test_envelope_theorem_derivatives_of_M():
    # Lemma 3.7's envelope formulas, written independently for Figure 2 (inverse-linear D):
    # dM/dbeta = B_w v*/(1 + beta v*)^2, dM/dtheta = c_w'(theta)(1 - (1 - p_a) D(v*)).
    p = D.make_params()
    B, T, _ = _masked_grid(p, 12, 13)
    v = np.asarray(D.vstar(p, B, T))
    Bn, Tn = np.asarray(B), np.asarray(T)
    B_w = 0.4 * (20 - 10 * (1 - Tn))
    dMb, dMt = _grad2(lambda b, t: D.max_delegation_gain(p, b, t, method="bisection"))(B, T)
    np.testing.assert_allclose(dMb, B_w * v / (1 + Bn * v) ** 2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dMt, -10 * (1 - 0.4 * Bn * v / (1 + Bn * v)), rtol=1e-8)
    assert float(np.max(dMt)) <= -7.0 + 1e-9  # spec: max dM/dtheta = -7.0


def test_concavity_of_quality_in_beta_on_verified_branch():
    # Figure 2(c) note: d^2 Q / d beta^2 <= 0 on the verified region for the Figure-2 numbers.
    p = D.make_params()
    beta = jnp.linspace(0.0, 2.0, 2001)[:, None]
    theta = jnp.linspace(0.0, 1.0, 101)[None, :]
    q = D.quality(p, beta, theta)
    Q = np.asarray(q["Q"])
    ver = np.asarray(q["regime"]) == 2
    d2 = Q[2:] - 2 * Q[1:-1] + Q[:-2]
    both = ver[2:] & ver[1:-1] & ver[:-2]
    assert d2[both].max() <= 1e-12
    h = jax.jit(jax.vmap(jax.grad(jax.grad(lambda b, t: D.delegated_quality(p, b, t, method="bisection")))))
    b, t = jnp.array([0.5, 1.0, 1.8]), jnp.array([0.2, 0.7, 0.95])
    assert (np.asarray(h(b, t)) < 0).all()


def test_section_52_example_assumption_33_exponential():
    # eqs (8)-(15) with A = B_w = 2, c = c_v = 1, vbar = V = 0.5 [R]: p_a = 0.9 and theta = 1 give B_w = 2.
    p = D.make_params(p_a=0.9, V=0.5, detection="exponential")
    assert float(D.coeffs(p, 1.0, 1.0)["B_w"]) == pytest.approx(2.0)
    beta = jnp.linspace(0.01, 8.0, 20001)
    v = np.asarray(D.vstar(p, beta, 1.0, method="bisection"))
    x = np.asarray(beta) * v
    assert (np.diff(x) >= -1e-12).all()
    bn = np.asarray(beta)
    assert (v[bn <= 0.5] == 0).all()
    upper = (bn >= 0.72) & (bn <= 4.30)
    np.testing.assert_allclose(v[upper], 0.5)
    vhat = np.asarray(D.vstar(p.replace(V=float("inf")), beta, 1.0))
    k = int(np.argmax(vhat))
    assert vhat[k] == pytest.approx(2 / np.e, abs=1e-6) and bn[k] == pytest.approx(np.e / 2, abs=1e-3)


def test_separatrices_under_jit_vmap_and_grad():
    p = D.make_params()
    th = jnp.array([0.2, 0.6, 0.9])
    jitted = jax.jit(lambda t: D.separatrices(p, t, method="closed"))(th)
    eager = D.separatrices(p, th, method="closed")
    for k in eager.keys():
        np.testing.assert_allclose(jitted[k], eager[k], rtol=1e-10, atol=1e-12)
    # vmap over a parameter (p_a) against a Python loop
    pas = jnp.array([0.55, 0.6, 0.65])
    vm = jax.vmap(lambda a: D.separatrices(D.make_params(p_a=a), th)["beta_4"])(pas)
    loop = np.stack([np.asarray(D.separatrices(D.make_params(p_a=float(a)), th)["beta_4"]) for a in pas])
    np.testing.assert_allclose(vm, loop, rtol=1e-12)
    # implicit-function derivatives of the bisected separatrices equal those of the closed forms
    for key, t in (("beta_1", 0.7), ("beta_4", 0.6)):
        g_bis = jax.grad(lambda x: D.separatrices(p, x[None], method="bisection", inner="closed")[key][0])(t)
        f = lambda x: float(D.separatrices(p, jnp.array([x]), method="closed")[key][0])  # noqa: E731
        assert float(g_bis) == pytest.approx((f(t + 1e-6) - f(t - 1e-6)) / 2e-6, rel=1e-5), key


@pytest.mark.slow  # the nested-bisection reference compiles for a new V; the default suite checks V = 10
def test_closed_separatrices_when_the_effort_cap_binds():
    # With V = 1.2 the cap binds over much of the plane (max interior v* = B_w / (4 c_v) = 2): the
    # closed forms switch to the capped branch D(V; beta) = const there (found by hypothesis).
    p = D.make_params(V=1.2)
    th = jnp.linspace(0.0013, 0.9981, 97)
    c = D.separatrices(p, th, method="closed")
    b = D.separatrices(p, th, method="bisection", inner="closed")
    for k in c.keys():
        np.testing.assert_allclose(b[k], c[k], rtol=1e-9, atol=1e-12, err_msg=k)
    beta = jnp.linspace(0.0031, 2.4969, 120)[:, None]
    reg = np.asarray(D.regime_from_separatrices(p, beta, th[None, :], {k: (v[None, :] if v.ndim else v)
                                                                       for k, v in c.items()}))
    np.testing.assert_array_equal(reg, np.asarray(D.worker_action(p, beta, th[None, :])["regime"]))
