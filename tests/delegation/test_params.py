"""Parameter construction and validation (spec §1.1, §1.6; issue 5 'Bad input')."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import delegation as D


def test_figure2_defaults_and_overrides():
    p = D.make_params()
    assert float(p.b_w) == 20 and float(p.l_w) == 5 and float(p.b_I) == 24 and float(p.l_I) == 6
    assert float(p.rho) == 0.8 and float(p.p_a) == 0.6 and float(p.p_w) == 0.8
    assert float(p.K) == 10 and float(p.c_v) == 1 and float(p.tau) == 13 and float(p.c_a) == 0
    q = D.make_params(p_a=0.7, rho=0.5, b_w=21.0, detection="exponential")
    assert float(q.p_a) == 0.7 and float(q.rho) == 0.5 and float(q.b_w) == 21 and q.detection == "exponential"
    assert float(q.replace(p_a=0.65).p_a) == 0.65
    assert all(jnp.asarray(leaf).dtype == jnp.float64 for leaf in jax.tree_util.tree_leaves(p))


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(p_a=1.2), "p_a"),
        (dict(p_w=-0.1), "p_w"),
        (dict(c_a=-1.0), "c_a"),
        (dict(l_I=-2.0), "l_I"),
        (dict(b_w=float("nan")), "b_w"),
        (dict(rho=0.0), "rho"),
        (dict(rho=1.5), "rho"),
        (dict(gamma=2.0), "gamma"),
        (dict(V=0.0), "V"),
        (dict(detection="logistic"), "detection"),
        (dict(verification_cost="cubic"), "verification_cost"),
        (dict(foo=1.0), "foo"),
        (dict(b_I=10.0, l_I=1.0), "Assumption 3.2"),
        (dict(K=40.0), "Assumption 3.3"),
        (dict(execution_cost="inverse_linear", theta_domain=(0.0, 1.0)), "theta_domain"),
        (dict(theta_domain=(1.0, 0.0)), "theta_domain"),
        (dict(p_a=np.array([0.5, 0.6])), "p_a"),
    ],
)
def test_bad_parameters_raise_naming_the_problem(kw, words):
    with pytest.raises(ValueError, match=words):
        D.make_params(**kw)


def test_assumption_32_boundary_is_allowed():
    # s_I = rho s_w exactly is allowed (the inequality is weak).
    D.make_params(b_I=16.0, l_I=4.0, rho=0.8)


def test_make_params_under_jit_and_vmap():
    def q_at(p_a):
        p = D.make_params(p_a=p_a)
        return D.quality(p, 0.8, 0.6)["Q"]

    eager = np.array([float(q_at(x)) for x in (0.5, 0.6, 0.7)])
    vm = np.asarray(jax.jit(jax.vmap(q_at))(jnp.array([0.5, 0.6, 0.7])))
    np.testing.assert_allclose(vm, eager, rtol=1e-13)


def test_params_is_a_pytree_with_static_families():
    p = D.make_params(detection="exponential")
    leaves, tree = jax.tree_util.tree_flatten(p)
    assert len(leaves) == 13
    back = jax.tree_util.tree_unflatten(tree, leaves)
    assert back.detection == "exponential"
