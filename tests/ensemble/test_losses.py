"""Eq. 3 against hand-computed team losses and Monte Carlo; Prop. 5 weights against sampled thresholds."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import ensemble as E


def test_team_loss_by_hand():
    # N = 8; D_a = first 4. Human wrong on instance 1 (D_a) and 5, 6 (D_c); model wrong on 0 (D_a),
    # 4 (D_c); model disagrees with the human on D_a at 0 and 1 -> L_h = 2/4.
    y = np.array([1, 0, 1, 0, 1, 1, 0, 0])
    h = np.array([1, 1, 1, 0, 1, 0, 1, 0])
    m = np.array([0, 0, 1, 0, 0, 1, 0, 0])
    in_Da = np.array([True] * 4 + [False] * 4)
    L_ah, L_ch, L_cm, L_ham = 1 / 8, 2 / 8, 1 / 8, 2 / 4
    expected = L_ah + L_cm + (L_ch - L_cm) * L_ham  # 0.3125
    rl = E.region_losses(m, y, h, in_Da)
    np.testing.assert_allclose(np.asarray(rl), [L_ah, L_ch, L_cm, L_ham], atol=1e-15)
    assert float(E.team_loss(m, y, h, in_Da)) == pytest.approx(expected, abs=1e-15)
    # The accuracy form: p̂ acc_h|Da + (1 − p̂)[r acc_m|Dc + (1 − r) acc_h|Dc], r = 1/2.
    acc = 0.5 * (3 / 4) + 0.5 * (0.5 * (3 / 4) + 0.5 * (2 / 4))
    assert 1 - float(E.team_loss(m, y, h, in_Da)) == pytest.approx(acc, abs=1e-15)
    # CGR = r fixed at 1: L(D_a,h) + L(D_c,m).
    assert float(E.team_loss(m, y, h, in_Da) - (L_ch - L_cm) * L_ham) == pytest.approx(L_ah + L_cm)


def test_accepts_bool_float_int_labels():
    y = np.array([1, 0, 1, 0])
    h = np.array([1, 1, 1, 0])
    m = np.array([0, 0, 1, 0])
    a = np.array([True, True, False, False])
    ref = float(E.team_loss(m, y, h, a))
    assert float(E.team_loss(m.astype(bool), y.astype(float), h, a)) == ref


def test_empty_alignment_region_uses_r_empty():
    y, h, m = np.array([1, 0, 1]), np.array([0, 0, 1]), np.array([1, 1, 1])
    a = np.zeros(3, bool)
    # All in D_c: loss = L_ch + (L_cm − L_ch) r.
    L_ch, L_cm = 1 / 3, 1 / 3 * 1
    for r in (1.0, 0.25):
        got = float(E.team_loss(m, y, h, a, r_empty=r))
        assert got == pytest.approx(L_ch + (L_cm - L_ch) * r)
        assert np.isfinite(got)


def _instance(n=1000):
    # §3 recipe: α = 0.85 on D_a, 0.55 on D_c, fixed linear model, τ = 0.7.
    d = E.make_admissions(jax.random.key(11), n, 0.5, 0.25, 0.85, alpha_c=0.55)
    theta = jnp.array([-5.0, 5.5, 5.5])
    pred = ((d.X @ theta[1:] + theta[0]) > 0).astype(jnp.int32)
    return d, pred


def test_eq3_equals_monte_carlo_fixed_tau():
    d, pred = _instance()
    in_Da = d.conf > 0.7
    formula = float(E.team_loss(pred, d.y, d.h, in_Da))
    mc = E.team_loss_mc(jax.random.key(1), pred, d.y, d.h, in_Da, n_rep=1000)
    assert abs(float(mc.mean) - formula) < 4 * float(mc.se), (formula, mc)
    assert float(mc.se) < 5e-4


def test_eq3_expected_weights_equal_monte_carlo_random_tau():
    d, pred = _instance()
    w_a = E.weights_from_FT(d.conf, 0.6, 0.8)
    formula = float(E.team_loss(pred, d.y, d.h, w_a=w_a))
    mc = E.team_loss_mc(jax.random.key(2), pred, d.y, d.h, None, n_rep=1000, conf=d.conf, tau_law=(0.6, 0.8))
    assert abs(float(mc.mean) - formula) < 4 * float(mc.se), (formula, mc)
    # Not the same number as the fixed-τ (0.7) loss: the test has power to see the τ law.
    assert abs(formula - float(E.team_loss(pred, d.y, d.h, d.conf > 0.7))) > 10 * float(mc.se)


@pytest.mark.parametrize("lo,hi", [(0.6, 0.8), (0.0, 1.0)])
def test_prop5_weights_equal_sampled_threshold_frequencies(lo, hi):
    conf = jnp.linspace(0.0, 1.0, 41)
    taus = jax.random.uniform(jax.random.key(5), (200_000, 1), minval=lo, maxval=hi, dtype=float)
    freq = jnp.mean((conf[None, :] > taus).astype(float), axis=0)
    np.testing.assert_allclose(np.asarray(E.weights_from_FT(conf, lo, hi)), np.asarray(freq), atol=5e-3)
    if (lo, hi) == (0.0, 1.0):  # uniform τ on [0, 1]: w^c = 1 − C (Mahmood et al.)
        np.testing.assert_allclose(1 - np.asarray(E.weights_from_FT(conf, lo, hi)), 1 - np.asarray(conf), atol=1e-15)


def test_dominance_identity_on_random_loss_tuples():
    # §1.5 [D]: the eq.-3 difference of the ensemble and a single model, by brute force.
    rng = np.random.default_rng(0)
    L_ah, B, L_cmc, L_cm, Lh_a, Lh = rng.uniform(0, 1, (6, 100_000))
    team = lambda L_cm_, L_ham_: L_ah + L_cm_ + (B - L_cm_) * L_ham_  # noqa: E731
    direct = team(L_cmc, Lh_a) - team(L_cm, Lh)
    np.testing.assert_allclose(np.asarray(E.dominance_gap(B, L_cmc, Lh_a, Lh, L_cm)), direct, atol=1e-12)
