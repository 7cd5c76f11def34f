"""fit_wlr against scikit-learn and scipy (independent solvers), and its convergence."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
from sklearn.linear_model import LogisticRegression

from hai_sim import ensemble as E


@pytest.fixture(scope="module")
def data():
    return tuple(map(np.asarray, E.make_admissions(jax.random.key(3), 600, 0.5, 0.25, 1.0)))


def _sk(X, t, s, C):
    m = LogisticRegression(C=C, tol=1e-13, max_iter=100_000).fit(X, t, sample_weight=s)
    return np.concatenate([m.intercept_, m.coef_[0]])


@pytest.mark.parametrize("which", ["uniform", "aligned", "complementary", "random"])
@pytest.mark.parametrize("C", [1.0, pytest.param(0.1, marks=pytest.mark.slow)])
def test_fit_wlr_matches_sklearn(data, which, C):
    X, y, h, a, c = data
    t, s = {
        "uniform": (y, np.ones(len(y))),
        "aligned": (h, a * c),  # alpha = 1: the aligned region is separable
        "complementary": (y, (~a) * (1 - c)),
        "random": (h, np.random.default_rng(0).exponential(size=len(y))),
    }[which]
    ours = np.asarray(E.fit_wlr(X, t, s, C=C))
    np.testing.assert_allclose(ours, _sk(X, t, s, C), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("penalize_intercept", [False, True])
def test_fixed_lambda_matches_scipy_and_gradient_vanishes(data, penalize_intercept):
    X, y, h, a, c = data
    t = np.where(a, h, y).astype(float)
    lam = 1e-2
    Z = np.column_stack([np.ones(len(t)), X])
    pen = np.array([float(penalize_intercept), 1.0, 1.0])

    def f(b):
        z = Z @ b
        return np.mean(np.logaddexp(0, z) - t * z) + 0.5 * lam * np.sum(pen * b**2)

    def g(b):
        return Z.T @ (1 / (1 + np.exp(-(Z @ b))) - t) / len(t) + lam * pen * b

    ref = scipy.optimize.minimize(f, np.zeros(3), jac=g, method="BFGS", options={"gtol": 1e-12}).x
    ours = np.asarray(E.fit_wlr(X, t, lam=lam, penalize_intercept=penalize_intercept))
    np.testing.assert_allclose(ours, ref, atol=1e-7)
    assert np.linalg.norm(g(ours)) <= 1e-10


def test_converged_on_separable_data():
    # Perfectly separable labels: only the penalty keeps the optimum finite.
    X = np.asarray(jax.random.uniform(jax.random.key(0), (600, 2), dtype=float))
    t = (X[:, 0] + X[:, 1] > 1.0).astype(float)
    for C in (1.0,):
        b = E.fit_wlr(X, t, C=C)
        grad = jax.grad(E.wlr_objective)(b, X, t, None, C)
        assert float(jnp.linalg.norm(grad)) <= 1e-10
        np.testing.assert_allclose(np.asarray(b), _sk(X, t, np.ones(len(t)), C), rtol=1e-5)


def test_pipeline_fits_converge_at_grid_corners():
    """The pipeline's shorter Newton run (PIPELINE_ITERS) still reaches ‖∇J‖ ≤ 1e-10 for every
    paradigm and Fig. A4's extreme fixed weights, at all 16 corners of the (p, δ, α, τ) grid of
    benchmarks/huge_ensemble_sweep.py and at its centre, τ regions and group regions."""
    from hai_sim.ensemble.data import _admissions
    from hai_sim.ensemble.fit import PIPELINE_ITERS
    from hai_sim.ensemble.params import Population
    from hai_sim.ensemble.train import _fit_many, _fixed_weight_weights, _paradigm_targets

    assert PIPELINE_ITERS < 16
    corners = np.array(np.meshgrid([0.05, 0.95], [0.0, 0.5], [0.5, 1.0], [0.0, 1.0], indexing="ij")).reshape(4, -1).T
    pts = np.vstack([corners, [0.5, 0.25, 0.75, 0.5], [0.5, 0.5, 1.0, 0.7]])

    @jax.jit
    def grads(key, p, d, a, tau):
        tr = _admissions(key, Population(p, d, a, jnp.asarray(0.5), jnp.asarray(0.1)), 1000)
        f = lambda v: v.astype(float)  # noqa: E731
        out = []
        for region in (tr.conf > tau, tr.in_Da):
            t, s = _paradigm_targets(f(tr.y), f(tr.h), region, tr.conf)
            fw = jax.vmap(_fixed_weight_weights, in_axes=(None, 0))(region, jnp.array([0.0, 1.0]))
            t = jnp.concatenate([t, jnp.broadcast_to(jnp.where(region, f(tr.h), f(tr.y)), fw.shape)])
            s = jnp.concatenate([s, fw])
            theta = _fit_many(tr.X, t, s, 1.0)
            g = jax.vmap(jax.grad(E.wlr_objective), in_axes=(0, None, 0, 0))(theta, tr.X, t, s)
            out.append(jnp.where(jnp.sum(s, axis=-1) > 0, jnp.linalg.norm(g, axis=-1), 0.0))
        return jnp.stack(out)

    worst = max(float(jnp.max(grads(jax.random.key(i), *map(jnp.asarray, pt)))) for i, pt in enumerate(pts))
    assert worst <= 1e-10


def test_zero_weights_mask_instances(data):
    X, y, h, a, c = data
    s = a * c
    full = E.fit_wlr(X, h, s)
    sliced = E.fit_wlr(X[a], h[a], c[a])
    np.testing.assert_allclose(np.asarray(full), np.asarray(sliced), atol=1e-10)


@pytest.mark.slow
def test_vmap_over_data_sets():
    keys = jax.random.split(jax.random.key(1), 3)
    ds = jax.vmap(lambda k: E.make_admissions(k, 300))(keys)
    from hai_sim.ensemble.fit import _newton

    batched = jax.vmap(lambda X, t: _newton(X, t.astype(float), jnp.ones(300), 1.0 / 300, False))(ds.X, ds.y)
    for i in range(3):
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(E.fit_wlr(ds.X[i], ds.y[i])), atol=1e-12)


def test_rbf_feature_fit_matches_sklearn(data):
    # 9 RBF features + intercept: the general (cho_solve) Newton path.
    X, y, h, a, c = data
    F = np.asarray(E.rbf_features(X))
    d2 = ((X[:, None, :] - E.families.RBF_CENTRES[None]) ** 2).sum(-1)
    np.testing.assert_allclose(F, np.exp(-0.5 * d2 / E.families.RBF_WIDTH**2), atol=1e-15)
    s = (~a) * (1 - c)
    np.testing.assert_allclose(np.asarray(E.fit_wlr(F, y, s)), _sk(F, y, s, 1.0), rtol=2e-6, atol=2e-6)
