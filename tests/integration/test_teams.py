"""Teams: merge rules, integration gain (spec §4.3, ERRATA 5) and productivity compression."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from integration_oracles import default_s, gil_pelaez_quad, linear_terms

from hai_sim import integration as I

JOB = I.default_job()
S = default_s()


def test_merge_rules():
    w1 = I.linear_worker(0.7, 0.2, 0.1)
    w2 = I.linear_worker(0.3, 0.6, 0.3)
    m = I.merge(w1, w2)
    assert (float(m.a1), float(m.sigma1), float(m.a2), float(m.sigma2)) == (0.7, 0.1, 0.6, 0.3)
    best = I.merge(w2, w1, "best-of-both", job=JOB)
    assert (float(best.a1), float(best.a2)) == (0.7, 0.6)
    with pytest.raises(ValueError, match="job=None"):
        I.merge(w1, w2, "best-of-both")
    with pytest.raises(ValueError, match="law1"):
        I.merge(w1, I.linear_worker(0.3, 0.6, law="truncnorm"), "best-of-both", job=JOB)
    with pytest.raises(ValueError, match="rule"):
        I.merge(w1, w2, "average")


def _gain_map(w1, a1s, a2s):
    f = lambda a1, a2: I.integration_gain(JOB, w1, I.linear_worker(a1, a2, 0.1), method="exact")
    return jax.jit(jax.vmap(jax.vmap(f, (None, 0)), (0, None)))(jnp.asarray(a1s), jnp.asarray(a2s))


@pytest.mark.slow
def test_integration_gain_row_1_reproduces_the_seed():
    # Seed: W1 = (0.5, 0.4), W2 needs a_2 > 0.43, gain +0.6 (spec §4.3 row 1: max Delta = 0.631).
    g = np.linspace(0, 1, 101)
    gain = _gain_map(I.linear_worker(0.5, 0.4, 0.1), g, g)
    assert abs(float(gain.p1[0, 0]) - 0.370) < 1e-3
    assert abs(float(jnp.max(gain.delta)) - 0.631) < 2e-3
    big = np.asarray(gain.delta) >= 0.5
    A1, A2 = np.meshgrid(g, g, indexing="ij")
    in_regions = ((A1 <= 0.48 + 1e-9) & (A2 >= 0.42 - 1e-9)) | ((A1 >= 0.52 - 1e-9) & (A2 <= 0.38 + 1e-9))
    assert big.any() and np.all(in_regions[big])


@pytest.mark.slow
def test_integration_gain_rows_2_and_3_mismatch_as_errata_5_says():
    g = np.linspace(0, 1, 26)
    row2 = _gain_map(I.linear_worker(0.5, 0.2, 0.1), g, g)
    assert float(row2.p1[0, 0]) == 0.0 and float(jnp.max(row2.delta)) > 0.999  # seed: +0.8
    row3 = _gain_map(I.linear_worker(0.3, 0.4, 0.1), g, g)
    assert float(jnp.max(row3.delta)) > 0.999  # seed: +0.6
    # Row 3 threshold: the merged (a_1', 0.4) reaches P_12 >= 0.95 from a_1' = 0.522 (seed 0.52).
    a1s = np.linspace(0.5, 0.55, 501)
    p = np.asarray(jax.vmap(lambda a: I.success_probability(JOB, I.linear_worker(a, 0.4, 0.1)))(jnp.asarray(a1s)))
    assert abs(a1s[np.argmax(p >= 0.95)] - 0.522) < 1e-3
    # Row 2: merged (0.5, a_2') needs a_2' >= 0.42 for P >= 0.95, not the seed's 0.3.
    a2s = np.linspace(0.3, 0.5, 201)
    p2 = np.asarray(jax.vmap(lambda a: I.success_probability(JOB, I.linear_worker(0.5, a, 0.1)))(jnp.asarray(a2s)))
    assert abs(a2s[np.argmax(p2 >= 0.95)] - 0.425) < 0.01


def test_gain_against_independent_quadrature():
    # Every success probability of the gain from scipy's adaptive quadrature of the Gil-Pelaez
    # integral on NumPy-built terms (no package code): the merged worker takes W1's decision level
    # (a_1 = 0.49, sigma 0.1) and W2's action level (a_2 = 0.42, sigma 0.2).
    w1, w2 = I.linear_worker(0.49, 0.3, 0.1), I.linear_worker(0.4, 0.42, 0.2)
    g = I.integration_gain(JOB, w1, w2, rule="decision-action")

    def oracle(a, sig):
        return gil_pelaez_quad(*linear_terms(S, a, (1, 1), sig), 0.25)

    p1, p2, p12 = oracle((0.49, 0.3), (0.1, 0.1)), oracle((0.4, 0.42), (0.2, 0.2)), oracle((0.49, 0.42), (0.1, 0.2))
    assert 0.05 < p12 < 0.95  # inside the transition, where the identities are not trivial
    for got, want in [(g.p1, p1), (g.p2, p2), (g.p12, p12), (g.delta, p12 - max(p1, p2)),
                      (g.over_w2, p12 - p2), (g.superadditive, p12 - p1 - p2)]:
        assert abs(float(got) - want) < 1e-10


def test_productivity_compression_grid_qualitative():
    # spec §4.4: PC ~ 1 once the AI's action ability exceeds the low-skilled worker's by a few gamma.
    # Best-of-both assistance: the high-skilled worker keeps its own better action profile.
    hi = I.linear_worker(0.55, 0.5, 0.1)
    f = lambda lo_a2, ai_a2: I.productivity_compression(JOB, hi, I.linear_worker(0.55, lo_a2, 0.1),
                                                        I.linear_worker(0.0, ai_a2, 0.1), rule="best-of-both").pc
    pc = jax.jit(jax.vmap(jax.vmap(f, (None, 0)), (0, None)))(jnp.array([0.1, 0.2, 0.3]), jnp.array([0.2, 0.9]))
    assert float(jnp.min(pc[:, 1])) > 0.99 and float(jnp.max(pc[:, 0])) < 0.01


def test_teams_and_theory_do_not_import_each_other():
    # One direction only (theory uses merge); what both need (mu, Lambda, sbar) lives in model.py.
    import ast
    import inspect

    from hai_sim.integration import teams, theory

    def imported(mod):
        names = set()
        for node in ast.walk(ast.parse(inspect.getsource(mod))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        return names

    assert "hai_sim.integration.theory" not in imported(teams)
    assert not any("teams" in m for m in imported(teams))
    assert "hai_sim.integration.teams" in imported(theory)
