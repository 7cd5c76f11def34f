"""Empirical kernels on synthetic occupations, and the Table C.2 execution-label rule."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import minimize

from hai_sim.chaining import empirics as E

C2 = [  # V, TI, L, D, FL, Filt, Aug, Auto, label
    (0.00, 11.47, 44.39, 33.42, 5.74, 4.99, 55.86, 39.15, 1),
    (0.00, 0.00, 0.00, 68.00, 0.00, 32.00, 0.00, 68.00, 2),
    (4.23, 18.60, 31.40, 25.79, 16.38, 3.59, 54.23, 42.18, 1),
    (0.00, 40.00, 0.00, 58.26, 0.00, 1.74, 40.00, 58.26, 2),
    (2.13, 29.75, 39.98, 21.23, 5.80, 1.11, 71.87, 27.02, 1),
    (0.00, 0.00, 0.00, 65.52, 0.00, 34.48, 0.00, 65.52, 2),
    (0.00, 25.89, 22.34, 23.40, 24.47, 3.90, 48.23, 47.87, 1),
    (7.64, 20.94, 7.39, 58.13, 3.94, 1.97, 35.96, 62.07, 2),
    (0.00, 25.23, 31.53, 17.12, 18.92, 7.21, 56.76, 36.04, 1),
    (0.00, 21.88, 0.00, 77.34, 0.00, 0.78, 21.88, 77.34, 2),
    (1.31, 5.53, 58.30, 23.14, 3.57, 8.15, 65.14, 26.71, 1),
    (0.00, 0.00, 0.00, 64.86, 0.00, 35.14, 0.00, 64.86, 2),
    (0.00, 48.17, 3.17, 43.82, 2.74, 2.10, 51.34, 46.56, 1),
    (0.00, 0.00, 45.45, 0.00, 0.00, 54.55, 45.45, 0.00, 1),
]


def test_table_c2_execution_labels():
    arr = np.array(C2)
    shares = dict(validation=arr[:, 0], task_iteration=arr[:, 1], learning=arr[:, 2], directive=arr[:, 3],
                  feedback_loop=arr[:, 4], filtered=arr[:, 5])
    aug, auto, label = E.execution_label(shares)
    np.testing.assert_allclose(aug, arr[:, 6], atol=0.011)
    np.testing.assert_allclose(auto, arr[:, 7], atol=0.011)
    np.testing.assert_array_equal(label, arr[:, 8].astype(int))
    # no conversations / fully filtered -> manual; a tie goes to augmentation
    assert int(E.execution_label(dict(filtered=100.0))[2]) == 0
    assert int(E.execution_label(dict(validation=30.0, directive=30.0))[2]) == 1


def _runs(row):
    runs, cur = [], 0
    for v in row:
        if v:
            cur += 1
        elif cur:
            runs.append(cur)
            cur = 0
    if cur:
        runs.append(cur)
    return runs


def test_chain_statistics_and_efi_against_loops():
    rng = np.random.default_rng(0)
    O, N = 30, 12
    n = rng.integers(3, N + 1, O)
    mask = np.arange(N)[None, :] < n[:, None]
    x = (rng.random((O, N)) < 0.4) & mask
    st = E.chain_statistics(jnp.asarray(x), jnp.asarray(mask))
    runs = [_runs(x[i, : n[i]]) for i in range(O)]
    np.testing.assert_array_equal(st["n_chains"], [len(r) for r in runs])
    allr = [v for r in runs for v in r]
    assert float(st["mean_chain_length"]) == pytest.approx(np.mean(allr))
    e = E.efi(jnp.asarray(x), jnp.asarray(mask))
    want = [(n[i] - sum(r - 1 for r in runs[i])) / n[i] for i in range(O)]
    np.testing.assert_allclose(e, want)
    # the paper's example: 5 tasks none exposed -> 1; two adjacent exposed -> 4/5
    m5 = jnp.ones((2, 5), bool)
    x5 = jnp.array([[0, 0, 0, 0, 0], [0, 1, 1, 0, 0]], bool)
    np.testing.assert_allclose(E.efi(x5, m5), [1.0, 0.8])


def test_placebo_permutation_keeps_counts_and_padding():
    rng = np.random.default_rng(1)
    mask = jnp.asarray(np.arange(10)[None, :] < np.array([[4], [10], [7]]))
    x = jnp.asarray(rng.random((3, 10)) < 0.5) & mask
    p = E.permute_within(jax.random.key(0), x, mask)
    np.testing.assert_array_equal(jnp.sum(p, axis=1), jnp.sum(x, axis=1))
    assert not bool(jnp.any(p & ~mask))


def test_logit_newton_matches_scipy():
    rng = np.random.default_rng(2)
    X = np.column_stack([np.ones(400), rng.normal(size=(400, 2))])
    y = (rng.random(400) < 1 / (1 + np.exp(-(X @ np.array([0.3, 1.0, -0.5]))))).astype(float)
    b = np.asarray(E.logit_newton(jnp.asarray(X), jnp.asarray(y), jnp.ones(400)))
    nll = lambda beta: np.sum(np.logaddexp(0, X @ beta) - y * (X @ beta))  # noqa: E731
    ref = minimize(nll, np.zeros(3), method="BFGS", options=dict(gtol=1e-10)).x
    np.testing.assert_allclose(b, ref, atol=1e-5)


def test_synthetic_occupations_labels_follow_the_model():
    occ = E.synthetic_occupations(jax.random.key(3), 40, n_max=12)
    modes, mask = np.asarray(occ["modes"]), np.asarray(occ["mask"])
    assert not np.any(modes[~mask])
    # an automated step always feeds the next AI step (model-consistent chains)
    auto = np.argwhere(modes == 2)
    assert all(modes[i, j + 1] in (1, 2) for i, j in auto)


def _p1(x, mask, n_placebo=40):
    obs = E.chain_statistics(x, mask)
    keys = jax.random.split(jax.random.key(1), n_placebo)
    plac = jax.vmap(lambda k: E.chain_statistics(E.permute_within(k, x, mask), mask))(keys)
    return float(obs.mean_chain_length), float(jnp.max(plac.mean_chain_length))


def test_planted_persistence_alone_passes_prediction1_but_the_model_needs_none():
    """Issue 10: exposure alone (no model) passes "chain length above every placebo" because the
    generator plants lag-1 persistence; without it the exposure baseline fails and the model passes."""
    occ = E.synthetic_occupations(jax.random.key(0), 120)
    exp_obs, exp_max = _p1(occ.exposed, occ.mask)
    model_obs, model_max = _p1(occ.ai, occ.mask)
    assert exp_obs > exp_max  # the confound: exposure alone "passes"
    assert model_obs > exp_obs  # the model's chains are longer than the exposure runs they come from
    flat = E.synthetic_occupations(jax.random.key(0), 120, persistence=0.0)
    exp_obs, exp_max = _p1(flat.exposed, flat.mask)
    model_obs, model_max = _p1(flat.ai, flat.mask)
    assert exp_obs <= exp_max  # baseline neutralised
    assert model_obs > model_max  # Prediction 1 from the chaining mechanism alone


def test_generator_e1_share_is_the_papers_14_percent():
    """Issue 10: the paper's 14 % is the E1-exposed share (not the AI-executed share)."""
    occ = E.synthetic_occupations(jax.random.key(5), 872)
    m = np.asarray(occ.mask)
    ex = np.asarray(occ.exposed)
    share = ex.sum() / m.sum()
    resid = ex.sum(1) - share * m.sum(1)
    se = np.sqrt(np.sum(resid ** 2)) / m.sum()
    assert abs(share - 0.14) <= 3 * se
    # AI-executed tasks are a different, smaller share (paper: 2,347 of ~18,000, about 13 %)
    assert np.asarray(occ.ai).sum() / m.sum() < share


def test_clustering_favours_chains_under_the_examples_condition():
    """Section 5.1: clustered AI-easy steps give at least the automated share of interleaved ones
    while hard steps are hard (q_hard < 1/(tM + 2)); the companion-diagram row checks this."""
    from hai_sim import chaining as C

    n, tM, d_hard = 12, 1.5, 3.0
    alphas = np.linspace(0.2, 1.0, 12)
    hard = alphas ** d_hard < 1 / (tM + 2)

    def share(block):
        d = np.where((np.arange(n) // block) % 2 == 0, 0.1, d_hard)
        inst = C.make_instance(np.ones(n), np.full(n, tM), np.ones(n), np.ones(n), d, np.zeros(n - 1))
        modes = jax.vmap(lambda a: C.short_run(inst, a).modes)(jnp.asarray(alphas))
        return np.mean(np.asarray(modes) == 2, axis=1)

    gap = share(6) - share(1)
    assert hard.sum() >= 4 and np.all(gap[hard] >= 0)


