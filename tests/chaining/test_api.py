"""The one shape (issue 9): Instance params, named results, host checks + jitted cores, exports,
strict dtype promotion."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hai_sim
from hai_sim import chaining as C
from hai_sim.chaining import cost, dp, empirics, macro, structure, theory
from hai_sim.engine import InputError, NamedResult, Params, trace_count

EX6 = dict(cM=[3, 1.0], tM=[1, 3.0], cA=[3, 1.0], tA=[1, 1.0], d=[3, 1.0], tH=[1.0])


def ex6(n_pad=None):
    return C.make_instance(**EX6, n_pad=n_pad)


# --------------------------------------------------------------------------------------------
# params


def test_instance_is_a_params_dataclass_with_validating_replace():
    inst = ex6()
    assert isinstance(inst, Params)
    assert not hasattr(inst, "_replace")
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.cM = inst.cM  # frozen
    moved = inst.replace(tM=jnp.array([2.0, 3.0]))
    assert float(moved.tM[0]) == 2.0 and float(inst.tM[0]) == 1.0
    with pytest.raises(InputError, match=r"tM=-1\.0 .*outside the allowed range \(0, inf"):
        inst.replace(tM=jnp.array([-1.0, 3.0]))
    with pytest.raises(InputError, match=r"tH\[1\]=2\.0"):
        inst.replace(tH=jnp.array([1.0, 2.0]))
    with pytest.raises(InputError, match="unknown parameter"):
        inst.replace(tm=jnp.array([1.0, 3.0]))
    with pytest.raises(InputError, match="shape"):
        inst.replace(tM=jnp.array([1.0, 3.0, 4.0]))
    padded = ex6(n_pad=4)
    with pytest.raises(InputError, match="padded step"):
        padded.replace(cM=jnp.array([3.0, 1.0, 0.0, 2.0]))
    assert "Instance(cM=[3.0, 1.0]" in repr(inst)


def test_make_instance_validates_but_jax_rebuilds_do_not():
    with pytest.raises(InputError, match="d="):
        C.make_instance(**{**EX6, "d": [-1.0, 1.0]})
    inst = ex6()
    # tree_map builds an instance with negative skills: not checked
    neg = jax.tree_util.tree_map(lambda x: x if x.dtype == bool else -x, inst)
    assert float(neg.cM[0]) == -3.0
    # leaves that are not arrays at all (None, axis numbers) pass through a rebuild
    prefix = C.Instance(0, 0, 0, 0, 0, 0, 0)
    assert prefix.cM == 0
    batch = C.stack_instances([inst, inst.replace(tM=jnp.array([2.0, 5.0]))])
    out = jax.vmap(C.short_run, in_axes=(prefix, None))(batch, 0.5)
    assert out.cost.shape == (2,)
    # jit rebuilds the instance from tracers and returns it
    back = jax.jit(lambda i: i)(inst)
    assert isinstance(back, C.Instance) and float(back.tM[1]) == 3.0


# --------------------------------------------------------------------------------------------
# named results and the contract calls


def test_named_results_keep_the_contract_calls():
    inst = ex6()
    cost_, modes, cuts = C.long_run(inst, 0.7)
    r = C.long_run(inst, 0.7)
    assert isinstance(r, NamedResult) and r.keys() == ("cost", "modes", "cuts")
    assert float(r["cost"]) == float(cost_) and r.modes is not None
    g, m = C.short_run(inst, 0.7)
    assert C.short_run(inst, 0.7).keys() == ("cost", "modes")
    assert float(C.short_run_cost(inst, 0.7)) == float(C.short_run_frozen(inst, 0.7).cost)
    assert C.job_design([3.0, 1, 2], [1.0, 2, 2], [3.0, 0.5]).keys() == ("cost", "cuts")
    info = C.long_run_info(inst, 0.7)
    assert info.keys() == ("cost", "modes", "cuts", "exact", "iterations", "max_vertices") and bool(info.exact)
    assert C.Thresholds._fields == ("alpha", "left", "right", "cost")  # values: test_theory's threshold tests
    st = C.organisation_stats(inst, 0.7, modes, cuts)
    assert st["n_jobs"] == st.n_jobs
    assert isinstance(theory.fragmentation_mc(inst, 0.7, jax.random.key(0), 100), hai_sim.engine.Estimate)
    assert macro.macro_aggregate(0.8, 1.2, 0.4, -3.0, 0.3).keys()[:2] == ("b", "Y")
    occ = empirics.synthetic_occupations(jax.random.key(0), 4, n_max=6)
    assert occ.keys() == ("mask", "exposed", "modes", "ai")


# --------------------------------------------------------------------------------------------
# wrapper -> jitted core, no retrace


def _calls(inst, alpha):
    modes, cuts = C.string_to_modes("CA"), np.array([0])
    return [
        (dp._short_run_core, lambda: C.short_run(inst, alpha)),
        (dp._long_run_core, lambda: C.long_run(inst, alpha)),
        (dp._short_run_frozen_core, lambda: C.short_run_frozen(inst, alpha)),
        (dp._job_design_core, lambda: C.job_design(inst.cM, inst.tM, inst.tH)),
        (cost._design_cost_core, lambda: C.design_cost(inst, alpha, modes, cuts)),
        (cost._short_run_time_core, lambda: C.short_run_time(inst, alpha, modes)),
        (theory._marginal_benefit_core, lambda: C.marginal_benefit(inst, alpha)),
        (theory._fragmentation_core, lambda: C.fragmentation_index(inst, alpha)),
        (theory._greedy_core, lambda: C.greedy_cost(inst, alpha)),
        (structure._organisation_core, lambda: C.organisation_stats(inst, alpha, modes, cuts)),
        (macro._firm_labor_core, lambda: macro.firm_labor(inst, alpha, modes, cuts)),
    ]


def test_second_call_with_same_shapes_does_not_retrace():
    inst = ex6()
    for core, call in _calls(inst, 0.7):
        jax.block_until_ready(call())
    before = {core: trace_count(core) for core, _ in _calls(inst, 0.7)}
    assert all(v >= 1 for v in before.values())
    other = inst.replace(tM=jnp.array([2.0, 4.0]))
    for core, call in _calls(other, 0.55):
        jax.block_until_ready(call())
    after = {core: trace_count(core) for core, _ in _calls(inst, 0.7)}
    assert after == before


def test_bad_input_is_refused_on_the_host_before_compiling():
    inst = ex6()
    n = trace_count(dp._short_run_core)
    with pytest.raises(InputError, match=r"alpha=1\.5 is outside the allowed range \(0, 1\]"):
        C.short_run(inst, 1.5)
    with pytest.raises(InputError, match="inst=dict"):
        C.long_run({"cM": 1}, 0.5)
    with pytest.raises(InputError, match="variant"):
        C.greedy_cost(inst, 0.5, variant="greedy")
    assert trace_count(dp._short_run_core) == n


# --------------------------------------------------------------------------------------------
# exports


def test_curated_exports():
    assert set(C.__all__) <= set(dir(C))
    for name in C.__all__:
        assert not name.startswith("_")
    for gone in ("unit_attempt", "all_design_costs", "chain_time", "job_costs", "E600", "UNROLL_MAX"):
        assert gone not in C.__all__
        for mod in (cost, dp, theory):
            assert not hasattr(mod, gone)
    ns = {}
    exec("from hai_sim.chaining import *", ns)
    assert {"long_run", "Instance", "Thresholds"} <= set(ns)


# --------------------------------------------------------------------------------------------
# strict dtype promotion


def test_every_public_kernel_runs_under_strict_dtype_promotion():
    """Strict promotion retraces every core (a new trace context): the kernels built on the exact
    long run are in the slow test below."""
    inst = ex6()
    modes, cuts = C.string_to_modes("CA"), np.array([0])
    occ = empirics.synthetic_occupations(jax.random.key(0), 4, n_max=6)
    with jax.numpy_dtype_promotion("strict"):
        C.make_instance(**EX6, n_pad=3)
        C.scale_handoffs(inst, 2.0)
        C.short_run(inst, 0.7)
        C.short_run_batch(C.stack_instances([inst, inst]), jnp.array([0.5, 0.9]))
        C.short_run_frozen(inst, 0.7)
        C.short_run_cost(inst, 0.7)
        C.prewage_jobs(inst)
        C.job_design([3.0, 1, 2], [1.0, 2, 2], [3.0, 0.5])
        C.design_cost(inst, 0.7, modes, cuts)
        C.short_run_time(inst, 0.7, modes)
        C.task_skill_time(inst, 0.7, modes)
        C.fragmentation_index(inst, 0.7)
        C.fragmentation_mc(inst, 0.7, jax.random.key(0), 50)
        C.realized_fragmentation(inst, 0.7, jnp.array([True, False]))
        for variant in ("prop7", "prop8", "practical"):
            C.greedy_cost(inst, 0.7, variant=variant)
        C.organisation_stats(inst, 0.7, modes, cuts)
        C.regime(modes, cuts, inst.mask)
        cg, tg = C.prop4_grids(inst, 0.3)
        C.prop4_value(inst, 0.7, cg, tg)
        macro.firm_labor(inst, 0.7, modes, cuts)
        macro.ces_weight_b(0.8, 1.2, 0.4, -3.0)
        macro.macro_aggregate(0.8, 1.2, 0.4, -3.0, 0.3)
        macro.output_density(0.5, 0.8, 1.2, 0.4, -3.0)
        empirics.synthetic_occupations(jax.random.key(1), 4, n_max=6)
        empirics.chain_statistics(occ.ai, occ.mask)
        empirics.efi(occ.exposed, occ.mask)
        empirics.permute_within(jax.random.key(2), occ.ai, occ.mask)
        nd = empirics.neighbour_design(occ.ai, occ.exposed, occ.mask)
        beta = empirics.logit_newton(nd.X, nd.y, nd.w, iters=3)
        empirics.neighbour_ames(nd.X, nd.w, beta)
        empirics.ols(jnp.ones(4), jnp.ones((4, 1)))
        empirics.execution_label(dict(validation=jnp.array([1.0, 0.0]), directive=jnp.array([0.0, 2.0])))


@pytest.mark.slow  # compiles the exact long-run solver again (strict mode is a new trace context)
def test_long_run_kernels_run_under_strict_dtype_promotion():
    inst = ex6()
    with jax.numpy_dtype_promotion("strict"):
        C.long_run(inst, 0.7)
        C.long_run_info(inst, 0.7)
        C.marginal_benefit(inst, 0.7)
        C.certificate(inst, 0.7)
        C.thresholds(inst, 0.2, 1.0, 3)
