"""Expert pools (Tables 3-4, Figs 5-6 analogs): the subset sampler, pool votes, the multi-agent
batch, eq 11, against enumeration, Monte Carlo bounds and hand-computed values."""

from __future__ import annotations

import itertools
import math

import jax
import numpy as np
import pytest
from flax import nnx

from hai_sim import capability as cap
from hai_sim.engine import InputError

TINY = dict(d=8, layers=1, heads=2, d_ff=16, d_cap=8, batch=64)


def test_sample_agents_uniform_subsets_by_enumeration():
    # M = 5, m ~ uniform{1, 2, 3}: m uniform; given m, each of the C(5, m) subsets equally likely;
    # ids distinct in a row. Monte Carlo, 4 binomial standard errors.
    B, M = 20_000, 5
    ids, mask = cap.sample_agents(jax.random.key(0), B, M, 1, 3)
    ids, mask = np.asarray(ids), np.asarray(mask)
    assert ids.shape == mask.shape == (B, 3) and ids.dtype == np.int32
    assert np.all(np.sort(ids, axis=1)[:, 1:] != np.sort(ids, axis=1)[:, :-1])  # distinct
    m = mask.sum(1)
    assert np.all(mask == (np.arange(3)[None] < m[:, None]))  # active slots first
    for k in (1, 2, 3):
        frac = np.mean(m == k)
        assert abs(frac - 1 / 3) < 4 * math.sqrt(2 / 9 / B)
        rows = ids[m == k, :k]
        subsets = list(itertools.combinations(range(M), k))
        p = 1 / len(subsets)
        counts = {s: 0 for s in subsets}
        for r in map(lambda r: tuple(sorted(r)), rows):
            counts[r] += 1
        se = math.sqrt(p * (1 - p) / len(rows))
        assert max(abs(c / len(rows) - p) for c in counts.values()) < 4 * se
    # the order within a row is random too: every agent equally often in slot 0
    first = np.bincount(ids[:, 0], minlength=M) / B
    assert np.max(np.abs(first - 1 / M)) < 4 * math.sqrt(0.2 * 0.8 / B)


@pytest.mark.parametrize("expert", ["ms", "paper41"])
def test_pool_votes_rule_by_monte_carlo(expert):
    # P(vote = y) = 1 on the agent's set; elsewhere p + (1 - p)/n (ms) or p + (1 - p)/(n - K) (paper41).
    n, p, B = 6, 0.3, 8_000
    pool = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0]], bool)
    y = np.asarray(jax.random.randint(jax.random.key(1), (B,), 0, n))
    ids = np.tile(np.array([[0, 1, 2]], np.int32), (B, 1))
    # jitted: one compilation instead of one per eager primitive
    votes = np.asarray(jax.jit(cap.pool_votes, static_argnames="expert")(jax.random.key(2), y, ids, pool, p, expert))
    for a in range(3):
        in_E = pool[a, y]
        assert np.all(votes[in_E, a] == y[in_E])
        K = pool[a].sum()
        want = p + (1 - p) / (n if expert == "ms" else n - K)
        got = np.mean(votes[~in_E, a] == y[~in_E])
        assert abs(got - want) < 4 * math.sqrt(want * (1 - want) / (~in_E).sum())
        if expert == "paper41":  # guesses never land inside the set
            wrong = ~in_E & (votes[:, a] != y)
            assert not pool[a, votes[wrong, a]].any()
    # agents vote independently: two experts with empty sets agree at chance only
    both_wrong = (votes[:, 1] != y) & (votes[:, 0] != y) & ~pool[0, y]
    assert both_wrong.any()


def test_pool_inputs_puts_the_ai_first_and_zeroes_padding():
    ids = np.array([[3, 1], [0, 2]], np.int32)
    mask = np.array([[True, False], [True, True]])
    votes = np.array([[2, 0], [1, 1]], np.int32)
    ai = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]], np.float32)
    i0, m0, s0 = map(np.asarray, cap.pool_inputs(None, ids, mask, votes, 3))
    np.testing.assert_array_equal(i0, ids)
    np.testing.assert_array_equal(s0, [[[0, 0, 1], [0, 0, 0]], [[0, 1, 0], [0, 1, 0]]])
    i1, m1, s1 = map(np.asarray, cap.pool_inputs(ai, ids, mask, votes, 3))
    np.testing.assert_array_equal(i1, [[0, 4, 2], [0, 1, 3]])
    np.testing.assert_array_equal(m1, [[True, True, False], [True, True, True]])
    np.testing.assert_array_equal(s1[:, 0], ai)
    np.testing.assert_array_equal(s1[:, 1:], s0)


@pytest.mark.slow  # eager transformer forward (4-15 s on the shared CPU): over the default budget
def test_multi_agent_weights_permute_with_agents_and_padding_gets_zero():
    # (E6/E7) with variable m: permuting the agent slots (padding included) permutes w and leaves
    # s_f unchanged; padded slots get weight exactly 0; active weights sum to 1.
    M, m, n, B = 9, 5, 4, 6
    cfg = cap.config("offline_cpu", **TINY)
    model = cap.CapabilityModel(cfg, n_agents=M, n_classes=n, d_task=3, rngs=nnx.Rngs(0))
    model.eval()
    rng = np.random.default_rng(0)
    task = rng.normal(size=(B, 1, 3)).astype(np.float32)
    ids = np.stack([rng.permutation(M)[:m] for _ in range(B)]).astype(np.int32)
    mask = np.arange(m)[None] < rng.integers(1, m + 1, B)[:, None]
    scores = rng.dirichlet(np.ones(n), (B, m)).astype(np.float32)
    # one call (eval mode: rows are independent): the batch, then the same batch with permuted
    # slots and junk score rows on the padding (what a padded agent scores cannot matter)
    perm = rng.permutation(m)
    junk = np.where(mask[..., None], scores, 7.0).astype(np.float32)
    out = model(np.concatenate([task, task]), np.concatenate([ids, ids[:, perm]]),
                np.concatenate([mask, mask[:, perm]]), np.concatenate([scores, junk[:, perm]]))
    w, s_f = np.asarray(out.w[:B]), np.asarray(out.s_f[:B])
    assert np.all(w[~mask] == 0.0)
    np.testing.assert_allclose(w.sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(s_f, np.einsum("bm,bmn->bn", w, scores), atol=1e-6)
    np.testing.assert_allclose(np.asarray(out.w[B:]), w[:, perm], atol=1e-5)
    np.testing.assert_allclose(np.asarray(out.s_f[B:]), s_f, atol=1e-5)


def _pearson(u, v):
    du, dv = u - u.mean(), v - v.mean()
    den = math.sqrt((du * du).sum() * (dv * dv).sum())
    return 0.0 if den == 0 else float((du * dv).sum() / den)


def test_capability_drift_against_explicit_sums():
    rng = np.random.default_rng(3)
    pool = rng.random((6, 10)) < 0.5
    pool[2] = False  # the empty set: zero variance, correlation 0 (spec E11 [R])
    pool[4] = True  # the full set
    table = rng.normal(size=(6, 16))
    M = 6
    r_cap = np.array([[_pearson(table[i], table[j]) for j in range(M)] for i in range(M)])
    r_bin = np.array([[_pearson(pool[i].astype(float), pool[j].astype(float)) for j in range(M)] for i in range(M)])
    d, a = cap.capability_drift(table, pool)
    assert d == pytest.approx(np.abs(r_cap - r_bin).sum() / M**2, abs=1e-12)
    assert a == pytest.approx(np.abs(r_cap[~np.eye(M, dtype=bool)]).mean(), abs=1e-12)
    # a table whose rows are the expertise vectors themselves (no zero-variance rows): D_corr = 0
    ok = pool[[0, 1, 3, 5]]
    assert cap.capability_drift(ok.astype(float) * 3.0 - 1.0, ok)[0] == pytest.approx(0.0, abs=1e-12)
    # Pearson ignores scale and shift per row
    assert cap.capability_drift(table * 5 + 2, pool)[0] == pytest.approx(d, abs=1e-12)


def test_expert_pool_scenario_bad_input():
    kw = dict(n_train=64, n_val=32, n_test=48, d_x=4)
    with pytest.raises(InputError, match="m"):
        cap.expert_pool_scenario(pool=3, m=4, **kw)
    with pytest.raises(InputError, match="m"):
        cap.expert_pool_scenario(pool=5, m=(3, 2), **kw)
    with pytest.raises(InputError, match="pool"):
        cap.expert_pool_scenario(pool=np.ones((3, 10), int), **kw)
    with pytest.raises(InputError, match="pool"):
        cap.expert_pool_scenario(pool=np.ones((3, 9), bool), **kw)
    with pytest.raises(InputError, match="M"):
        cap.random_vocabulary(jax.random.key(0), 0)
    with pytest.raises(InputError, match="ai_acc"):
        cap.expert_pool_scenario(pool=np.ones((3, 10), bool), ai_acc=0.9, **kw)


@pytest.mark.slow
def test_expert_pool_scenario_draws():
    kw = dict(n_train=64, n_val=32, n_test=48, d_x=4)
    sc = cap.expert_pool_scenario(seed=5, pool=7, m=(1, 3), **kw)
    again = cap.expert_pool_scenario(seed=5, pool=7, m=(1, 3), **kw)
    assert sc.pool.shape == (7, 10) and sc.pool.dtype == bool and sc.m == (1, 3) and not sc.with_ai
    for name in ("train", "val", "test"):
        a, b = getattr(sc, name), getattr(again, name)
        np.testing.assert_array_equal(a.agent_ids, b.agent_ids)
        np.testing.assert_array_equal(a.votes, b.votes)
        assert a.ai_scores is None and a.agent_ids.shape == a.votes.shape == (len(a.y), 3)
        in_E = sc.pool[a.agent_ids, a.y[:, None]]
        assert np.all(a.votes[in_E] == np.broadcast_to(a.y[:, None], in_E.shape)[in_E])  # p = 0: right on E
        assert np.all(a.agent_mask.sum(1) >= 1)
    # the world is ai_expert_scenario's for the same seed and sizes
    base = cap.ai_expert_scenario(seed=5, k=0, **kw)
    np.testing.assert_array_equal(sc.test.task, base.test.task)
    with_ai = cap.expert_pool_scenario(seed=5, pool=sc.pool, m=2, with_ai=True, **kw)
    np.testing.assert_array_equal(with_ai.test.ai_scores, base.test.ai_scores)


def test_random_vocabulary_is_uniform_over_binary_vectors():
    # each class in E w.p. 1/2 independently <=> every one of the 2^n vectors equally likely
    v = cap.random_vocabulary(jax.random.key(0), 40_000, n=3)
    codes = v @ (1 << np.arange(3))
    freq = np.bincount(codes, minlength=8) / len(codes)
    assert np.max(np.abs(freq - 1 / 8)) < 4 * math.sqrt((1 / 8) * (7 / 8) / len(codes))


@pytest.mark.slow
def test_pool_training_reproducible_and_evaluation_counted():
    sc = cap.expert_pool_scenario(seed=1, pool=6, m=(1, 3), with_ai=True, n_train=256, n_val=128, n_test=256,
                                  d_x=6)
    cfg = cap.config("offline_cpu", **TINY, epochs=2)
    a, b = cap.train(cfg, sc, seed=3), cap.train(cfg, sc, seed=3)
    np.testing.assert_array_equal(a.history.val_loss, b.history.val_loss)
    np.testing.assert_array_equal(a.history.cap_table, b.history.cap_table)
    assert a.history.cap_table.shape == (2, 7, TINY["d_cap"])  # the AI plus six experts
    ev = cap.evaluate(a.model, sc)
    t = sc.test
    ids, mask, scores = map(np.asarray, cap.pool_inputs(t.ai_scores, t.agent_ids, t.agent_mask, t.votes, 10))
    out = a.model(t.task, ids, mask, scores)
    assert ev.acc == pytest.approx(np.mean(np.argmax(np.asarray(out.s_f), 1) == t.y), abs=1e-6)
    assert ev.acc_ai == np.mean(np.argmax(t.ai_scores, 1) == t.y)
    right = (t.votes == t.y[:, None]) & t.agent_mask
    assert ev.acc_human == pytest.approx(np.mean(right.sum(1) / t.agent_mask.sum(1)))
    in_E = sc.pool[t.agent_ids, t.y[:, None]] & t.agent_mask
    assert ev.acc_oracle == pytest.approx(np.mean(in_E.any(1) | (np.argmax(t.ai_scores, 1) == t.y)))
    assert ev.w_human_in == pytest.approx(np.asarray(out.w)[:, 1:][in_E].mean(), abs=1e-6)


@pytest.mark.slow
def test_perfect_expert_outweighs_random_ones_on_its_set():
    # One expert perfect on {0..4} (ms, p = 0: random elsewhere), three with empty sets (always
    # random); two of the four per instance. After training, when y is in the set and expert 0
    # is drawn, its weight exceeds its partner's (counted on the test draws), and the fusion
    # beats a random single expert by more than 4 binomial standard errors.
    pool = np.zeros((4, 10), bool)
    pool[0, :5] = True
    sc = cap.expert_pool_scenario(seed=0, pool=pool, m=2, n_train=4096, n_val=512, n_test=2048)
    cfg = cap.config("offline_cpu", **TINY, epochs=4)
    model = cap.train(cfg, sc, seed=0).model
    t = sc.test
    out = model(t.task, *map(np.asarray, cap.pool_inputs(None, t.agent_ids, t.agent_mask, t.votes, 10)))
    w = np.asarray(out.w)
    has0 = (t.agent_ids == 0).any(1) & (t.y < 5)
    slot0 = np.argmax(t.agent_ids[has0] == 0, axis=1)
    w0 = w[has0][np.arange(has0.sum()), slot0]
    assert np.mean(w0 > 0.5) > 0.9, np.mean(w0 > 0.5)
    acc = np.mean(np.argmax(np.asarray(out.s_f), 1) == t.y)
    single = np.mean(t.votes[:, 0] == t.y)
    assert acc - single > 4 * math.sqrt(single * (1 - single) / len(t.y))
