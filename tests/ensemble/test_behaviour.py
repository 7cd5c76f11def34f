"""The eq.-4 surrogate against eq. 3 (hard-probability limit), finite differences, and its training."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import ensemble as E


@pytest.fixture(scope="module")
def d():
    return E.make_admissions(jax.random.key(4), 1000, 0.5, 0.25, 0.9)


def test_hard_probability_limit_is_the_team_loss(d):
    # Scaling θ sends P_θ to {0, 1}: J → eq. 3 − L(D_a, h) (the constant the objective drops).
    theta = jnp.array([-5.0, 5.5, 5.5])
    pred = ((d.X @ theta[1:] + theta[0]) > 0).astype(jnp.int32)
    J = float(E.behaviour_aware_objective(1e6 * theta, d.X, d.y, d.h, d.in_Da))
    rl = E.region_losses(pred, d.y, d.h, d.in_Da)
    assert J == pytest.approx(float(E.team_loss(pred, d.y, d.h, d.in_Da) - rl.L_ah), abs=1e-12)


def test_gradient_matches_finite_differences(d):
    theta = jnp.array([-2.0, 3.0, 1.0])
    f = lambda th: E.behaviour_aware_objective(th, d.X, d.y, d.h, d.in_Da, lam=1e-2)  # noqa: E731
    g = np.asarray(jax.grad(f)(theta))
    eps = 1e-6
    fd = [(float(f(theta + eps * e)) - float(f(theta - eps * e))) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_training_lowers_the_objective_from_the_standard_ai(d):
    theta0 = E.train_paradigms(d).standard
    theta = E.fit_behaviour_aware(theta0, d.X, d.y, d.h, d.in_Da)
    J = lambda th: float(E.behaviour_aware_objective(th, d.X, d.y, d.h, d.in_Da, lam=1e-3))  # noqa: E731
    assert J(theta) < J(theta0)
