"""Prop 1, Prop 2, exact long run and frozen-job short run against brute-force enumeration."""


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hai_sim import chaining as C
from hai_sim.chaining import brute

N_PAD = 6
short_run_j = jax.jit(C.short_run)
long_run_j = jax.jit(lambda inst, a: C.long_run_info(inst, a, stack_size=6)[:4])
short_run_frozen_j = jax.jit(C.short_run_frozen)
job_design_j = jax.jit(C.job_design)
design_cost_j = jax.jit(C.design_cost)
FIELDS = brute.FIELDS


@st.composite
def instances(draw, max_n=N_PAD):
    n = draw(st.integers(1, max_n))
    tied = draw(st.booleans())  # small integer grids make ties (equal-cost designs) frequent
    if tied:
        pos = st.sampled_from([1.0, 2.0, 3.0])
        dif = st.sampled_from([0.0, 1.0, 2.0])
        hand = st.sampled_from([0.0, 1.0, 4.0])
        alpha = draw(st.sampled_from([0.5, 1.0, 0.25]))
    else:
        pos = st.floats(0.2, 10.0)
        dif = st.floats(0.0, 4.0)
        hand = st.floats(0.0, 10.0)
        alpha = draw(st.floats(0.2, 1.0))
    p = {k: np.array(draw(st.lists(pos, min_size=n, max_size=n))) for k in ("cM", "tM", "cA", "tA")}
    p["d"] = np.array(draw(st.lists(dif, min_size=n, max_size=n)))
    p["tH"] = np.array(draw(st.lists(hand, min_size=n - 1, max_size=n - 1)) + [0.0])
    return p, alpha


def build(p, n_pad=N_PAD):
    return C.make_instance(*(p[k] for k in FIELDS), n_pad=n_pad)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_short_run_equals_brute_force(case):
    p, alpha = case
    inst = build(p)
    g, modes = short_run_j(inst, alpha)
    ref, _ = brute.short_run_brute(p, alpha)
    assert abs(float(g) - ref) <= 1e-12 * ref
    # the back-pointer strategy really achieves g
    assert abs(float(C.short_run_time(inst, alpha, modes)) - ref) <= 1e-12 * ref


@SETTINGS
@given(instances())
def test_long_run_equals_brute_force(case):
    p, alpha = case
    inst = build(p)
    cost, modes, cuts, exact = long_run_j(inst, alpha)
    ref, _, _ = brute.long_run_brute(p, alpha)
    assert bool(exact)
    assert abs(float(cost) - ref) <= 1e-12 * ref
    # the recovered design is valid and costs what the DP says (consistency of back-pointers)
    C.check_design(inst, np.asarray(modes), np.asarray(cuts))
    assert abs(float(design_cost_j(inst, alpha, modes, cuts)) - ref) <= 1e-12 * ref


@SETTINGS
@given(instances())
def test_short_run_cost_equals_brute_force(case):
    p, alpha = case
    inst = build(p)
    cost, _ = short_run_frozen_j(inst, alpha)
    ref = brute.short_run_cost_brute(p, alpha)
    assert abs(float(cost) - ref) <= 1e-12 * ref


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 8), st.data())
def test_job_design_equals_all_designs(m, data):
    c = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=m, max_size=m)))
    t = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=m, max_size=m)))
    h = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 3.0, 20.0]), min_size=m - 1, max_size=m - 1)) + [0.0])
    cpad = np.r_[c, np.zeros(8 - m)]
    tpad = np.r_[t, np.zeros(8 - m)]
    hpad = np.r_[h, np.zeros(8 - m)]
    cost, cuts = job_design_j(cpad, tpad, hpad, np.arange(8) < m)
    ref, _ = brute.best_job_design(c, t, h)
    assert abs(float(cost) - ref) <= 1e-12 * ref
    assert abs(brute.design_cost_tasks(c, t, h, np.asarray(cuts)[: m - 1]) - ref) <= 1e-12 * ref


def test_table2_totals_and_optimal_designs():
    """[D] Table 2: all eight totals, optima [1][2][3] (9) and [1,2][3] (18)."""
    c, t = np.array([3.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0])
    paper = {  # design (cuts) -> (panel a, panel b)
        (1, 1): (9, 18.5), (0, 1): (16, 18), (1, 0): (15, 24), (0, 0): (30, 30)}
    for cuts, (va, vb) in paper.items():
        assert brute.design_cost_tasks(c, t, [0, 0, 0], cuts) == va
        assert brute.design_cost_tasks(c, t, [3, 0.5, 0], cuts) == vb
        # the same totals from the step-level kernel (three manual steps)
        inst = C.make_instance(c, t, c, t, np.ones(3), [3.0, 0.5])
        assert float(C.design_cost(inst, 0.5, np.zeros(3, int), np.array(cuts))) == vb
    cost_a, cuts_a = C.job_design(c, t, [0.0, 0.0])
    cost_b, cuts_b = C.job_design(c, t, [3.0, 0.5])
    assert float(cost_a) == 9 and list(np.asarray(cuts_a)) == [1, 1]
    assert float(cost_b) == 18 and list(np.asarray(cuts_b)) == [0, 1]


def test_counting_strategies_and_designs():
    """F_{2n+1} strategies; P_n (strategy, design) pairs 2, 9, 41, 187, 853."""
    assert [sum(1 for _ in brute.strategies(n)) for n in range(1, 8)] == [2, 5, 13, 34, 89, 233, 610]
    assert [sum(2 ** (len(s) - 1) for s in brute.strategies(n)) for n in range(1, 6)] == [2, 9, 41, 187, 853]


def test_padding_does_not_change_results():
    rng = np.random.default_rng(1)
    p = {k: rng.uniform(0.5, 5, 4) for k in FIELDS}
    p["tH"][-1] = 0.0
    for pad in (4, N_PAD):
        inst = build(p, pad)
        assert np.isclose(float(long_run_j(inst, 0.7)[0]), brute.long_run_brute(p, 0.7)[0], rtol=1e-12)
        assert np.isclose(float(short_run_j(inst, 0.7)[0]), brute.short_run_brute(p, 0.7)[0], rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(instances(), st.sampled_from([1e-3, 0.37, 1e3]), st.sampled_from([1e-3, 5.0, 1e3]))
def test_long_run_invariant_to_time_and_wage_units(case, s_time, s_wage):
    """ERRATA 2: rescaling times by s and skills by w multiplies C* by s w, design unchanged."""
    p, alpha = case
    base = long_run_j(build(p), alpha)
    q = dict(p)
    for k in ("tM", "tA", "tH"):
        q[k] = p[k] * s_time
    for k in ("cM", "cA"):
        q[k] = p[k] * s_wage
    scaled = long_run_j(build(q), alpha)
    assert abs(float(scaled[0]) - s_time * s_wage * float(base[0])) <= 1e-11 * s_time * s_wage * float(base[0])
    # the scaled problem's design is optimal for the original one
    assert abs(float(design_cost_j(build(p), alpha, scaled[1], scaled[2])) - float(base[0])) <= 1e-11 * float(base[0])


def test_no_handoff_means_full_specialisation_is_optimal():
    """[D] tH = 0: (3) equals a Prop-1 DP with task weight c t (here checked by brute force)."""
    rng = np.random.default_rng(3)
    for _ in range(10):
        p = {k: rng.uniform(0.5, 5, 5) for k in FIELDS}
        p["tH"] = np.zeros(5)
        cost, modes, cuts, _ = long_run_j(build(p), 0.8)
        best = min(sum(ci * ti for ci, ti in zip(*brute.task_list(p, 0.8, s)[:2])) for s in brute.strategies(5))
        assert np.isclose(float(cost), best, rtol=1e-12)


def test_vmap_over_firms_and_alpha_matches_loop():
    keys = jax.random.split(jax.random.key(4), 3)
    firms = jax.vmap(lambda k: C.random_instance(k, 5, n_pad=N_PAD))(keys)
    alphas = jnp.array([0.3, 0.9])
    both = jax.jit(jax.vmap(jax.vmap(lambda f, a: (long_run_j(f, a)[0], short_run_j(f, a)[0]), in_axes=(None, 0)),
                            in_axes=(0, None)))
    grid, sgrid = both(firms, alphas)
    for i in range(3):
        f = jax.tree_util.tree_map(lambda x: x[i], firms)
        p = {k: np.asarray(getattr(f, k))[:5] for k in FIELDS}
        for j, a in enumerate([0.3, 0.9]):
            assert float(grid[i, j]) == pytest.approx(brute.long_run_brute(p, a)[0], rel=1e-12)
            assert float(sgrid[i, j]) == pytest.approx(brute.short_run_brute(p, a)[0], rel=1e-12)


def test_stacked_instances_vmap():
    a = C.make_instance([1, 2.0], [1, 1.0], [1, 1.0], [1, 1.0], [1, 1.0], [0.5], n_pad=3)
    b = C.make_instance([2, 1, 1.0], [1, 3, 1.0], [1, 1, 1.0], [1, 1, 1.0], [1, 1, 1.0], [1, 1.0])
    batch = C.stack_instances([a, b])
    out = jax.vmap(C.short_run, in_axes=(0, None))(batch, 0.5)[0]
    assert float(out[0]) == pytest.approx(float(C.short_run(a, 0.5)[0]))
    assert float(out[1]) == pytest.approx(float(C.short_run(b, 0.5)[0]))


def test_grad_of_design_cost_matches_finite_differences():
    inst = C.make_instance([2, 1, 2, 1, 2.0], [1.5, 1.5, 3, 1.5, 2], [5, 1, 2, 1, 4.0], [3, 1, 1, 0.5, 2],
                           [3, 5, 2.5, 1, 2.0], [1, 2, 3, 1.0])
    modes, cuts = C.string_to_modes("MCCAA"), np.array([1, 0, 0, 1])
    f = lambda a: C.design_cost(inst, a, modes, cuts)  # noqa: E731
    for a in (0.4, 0.7, 0.95):
        g = float(jax.grad(f)(a))
        h = 1e-6
        fd = (float(f(a + h)) - float(f(a - h))) / (2 * h)
        assert g == pytest.approx(fd, rel=1e-6)
        assert g < 0  # better AI never raises the cost of a fixed design
    # derivative in a step parameter: d cost / d tH_0 = skill of the job that hands off (2 = cM_0)
    gi = jax.grad(lambda th: C.design_cost(inst.replace(tH=th), 0.7, modes, cuts))(inst.tH)
    assert float(gi[0]) == pytest.approx(2.0) and float(gi[1]) == 0.0


def test_no_recompilation_for_new_values():
    traces = []

    @jax.jit
    def f(inst, a):
        traces.append(1)
        return C.long_run_info(inst, a, stack_size=6).cost

    rng = np.random.default_rng(5)
    for _ in range(3):
        p = {k: rng.uniform(0.5, 5, 4) for k in FIELDS}
        p["tH"][-1] = 0.0
        f(build(p), float(rng.uniform(0.3, 1)))
    assert len(traces) == 1


def test_short_run_may_beat_long_run_when_cA_exceeds_cM():
    """ERRATA 3 counterexample: cM=1, tM=10, cA=100, tA=1, q=1 -> short run 1, long run 10."""
    inst = C.make_instance([1.0], [10.0], [100.0], [1.0], [0.0], [])
    assert float(C.short_run_cost(inst, 0.9)) == pytest.approx(1.0)
    assert float(C.long_run(inst, 0.9)[0]) == pytest.approx(10.0)
    assert C.modes_to_string(C.short_run_frozen(inst, 0.9)[1]) == "A"
    assert C.modes_to_string(C.long_run(inst, 0.9)[1]) == "M"


def test_short_run_never_above_long_run_when_cA_le_cM():
    rng = np.random.default_rng(6)
    for _ in range(20):
        p = {k: rng.uniform(0.5, 5, 5) for k in FIELDS}
        p["cA"] = p["cM"] * rng.uniform(0.1, 1.0, 5)
        p["tH"][-1] = 0.0
        inst = build(p)
        a = float(rng.uniform(0.3, 1))
        assert float(short_run_frozen_j(inst, a)[0]) >= float(long_run_j(inst, a)[0]) - 1e-9


@pytest.mark.slow  # compiles the n = 16 solver (~30 s of CPU)
def test_long_run_design_consistent_beyond_visualizer_limit():
    """ERRATA 7: n = 16 > 14 runs exactly (no overflow) and its design costs what it reports."""
    inst = C.random_instance(jax.random.key(11), 16)
    cost, modes, cuts, exact, _, _ = C.long_run_info(inst, 0.8)
    assert bool(exact)
    assert float(C.design_cost(inst, 0.8, modes, cuts)) == pytest.approx(float(cost), rel=1e-12)
    assert float(cost) <= float(C.job_design(inst.cM, inst.tM, inst.tH)[0]) + 1e-9


@pytest.mark.parametrize("n", [5, 40])
def test_short_run_batch_equals_single_firm_kernel(n):
    """Batch-minor kernel vs vmap of the single-firm kernel (unrolled for n <= 32, scan above)."""
    keys = jax.random.split(jax.random.key(n), 16)
    firms = jax.vmap(lambda k: C.random_instance(k, n, d_range=(0.0, 2.0)))(keys)
    alphas = jnp.linspace(0.3, 1.0, 16)
    g1, m1 = jax.jit(C.short_run_batch)(firms, alphas)
    g2, m2 = jax.jit(jax.vmap(C.short_run))(firms, alphas)
    np.testing.assert_allclose(g1, g2, rtol=1e-13)
    np.testing.assert_array_equal(m1, m2)
    # and the strategy really costs g
    t = jax.vmap(C.short_run_time)(firms, alphas, m1)
    np.testing.assert_allclose(t, g1, rtol=1e-12)


short_run_batch_j = jax.jit(C.short_run_batch)
short_run_batch_cost_j = jax.jit(C.short_run_batch_cost)
short_run_vmap_j = jax.jit(jax.vmap(C.short_run))


def _batch_cases(seed=7, size=48):
    """Random small instances, every other one on an integer grid with alpha a power of 2 (every
    product is then exact, so ties are real ties and tie-breaking is tested, not rounding)."""
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(size):
        n = int(rng.integers(1, N_PAD + 1))
        tied = i % 2 == 0
        draw = (lambda: rng.choice([1.0, 2.0, 3.0], n)) if tied else (lambda: rng.uniform(0.2, 10.0, n))
        p = {k: draw() for k in ("cM", "tM", "cA", "tA")}
        p["d"] = rng.choice([0.0, 1.0, 2.0], n) if tied else rng.uniform(0.0, 4.0, n)
        p["tH"] = np.zeros(n)
        cases.append((p, float(rng.choice([0.25, 0.5, 1.0])) if tied else float(rng.uniform(0.2, 1.0))))
    return cases


def test_short_run_batch_prefix_form_equals_brute_force_with_ties():
    """The batched prefix-product form (N <= 32) against enumeration, with ties and ragged n
    (padding), and its cost-only variant; modes equal the single-firm kernel's."""
    cases = _batch_cases()
    firms = C.stack_instances([build(p) for p, _ in cases])
    alphas = jnp.asarray([a for _, a in cases])
    g, modes = short_run_batch_j(firms, alphas)
    ref = np.array([brute.short_run_brute(p, a)[0] for p, a in cases])
    np.testing.assert_allclose(g, ref, rtol=1e-12)
    np.testing.assert_array_equal(short_run_batch_cost_j(firms, alphas), g)  # same candidates, exact min
    np.testing.assert_array_equal(modes, short_run_vmap_j(firms, alphas).modes)


def test_short_run_batch_falls_back_beyond_the_hopeless_cap():
    """A firm whose total inverse success probability passes e^600 sends the whole batch through the
    in-place form, which drops chains beyond the cap exactly like the single-firm kernel."""
    cases = _batch_cases(seed=8)
    cases[0][0]["d"] = np.full(len(cases[0][0]["d"]), 400.0)  # alpha 0.1: exponent 921 per step, capped at 600
    cases[0] = (cases[0][0], 0.1)
    firms = C.stack_instances([build(p) for p, _ in cases])
    alphas = jnp.asarray([a for _, a in cases])
    g, modes = short_run_batch_j(firms, alphas)
    g1, m1 = short_run_vmap_j(firms, alphas)
    np.testing.assert_array_equal(g, g1)  # the in-place form is the single-firm kernel's arithmetic
    np.testing.assert_array_equal(modes, m1)
    np.testing.assert_array_equal(short_run_batch_cost_j(firms, alphas), g1)
    assert float(g[0]) == pytest.approx(float(np.sum(cases[0][0]["tM"])))  # every AI option is hopeless


BIG_SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@BIG_SETTINGS
@given(instances())
def test_many_instances_long_and_short_run_equal_brute_force(case):
    """Thousands of random small instances (with ties, chains and bundled jobs) in the slow suite."""
    p, alpha = case
    inst = build(p)
    ref_long = brute.long_run_brute(p, alpha)[0]
    ref_short = brute.short_run_brute(p, alpha)[0]
    assert abs(float(long_run_j(inst, alpha)[0]) - ref_long) <= 1e-12 * ref_long
    assert abs(float(short_run_j(inst, alpha)[0]) - ref_short) <= 1e-12 * ref_short


@pytest.mark.slow  # 300 instances; the hypothesis test above covers the same oracle by default
def test_batch_of_random_instances_covers_chains_and_bundled_jobs():
    """300 random instances at once (vmapped kernels) vs brute force; the optima include chains of
    length >= 2 and multi-task jobs, so the oracle comparison exercises both."""
    rng = np.random.default_rng(7)
    B, n = 300, 4
    P = {k: rng.uniform(0.3, 4.0, (B, n)) for k in ("cM", "tM", "cA", "tA")}
    P["d"] = rng.uniform(0.0, 2.0, (B, n))
    P["tH"] = np.concatenate([rng.choice([0.0, 0.5, 5.0], (B, n - 1)), np.zeros((B, 1))], 1)
    alphas = rng.uniform(0.3, 1.0, B)
    firms = C.stack_instances([build({k: P[k][b] for k in FIELDS}) for b in range(B)])
    cost, modes, cuts, exact, _, _ = jax.jit(jax.vmap(lambda f, a: C.long_run_info(f, a, stack_size=6)))(firms, alphas)
    assert bool(jnp.all(exact))
    chains = bundled = 0
    for b in range(B):
        ref, m, c = brute.long_run_brute({k: P[k][b] for k in FIELDS}, alphas[b])
        assert abs(float(cost[b]) - ref) <= 1e-12 * ref
        chains += bool(np.any(np.asarray(modes[b]) == 2))
        tasks = int(np.sum(np.asarray(modes[b])[:n] != 2))
        bundled += int(np.sum(np.asarray(cuts[b])[: n - 1])) + 1 < tasks
    assert chains > 10 and bundled > 10
