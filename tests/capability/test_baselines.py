"""The §1.5 / Table 8 baselines against independent oracles: direct counting, brute-force
per-example bounds, and cases whose optimal deferral is known in closed form."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import nnx

from hai_sim import InputError
from hai_sim import capability as cap
from hai_sim.capability import baselines as B
from hai_sim.capability.data import Scenario, Split

N_CLASSES, K, D_X = 4, 2, 6  # the sizes of test_model.py's tiny model (shared compilations)
FAST = dict(steps=300, batch=64, hidden=16, lr=1e-2)


def _split(rng, N, *, separable: bool, expert: str):
    """Task features that reveal y ∈ E (``separable``) or are pure noise; an AI right w.p. 0.7 with
    constant confidence 0.7 (its scores say nothing about *whether* it is right); an expert always
    right on E and always wrong (y + 1 mod n) outside it (``"E"``), or right w.p. 1/2 on every
    instance independently of everything else (``"coin"``)."""
    n = N_CLASSES
    y = rng.integers(0, n, N).astype(np.int32)
    in_E = y < K
    x = rng.normal(size=(N, 1, D_X)).astype(np.float32)
    if separable:
        x[:, 0, 0] = np.where(in_E, 3.0, -3.0) + 0.3 * x[:, 0, 0]
    ai_right = rng.random(N) < 0.7
    ai_pred = np.where(ai_right, y, (y + rng.integers(1, n, N)) % n)
    ai = np.full((N, n), 0.3 / (n - 1), np.float32)
    ai[np.arange(N), ai_pred] = 0.7
    right = in_E if expert == "E" else rng.random(N) < 0.5
    votes = np.where(right, y, (y + 1) % n).astype(np.int32)
    return Split(x, y, ai, votes)


def _scenario(seed=0, *, separable=True, expert="E", sizes=(2048, 128, 512)) -> Scenario:
    rng = np.random.default_rng(seed)
    tr, va, te = (_split(rng, N, separable=separable, expert=expert) for N in sizes)
    return Scenario(N_CLASSES, K, 0.0, "ms", np.arange(N_CLASSES) < K, tr, va, te, {"hand-made": True})


def _direct(sp, defer):
    """System accuracy by counting, one example at a time."""
    hits = 0
    for i in range(len(sp.y)):
        answer = sp.votes[i] if defer[i] else int(np.argmax(sp.ai_scores[i]))
        hits += int(answer == sp.y[i])
    return hits / len(sp.y)


def test_model_and_expert_only_count():
    sc = _scenario(separable=False)
    te = sc.test
    assert B.model_only(sc).acc == pytest.approx(np.mean(te.ai_scores.argmax(1) == te.y), abs=0)
    assert B.expert_only(sc).acc == pytest.approx(sum(int(v == t) for v, t in zip(te.votes, te.y)) / len(te.y), abs=0)
    assert B.model_only(sc).coverage == 1.0 and B.expert_only(sc).coverage == 0.0
    # The expert here is right exactly when y ∈ E.
    assert B.expert_only(sc, split="val").acc == pytest.approx(np.mean(sc.val.y < K), abs=0)


def test_equal_weights_is_the_vote_unless_tied():
    """ERRATA 5: 0.5·p + 0.5·onehot(v) puts at least 0.5 on the vote; another class ties only with
    p = 1 on it. Oracle: a per-example rule, with random probability rows."""
    rng = np.random.default_rng(1)
    sc = _scenario(separable=False)
    n, N = N_CLASSES, 400
    ai = rng.dirichlet(np.ones(n), N).astype(np.float32)
    ai[:5] = np.eye(n, dtype=np.float32)[(sc.test.votes[:5] + 1) % n]  # five exact ties
    te = sc.test._replace(ai_scores=np.concatenate([ai, sc.test.ai_scores[N:]]))
    sc = sc._replace(test=te)
    want = []
    for i in range(len(te.y)):
        other = int(np.argmax(te.ai_scores[i]))
        tied = te.ai_scores[i, other] == 1.0 and other != te.votes[i]
        answer = min(other, te.votes[i]) if tied else te.votes[i]
        want.append(answer == te.y[i])
    res = B.equal_weights(sc)
    assert res.acc == pytest.approx(np.mean(want), abs=0)
    assert np.all(res.w_human == 0.5)


def test_global_weights_against_a_brute_force_scan():
    """Global (empirical): the α of 101 on [0, 1] with the best validation accuracy (largest on
    ties), found here by a plain loop, then applied to the test split by hand."""
    rng = np.random.default_rng(2)
    sc = _scenario(separable=False, expert="coin", sizes=(64, 300, 300))
    n = sc.n
    # Informative probability rows, so that α matters.
    for name in ("val", "test"):
        sp = getattr(sc, name)
        ai = rng.dirichlet(np.ones(n), len(sp.y)).astype(np.float32)
        ai[np.arange(len(sp.y)), sp.y] += rng.random(len(sp.y)).astype(np.float32)
        sc = sc._replace(**{name: sp._replace(ai_scores=ai / ai.sum(1, keepdims=True))})
    best_acc, best_alpha = -1.0, None
    for alpha in np.linspace(0.0, 1.0, 101):
        hits = sum(int(np.argmax(alpha * a + (1 - alpha) * np.eye(n)[v]) == t)
                   for a, v, t in zip(sc.val.ai_scores, sc.val.votes, sc.val.y))
        if hits >= best_acc:
            best_acc, best_alpha = hits, alpha
    te = sc.test
    want = np.mean(np.argmax(best_alpha * te.ai_scores + (1 - best_alpha) * np.eye(n)[te.votes], axis=1) == te.y)
    res = B.global_weights(sc)
    assert res.acc == pytest.approx(want, abs=0)
    np.testing.assert_allclose(res.w_human, 1 - best_alpha, atol=1e-6)


def _tiny_model(sc):
    cfg = cap.config("offline_cpu", d=8, layers=1, heads=2, d_ff=16, d_cap=8, batch=64, epochs=1)
    with jax.numpy_dtype_promotion("standard"):
        return cap.CapabilityModel(cfg, n_agents=5, n_classes=sc.n, d_task=D_X, rngs=nnx.Rngs(0))


def test_pooled_and_flexible_weights():
    """Pooled: the training-split mean of the model's expert weight, used everywhere (hand NumPy
    fusion); Flexible equals fit.evaluate's accuracy (independent code path)."""
    sc = _scenario(separable=True, sizes=(256, 64, 256))
    model = _tiny_model(sc)
    model.eval()  # no dropout: the weights are a function of the inputs
    n = sc.n

    def w_human(sp):
        ids = np.tile(np.arange(2, dtype=np.int32), (len(sp.y), 1))
        scores = np.stack([sp.ai_scores, np.eye(n, dtype=np.float32)[sp.votes]], axis=1)
        with jax.numpy_dtype_promotion("standard"):
            return np.asarray(model(sp.task, ids, np.ones_like(ids, bool), scores).w)[:, 1]

    wbar = float(np.mean(w_human(sc.train)))
    te = sc.test
    fused = (1 - wbar) * te.ai_scores + wbar * np.eye(n)[te.votes]
    pooled = B.pooled_weights(model, sc)
    assert pooled.acc == pytest.approx(np.mean(fused.argmax(1) == te.y), abs=0)
    np.testing.assert_allclose(pooled.w_human, wbar, rtol=1e-6)
    flexible = B.flexible_weights(model, sc)
    assert flexible.acc == pytest.approx(cap.evaluate(model, sc).acc, abs=1e-12)
    np.testing.assert_allclose(flexible.w_human, w_human(te), rtol=1e-5)


def _bound(sp):
    """Brute force: the best any deferral rule can do, per example max(AI right, expert right)."""
    return np.mean(np.maximum(sp.votes == sp.y, sp.ai_scores.argmax(1) == sp.y))


@pytest.mark.parametrize("method", ["consistent", "confidence", "oracle_reject", "mpz18"])
def test_trained_deferral_finds_the_known_optimum(method):
    """Expert always right on E and always wrong elsewhere, AI right 70 % regardless, E visible in
    the features: deferring on E reaches the brute-force per-example bound (the expert is right
    exactly on E), and each method's optimal rule (Bayes for L_CE, e(x) ≥ max f, r(y ∈ E) > 1/2,
    the MPZ18 mixture) does so. Accuracy checked by counting, one example at a time."""
    sc = _scenario()
    te = sc.test
    in_E = te.y < K
    res = getattr(B, method)(sc, **FAST)
    assert res.acc == pytest.approx(_direct(te, res.defer), abs=0)
    np.testing.assert_array_equal(res.correct, np.where(res.defer, te.votes, te.ai_scores.argmax(1)) == te.y)
    assert res.coverage == pytest.approx(1 - np.mean(res.defer), abs=0)
    bound = _bound(te)
    assert bound == pytest.approx(np.mean(np.where(in_E, te.votes == te.y, te.ai_scores.argmax(1) == te.y)), abs=0)
    assert bound - 0.01 <= res.acc <= bound


def test_uninformative_expert_is_never_deferred_to():
    """An expert right w.p. 1/2 on every instance, independent of the features and the AI (right
    w.p. 0.7): P(h = y | x) < max_j P(y = j | x) everywhere, so the L_CE optimum keeps every
    instance (Consistent's Bayes rule)."""
    sc = _scenario(separable=False, expert="coin")
    res = B.consistent(sc, **FAST)
    # L_CE's defer margin is small (0.34 in logits here), so a few noisy deferrals remain.
    assert res.coverage >= 0.9
    assert res.acc >= B.model_only(sc).acc - 0.02


@pytest.mark.slow
@pytest.mark.parametrize("method", ["consistent_impute", "consistent_two_step"])
def test_impute_and_two_step_find_the_known_optimum(method):
    sc = _scenario()
    res = getattr(B, method)(sc, labelled=0.5, **FAST)
    assert np.mean(res.defer != (sc.test.y < K)) <= 0.02


def test_same_seed_same_result():
    sc = _scenario()  # the sizes of the tests above: no new compilation
    a = B.oracle_reject(sc, seed=3, **FAST)
    b = B.oracle_reject(sc, seed=3, **FAST)
    np.testing.assert_array_equal(a.defer, b.defer)


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=0), "steps=0"), (dict(hidden=1.5), "hidden=1.5"), (dict(lr=-1.0), "lr=-1.0"),
    (dict(batch=True), "batch=True"), (dict(seed=-1), "seed=-1"), (dict(split="holdout"), "split='holdout'"), (dict(alpha=1.5), "alpha=1.5"),
])
def test_bad_training_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        B.consistent(_scenario(sizes=(16, 8, 8)), **kwargs)


def test_bad_inputs_named():
    sc = _scenario(sizes=(16, 8, 8))
    with pytest.raises(InputError, match="sc: expected a Scenario"):
        B.model_only("not a scenario")
    with pytest.raises(InputError, match="model: expected a CapabilityModel"):
        B.pooled_weights(object(), sc)
    with pytest.raises(InputError, match=r"labelled=0\.0"):
        B.consistent_two_step(sc, labelled=0.0)
    with pytest.raises(InputError, match=r"labelled=0\.01"):
        B.consistent_impute(sc, labelled=0.01)
