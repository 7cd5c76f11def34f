"""Interventions, eq (17) and the Section-7 extensions against spec §4.3-4.6 numbers [R] and oracles."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from hai_sim import delegation as D


@pytest.fixture(scope="module")
def grid():
    return jnp.linspace(1e-4, 2.0, 400)[:, None], jnp.linspace(0.0, 1.0, 401)[None, :]


def test_upskilling_representative_worker():
    p = D.make_params()
    lin = D.upskill_min_cost(p, 0.2, 0.3)
    assert lin["route"] == "beta-only"
    assert lin["beta_only_delta"] == pytest.approx(0.132, abs=5e-4)
    assert lin["theta_only_delta"] == pytest.approx(0.205, abs=5e-4)
    quadc = D.upskill_min_cost(p, 0.2, 0.3, cost="power", q=2.0)
    # ERRATA 7: (0.1224, 0.0332) at cost 0.016089
    assert quadc["route"] == "mixed"
    assert quadc["delta_beta"] == pytest.approx(0.1224, abs=2e-4)
    assert quadc["delta_theta"] == pytest.approx(0.0332, abs=2e-4)
    assert quadc["cost"] == pytest.approx(0.016089, abs=2e-6)
    assert quadc["beta_only_cost"] == pytest.approx(0.0174, abs=1e-4)
    assert quadc["theta_only_cost"] == pytest.approx(0.0420, abs=1e-4)
    # caveat of spec §4.3(a): worker (0.2, 0.45) qualifies cheaper through theta alone
    other = D.upskill_min_cost(p, 0.2, 0.45)
    assert other["route"] == "theta-only" and other["delta_theta"] == pytest.approx(0.055, abs=1e-3)


def test_upskilling_optimum_beats_brute_force_grid():
    p = D.make_params()
    db = jnp.linspace(0, 0.6, 601)[:, None]
    dt = jnp.linspace(0, 0.7, 701)[None, :]
    Q = np.asarray(D.quality(p, 0.2 + db, 0.3 + dt)["Q"])
    for cost, f in (("linear", lambda a, b: a + b), ("power", lambda a, b: a**2 + b**2)):
        c = np.where(Q >= 13.0, f(np.asarray(db), np.asarray(dt)), np.inf)
        ours = D.upskill_min_cost(p, 0.2, 0.3, cost=cost)
        assert ours["cost"] <= c.min() + 1e-9
        assert ours["cost"] >= c.min() - 2e-3  # the grid is coarse, not far off
        qb = D.quality(p, 0.2 + ours["delta_beta"] + 1e-9, 0.3 + ours["delta_theta"])["Q"]
        assert float(qb) >= 13.0 - 1e-7


@pytest.mark.parametrize("lever, delta, pos, neg", [("p_a", 0.1, 0.893, 0.021), ("p_a", 0.05, 0.808, 0.029),
                                                    ("transfer", 2.0, 0.004, 0.996)])
def test_intervention_fractions(grid, lever, delta, pos, neg):
    p = D.make_params()
    x = np.asarray(D.intervention_delta(p, *grid, lever, delta)["dQ"])
    assert (x > 1e-9).mean() == pytest.approx(pos, abs=1e-3)
    assert (x < -1e-9).mean() == pytest.approx(neg, abs=1e-3)
    if lever == "p_a" and delta == 0.1:
        assert x.min() == pytest.approx(-1.0, abs=1e-9) and x.max() == pytest.approx(3.0, abs=1e-9)


def test_intervention_validation():
    p = D.make_params()
    with pytest.raises(ValueError, match="Assumption 3.2"):
        D.intervention_delta(p, 0.5, 0.5, "transfer", 6.0)
    D.intervention_delta(p, 0.5, 0.5, "transfer", 5.5)
    with pytest.raises(ValueError, match="p_a"):
        D.intervention_delta(p, 0.5, 0.5, "p_a", 0.5)
    with pytest.raises(ValueError, match="lever"):
        D.intervention_delta(p, 0.5, 0.5, "wages", 0.5)


def _quality_by_scipy(beta, theta):
    """Independent oracle: maximise the worker's utility (Figure-2 numbers, eqs (1), (5), (6)) with
    scipy over v for d = 1 and compare with manual work, then evaluate the institution's U_I."""
    from scipy.optimize import minimize_scalar

    s_w, l_w, s_I, l_I, rho, p_w, p_a, c_w = 25.0, 5.0, 30.0, 6.0, 0.8, 0.8, 0.6, 10.0 * (1.0 - theta)

    def S(d, v):
        return (1 - d) * p_w + d * p_a + d * (1 - p_a) * (beta * v / (1 + beta * v)) * p_w

    def C(d, v):
        return (1 - d) * c_w + d * v + d * (1 - p_a) * (beta * v / (1 + beta * v)) * c_w

    res = minimize_scalar(lambda v: -(s_w * S(1, v) - l_w - C(1, v)), bounds=(0.0, 10.0), method="bounded",
                          options=dict(xatol=1e-12))
    v = res.x if -res.fun > s_w * S(1, 0.0) - l_w - C(1, 0.0) else 0.0
    d = 1.0 if s_w * S(1, v) - l_w - C(1, v) >= s_w * S(0, 0) - l_w - C(0, 0) else 0.0
    return s_I * S(d, v) - l_I - rho * C(d, v)


@pytest.mark.parametrize("lever", ["beta", "theta"])
def test_beta_and_theta_levers_against_scipy_oracle(lever):
    # points away from every separatrix (the oracle's regime then cannot flip on rounding)
    p = D.make_params()
    b, t = np.array([0.3, 0.9, 1.6]), np.array([0.2, 0.6, 0.35])
    out = D.intervention_delta(p, jnp.asarray(b), jnp.asarray(t), lever, 0.1)
    after = [(x + 0.1, y) if lever == "beta" else (x, y + 0.1) for x, y in zip(b, t)]
    want = [_quality_by_scipy(*a) - _quality_by_scipy(x, y) for a, x, y in zip(after, b, t)]
    # bounded Brent locates a smooth maximum to about sqrt(eps) in v, which moves U_I (not at its own
    # maximum) by about 1e-7: the oracle is good to 1e-6, far below the effects (>= 0.09)
    np.testing.assert_allclose(out.dQ, want, atol=1e-6)
    assert np.abs(want).min() > 1e-3  # the levers do move quality at these points


def test_figure4_difficulty_fractions(grid):
    p = D.make_params()
    e = D.expected_quality_difficulty(p, *grid, tau=11.0)
    lab, comp, Ed = (np.asarray(e[k]) for k in ("quality_label", "compliance_label", "Ed"))
    np.testing.assert_allclose([(lab == 2).mean(), (lab == 1).mean(), (lab == 0).mean()], [0.663, 0.254, 0.084],
                               atol=6e-4)
    assert (comp == 1).mean() == pytest.approx(0.227, abs=6e-4)
    assert (comp == 2).mean() == pytest.approx(0.006, abs=6e-4)
    assert ((Ed > 0) & (Ed < 1)).mean() == pytest.approx(0.08, abs=5e-3)
    assert float(e["EQ0"].min()) == pytest.approx(5.6) and float(e["EQ0"].max()) == pytest.approx(15.6)


def test_difficulty_expectation_against_scipy_quadrature():
    p = D.make_params()
    b, t = 0.9, 0.65
    f = jax.jit(lambda h: D.quality(D.params_at_difficulty(p, h), b, t)["Q"])
    # Q(h) jumps where the worker switches regime: integrate piecewise around the jumps
    hs = np.linspace(0, 1, 2001)
    vals = np.array([float(f(h)) for h in hs[::50]])
    ref, _ = quad(lambda h: float(f(h)), 0, 1, limit=200, points=list(hs[::50][np.flatnonzero(np.abs(np.diff(vals)) > 0.05)]))
    nodes = (np.arange(4000) + 0.5) / 4000
    ours = D.expected_quality_difficulty(p, b, t, nodes=jnp.asarray(nodes), weights=jnp.full(4000, 1 / 4000))
    assert float(ours["EQ"]) == pytest.approx(ref, abs=2e-3)
    # and at h = 0 the model is Figure 2
    one = D.expected_quality_difficulty(p, b, t, nodes=jnp.zeros(1), weights=jnp.ones(1))
    assert float(one["EQ"]) == pytest.approx(float(D.quality(p, b, t)["Q"]), abs=1e-12)


def test_figure5_belief(grid):
    p = D.make_params()
    q = D.belief_quality(p, *grid, 0.7)
    r, lab, comp = (np.asarray(q[k]) for k in ("regime", "quality_label", "compliance_label"))
    np.testing.assert_allclose([(r == k).mean() for k in range(3)], [0.086, 0.094, 0.820], atol=6e-4)
    np.testing.assert_allclose([(lab == 2).mean(), (lab == 0).mean()], [0.667, 0.247], atol=6e-4)
    np.testing.assert_allclose([(comp == 1).mean(), (comp == 2).mean()], [0.289, 0.063], atol=6e-4)
    same = D.belief_quality(p, *grid, 0.6)
    np.testing.assert_allclose(same["Q"], D.quality(p, *grid)["Q"], atol=1e-12)


def test_figure6_partial_reexecution(grid):
    p = D.make_params()
    q = D.reexec_quality(p, *grid, 0.5)
    r = np.asarray(q["regime"])
    assert (r != np.asarray(D.quality(p, *grid)["regime"])).mean() == pytest.approx(0.037, abs=6e-4)
    np.testing.assert_allclose([(r == k).mean() for k in range(3)], [0.232, 0.039, 0.729], atol=6e-4)
    assert (np.asarray(q["quality_label"]) == 0).mean() == pytest.approx(0.049, abs=6e-4)
    assert (np.asarray(q["compliance_label"]) == 2).mean() == pytest.approx(0.016, abs=6e-4)
    # B_w = (1 - p_a)(s_w p_w - gamma c_w), spec §4.6
    assert float(D.coeffs(p.replace(gamma=0.5), 0.3, 0.2)["B_w"]) == pytest.approx(0.4 * (20 - 0.5 * 8))


def test_levers_and_extensions_under_jit_and_vmap():
    p = D.make_params()
    b, t = jnp.array([0.3, 0.9, 1.5]), jnp.array([0.2, 0.6, 0.8])
    deltas = jnp.array([0.05, 0.1])
    vm = jax.jit(jax.vmap(lambda d: D.intervention_delta(p, b, t, "p_a", d)["dQ"]))(deltas)
    for i, d in enumerate((0.05, 0.1)):
        np.testing.assert_allclose(vm[i], D.intervention_delta(p, b, t, "p_a", d)["dQ"], atol=1e-12)
    hats = jnp.array([0.6, 0.7])
    bq = jax.jit(jax.vmap(lambda h: D.belief_quality(p, b, t, h)["Q"]))(hats)
    np.testing.assert_allclose(bq[1], D.belief_quality(p, b, t, 0.7)["Q"], atol=1e-12)
    gq = jax.jit(jax.vmap(lambda g: D.reexec_quality(p, b, t, g)["Q"]))(jnp.array([0.5, 1.0]))
    np.testing.assert_allclose(gq[1], D.quality(p, b, t)["Q"], atol=1e-12)
    # d E[Q] / d beta through the difficulty expectation (IFT inside every node) vs finite differences
    f = jax.jit(lambda x: D.expected_quality_difficulty(p, x, 0.3)["EQ"])
    g = jax.grad(f)(1.2)
    assert float(g) == pytest.approx(float((f(1.2 + 1e-6) - f(1.2 - 1e-6)) / 2e-6), rel=1e-5)
