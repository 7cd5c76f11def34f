"""Success probability: every method against independent oracles (scipy quadrature, brute-force
Monte Carlo in NumPy, the spec's printed values) and against each other where they should agree."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from integration_oracles import (
    default_s,
    gauss_legendre_800,
    gil_pelaez_quad,
    job_error_np,
    linear_terms,
    sample_linear_uniform,
    sample_truncnorm,
)
from scipy import stats

from hai_sim import integration as I

JOB = I.default_job()
S = default_s()


def test_exact_matches_scipy_quadrature():
    cases = [(0.5, 0.4, 0.1), (0.49, 0.4, 0.1), (0.45, 0.4, 0.3), (0.503, 0.4, 0.01), (0.47, 0.4, 0.1), (0.6, 0.3, 0.5),
             (0.52, 0.35, 0.2)]
    f = jax.jit(jax.vmap(lambda a1, a2, s: I.success_probability(JOB, I.linear_worker(a1, a2, s), method="exact")))
    ours = np.asarray(f(*map(jnp.asarray, zip(*cases))))
    for (a1, a2, sigma), p in zip(cases, ours):
        mean, b = linear_terms(S, (a1, a2), (1, 1), (sigma, sigma))
        assert abs(p - gil_pelaez_quad(mean, b, 0.25)) < 1e-10
        assert abs(p - gauss_legendre_800(mean, b, 0.25)) < 1e-10


def test_exact_small_job_against_closed_form_convolution():
    # n = 1: Err = (z1 + z2)/2 is a sum of two independent uniforms (a trapezoidal law);
    # its CDF in closed form via scipy's convolution of two uniform CDFs.
    s = np.array([[0.3], [0.6]])
    job = I.make_job(s, tau=0.25)
    for a1, a2, sigma in [(0.4, 0.5, 0.8), (0.6, 0.5, 1.0), (0.2, 0.9, 0.5)]:
        E = np.array([1 - (1 - a1) * 0.3, 1 - (1 - a2) * 0.6])
        half = 0.5 * sigma * np.minimum(E, 1 - E)  # ranges of the two terms z_l / 2
        centre = 0.5 * np.sum(1 - E)
        lo1, lo2 = -half[0], -half[1]
        # Pr[U1 + U2 <= x] by integrating the density of U1 against the CDF of U2.
        x = 0.25 - centre
        from scipy import integrate

        ref = integrate.quad(lambda u: stats.uniform(lo2, 2 * half[1]).cdf(x - u) / (2 * half[0]), lo1, -lo1, epsabs=1e-13)[0]
        ours = float(I.success_probability(job, I.linear_worker(a1, a2, sigma), method="exact"))
        assert abs(ours - ref) < 2e-6  # truncation of the series: only two terms decay slowly


def test_spec_regression_values():
    # spec §4.2 (exact reconstruction): P(a_1 = 0.5) for sigma = 0.3, 0.1, 0.01 and P(0.49), P(0.51).
    p = lambda a1, s: float(I.success_probability(JOB, I.linear_worker(a1, 0.4, s), method="exact"))
    assert abs(p(0.5, 0.3) - 0.4559) < 1e-4
    assert abs(p(0.5, 0.1) - 0.36969) < 1e-5
    assert abs(p(0.5, 0.01) - 0.0003) < 5e-5
    assert abs(p(0.49, 0.1) - 0.11578) < 1e-5
    assert abs(p(0.51, 0.1) - 0.70656) < 1e-5


def _curve(method, sigma, a1s):
    f = jax.jit(jax.vmap(lambda a1: I.success_probability(JOB, I.linear_worker(a1, 0.4, sigma), method=method)))
    return np.asarray(f(jnp.asarray(a1s)))


@pytest.mark.slow
def test_clt_and_edgeworth_agree_with_exact_within_spec_tolerances():
    # spec §3.6: max |CLT - exact| <= 2e-3, max |EW - exact| <= 5e-5 on the default job (n = 20).
    for sigma in (0.3, 0.1):
        a1s = np.linspace(0.35, 0.65, 301)
        ex = _curve("exact", sigma, a1s)
        assert np.max(np.abs(_curve("clt", sigma, a1s) - ex)) < 2e-3
        assert np.max(np.abs(_curve("edgeworth", sigma, a1s) - ex)) < 5e-5
        assert np.max(np.abs(_curve("clt", sigma, a1s) - ex)) > 1e-4  # CLT is visibly worse than EW


def test_fft_agrees_with_exact():
    a1s = np.linspace(0.45, 0.56, 12)
    np.testing.assert_allclose(_curve("fft", 0.1, a1s), _curve("exact", 0.1, a1s), atol=1e-5)


@pytest.mark.slow
def test_exact_over_whole_planes_is_a_probability():
    # ERRATA 3: the raw Gauss-Legendre kernel returned 1.34 far from the transition at sigma = 0.01.
    for sigma in (0.3, 0.01):
        g = np.linspace(0.0, 1.0, 61)
        P = I.phase_diagram(JOB, I.linear_worker(0.5, 0.4, sigma), "a1", g, "a2", g, method="exact")
        assert np.all(P >= -1e-10) and np.all(P <= 1 + 1e-10)
        assert np.all(np.diff(P, axis=0) >= -1e-9) and np.all(np.diff(P, axis=1) >= -1e-9)
        clt = I.phase_diagram(JOB, I.linear_worker(0.5, 0.4, sigma), "a1", g, "a2", g, method="clt")
        assert np.max(np.abs(P - clt)) < 1e-2


def test_exact_clamp_far_from_the_transition():
    w_low, w_high = I.linear_worker(0.2, 0.2, 0.01), I.linear_worker(0.9, 0.9, 0.01)
    assert float(I.success_probability(JOB, w_low)) == 0.0
    assert float(I.success_probability(JOB, w_high)) == 1.0
    # sigma = 0: P is the indicator of E[Err] <= tau.
    a1c = float(I.a1_critical(JOB, I.linear_worker(0.5, 0.4, 0.0)))
    assert float(I.success_probability(JOB, I.linear_worker(a1c + 1e-6, 0.4, 0.0))) == 1.0
    assert float(I.success_probability(JOB, I.linear_worker(a1c - 1e-6, 0.4, 0.0))) == 0.0


def test_mc_within_four_standard_errors_of_exact(key):
    for a1 in (0.49, 0.5, 0.51):
        w = I.linear_worker(a1, 0.4, 0.1)
        r = I.success_probability(JOB, w, method="mc", key=key, n_samples=100_000)
        ex = float(I.success_probability(JOB, w))
        assert abs(float(r.mean) - ex) <= 4 * np.sqrt(ex * (1 - ex) / 100_000)
        assert abs(float(r.se) - np.sqrt(float(r.mean) * (1 - float(r.mean)) / 100_000)) < 1e-15


@pytest.mark.parametrize("h, g, f", [("max", "mean", "mean"),
                                     *(pytest.param(*c, marks=pytest.mark.slow) for c in
                                       [("mean", "max", "mean"), ("mean", "mean", "max"), ("either", "max", "max"),
                                        ("lambda", "mean", "mean")])])
def test_mc_any_aggregator_matches_numpy_brute_force(h, g, f, key):
    # Independent simulation (NumPy RNG, explicit loops over tasks) on a random graph; tau is set
    # at the simulated 40 % quantile of Err so that P sits inside the transition.
    lam = np.linspace(0.2, 0.8, 8)
    job = I.default_job(n=8, m=6, graph="random", h=h, g=g, f=f).replace(lam=jnp.asarray(lam))
    a = (0.7, 0.6)
    X = sample_linear_uniform(np.random.default_rng(1), np.asarray(job.s), a, (1, 1), (0.3, 0.3), 200_000)
    err = job_error_np(X, np.asarray(job.A), h, g, f, lam=lam)
    job = job.replace(tau=jnp.asarray(float(np.quantile(err, 0.4))))
    ref = np.mean(err <= float(job.tau))
    w = I.linear_worker(*a, 0.3)
    r = I.success_probability(job, w, method="mc", key=key, n_samples=200_000)
    se = np.sqrt(ref * (1 - ref) / 200_000)
    assert abs(float(r.mean) - ref) < 5 * np.sqrt(2) * se
    if h in ("max", "lambda") and g == "mean" and f == "mean":
        assert abs(float(I.success_probability(job, w, method="fft")) - ref) < 5 * se


@pytest.mark.slow
def test_truncated_normal_methods_agree_with_scipy_sampling(key):
    w = I.linear_worker(0.5, 0.4, 0.1, law="truncnorm")
    E = np.stack([1 - 0.5 * S[0], 1 - 0.6 * S[1]])
    X = sample_truncnorm(np.random.default_rng(2), E, 0.1, 50_000)
    err = 0.5 * (1 - X).mean(axis=2).sum(axis=1)
    ref = np.mean(err <= 0.25)
    se = np.sqrt(ref * (1 - ref) / 50_000)
    fft = float(I.success_probability(JOB, w, method="fft"))
    assert abs(fft - ref) < 5 * se
    assert abs(float(I.success_probability(JOB, w, method="edgeworth")) - fft) < 2e-4
    assert abs(float(I.success_probability(JOB, w, method="mc", key=key).mean) - fft) < 5 * se


def test_p_is_one_half_at_the_critical_point():
    # spec §3.1 A3 / §3.6: symmetric noise, affine aggregators -> P(mu_1^c) = 1/2 to 1e-9.
    for sigma in (0.3, 0.1, 0.01):
        w = I.linear_worker(0.5, 0.4, sigma)
        at = I.linear_worker(float(I.a1_critical(JOB, w)), 0.4, sigma)
        assert abs(float(I.success_probability(JOB, at)) - 0.5) < 1e-9
        assert abs(float(I.success_probability(JOB, at, method="edgeworth")) - 0.5) < 1e-12


def _grad_check(method, points, rtol, eps=1e-6):
    from hai_sim.engine.checks import grad_vs_fd

    f = jax.jit(lambda a1: I.success_probability(JOB, I.linear_worker(a1, 0.4, 0.1), method=method))
    ad, fd = grad_vs_fd(f, jnp.asarray(points), eps=eps)
    np.testing.assert_allclose(ad, fd, rtol=rtol)


@pytest.mark.parametrize("method", ["exact", pytest.param("clt", marks=pytest.mark.slow),
                                    pytest.param("edgeworth", marks=pytest.mark.slow)])
def test_grad_matches_finite_differences(method):
    _grad_check(method, [0.495, 0.5, 0.505], 1e-6)


@pytest.mark.slow
def test_grad_fft_matches_finite_differences():
    # The FFT CDF is interpolated linearly between lattice points: its derivative is exact
    # between them, a finite difference may straddle one.
    _grad_check("fft", [0.495, 0.5, 0.505], 3e-3)


@pytest.mark.slow
def test_grad_through_sigma():
    f = jax.jit(lambda s: I.success_probability(JOB, I.linear_worker(0.495, 0.4, s)))
    from hai_sim.engine.checks import grad_vs_fd

    ad, fd = grad_vs_fd(f, jnp.array([0.08, 0.12]), eps=1e-7)
    np.testing.assert_allclose(ad, fd, rtol=1e-6)


def test_vmap_over_worker_pytree_and_jit_agree_with_loop():
    a1s = jnp.linspace(0.45, 0.55, 7)
    batch = jax.vmap(lambda a: I.linear_worker(a, 0.4, 0.1))(a1s)
    out = jax.vmap(lambda w: I.success_probability(JOB, w))(batch)
    loop = [float(I.success_probability(JOB, I.linear_worker(float(a), 0.4, 0.1))) for a in a1s]
    np.testing.assert_allclose(out, loop, atol=1e-13)


def test_no_recompilation_for_new_values():
    traces = []

    @jax.jit
    def p(a1, a2, sigma):
        traces.append(1)
        return I.success_probability(JOB, I.linear_worker(a1, a2, sigma), method="exact")

    p(jnp.float64(0.5), jnp.float64(0.4), jnp.float64(0.1))
    p(jnp.float64(0.51), jnp.float64(0.3), jnp.float64(0.2))
    p(jnp.float64(0.52), jnp.float64(0.4), jnp.float64(0.05))
    assert len(traces) == 1


def test_mc_common_random_numbers_are_exactly_monotone(key):
    f = jax.jit(jax.vmap(lambda a1: I.success_probability(JOB, I.linear_worker(a1, 0.4, 0.1), method="mc", key=key,
                                                          n_samples=20_000).mean))
    p = np.asarray(f(jnp.linspace(0.45, 0.56, 60)))
    assert np.all(np.diff(p) >= 0) and p[0] < 0.05 and p[-1] > 0.95
