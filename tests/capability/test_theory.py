"""Global closed forms against independent oracles: the paper's Table 2, SciPy quadrature,
brute-force optimisation, finite differences and Monte Carlo (spec §3.3 checks C1-C10, T4-T7)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import InputError
from hai_sim import capability as cap
from hai_sim.capability import theory
from hai_sim.engine import trace_count

from . import oracles

ACC = np.array([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
# Paper Table 2 (n = 10), as printed (3 decimals).
TABLE2_SIGMA_D = [0.692, 0.658, 0.626, 0.596, 0.567, 0.538, 0.508, 0.476, 0.441, 0.395]
TABLE2_SIGMA = [0.489, 0.465, 0.443, 0.422, 0.401, 0.380, 0.359, 0.337, 0.312, 0.279]


def test_C1_table2_from_eq9():
    s = cap.sigma_from_acc(ACC, 10)
    np.testing.assert_allclose(s.sigma_D, TABLE2_SIGMA_D, atol=5e-4, rtol=0)
    np.testing.assert_allclose(s.sigma, TABLE2_SIGMA, atol=5e-4, rtol=0)
    assert s.sigma_D.dtype == jnp.float64


def test_paper_inverse_round_trip_and_exact_inverse_against_quadrature():
    s = cap.sigma_from_acc(ACC, 10)
    np.testing.assert_allclose(cap.ai_accuracy(s.sigma_D, 10), ACC, atol=1e-13)
    ex = cap.sigma_from_acc(ACC[::3], 10, "exact")
    want = [oracles.sigma_exact(a, 10) for a in ACC[::3]]
    np.testing.assert_allclose(ex.sigma_D, want, rtol=1e-8)
    # Spec §3.4: the σ that truly gives 0.5 ... 0.95 (3 decimals).
    np.testing.assert_allclose(ex.sigma, [0.678, 0.520, 0.406, 0.293], atol=5e-4)


def test_exact_ai_accuracy_against_quadrature_and_harris():
    sD = np.array([0.3, 0.6, 1.2, 2.5])
    for n in (2, 5, 20):
        got = cap.ai_accuracy(sD, n, "exact")
        want = [oracles.p0(s, n, "exact") for s in sD]
        np.testing.assert_allclose(got, want, atol=1e-10)
        paper = cap.ai_accuracy(sD, n, "paper")
        if n == 2:
            np.testing.assert_allclose(paper, got, atol=1e-12)
        else:
            assert np.all(paper <= got + 1e-12)


@pytest.mark.parametrize("expert", ["paper41", "ms"])
def test_human_accuracy_from_vote_model(expert):
    n = 10
    K = np.arange(0, 11)
    for p in (0.0, 0.3, 1.0):
        got = cap.human_accuracy(n, K, p, expert)
        want = [oracles.expert_accuracy(n, int(k), p, expert) for k in K]
        np.testing.assert_allclose(got, want, atol=1e-15)


@pytest.mark.parametrize("method", ["paper", "exact"])
def test_team_accuracy_against_scipy(method):
    n, K, p = 10, 3, 0.25
    H = oracles.expert_accuracy(n, K, p)
    for alpha, sD in [(0.2, 0.4), (0.5, 0.7), (0.8, 1.3), (1.0, 0.5)]:
        got = float(cap.team_accuracy(alpha, n, H, sD, method))
        assert got == pytest.approx(oracles.p1_kp(alpha, n, K, p, sD, method), abs=1e-10)


def test_C3_monte_carlo_against_exact(key):
    # Spec §3.4's worst case for the product form, and two ordinary points; 4 standard errors.
    n = 20
    alpha = jnp.array([0.75, 0.4, 0.9])
    K = jnp.array([6, 2, 10])
    p = jnp.array([0.0, 0.5, 0.2])
    sD = jnp.array([0.45, 0.8, 0.3]) * math.sqrt(2)
    est = cap.team_accuracy_mc(key, alpha, n, K, p, sD, n_samples=2**18)
    exact = cap.team_accuracy(alpha, n, cap.human_accuracy(n, K, p), sD, "exact")
    assert np.all(np.abs(est.mean - exact) <= 4 * est.se), (est, exact)
    paper = cap.team_accuracy(0.75, n, cap.human_accuracy(n, 6), 0.45 * math.sqrt(2))
    assert exact[0] - paper > 0.2  # the product form is far off here (spec: 0.436 vs 0.689)


@pytest.mark.slow
def test_monte_carlo_ms_expert_alone(key):
    # α = 0: the team is the expert; its accuracy is H in closed form.
    est = cap.team_accuracy_mc(key, 0.0, 10, jnp.array([0, 4]), 0.3, 0.5, expert="ms", n_samples=2**16)
    H = cap.human_accuracy(10, jnp.array([0, 4]), 0.3, "ms")
    assert np.all(np.abs(est.mean - H) <= 4 * est.se)


def test_C4_product_below_exact_equal_at_n2():
    rng = np.random.default_rng(1)
    alpha, H, sD = rng.uniform(0.01, 1, 200), rng.uniform(0, 1, 200), rng.uniform(0.1, 3, 200)
    for n in (3, 10):
        assert np.all(cap.team_accuracy(alpha, n, H, sD) <= cap.team_accuracy(alpha, n, H, sD, "exact") + 1e-12)
    np.testing.assert_allclose(cap.team_accuracy(alpha, 2, H, sD), cap.team_accuracy(alpha, 2, H, sD, "exact"),
                               atol=1e-12)


def test_C5_T4_identity_and_equal_H_pairs():
    n, sD = 10, 0.6
    alpha = np.linspace(0.05, 1, 7)
    for K, p in [(0, 0.0), (3, 0.4), (7, 0.9)]:
        H = cap.human_accuracy(n, K, p)
        want = [oracles.p1_kp(a, n, K, p, sD, "paper") for a in alpha]
        np.testing.assert_allclose(cap.team_accuracy(alpha, n, H, sD), want, atol=1e-12)
    assert cap.human_accuracy(10, 1, 0.5) == pytest.approx(float(cap.human_accuracy(10, 5, 0.0)), abs=1e-15)


@pytest.mark.parametrize("method", ["paper", "exact"])
def test_C6_end_points(method):
    n, H, sD = 10, 0.55, 0.7
    assert cap.team_accuracy(1.0, n, H, sD, method) == pytest.approx(float(cap.ai_accuracy(sD, n, method)), abs=1e-12)
    assert cap.team_accuracy(1e-9, n, H, sD, method) == pytest.approx(H, abs=1e-12)
    if method == "paper":
        assert cap.team_accuracy(0.0, n, H, sD, method) == H
    else:  # the exact form clamps α (spec §3.3): H up to the rounding of the quadrature weights
        assert cap.team_accuracy(0.0, n, H, sD, method) == pytest.approx(H, abs=1e-15)
        assert float(jax.grad(lambda a: cap.team_accuracy(a, n, H, sD, method))(0.0)) == 0.0
    if method == "paper":
        half = H * oracles.Phi(2 / sD) ** 9 + (1 - H) * 0.5 * oracles.Phi(1 / sD) ** 8
        assert cap.team_accuracy(0.5, n, H, sD) == pytest.approx(half, abs=1e-12)


@pytest.mark.parametrize("method", ["paper", "exact"])
def test_C7_autodiff_against_finite_differences(method):
    n, point = 10, jnp.array([0.6, 0.55, 0.7])  # alpha, H, sigma_D

    def f(x):
        return cap.team_accuracy(x[0], n, x[1], x[2], method)

    g = jax.grad(f)(point)
    h = 1e-5
    fd = [(f(point.at[i].add(h)) - f(point.at[i].add(-h))) / (2 * h) for i in range(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)


@pytest.mark.parametrize("method", ["paper", pytest.param("exact", marks=pytest.mark.slow)])
def test_optimal_alpha_against_brute_force_and_C8(method):
    n = 10
    for H, sD in [(0.4, 0.441), (0.7, 0.8), (0.3, 1.0)]:
        opt = cap.optimal_alpha(n, H, sD, method)
        a_ref, p_ref = oracles.best_alpha(n, H, sD, method)
        assert float(opt.alpha) == pytest.approx(a_ref, abs=1e-6)
        assert float(opt.acc) == pytest.approx(p_ref, abs=1e-10)
        assert float(opt.gain) == pytest.approx(p_ref - oracles.p0(sD, n, method), abs=1e-10)
        d1 = jax.grad(lambda a: cap.team_accuracy(a, n, H, sD, method))(opt.alpha)
        d2 = jax.grad(jax.grad(lambda a: cap.team_accuracy(a, n, H, sD, method)))(opt.alpha)
        assert abs(float(d1)) < 1e-8 and float(d2) < 0


def test_spec_figure3_reference_values():
    # Spec §4.2 [V] (product form; α* to 3 decimals, P1* to 4).
    rows = [(1, 0.441, 0.0, 0.924, 0.9023), (5, 0.8, 0.5, 0.412, 0.8156), (7, 1.0, 0.9, 0.211, 0.9800)]
    for K, sD, p, a, acc in rows:
        opt = cap.optimal_alpha(10, cap.human_accuracy(10, K, p), sD)
        assert abs(float(opt.alpha) - a) <= 5e-4 and abs(float(opt.acc) - acc) <= 5e-5


def test_T6_two_classes_bayes_log_odds():
    H, sD = np.array([0.6, 0.75, 0.9]), np.array([0.5, 1.0, 1.5])
    opt = cap.optimal_alpha(2, H, sD)
    want = 1 / (1 + sD**2 * np.log(H / (1 - H)) / 2)
    np.testing.assert_allclose(opt.alpha, want, atol=1e-9)


def test_C9_implicit_derivative_of_alpha_star():
    n, H = 10, 0.5

    def P(a, s):
        return cap.team_accuracy(a, n, H, s)

    for sD in (0.5, 0.8):
        a = cap.optimal_alpha(n, H, sD).alpha
        P_aa = jax.grad(jax.grad(P, 0), 0)(a, sD)
        P_as = jax.grad(jax.grad(P, 0), 1)(a, sD)
        h = 1e-4
        fd = (cap.optimal_alpha(n, H, sD + h).alpha - cap.optimal_alpha(n, H, sD - h).alpha) / (2 * h)
        assert float(fd) < 0
        assert float(-P_as / P_aa) == pytest.approx(float(fd), rel=1e-4)


@pytest.mark.parametrize("method", ["paper", "exact"])
def test_C10_T7_sign_change_at_chance(method):
    n, sD = 10, 0.6
    slope = jax.vmap(lambda H: jax.grad(lambda a: cap.team_accuracy(a, n, H, sD, method))(1.0))
    s = slope(jnp.array([0.05, 0.099, 0.101, 0.5]))
    assert s[0] > 0 and s[1] > 0 and s[2] < 0 and s[3] < 0


def test_ERRATA4_boundaries_and_perfect_expert():
    assert float(cap.optimal_alpha(10, 1.0, 0.5).alpha) == 0.0  # flat at H = 1: smallest α
    assert float(cap.optimal_alpha(10, 0.1, 0.5, "exact").alpha) == 1.0  # H = 1/n: AI only
    # Spurious gain of the product form at H = 1/n and a weak AI (spec §3.4): α* ≈ 0.145, +6.4 pp.
    opt = cap.optimal_alpha(10, 0.1, 2.0)
    assert abs(float(opt.alpha) - 0.145) < 5e-4 and abs(float(opt.gain) - 0.064) < 5e-4


def test_T8_alpha_star_falls_with_noise():
    sD = jnp.linspace(0.2, 2.0, 19)
    for K, p in [(1, 0.0), (5, 0.3), (7, 0.9)]:
        a = cap.optimal_alpha(10, cap.human_accuracy(10, K, p), sD).alpha
        assert np.all(np.diff(np.asarray(a)) <= 1e-12)


def test_vmap_over_n_and_every_argument():
    ns = jnp.array([2, 5, 10, 20])
    v = jax.vmap(lambda n, a, H, s: cap.team_accuracy(a, n, H, s))(ns, jnp.full(4, 0.6), jnp.full(4, 0.5),
                                                                   jnp.full(4, 0.7))
    want = [cap.team_accuracy(0.6, int(n), 0.5, 0.7) for n in ns]
    np.testing.assert_allclose(v, want, rtol=1e-12)
    sig = jax.jit(jax.vmap(lambda a, n: cap.sigma_from_acc(a, n).sigma_D))(jnp.array([0.6, 0.9]), jnp.array([5, 10]))
    np.testing.assert_allclose(sig, [cap.sigma_from_acc(0.6, 5).sigma_D, cap.sigma_from_acc(0.9, 10).sigma_D],
                               rtol=1e-12)


@pytest.mark.slow
def test_vmap_optimal_alpha_over_n():
    ns = jnp.array([2, 5, 10, 20])
    opt = jax.vmap(lambda n: cap.optimal_alpha(n, 0.5, 0.6, grid=1001).alpha)(ns)
    np.testing.assert_allclose(opt, [cap.optimal_alpha(int(n), 0.5, 0.6, grid=1001).alpha for n in ns], atol=1e-12)


def test_global_baseline_table5_and_ms_variant():
    b = cap.global_baseline(0.9454, 10, np.arange(1, 11), 0.0)
    paper = [94.68, 94.99, 95.40, 95.89, 96.46, 97.11, 97.85, 98.71, 100.0, 100]
    np.testing.assert_allclose(100 * b.acc, paper, atol=0.02)  # ERRATA 1: the paper's Acc is fitted
    ms = cap.global_baseline(0.9454, 10, np.arange(1, 11), 0.0, expert="ms")
    np.testing.assert_allclose(100 * ms.acc, [94.65, 94.91, 95.26, 95.69, 96.17, 96.71, 97.32, 98.01, 98.82, 100],
                               atol=0.005)


def test_no_retrace_on_second_call():
    cap.team_accuracy(jnp.array([0.3, 0.4]), 10, 0.5, 0.6)
    before = trace_count(theory._p1_core)
    cap.team_accuracy(jnp.array([0.7, 0.8]), 10, 0.6, 0.9)
    assert trace_count(theory._p1_core) == before


def test_strict_dtype_promotion():
    with jax.numpy_dtype_promotion("strict"):
        cap.sigma_from_acc(jnp.array([0.7, 0.9]), 10, "exact")
        cap.team_accuracy(jnp.array([0.3, 0.9]), jnp.array([10, 20]), 0.5, 0.6, "exact")
        cap.optimal_alpha(10, jnp.array([0.4]), 0.6, grid=101)
        cap.global_baseline(0.9, 10, jnp.array([2, 3]), 0.1, expert="ms", grid=101)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: cap.sigma_from_acc(0.1, 10), "acc=0.1"),
        (lambda: cap.sigma_from_acc(np.array([0.5, 1.0]), 10), "(1/n, 1)"),
        (lambda: cap.ai_accuracy(0.0, 10), "sigma_D=0.0"),
        (lambda: cap.team_accuracy(1.2, 10, 0.5, 0.5), "alpha=1.2"),
        (lambda: cap.team_accuracy(0.5, 1, 0.5, 0.5), "n=1"),
        (lambda: cap.team_accuracy(0.5, 10, -0.1, 0.5), "H=-0.1"),
        (lambda: cap.human_accuracy(10, 11), "K=11"),
        (lambda: cap.human_accuracy(10, 2.5), "K=2.5"),
        (lambda: cap.human_accuracy(10, 2, 1.5), "p=1.5"),
        (lambda: cap.human_accuracy(10, 2, expert="crowd"), "expert='crowd'"),
        (lambda: cap.team_accuracy(0.5, 10, 0.5, 0.5, method="mc"), "method='mc'"),
        (lambda: cap.optimal_alpha(10, 0.5, 0.5, grid=2), "grid=2"),
        (lambda: cap.team_accuracy_mc(jax.random.key(0), 0.5, 10.5, 2, 0.0, 0.5), "n=10.5"),
        (lambda: cap.phase_grid([10], [0.05], [0.5]), "ai_acc=0.05"),
    ],
)
def test_bad_input_is_named(call, fragment):
    with pytest.raises(InputError, match=None) as e:
        call()
    assert fragment in str(e.value)
