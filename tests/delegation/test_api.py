"""The one shape (issue 9): params helper, named results, host check + jitted core, exports, strict dtypes."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hai_sim
from hai_sim import delegation as D
from hai_sim.delegation import calibration, extensions, interventions, model, solve, theory
from hai_sim.engine import Estimate, InputError, NamedResult, Params, trace_count

B = jnp.array([0.3, 0.9, 1.5])
T = jnp.array([0.2, 0.6, 0.8])


# ---------------------------------------------------------------- params


def test_params_is_an_engine_params_with_static_families():
    p = D.make_params(detection="exponential")
    assert isinstance(p, Params)
    leaves, tree = jax.tree_util.tree_flatten(p)
    assert len(leaves) == 13 and all(x.dtype == jnp.float64 and x.ndim == 0 for x in leaves)
    assert {f.name for f in dataclasses.fields(p) if f.metadata.get("static")} == {
        "detection", "verification_cost", "execution_cost", "theta_domain"}
    assert "p_a=0.6" in repr(p) and "detection='exponential'" in repr(p)


def test_replace_validates_and_rejects_unknown_names():
    p = D.make_params()
    q = p.replace(p_a=0.65)
    assert float(q.p_a) == 0.65 and q.p_a.dtype == jnp.float64  # leaves stay float arrays
    with pytest.raises(InputError, match="unknown parameter.*wage"):
        p.replace(wage=1.0)
    with pytest.raises(InputError, match="p_a=1.5"):
        p.replace(p_a=1.5)
    with pytest.raises(InputError, match="Assumption 3.2"):
        p.replace(b_I=1.0, l_I=1.0)
    with pytest.raises(InputError, match="unknown delegation parameter.*wage"):
        D.make_params(wage=1.0)
    assert issubclass(InputError, ValueError) and hai_sim.InputError is InputError


def test_jax_rebuilds_do_not_validate():
    p = D.make_params()
    # tree_map: negative values and vectors would be refused by make_params / replace
    neg = jax.tree_util.tree_map(lambda x: -x, p)
    assert float(neg.p_a) == -0.6
    stacked = jax.tree_util.tree_map(lambda x: jnp.stack([x, x]), p)
    assert stacked.p_a.shape == (2,)
    # jit: params in and out of a compiled function
    assert float(jax.jit(lambda q: q)(p).rho) == 0.8
    # vmap over a batch of parameters
    pas = jnp.array([0.55, 0.65])
    out = jax.vmap(lambda q: D.quality(q, 0.9, 0.6).Q)(dataclasses.replace(stacked, p_a=pas))
    np.testing.assert_allclose(out, [float(D.quality(p.replace(p_a=a), 0.9, 0.6).Q) for a in (0.55, 0.65)],
                               rtol=1e-13)
    # an in_axes prefix: a DelegationParams holding axis numbers and None
    axes = D.DelegationParams(**{k: (0 if k == "p_a" else None) for k in
                                 ("b_w", "l_w", "b_I", "l_I", "rho", "p_w", "p_a", "c_a", "K", "c_v", "V", "tau",
                                  "gamma")})
    out2 = jax.vmap(lambda q: D.quality(q, 0.9, 0.6).Q, in_axes=(axes,))(dataclasses.replace(p, p_a=pas))
    np.testing.assert_allclose(out2, out, rtol=0, atol=0)


# ---------------------------------------------------------------- results


def test_contract_calls_and_named_results():
    p = D.make_params()
    a = D.worker_action(p, 0.9, 0.6)
    assert isinstance(a, D.WorkerAction) and isinstance(a, NamedResult)
    assert int(a["regime"]) == int(a.regime) == 2 and a.keys() == ("d", "v", "v_star", "regime", "M", "U_w")
    q = D.quality(p, 0.9, 0.6, tau=13.0)
    assert isinstance(q, D.Quality) and float(q["Q"]) == float(q.Q)
    s = D.separatrices(p, jnp.array([0.6, 0.7]), tau=13.0)
    assert isinstance(s, D.Separatrices) and s["beta_1"].shape == (2,)
    d_star, v, *_ = a  # tuple meaning kept
    assert float(d_star) == 1.0
    assert isinstance(D.coeffs(p, B, T), D.Coeffs)
    assert isinstance(D.intervention_delta(p, B, T, "p_a", 0.1), D.InterventionDelta)
    assert isinstance(D.expected_quality_difficulty(p, B, T), D.DifficultyQuality)
    assert isinstance(D.belief_quality(p, B, T, 0.7), D.BeliefQuality)
    assert isinstance(D.reexec_quality(p, B, T, 0.5), D.Quality)
    up = D.upskill_min_cost(p, 0.2, 0.3, n_theta=201)
    assert isinstance(up, D.Upskilling) and up["route"] == up.route
    assert isinstance(D.params_at_difficulty(p, 0.5), D.DelegationParams)


def test_curated_exports():
    assert len(D.__all__) == len(set(D.__all__))
    for name in D.__all__:
        assert not name.startswith("_") and hasattr(D, name), name
    ns = {}
    exec("from hai_sim.delegation import *", ns)
    assert "make_params" in ns and "_math" not in ns and "identify" not in ns
    # internals that skip validation are private
    assert not hasattr(calibration, "identify") and not hasattr(solve, "resolve_method")
    for dead in ("execution_cost_slope", "detection_curvature", "verification_cost_curvature"):
        assert not hasattr(D._math, dead) and not hasattr(model, dead)


# ---------------------------------------------------------------- host checks, jitted cores, no retrace


def _calls(p):
    """Each public kernel once, with its jitted core (name -> (core, call))."""
    return {
        "execution_cost": (model._execution_cost_core, lambda: D.execution_cost(p, T)),
        "detection": (model._detection_core, lambda: D.detection(p, B, B)),
        "verification_cost": (model._verification_cost_core, lambda: D.verification_cost(p, B)),
        "success": (model._success_core, lambda: D.success(p, T, B, B)),
        "cost": (model._cost_core, lambda: D.cost(p, T, B, B, T)),
        "worker_utility": (model._worker_utility_core, lambda: D.worker_utility(p, T, B, B, T)),
        "institutional_utility": (model._institutional_utility_core,
                                  lambda: D.institutional_utility(p, T, B, B, T)),
        "coeffs": (model._coeffs_core, lambda: D.coeffs(p, B, T)),
        "verification_surplus": (model._verification_surplus_core, lambda: D.verification_surplus(p, B, B, T)),
        "vstar": (solve._vstar_core, lambda: D.vstar(p, B, T)),
        "worker_action": (solve._worker_action_core, lambda: D.worker_action(p, B, T)),
        "quality": (solve._quality_core, lambda: D.quality(p, B, T)),
        "delegated_quality": (solve._delegated_quality_core, lambda: D.delegated_quality(p, B, T)),
        "delegation_gain_I": (solve._delegation_gain_I_core, lambda: D.delegation_gain_I(p, B, T)),
        "max_delegation_gain": (solve._max_delegation_gain_core, lambda: D.max_delegation_gain(p, B, T)),
        "theta_zero": (theory._theta_zero_core, lambda: D.theta_zero(p)),
        "theta_tau": (theory._theta_tau_core, lambda: D.theta_tau(p, 13.0)),
        "separatrices": (theory._separatrices_core, lambda: D.separatrices(p, T)),
        "regime_from_separatrices": (theory._regime_from_separatrices_core,
                                     lambda: D.regime_from_separatrices(p, B, T)),
        "intervention_delta": (interventions._intervention_delta_core,
                               lambda: D.intervention_delta(p, B, T, "transfer", 1.0)),
        "min_beta_qualified": (interventions._min_beta_qualified_core, lambda: D.min_beta_qualified(p, B, T)),
        "expected_quality_difficulty": (extensions._expected_quality_difficulty_core,
                                        lambda: D.expected_quality_difficulty(p, B, T)),
        "belief_quality": (extensions._belief_quality_core, lambda: D.belief_quality(p, B, T, 0.7)),
        "reexec_quality": (solve._quality_core, lambda: D.reexec_quality(p, B, T, 0.5)),
    }


def test_second_call_with_same_shapes_does_not_retrace():
    p = D.make_params()
    calls = _calls(p)
    for name, (core, call) in calls.items():
        call()
    counts = {name: trace_count(core) for name, (core, _) in calls.items()}
    assert all(c >= 1 for c in counts.values()), counts
    # new values, same shapes: other parameters (p.replace), other abilities
    p2 = p.replace(p_a=0.65, rho=0.7)
    for name, (core, call) in _calls(p2).items():
        call()
        assert trace_count(core) == counts[name], name


def test_strict_dtype_promotion():
    # our kernels never rely on implicit promotion between dtypes (numpyro code runs under "standard")
    p = D.make_params()
    with jax.numpy_dtype_promotion("strict"):
        for name, (_, call) in _calls(p).items():
            jax.block_until_ready(call())
        # the general solvers (bisection in v*, nested bisection in the separatrices)
        jax.block_until_ready(D.quality(p, B, T, method="bisection"))
        jax.block_until_ready(D.separatrices(p, T, method="bisection", inner="closed"))


@pytest.mark.parametrize("call, words", [
    (lambda p: D.detection(p, -1.0, 0.5), "v=-1.0"),
    (lambda p: D.success(p, 1.5, 0.1, 0.5), "d=1.5"),
    (lambda p: D.cost(p, 0.5, 11.0, 0.5, 0.5), "v=11.0"),
    (lambda p: D.coeffs(p, 0.5, 1.5), "theta=1.5"),
    (lambda p: D.coeffs({"p_a": 0.6}, 0.5, 0.5), "DelegationParams"),
    (lambda p: D.theta_tau(p, float("nan")), "tau"),
    (lambda p: D.intervention_delta(p, 0.5, 0.95, "theta", 0.1), "theta"),
    (lambda p: D.intervention_delta(p, 0.05, 0.5, "beta", -0.1), "beta"),
    (lambda p: D.belief_quality(p, 0.5, 0.5, 1.2), "p_a_hat"),
    (lambda p: D.reexec_quality(p, 0.5, 0.5, -0.5), "gamma"),
    (lambda p: D.params_at_difficulty(p, 1.5), "h=1.5"),
    (lambda p: D.upskill_min_cost(p, 0.2, 0.3, theta_max=2.0), "theta_max"),
    (lambda p: D.vstar(p, 0.5, 0.5, iters=0), "iters"),
])
def test_public_functions_check_on_the_host(call, words):
    with pytest.raises(InputError, match=words):
        call(D.make_params())


def test_brentq_root_finding_no_hand_written_loops():
    import inspect

    for mod in (calibration, interventions):
        src = inspect.getsource(mod)
        assert "for _ in range" not in src and "brentq(" in src, mod.__name__
    # the refined theta-only route sits exactly on the qualification step
    p = D.make_params()
    t = D.upskill_min_cost(p, 0.2, 0.3).theta_only_delta
    assert float(D.min_beta_qualified(p, jnp.array([0.2]), jnp.array([0.3 + t]))[0]) <= 0.2
    assert float(D.min_beta_qualified(p, jnp.array([0.2]), jnp.array([0.3 + t - 1e-9]))[0]) > 0.2


def test_posterior_estimate_type_is_the_engine_estimate():
    assert calibration.ClinicianPosterior._fields[1:4] == ("regime_probability", "beta", "theta")
    est = calibration._posterior_mean(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    assert isinstance(est, Estimate) and est.mean == 3.5 and est.se > 0
