"""Thresholds, marginal benefit, Prop 4, fragmentation (Props 5-8), macro CES."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

from hai_sim import chaining as C
from hai_sim.chaining import brute, macro
from hai_sim.chaining import theory as T

FIG1 = dict(cM=[2, 1, 2, 1, 2.0], tM=[1.5, 1.5, 3, 1.5, 2], cA=[5, 1, 2, 1, 4.0], tA=[3, 1, 1, 0.5, 2],
            d=[100, 5, 2.5, 1, 100.0], tH=[100, 100, 100, 100.0])
EX6 = dict(cM=[3, 1.0], tM=[1, 3.0], cA=[3, 1.0], tA=[1, 1.0], d=[3, 1.0], tH=[1.0])


@pytest.mark.slow  # the coarse-grid test below checks the same thresholds in the default suite
def test_figure1_thresholds():
    """[R] spec §4.2: MMMMM -> MMMAM -> MMCAM -> MCCAM -> CCCAM, one job throughout."""
    inst = C.make_instance(**FIG1)
    th = T.thresholds(inst, 0.01, 1.0, 24)
    assert th.right == ("MMMAM|0000", "MMCAM|0000", "MCCAM|0000", "CCCAM|0000")
    np.testing.assert_allclose(th.alpha, [1 / 3, 0.468782, 0.785380, 0.979316], atol=1e-6)
    assert float(C.long_run(inst, 1.0)[0]) == pytest.approx(7.5)
    assert float(C.long_run(inst, 0.2)[0]) == pytest.approx(76.0)


def test_example6_thresholds_and_marginal_benefit_jump():
    """[R params, D structure] Figure 5: alpha_1 = 1/3, alpha_2 root of a^-4 = 6 + 1/a."""
    inst = C.make_instance(**EX6)
    th = T.thresholds(inst, 0.05, 1.0, 8)
    assert list(zip(th.left, th.right)) == [("MM|1", "MA|1"), ("MA|1", "CA|0")]
    a2 = float(th.alpha[1])
    assert a2 ** -4 == pytest.approx(6 + 1 / a2, rel=1e-12)
    assert a2 == pytest.approx(0.601019, abs=1e-6)
    assert th.alpha[0] == pytest.approx(1 / 3, abs=1e-9)
    eps = 1e-7
    below, above = float(T.marginal_benefit(inst, a2 - eps)), float(T.marginal_benefit(inst, a2 + eps))
    assert below == pytest.approx(2.768, abs=1e-3) and above == pytest.approx(51.006, abs=1e-3)
    assert float(T.marginal_benefit(inst, 0.2)) == 0.0


def test_thresholds_with_two_switches_in_one_cell():
    """ERRATA 5: a coarse grid (2 points) still finds both switches by recursive refinement."""
    inst = C.make_instance(**FIG1)
    th = T.thresholds(inst, 0.2, 1.0, 2)
    np.testing.assert_allclose(th.alpha, [1 / 3, 0.468782, 0.785380, 0.979316], atol=1e-6)


def test_marginal_benefit_matches_finite_differences_and_is_vmappable():
    inst = C.make_instance(**FIG1)
    f = lambda a: float(C.long_run(inst, a)[0])  # noqa: E731
    for a in (0.4, 0.6, 0.9):
        fd = -(f(a + 1e-6) - f(a - 1e-6)) / 2e-6
        assert float(T.marginal_benefit(inst, a)) == pytest.approx(fd, rel=1e-5)
    mb = jax.jit(jax.vmap(T.marginal_benefit, in_axes=(None, 0)))(inst, jnp.array([0.4, 0.6, 0.9]))
    assert mb.shape == (3,) and np.all(np.asarray(mb) >= 0)


_LR_GRID = jax.jit(jax.vmap(lambda inst, a: C.long_run(inst, a).cost, in_axes=(None, 0)))


@pytest.mark.parametrize("params, lo", [(EX6, 0.2), pytest.param(FIG1, 0.25, marks=pytest.mark.slow)])
def test_cost_curve_nonincreasing_continuous_piecewise_convex(params, lo):
    """spec §3 'Nonlinearity': C*(alpha) is non-increasing, continuous and piecewise convex.

    Oracle: brute-force enumeration of every (strategy, job design) at each alpha; the properties
    are checked by finite differences of the kernel's curve, regime by regime."""
    inst = C.make_instance(**params)
    p = {k: np.r_[np.asarray(params[k], float), [0.0]] if k == "tH" else np.asarray(params[k], float)
         for k in brute.FIELDS}
    alphas = np.linspace(lo, 1.0, 121)
    ours = np.asarray(_LR_GRID(inst, jnp.asarray(alphas)))
    oracle = np.array([brute.long_run_brute(p, a)[0] for a in alphas])
    np.testing.assert_allclose(ours, oracle, rtol=1e-12)
    assert np.all(np.diff(ours) <= 1e-12 * ours[:-1])  # non-increasing
    th = T.thresholds(inst, lo, 1.0, 16)
    assert len(th.alpha) >= 2  # several regimes, so the checks below are not vacuous
    edges = np.r_[lo, th.alpha, 1.0]
    for a0, a1 in zip(edges[:-1], edges[1:]):
        inside = alphas[(alphas > a0 + 1e-9) & (alphas < a1 - 1e-9)]
        if inside.size >= 3:  # convex within the regime: second differences >= 0 (to rounding)
            c = np.array([brute.long_run_brute(p, a)[0] for a in inside])
            h = np.diff(inside)
            second = np.diff(np.diff(c) / h)
            assert np.all(second >= -1e-9 * np.max(np.abs(c)))
    for a in th.alpha:  # continuous at every threshold: the one-sided gap vanishes with h
        gaps = [abs(brute.long_run_brute(p, a + h)[0] - brute.long_run_brute(p, a - h)[0]) for h in (1e-4, 1e-6)]
        assert gaps[1] <= 1.2e-2 * gaps[0] + 1e-12  # O(h): no jump
    # between thresholds MB = -dC*/dalpha is non-negative and non-increasing
    for a0, a1 in zip(edges[:-1], edges[1:]):
        inside = np.linspace(a0, a1, 9)[1:-1]
        mb = np.array([float(T.marginal_benefit(inst, a)) for a in inside])
        assert np.all(mb >= 0) and np.all(np.diff(mb) <= 1e-9 * np.max(np.abs(mb)) + 1e-12)


def test_ca_failure_example():
    """spec §3 'CA failure': tM = (1, 5), tA = (1, 1), q = (0.9, 1). Alone, step 1 prefers manual
    work (1 < 1/0.9); the optimum chains both steps (1/0.9 < 1 + 1), so step 1 is automated."""
    p = dict(cM=np.ones(2), tM=np.array([1.0, 5.0]), cA=np.ones(2), tA=np.ones(2), d=np.array([1.0, 0.0]),
             tH=np.zeros(2))
    inst = C.make_instance(*(p[k] for k in brute.FIELDS))
    alone = brute.short_run_brute({k: v[:1] for k, v in p.items()}, 0.9)
    assert alone[0] == 1.0 and list(alone[1]) == [0]  # manual alone
    assert float(C.short_run_time(C.make_instance([1.0], [1.0], [1.0], [1.0], [1.0], []), 0.9, np.array([1]))) \
        == pytest.approx(1 / 0.9, rel=1e-15)
    cost, modes = C.short_run(inst, 0.9)
    assert C.modes_to_string(modes) == "CA"
    assert float(cost) == pytest.approx(1 / 0.9, rel=1e-15) and float(cost) < 2.0
    assert float(cost) == pytest.approx(brute.short_run_brute(p, 0.9)[0], rel=1e-15)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_prop3_recursion_equals_brute_force_up_to_n6(n):
    """spec §3 P3: the recursion of §2.4 (active worker, exact memoisation) = enumeration, n <= 6."""
    rng = np.random.default_rng(40 + n)
    for _ in range(3 if n == 6 else 5):
        p = brute.random_params(rng, n, 0.5, 5)
        a = float(rng.uniform(0.3, 1))
        assert brute.prop3_recursion(p, a) == pytest.approx(brute.long_run_brute(p, a)[0], rel=1e-12)


def _brute_cost_of_design(p, alpha, modes, cuts):
    """Independent wage bill of a step-level design (modes, cuts) via the oracle's task lists."""
    n = len(p["cM"])
    strategy, start = [], 0
    for i in range(n):
        if modes[i] == 0:
            strategy.append((i, i, "M"))
            start = i + 1
        elif modes[i] == 1:
            strategy.append((start, i, "AI"))
            start = i + 1
    c, t, h = brute.task_list(p, alpha, strategy)
    task_cuts = [int(cuts[b]) for _, b, _ in strategy[:-1]]
    return brute.design_cost_tasks(c, t, h, task_cuts)


def test_prop4_recovered_design_within_e_eps_of_opt():
    """spec §3 P4 (ii): with the eps/(2n) grid, value >= e^-eps OPT and the design read back from
    the table costs <= e^eps OPT; ``certificate`` returns that design (oracle: enumeration)."""
    rng = np.random.default_rng(8)
    eps = 0.3
    for _ in range(4):
        n = 3
        p = brute.random_params(rng, n, 1, 5)
        inst = C.make_instance(*(p[k] for k in brute.FIELDS))
        alpha = float(rng.uniform(0.4, 1))
        opt = brute.long_run_brute(p, alpha)[0]
        cert = T.certificate(inst, alpha, eps)
        C.check_design(inst, cert.modes, cert.cuts)
        recovered = _brute_cost_of_design(p, alpha, cert.modes, cert.cuts)
        assert cert.recovered == pytest.approx(recovered, rel=1e-12)
        assert opt * (1 - 1e-12) <= recovered <= np.exp(eps) * opt
        assert np.exp(-eps) * opt <= cert.lower <= opt * (1 + 1e-12)
        assert cert.upper == pytest.approx(opt, rel=1e-12)


@pytest.mark.slow  # one compilation per grid shape; the recovered-design test covers (i)-(ii) by default
def test_prop4_certificate_bounds():
    """(i) value <= OPT; (ii) eps/(2n) grid: value >= e^{-eps} OPT (spec §2.5)."""
    rng = np.random.default_rng(0)
    for _ in range(6):
        n = int(rng.integers(2, 5))
        p = brute.random_params(rng, n, 1, 5)
        inst = C.make_instance(*(p[k] for k in brute.FIELDS))
        alpha = float(rng.uniform(0.4, 1))
        opt = brute.long_run_brute(p, alpha)[0]
        cg, tg = T.prop4_grids(inst, 0.3)
        v = float(T.prop4_value(inst, alpha, jnp.asarray(cg), jnp.asarray(tg)))
        assert v <= opt * (1 + 1e-12)
        assert v >= np.exp(-0.3) * opt


@pytest.mark.slow
def test_prop4_paper_literal_grid_compounds():
    """spec §2.5 caveat: 12 identical manual steps, eps = 0.2 literal grid -> about 0.185 OPT."""
    n = 12
    inst = C.make_instance(np.ones(n), np.ones(n), np.full(n, 50.0), np.full(n, 50.0), np.full(n, 50.0),
                           np.full(n - 1, 1000.0))
    cg, tg = T.prop4_grids(inst, 0.2, literal=True)
    v = float(T.prop4_value(inst, 0.5, jnp.asarray(cg), jnp.asarray(tg)))
    assert float(C.long_run(inst, 0.5)[0]) == pytest.approx(144.0)
    assert v / 144.0 < 1 / 1.2 ** 2  # far below the claimed (1+eps) guarantee


def _frag_enum(q, tM):
    n = len(q)
    m = np.minimum(tM, 1 / q)
    total = 0.0
    for fail in itertools.product((0, 1), repeat=n):
        pr = np.prod([1 - q[i] if f else q[i] for i, f in enumerate(fail)])
        r, run = 0.0, 0.0
        for i, f in enumerate(fail):
            if f:
                r += m[i]
                r += min(1.0, run) if run > 0 else 0.0
                run = 0.0
            else:
                run += tM[i]
        r += min(1.0, run) if run > 0 else 0.0
        total += pr * r
    return total


def frag_inst(q, tM, n_pad=None):
    n = len(q)
    return C.make_instance(np.ones(n), tM, np.ones(n), np.ones(n), np.log(q) / np.log(0.5), np.zeros(n - 1), n_pad=n_pad)


def test_fragmentation_closed_form_equals_enumeration():
    rng = np.random.default_rng(2)
    for _ in range(10):
        n = int(rng.integers(1, 9))
        q = rng.uniform(0.05, 1, n)
        tM = rng.uniform(0.1, 3, n)
        phi = float(T.fragmentation_index(frag_inst(q, tM, n_pad=9), 0.5))
        assert phi == pytest.approx(_frag_enum(q, tM), abs=1e-12)


def test_fragmentation_monte_carlo_agrees():
    q, tM = np.array([0.9, 0.4, 0.8, 0.7]), np.array([0.5, 2, 1, 0.3])
    inst = frag_inst(q, tM)
    mc = T.fragmentation_mc(inst, 0.5, jax.random.key(0), 200000)
    assert 0 < float(mc.se) < 0.005
    assert abs(float(mc.mean) - float(T.fragmentation_index(inst, 0.5))) <= 4 * float(mc.se)  # 4 standard errors


def test_prop5_bounds_and_tight_example():
    """P5a: Phi <= 5/4 OPT; tight at q = (1, 1/2, 1), tM = (1, 2, 1): OPT = 2, Phi = 5/2."""
    inst = frag_inst(np.array([1, 0.5, 1]), np.array([1, 2, 1.0]))
    assert float(T.fragmentation_index(inst, 0.5)) == pytest.approx(2.5)
    assert float(C.short_run(inst, 0.5)[0]) == pytest.approx(2.0)
    rng = np.random.default_rng(3)
    sr = jax.jit(C.short_run)
    fi = jax.jit(T.fragmentation_index)
    gr = jax.jit(lambda i, a: (T.greedy_cost(i, a), T.greedy_cost(i, a, variant="prop8")))
    for _ in range(200):
        n = 8
        q = rng.uniform(0.02, 1, n) ** rng.uniform(0.2, 3)
        tM = rng.uniform(0.05, 4, n)
        inst = frag_inst(q, tM)
        phi, opt = float(fi(inst, 0.5)), float(sr(inst, 0.5)[0])
        g7, g8 = (float(x) for x in gr(inst, 0.5))
        assert phi <= 1.25 * opt + 1e-9
        assert opt <= g8 + 1e-9 and g8 <= 8 * phi + 1e-9  # Prop 8
        if np.all(tM >= 1):
            assert opt <= g7 + 1e-9 and g7 <= 4 * phi + 1e-9  # Prop 7


@pytest.mark.parametrize("n, ratio", [(10, 1.5686), (100, 1.5968), pytest.param(1000, 1.5997, marks=pytest.mark.slow)])
def test_eight_fifths_lower_bound_family(n, ratio):
    """q_i = 1/2, tM_i = 2: OPT = greedy = 2n, Phi = 1.25 n + 0.25; OPT/Phi -> 8/5."""
    inst = frag_inst(np.full(n, 0.5), np.full(n, 2.0))
    phi = float(T.fragmentation_index(inst, 0.5))
    assert phi == pytest.approx(1.25 * n + 0.25, rel=1e-12)
    if n <= 100:
        assert float(T.greedy_cost(inst, 0.5)) == pytest.approx(2 * n)
    assert 2 * n / phi == pytest.approx(ratio, abs=1e-4)
    if n == 10:
        assert float(C.short_run(inst, 0.5)[0]) == pytest.approx(20.0)


SR = jax.jit(C.short_run)


def test_examples_1_2_fragmentation():
    """[R params] spec §4.6: interleaved vs clustered easy steps."""
    for n, ph_i, ph_c in ((4, 5.5, 4.69), (6, 8.2, 6.58), (8, 10.9, 8.47), (10, 13.6, 10.36)):
        inter = np.where(np.arange(n) % 2 == 0, 1.0, 0.1)
        clus = np.where(np.arange(n) < n // 2, 1.0, 0.1)
        ii, ic = frag_inst(inter, np.full(n, 2.0), n_pad=10), frag_inst(clus, np.full(n, 2.0), n_pad=10)
        assert float(SR(ii, 0.5)[0]) == pytest.approx(1.5 * n)
        assert float(SR(ic, 0.5)[0]) == pytest.approx(1 + n)
        assert float(T.fragmentation_index(ii, 0.5)) == pytest.approx(ph_i, abs=0.005)
        assert float(T.fragmentation_index(ic, 0.5)) == pytest.approx(ph_c, abs=0.005)


def test_macro_closed_form_against_quadrature():
    """spec §1.9 test vector and eq (19) by quadrature of psi (b derived, ERRATA 4)."""
    TA, TM, a, rho = 0.8, 1.2, 0.4, -3.0
    b = float(macro.ces_weight_b(TA, TM, a, rho))
    assert b == pytest.approx(0.378, abs=5e-4)
    for tmin, y in ((0.05, 1.465438), (0.3, 1.279078), (0.6, 1.038509), (0.9, 0.644234)):
        out = macro.macro_aggregate(TA, TM, a, rho, tmin)
        assert float(out["Y"]) == pytest.approx(y, abs=1e-6)
        psi = lambda u: float(macro.output_density(u, TA, TM, a, rho))  # noqa: E731
        Psi = integrate.quad(psi, tmin, 1, limit=200)[0]
        Gam = integrate.quad(lambda u: psi(u) / u, tmin, 1, limit=200)[0]
        assert Psi == pytest.approx(float(out["Y"]), rel=1e-8)
        lhs = Psi ** rho
        rhs = a * TA ** rho * Gam ** rho + b * TM ** rho * Psi ** rho + (1 - a - b)
        assert lhs == pytest.approx(rhs, rel=1e-8)
        assert float(out["L_A"]) == pytest.approx(TA * Gam, rel=1e-8)
        # marginal-product wages reproduce the zero-profit cutoff (15)
        assert float(out["w_A"]) * TA / tmin + float(out["w_M"]) * TM == pytest.approx(1.0, rel=1e-12)


def test_firm_labor_theta():
    inst = C.make_instance(**FIG1)
    _, modes, cuts = C.long_run(inst, 0.9)
    lab = macro.firm_labor(inst, 0.9, modes, cuts)
    assert 0 < float(lab["theta"]) < 1
    lab1 = macro.firm_labor(inst, 1.0, modes, cuts)
    assert float(lab1["theta"]) == pytest.approx(1.0)
    none = macro.firm_labor(inst, 0.9, np.zeros(5, int), cuts)
    assert np.isnan(float(none["theta"])) and not bool(none["has_ai"])
    # with unit base wages, wage bill = w_A TT_A + w_M TT_M equals the design cost
    assert float(lab["TT_A"] + lab["TT_M"]) == pytest.approx(float(C.design_cost(inst, 0.9, modes, cuts)))


def test_envelope_derivatives_match_finite_differences_of_the_optimum():
    """spec §2.8: dC*/dtH_i = skill of the job ending at i (0 without a cut), dC*/dtM_i > 0 iff
    step i is manual — autodiff of the optimal design's cost vs finite differences of C*."""
    p = dict(cM=[2.0, 1.0, 3.0, 1.5], tM=[1.0, 3.0, 1.0, 2.0], cA=[1.0, 1.0, 2.0, 1.0], tA=[0.5, 0.8, 0.5, 0.7],
             d=[0.5, 2.0, 0.3, 4.0], tH=[2.0, 0.7, 1.5])
    inst = C.make_instance(**p)
    alpha = 0.8
    cost, modes, cuts = C.long_run(inst, alpha)
    g = jax.grad(lambda th, tm: C.design_cost(inst.replace(tH=th, tM=tm), alpha, modes, cuts), argnums=(0, 1))(
        inst.tH, inst.tM)
    h = 1e-6
    for i in range(4):
        for field, grad in (("tH", g[0]), ("tM", g[1])):
            if field == "tH" and i == 3:
                continue
            up = np.array(p[field] if field == "tM" else p["tH"] + [0.0], float)
            dn = up.copy()
            up[i] += h
            dn[i] -= h
            fd = (float(C.long_run(inst.replace(**{field: jnp.asarray(up)}), alpha)[0])
                  - float(C.long_run(inst.replace(**{field: jnp.asarray(dn)}), alpha)[0])) / (2 * h)
            assert float(grad[i]) == pytest.approx(fd, rel=1e-5, abs=1e-7)
    assert all((float(g[1][i]) > 0) == (int(modes[i]) == 0) for i in range(4))


def test_certificate_brackets_the_optimum():
    inst = C.make_instance(**EX6)
    cert = T.certificate(inst, 0.7, eps=0.3)
    lo, hi = cert.lower, cert.upper
    assert lo <= hi * (1 + 1e-12) and lo >= np.exp(-0.3) * hi
