"""run_admissions / adaptive_gain against an independent scikit-learn + NumPy pipeline on the same
draws; Corollary 6's identity; jit/vmap; no retrace; strict dtype promotion."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from hai_sim import ensemble as E
from hai_sim.engine import trace_count
from hai_sim.ensemble.evaluate import _run_core

N_TRAIN, N_TEST = 400, 1000
SIZES = dict(n_train=N_TRAIN, n_test=N_TEST)


def _oracle(key, p, delta, alpha, q, tau):
    """The pipeline written independently: scikit-learn fits, NumPy metrics."""
    k_tr, k_te, k_route = jax.random.split(key, 3)
    tr = [np.asarray(v) for v in E.make_admissions(k_tr, N_TRAIN, p, delta, alpha)]
    te = [np.asarray(v) for v in E.make_admissions(k_te, N_TEST, p, delta, alpha)]
    flip = np.asarray(jax.random.uniform(k_route, (N_TEST,), dtype=float)) < q
    X, y, h, g, c = tr
    a = g if tau is None else c > tau
    specs = {"standard": (y, np.ones_like(c)), "single": (np.where(a, h, y), np.ones_like(c)),
             "aligned": (h, a * c), "complementary": (y, (~a) * (1 - c))}
    z = {}
    for name, (t, s) in specs.items():
        if s.sum() == 0:
            z[name] = np.zeros(N_TEST)
            continue
        m = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, t, sample_weight=s)
        z[name] = m.decision_function(te[0])
    Xt, yt, ht, gt, ct = te
    at = gt if tau is None else ct > tau
    P = {k: (v > 0).astype(int) for k, v in z.items()}
    P["oracle"] = np.where(at, P["aligned"], P["complementary"])
    P["adapt"] = np.where(at ^ flip, P["aligned"], P["complementary"])
    rrs = np.abs(z["aligned"]) >= np.abs(z["complementary"])
    P["rrs"] = np.where(rrs, P["aligned"], P["complementary"])
    out = {}
    for k, pred in P.items():
        out[f"acc_rt_{k}"] = np.mean(np.where(at, pred == ht, pred == yt))
        # CGPR by its definition: human on D_a; on D_c the AI with prob. r (agreement on D_a).
        r = np.mean(pred[at] == ht[at]) if at.any() else 1.0
        correct = np.where(at, ht == yt, r * (pred == yt) + (1 - r) * (ht == yt))
        out[f"team_acc_{k}"] = correct.mean()
        if k == "oracle":
            out["r_oracle"] = r
    out["route_agree_rrs"] = np.mean(rrs == at)
    out["team_acc_human"] = np.mean(ht == yt)
    return out


CASES = [  # (p, delta, alpha, q, tau)
    (0.5, 0.25, 1.0, 0.0, None),
    (0.3, 0.4, 0.8, 0.2, None),
    (0.6, 0.1, 0.9, 0.1, 0.75),
    (0.5, 0.25, 0.9, 0.0, 1.0),  # τ at the edge: D_a empty
]


@pytest.mark.parametrize("case", CASES)
def test_run_admissions_matches_independent_pipeline(case):
    p, delta, alpha, q, tau = case
    key = jax.random.key(7)
    m = E.run_admissions(key, p, delta, alpha, q, tau, **SIZES)
    ref = _oracle(key, p, delta, alpha, q, tau)
    for name, value in ref.items():
        # Fits agree to ~1e-7; a test point within that of a boundary could flip: allow one point.
        assert float(m[name]) == pytest.approx(value, abs=1.5 / N_TEST), name
    assert bool(m.empty_region) == (tau == 1.0)
    assert all(np.isfinite(np.asarray(v)).all() for v in m)


def test_corollary6_identity_gain_linear_in_q():
    # Γ(q) = Γ(0) − q Δ (eq. 44): Monte Carlo over the routing flips with the data fixed.
    key = jax.random.key(3)
    base = E.run_admissions(key, **SIZES)
    gamma0 = float(base.acc_rt_oracle - base.acc_rt_single)
    q = 0.3
    route_keys = jax.random.split(jax.random.key(9), 64)
    flips = jax.vmap(lambda k: jax.random.uniform(k, (N_TEST,), dtype=float) < q)(route_keys)
    # Independent: re-route by hand with fresh flips and the fitted specialists' predictions.
    d_te = E.make_admissions(jax.random.split(key, 3)[1], N_TEST)
    d_tr = E.make_admissions(jax.random.split(key, 3)[0], N_TRAIN)
    th = E.train_paradigms(d_tr)
    Z = jnp.column_stack([jnp.ones(N_TEST), d_te.X])
    pa, pc = (Z @ th.aligned > 0).astype(jnp.int32), (Z @ th.complementary > 0).astype(jnp.int32)
    target = jnp.where(d_te.in_Da, d_te.h, d_te.y)
    single = float(base.acc_rt_single)
    gains = [float(jnp.mean(jnp.where(d_te.in_Da ^ f, pa, pc) == target)) - single for f in flips]
    se = np.std(gains, ddof=1) / np.sqrt(len(gains))
    assert abs(np.mean(gains) - (gamma0 - q * float(base.Delta))) < 4 * se + 1e-12
    assert float(base.Delta) > 0.25  # the identity has power: Δ ≈ 0.33 at the defaults


def test_vmap_over_keys_and_all_parameters_matches_loop():
    keys = jax.random.split(jax.random.key(0), 3)
    ps = jnp.array([0.3, 0.5, 0.7])
    deltas = jnp.array([0.1, 0.25, 0.4])
    alphas = jnp.array([0.6, 0.8, 1.0])
    qs = jnp.array([0.0, 0.1, 0.2])
    taus = jnp.array([0.5, 0.65, 0.8])
    acs = jnp.array([0.3, 0.5, 0.7])
    f = jax.jit(jax.vmap(lambda k, p, d, a, q, t, ac: E.run_admissions(k, p, d, a, q, t, alpha_c=ac, **SIZES)))
    # Under strict dtype promotion too: one compile of the pipeline checks both properties.
    with jax.numpy_dtype_promotion("strict"):
        batched = f(keys, ps, deltas, alphas, qs, taus, acs)
    for i in range(3):
        one = E.run_admissions(keys[i], float(ps[i]), float(deltas[i]), float(alphas[i]), float(qs[i]),
                               float(taus[i]), alpha_c=float(acs[i]), **SIZES)
        for name in one.keys():
            np.testing.assert_allclose(np.asarray(batched[name][i]), np.asarray(one[name]), atol=1e-12)


def test_second_call_does_not_retrace():
    E.run_admissions(jax.random.key(1), 0.4, **SIZES)
    before = trace_count(_run_core)
    E.run_admissions(jax.random.key(2), 0.6, 0.3, 0.9, 0.1, **SIZES)
    assert trace_count(_run_core) == before


def test_strict_dtype_promotion():
    # run_admissions itself is compiled under strict promotion in the vmap test above.
    with jax.numpy_dtype_promotion("strict"):
        d = E.make_admissions(jax.random.key(0), 200)
        loss = E.team_loss(d.h, d.y, d.h, d.in_Da)
        b = E.fit_wlr(d.X, d.y, d.conf)
    assert np.isfinite(float(loss)) and np.all(np.isfinite(np.asarray(b)))
