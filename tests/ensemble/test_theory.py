"""The §3 table of the spec, one test per row (ERRATA 1-6 applied).

Oracles: Monte Carlo in NumPy, scipy minimisation, closed forms, finite differences, brute-force
grids. Derivatives by jax.grad / jax.hessian.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

from hai_sim import ensemble as E

LAM = 1e-2


# ---------------------------------------------------------------- Lemma 1 (and where it fails)
def _lemma1_mc(alpha, err_by_class, acc_by_class=None, n=2_000_000, copy=False, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    acc = alpha if acc_by_class is None else np.where(y == 1, *acc_by_class)
    h = np.where(rng.random(n) < acc, y, 1 - y)
    m_err = rng.random(n) < np.where(y == 1, *err_by_class)
    m = h.copy() if copy else np.where(m_err, 1 - y, y)
    return np.mean(m != y), np.mean(m != h), n


@pytest.mark.parametrize("alpha", [0.6, 0.8, 0.95])
def test_lemma1_monte_carlo(alpha):
    L, L_h, n = _lemma1_mc(alpha, (0.3, 0.1))  # model error depends on y only: Assumption 2 holds
    formula = float(E.alignment_loss_lemma1(L, alpha))
    assert abs(L_h - formula) < 4 * math.sqrt(formula * (1 - formula) / n)
    slope = jax.grad(lambda L_: E.alignment_loss_lemma1(L_, alpha))(0.2)
    assert float(slope) == pytest.approx(2 * alpha - 1, abs=1e-15)


def test_lemma1_fails_without_its_hidden_assumptions():
    # Correlated errors (m copies h): L_h = 0, the formula says otherwise.
    L, L_h, _ = _lemma1_mc(0.8, (0.0, 0.0), copy=True, n=200_000)
    assert L_h == 0.0 and float(E.alignment_loss_lemma1(L, 0.8)) > 0.3
    # Class-dependent human accuracy and model error (spec §1.6): 0.365 vs the formula's 0.321.
    L, L_h, n = _lemma1_mc(None, (0.05, 0.30), acc_by_class=(0.60, 0.95))
    overall = 0.5 * (0.95 + 0.60)
    assert L_h == pytest.approx(0.365, abs=0.002)
    assert float(E.alignment_loss_lemma1(L, overall)) == pytest.approx(0.321, abs=0.002)


# ---------------------------------------------------------------- logistic geometry, Theorem 2
@pytest.fixture(scope="module")
def geo():
    d = E.make_admissions(jax.random.key(0), 2000, 0.5, 0.25, 0.8)
    X = d.X
    y, h, a = d.y.astype(float), d.h.astype(float), d.in_Da.astype(float)
    L_a = lambda th: E.region_logloss(th, X, h, a, LAM)  # noqa: E731
    L_c = lambda th: E.region_logloss(th, X, y, 1 - a, LAM)  # noqa: E731
    th_a = E.fit_wlr(X, h, a, lam=LAM, penalize_intercept=True)
    th_c = E.fit_wlr(X, y, 1 - a, lam=LAM, penalize_intercept=True)
    th_s = E.fit_wlr(X, jnp.where(d.in_Da, h, y), lam=LAM, penalize_intercept=True)
    hull = jax.random.dirichlet(jax.random.key(1), jnp.ones(3), (300,)) @ jnp.stack([th_a, th_c, th_s])
    return dict(X=X, a=a, L_a=L_a, L_c=L_c, th_a=th_a, th_c=th_c, th_s=th_s, hull=hull, d=d)


def test_lemma7_8_hessian_bounds(geo):
    hess = jax.jit(jax.vmap(jax.hessian(geo["L_c"])))(geo["hull"][:100])
    eig = np.linalg.eigvalsh(np.asarray(hess))
    lmax, lmin = E.lemma8_bounds(geo["X"], geo["hull"][:100], LAM)
    assert eig.max() <= float(lmax) and eig.min() >= float(lmin)
    z = jnp.linspace(-30, 30, 2001)
    l2 = jax.vmap(jax.grad(jax.grad(lambda z_: jax.nn.softplus(-z_))))(z)
    assert float(l2.max()) <= 0.25 + 1e-15
    assert bool(jnp.all(l2[jnp.abs(z) <= 5] >= E.logistic_c(5.0) - 1e-15))


def _T_both(geo, thetas, eps):
    return _T_jit(geo["L_a"], geo["L_c"], thetas, eps)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _T_jit(L_a, L_c, thetas, eps):
    geo = {"L_a": L_a, "L_c": L_c}
    g_a = jax.vmap(jax.grad(geo["L_a"]))(thetas)
    g_c = jax.vmap(jax.grad(geo["L_c"]))(thetas)
    T = E.tradeoff_T(g_a, g_c)
    v = -g_a  # Theorem 2's definition: the step θ − ε∇L_a
    T_fd = jax.vmap(lambda th, v_: E.tradeoff_fd(geo["L_a"], geo["L_c"], th, v_, eps))(thetas, v)
    cos = jnp.sum(g_a * g_c, -1) / jnp.linalg.norm(g_a, axis=-1) / jnp.linalg.norm(g_c, axis=-1)
    return T, T_fd, cos


def test_thm2_identity_autodiff_vs_finite_differences(geo):
    # T_fd is the ε-limit along the alignment steepest-descent direction; the error is O(ε).
    T, T_fd, _ = _T_both(geo, geo["hull"][:400], 1e-5)
    rel = np.abs(np.asarray(T_fd - T)) / np.abs(np.asarray(T))
    assert rel.max() <= 1e-4


def test_thm2_bound_where_gradients_oppose_and_fails_where_they_align(geo):
    thetas = geo["hull"]
    T, _, cos = _T_both(geo, thetas, 1e-5)
    X, a = geo["X"], np.asarray(geo["a"]) > 0
    vertices = jnp.stack([geo["th_a"], geo["th_c"], geo["th_s"]])
    lmax_a, _ = E.lemma8_bounds(X[a], vertices, LAM)
    _, lmin_c = E.lemma8_bounds(X[~a], vertices, LAM)
    d_a = jnp.linalg.norm(thetas - geo["th_a"][None, :], axis=-1)
    d_c = jnp.linalg.norm(thetas - geo["th_c"][None, :], axis=-1)
    rhs = (lmin_c / lmax_a) * (d_c / d_a) * (-cos)
    opposed = np.asarray(cos) <= 0
    assert opposed.sum() > 250
    assert np.all(np.asarray(T)[opposed] >= np.asarray(rhs)[opposed] * (1 - 1e-9))
    # ERRATA 3: with cos φ > 0 the inequality reverses (T ≤ RHS) -- sample a wide cloud.
    cloud = geo["th_s"][None, :] + 6.0 * jax.random.normal(jax.random.key(2), (300, 3), dtype=float)
    Tw, _, cw = _T_both(geo, cloud, 1e-5)
    aligned = np.asarray(cw) > 0
    assert aligned.sum() > 20
    d_a = jnp.linalg.norm(cloud - geo["th_a"][None, :], axis=-1)
    d_c = jnp.linalg.norm(cloud - geo["th_c"][None, :], axis=-1)
    rhs_w = (lmin_c / lmax_a) * (d_c / d_a) * (-cw)
    assert np.all(np.asarray(Tw)[aligned] < 0) and np.all(np.asarray(Tw <= rhs_w)[aligned])


def test_thm2_kappa_affine_construction(geo):
    # A11: the alignment loss as the affine map (1 − α) + κ L̃ of a prediction loss gives T_h = T̃/κ.
    for alpha in (0.6, 0.8, 0.95):
        kappa = 2 * alpha - 1
        L_h = lambda th: (1 - alpha) + kappa * geo["L_a"](th)  # noqa: E731
        th = geo["hull"][:20]
        T_tilde = E.tradeoff_T(jax.vmap(jax.grad(geo["L_a"]))(th), jax.vmap(jax.grad(geo["L_c"]))(th))
        T_h = E.tradeoff_T(jax.vmap(jax.grad(L_h))(th), jax.vmap(jax.grad(geo["L_c"]))(th))
        np.testing.assert_allclose(np.asarray(kappa * T_h), np.asarray(T_tilde), rtol=1e-12)


def test_thm2_blow_up_near_the_aligned_optimum(geo):
    # T = Ω(1/d_a): T·d_a converges to a positive constant as θ → θ_ma* (toward θ_single and θ_mc*).
    for target in (geo["th_s"], geo["th_c"]):
        ts = jnp.array([1e-4, 1e-5, 1e-6])
        thetas = geo["th_a"][None, :] + ts[:, None] * (target - geo["th_a"])[None, :]
        T, _, cos = _T_both(geo, jnp.concatenate([thetas, geo["hull"][3:]]), 1e-9)
        T, cos = T[:3], cos[:3]
        Td = np.asarray(T * jnp.linalg.norm(thetas - geo["th_a"][None, :], axis=-1))
        assert np.all(Td > 0.5) and np.all(np.asarray(cos) < -0.1)
        assert abs(Td[0] - Td[2]) < 1e-3 * Td[2]


@pytest.mark.parametrize("alpha", [0.6, 0.8, 1.0])
def test_tradeoff_at_single_equals_odds_of_p_hat(alpha):
    # §1.12 [D], ERRATA 3: T(θ_single*) = p̂/(1 − p̂) for every α and direction.
    for p in (0.5, 0.8, 0.95, 0.99):
        t = E.tradeoff_at_single(jax.random.key(5), p=p, alpha=alpha)
        odds = float(t.p_hat / (1 - t.p_hat))
        assert float(t.T) == pytest.approx(odds, rel=1e-6)
        assert float(t.T_fd) == pytest.approx(odds, rel=1e-3)
        assert float(t.cos_phi) == pytest.approx(-1.0, abs=1e-9)


# ---------------------------------------------------------------- Theorem 3 (random instances)
def _thm3_instance(rng, n=400, dominance=True):
    in_a = rng.random(n) < 0.5
    y = rng.integers(0, 2, n)
    h = np.where(rng.random(n) < np.where(in_a, 0.9, 0.5), y, 1 - y)
    # Specialists as per-instance probabilities: P[m = y] and P[m = h] (binary: P[m = h] follows).
    acc_a, acc_c = rng.random(n), rng.random(n)
    C_a, C_c = rng.random(n), rng.random(n)
    if dominance:  # (ii): on D_a the aligned specialist is at least as confident
        C_a, C_c = np.where(in_a, np.maximum(C_a, C_c), C_a), np.where(in_a, np.minimum(C_a, C_c), C_c)
    return in_a, y, h, acc_a, acc_c, C_a, C_c


def _cgpr_acc(route_a, in_a, y, h, acc_a, acc_c):
    acc_m = np.where(route_a, acc_a, acc_c)
    agree = np.where(h == y, acc_m, 1 - acc_m)  # P[m = h] for binary labels
    r = agree[in_a].mean()
    hum = (h == y).astype(float)
    return np.mean(np.where(in_a, hum, r * acc_m + (1 - r) * hum))


def test_thm3_rrs_near_oracle_on_random_instances():
    rng = np.random.default_rng(0)
    worst = -np.inf
    for _ in range(500):
        in_a, y, h, acc_a, acc_c, C_a, C_c = _thm3_instance(rng)
        route = np.asarray(E.route_rrs(C_a, C_c))
        # (iii) holds with the smallest ε the instance allows.
        eps = max(0.0, float(np.max(np.where(~in_a & route, acc_c - acc_a, 0.0))))
        gap = _cgpr_acc(in_a, in_a, y, h, acc_a, acc_c) - _cgpr_acc(route, in_a, y, h, acc_a, acc_c)
        assert gap <= eps + 1e-12
        worst = max(worst, gap - eps)
    assert worst <= 0


def test_thm3_fails_without_dominance():
    rng = np.random.default_rng(1)
    in_a, y, h, _, _, C_a, C_c = _thm3_instance(rng, dominance=False)
    agrees = np.where(h == y, 1.0, 0.0)
    acc_a = np.where(in_a, agrees, 1.0)  # m_a copies the human on D_a
    acc_c = np.where(in_a, 1.0 - agrees, 1.0)  # m_c always contradicts the human on D_a
    # Both specialists are right on D_c: ε = 0 satisfies (iii); only (ii) is broken.
    route = np.asarray(E.route_rrs(C_a, C_c))
    gap = _cgpr_acc(in_a, in_a, y, h, acc_a, acc_c) - _cgpr_acc(route, in_a, y, h, acc_a, acc_c)
    assert gap > 0.05  # RRS misroutes D_a, r drops, the guarantee with ε = 0 is violated


# ---------------------------------------------------------------- Theorem 4, eq. 37
def test_thm4_quadratics_equal_tight_form():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.normal(size=(2, 3))
        mu, p, alpha = rng.uniform(0.1, 2), rng.uniform(0.05, 0.95), rng.uniform(0.55, 1.0)
        kappa = 2 * alpha - 1
        L_a = lambda th: (1 - alpha) + kappa * 0.5 * mu * np.sum((th - a) ** 2)  # noqa: E731
        L_c = lambda th: 0.5 * mu * np.sum((th - b) ** 2)  # noqa: E731
        single = scipy.optimize.minimize(lambda th: p * L_a(th) + (1 - p) * L_c(th), np.zeros(3), tol=1e-14).fun
        gamma = single - (p * L_a(a) + (1 - p) * L_c(b))
        D = np.linalg.norm(a - b)
        assert gamma == pytest.approx(float(E.thm4_tight(kappa, mu, p, D)), abs=1e-9)
        assert gamma >= float(E.thm4_bound(kappa, mu, p, D)) - 1e-12


def test_thm4_logistic_bound_holds():
    # Logistic + l2 (λ = μ = 0.05, intercept penalised), same λ for all three fits (ERRATA 4).
    lam = 0.05
    for seed, (p, delta, alpha) in enumerate([(0.5, 0.25, 1.0), (0.3, 0.4, 0.8), (0.7, 0.1, 0.6), (0.5, 0.0, 0.9)]):
        d = E.make_admissions(jax.random.key(seed), 1000, p, delta, alpha)
        y, h, a = d.y.astype(float), d.h.astype(float), d.in_Da.astype(float)
        p_hat = float(a.mean())
        L_a = lambda th: E.region_logloss(th, d.X, h, a, lam)  # noqa: E731
        L_c = lambda th: E.region_logloss(th, d.X, y, 1 - a, lam)  # noqa: E731
        th_a = E.fit_wlr(d.X, h, a, lam=lam, penalize_intercept=True)
        th_c = E.fit_wlr(d.X, y, 1 - a, lam=lam, penalize_intercept=True)
        th_s = E.fit_wlr(d.X, jnp.where(d.in_Da, h, y), lam=lam, penalize_intercept=True)
        gamma = float(p_hat * L_a(th_s) + (1 - p_hat) * L_c(th_s) - p_hat * L_a(th_a) - (1 - p_hat) * L_c(th_c))
        D = float(jnp.linalg.norm(th_a - th_c))
        kappa = 2 * alpha - 1
        assert gamma >= float(E.thm4_bound(kappa, lam, p_hat, D)) - 1e-12
        assert gamma >= float(E.thm4_tight(kappa, lam, p_hat, D)) - 1e-12


def test_eq37_closed_form():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 1000, 4))
    w1, w2 = rng.uniform(0.01, 3, (2, 1000))
    theta = (w1[:, None] * a + w2[:, None] * b) / (w1 + w2)[:, None]  # the minimiser, by calculus
    direct = w1 * np.sum((theta - a) ** 2, -1) + w2 * np.sum((theta - b) ** 2, -1)
    np.testing.assert_allclose(np.asarray(E.eq37_min(w1, w2, a, b)), direct, atol=1e-12)


# ---------------------------------------------------------------- Lemma 9, Corollary 6
def test_lemma9_misrouting_below_entropy_bound():
    p = jnp.linspace(0, 1, 100_001)
    slack = E.binary_entropy(p) / (2 * math.log(2)) - E.misroute(p)
    assert float(slack.min()) >= -1e-12
    for v in (0.0, 0.5, 1.0):
        assert float(E.binary_entropy(v) / (2 * math.log(2)) - E.misroute(v)) == pytest.approx(0.0, abs=1e-15)


def test_corollary6_multiplicative_form_only_where_eq47_holds():
    # Eq. 10 = (1 − H/2log2)·bound needs Δ ≤ Γ(0) (eq. 47); at the defaults Δ ≈ 0.33 > Γ(0) ≈ 0.15
    # and the form applied to the actual Γ(0) fails for q ≥ 0.2 (spec §3). The additive form holds.
    m = E.run_admissions(jax.random.key(3), n_train=400, n_test=1000)
    gamma0 = float(m.acc_rt_oracle - m.acc_rt_single)
    Delta = float(m.Delta)
    assert Delta > gamma0  # (47) fails here
    q = 0.3
    certainty = 1 - float(E.binary_entropy(q)) / (2 * math.log(2))
    assert gamma0 - q * Delta < certainty * gamma0  # the multiplicative form is violated


# ---------------------------------------------------------------- ensemble vs single models (ERRATA 2)
def test_ensemble_beats_every_single_model_where_it_holds():
    keys = jax.random.split(jax.random.key(0), 6)
    for delta, alpha in ((0.1, 0.8), (0.25, 1.0), (0.4, 0.9)):
        for k in keys[:3]:
            m = E.run_admissions(k, 0.5, delta, alpha, n_train=400, n_test=1000)
            for other in ("standard", "single", "aligned", "complementary"):
                assert float(m.team_acc_oracle) >= float(m[f"team_acc_{other}"]), (delta, alpha, other)


def test_ensemble_dominance_fails_at_delta_zero_or_alpha_half():
    # ERRATA 2: documented failure -- at δ = 0 or α = 0.5 some seed has a single model beating the
    # oracle ensemble in CGPR team accuracy.
    fails = 0
    for k in jax.random.split(jax.random.key(0), 8):
        for delta, alpha in ((0.0, 1.0), (0.25, 0.5)):
            m = E.run_admissions(k, 0.5, delta, alpha, n_train=400, n_test=1000)
            best = max(float(m[f"team_acc_{o}"]) for o in ("standard", "single", "aligned", "complementary"))
            fails += best > float(m.team_acc_oracle)
    assert fails > 0
