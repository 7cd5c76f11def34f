"""WoofStandIn (SYNTHETIC stand-in for WoofNette, spec §5.2): generator law, specialists, CGPR scoring.

Oracles: scikit-learn's multinomial LogisticRegression (softmax regression), a NumPy forward pass
(MLP accuracy), the exact law of the annotators' modal share by enumeration, Monte Carlo with
stated standard errors (human accuracy, embedding noise, per-decision τ), the spec's formulas.
"""

import itertools
import math

import jax
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from hai_sim import ensemble as E
from hai_sim.engine import InputError
from hai_sim.ensemble.standin import _cgpr

K_SE = 4.0  # standard errors allowed for a Monte Carlo comparison


@pytest.fixture(scope="module")
def task():
    return E.make_woof_standin(jax.random.key(3), n_train=20000, n_test=10, sigma_off=0.9)


def test_confusion_matrix_is_the_spec_law():
    M = np.asarray(E.human_confusion())
    assert np.allclose(M.sum(1), 1.0)
    assert np.allclose(np.diag(M), [0.95] * 5 + [0.35] * 5)
    assert np.allclose(M[0, 1:5], 0.05 / 4) and np.allclose(M[5, 6:], 0.65 / 4)
    assert np.all(M[:5, 5:] == 0) and np.all(M[5:, :5] == 0)
    assert np.mean(np.diag(M)) == pytest.approx(0.65)  # overall ≈ the paper's 65 % human


def test_human_judgements_and_prior_follow_the_law(task):
    tr = task.train
    y, h, obj = (np.asarray(v) for v in (tr.y, tr.h, tr.is_object))
    n = y.size
    assert np.array_equal(obj, y < 5)
    counts = np.bincount(y, minlength=10)
    assert np.all(np.abs(counts / n - 0.1) <= K_SE * math.sqrt(0.09 / n))
    for mask, acc in ((obj, 0.95), (~obj, 0.35)):
        m = mask.sum()
        assert abs(np.mean(h[mask] == y[mask]) - acc) <= K_SE * math.sqrt(acc * (1 - acc) / m)
    assert np.all((h < 5) == obj)  # no confusion across groups


def _modal_share_law(row, n_ann=9):
    """Exact distribution of max count / n_ann for n_ann draws from ``row`` (enumerate compositions)."""
    k = len(row)
    law = {}
    for cut in itertools.combinations(range(n_ann + k - 1), k - 1):
        parts = np.diff((-1,) + cut + (n_ann + k - 1,)) - 1
        pr = math.factorial(n_ann) * np.prod([p**c / math.factorial(c) for p, c in zip(row, parts)])
        law[parts.max() / n_ann] = law.get(parts.max() / n_ann, 0.0) + pr
    return law


def test_agreement_matches_exact_multinomial_law(task):
    tr = task.train
    agree, obj = np.asarray(tr.agreement), np.asarray(tr.is_object)
    for mask, row in ((obj, [0.95] + [0.0125] * 4), (~obj, [0.35] + [0.1625] * 4)):
        law = _modal_share_law(row)
        assert sum(law.values()) == pytest.approx(1.0, abs=1e-12)
        m = mask.sum()
        for c in (5 / 9, 2 / 3, 1.0):  # P[C ≥ c] by enumeration vs Monte Carlo
            pr = sum(v for a, v in law.items() if a >= c - 1e-12)
            assert abs(np.mean(agree[mask] >= c - 1e-12) - pr) <= K_SE * math.sqrt(pr * (1 - pr) / m) + 1e-12
    # Ĉ^h = clip(C + N(0, 0.05²)): residual s.d. 0.05 where no clipping can occur.
    resid = (np.asarray(tr.conf) - agree)[(agree > 0.3) & (agree < 0.7)]
    assert resid.std() == pytest.approx(0.05, abs=K_SE * 0.05 / math.sqrt(2 * resid.size))


def test_region_mass_about_one_half(task):
    w_a = np.asarray(E.weights_from_FT(task.train.conf, 0.6, 0.8))
    assert 0.45 <= w_a.mean() <= 0.55  # spec §5.2: P(Ĉ^h > τ) ≈ 0.50, D_a ≈ objects
    assert w_a[np.asarray(task.train.is_object)].mean() > 0.9


def test_embedding_means_and_noise(task):
    mu = np.asarray(task.means)
    assert np.allclose(np.linalg.norm(mu, axis=1), 3.0)
    assert np.all(mu[:5, 16:] == 0) and np.all(mu[5:, :16] == 0)
    tr = task.train
    y, obj = np.asarray(tr.y), np.asarray(tr.is_object)
    R = np.asarray(tr.X) - mu[y]
    own = np.where(obj[:, None], R[:, :16], R[:, 16:]).ravel()
    off = np.where(obj[:, None], R[:, 16:], R[:, :16]).ravel()
    for r, sd in ((own, 1.6), (off, 0.9)):
        assert abs(r.mean()) <= K_SE * sd / math.sqrt(r.size)
        assert r.var() == pytest.approx(sd**2, abs=K_SE * sd**2 * math.sqrt(2 / r.size))


def test_softmax_regression_matches_sklearn_multinomial():
    rng = np.random.default_rng(0)
    n, d, k = 300, 4, 3
    X = rng.normal(size=(n, d))
    y = np.argmax(X @ rng.normal(size=(d, k)) + rng.gumbel(size=(n, k)), axis=1)
    s = rng.uniform(0.2, 2.0, n)
    l2 = 1e-2
    sk = LogisticRegression(C=1 / (l2 * s.sum()), tol=1e-12, max_iter=100000).fit(X, y, sample_weight=s)
    prm, losses = E.fit_softmax(X, np.eye(k)[y], s, l2=l2, lr=0.05, steps=2000)
    W, b = np.asarray(prm["W"]), np.asarray(prm["b"])
    assert np.max(np.abs(W - sk.coef_.T)) < 1e-6
    # Intercepts are identified only up to a common shift: compare probabilities.
    P = np.exp(X @ W + b)
    P /= P.sum(1, keepdims=True)
    assert np.max(np.abs(P - sk.predict_proba(X))) < 1e-6
    assert losses.shape == (2000,) and float(losses[-1]) < float(losses[0])


def test_mlp_learns_xor():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(400, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    T = np.eye(2)[y]
    model, losses = E.fit_mlp(jax.random.key(0), X, T, hidden=16, l2=0.0, lr=0.05, steps=400)
    losses = np.asarray(losses)
    assert losses[-1] < 0.5 * losses[0]
    # Accuracy by an independent NumPy forward pass through the trained weights.
    W1, b1 = np.asarray(model.hidden.kernel[...]), np.asarray(model.hidden.bias[...])
    W2, b2 = np.asarray(model.out.kernel[...]), np.asarray(model.out.bias[...])
    logits = np.tanh(X @ W1 + b1) @ W2 + b2
    assert np.allclose(logits, np.asarray(model(X)), atol=1e-10)
    assert np.mean(logits.argmax(1) == y) >= 0.95  # no linear rule exceeds ≈ 0.75 on XOR


def test_cgpr_expected_weights_match_per_decision_monte_carlo():
    """Oracle routing with the human's own τ draw (A17): expected-weight formula vs a NumPy simulation."""
    rng = np.random.default_rng(2)
    n, reps = 2000, 1000
    y = rng.integers(0, 10, n)
    h = np.where(rng.random(n) < 0.65, y, rng.integers(0, 10, n))
    pa = np.where(rng.random(n) < 0.8, h, rng.integers(0, 10, n))
    pc = np.where(rng.random(n) < 0.6, y, rng.integers(0, 10, n))
    conf = rng.random(n)
    w_a = np.clip((conf - 0.6) / 0.2, 0, 1)
    ai, team = _cgpr(pa, pc, y, h, w_a, 1 - w_a)
    tau = rng.uniform(0.6, 0.8, (reps, n))
    in_a = conf > tau
    routed = np.where(in_a, pa, pc)
    r = 1 - np.sum(in_a * (routed != h), 1) / in_a.sum(1)
    coin = rng.random((reps, n)) < r[:, None]
    correct = np.where(in_a, h == y, np.where(coin, routed == y, h == y)).mean(1)
    ai_mc = (routed == y).mean(1)
    for formula, mc in ((float(team), correct), (float(ai), ai_mc)):
        # r from each run's realised D_a (A18) differs from the expected-weight r by O(1/√|D_a|): 2e-3.
        assert abs(mc.mean() - formula) <= K_SE * mc.std(ddof=1) / math.sqrt(reps) + 2e-3


@pytest.mark.slow  # one full compile of the run (≈ 10 s); the registry's slow suite runs it too
def test_run_shapes_and_ranges():
    m = E.run_woof_standin(jax.random.key(0), 2, n_train=300, n_test=200, steps=5, ba_steps=5)
    assert isinstance(m, E.StandInMetrics)
    for name, v in m._asdict().items():
        v = np.asarray(v)
        assert v.shape == (2,) and v.dtype == np.float64, name
        assert np.all((v >= 0) & (v <= 1)), name


@pytest.mark.parametrize("call, word", [
    (lambda: E.make_woof_standin(jax.random.key(0), sigma_off=0.0), "sigma_off"),
    (lambda: E.make_woof_standin(jax.random.key(0), acc_breed=1.2), "acc_breed"),
    (lambda: E.make_woof_standin(jax.random.key(0), n_train=0), "n_train"),
    (lambda: E.fit_softmax(np.zeros((3, 2)), np.full((3, 2), 0.4)), "sum to 1"),
    (lambda: E.fit_softmax(np.zeros((3, 2)), np.eye(2)[[0, 1, 0]], s=np.zeros(3)), "all weights are zero"),
    (lambda: E.fit_softmax(np.zeros((3, 2)), np.eye(2)[[0, 1, 0]], lr=0.0), "lr"),
    (lambda: E.run_woof_standin(jax.random.key(0), family="tree"), "family"),
])
def test_bad_input_is_refused(call, word):
    with pytest.raises(InputError, match=word):
        call()
