"""Bad input: an InputError naming the parameter, its value and the allowed range, before compiling."""

import jax
import numpy as np
import pytest

from hai_sim import InputError
from hai_sim import ensemble as E
from hai_sim.engine import trace_count
from hai_sim.ensemble.evaluate import _run_core

KEY = jax.random.key(0)
Y = np.array([1, 0, 1, 0])
H = np.array([1, 1, 1, 0])
M = np.array([0, 0, 1, 0])
A = np.array([True, True, False, False])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: E.make_admissions(KEY, 10, p=1.2), r"p=1\.2.*\[0, 1\]"),
        (lambda: E.make_admissions(KEY, 10, delta=0.6), r"delta=0\.6.*\[0, 0\.5\]"),
        (lambda: E.make_admissions(KEY, 10, alpha=0.4), r"alpha=0\.4.*\[0\.5, 1\]"),
        (lambda: E.make_admissions(KEY, 10, alpha_c=-0.1), r"alpha_c=-0\.1.*\[0, 1\]"),
        (lambda: E.make_admissions(KEY, 0), r"n=0"),
        (lambda: E.run_admissions(KEY, p=0.0), r"p=0\.0.*\(0, 1\)"),
        (lambda: E.run_admissions(KEY, p=1.0), r"p=1\.0.*\(0, 1\)"),
        (lambda: E.run_admissions(KEY, q=0.6), r"q=0\.6.*\[0, 0\.5\]"),
        (lambda: E.run_admissions(KEY, tau=1.5), r"tau=1\.5.*\[0, 1\]"),
        (lambda: E.run_admissions(KEY, delta=np.nan), r"delta=nan"),
        (lambda: E.adaptive_gain(KEY, metric="accuracy"), r"metric='accuracy'.*'region_target', 'team'"),
        (lambda: E.adaptive_gain(KEY, alpha=1.1), r"alpha=1\.1"),
        (lambda: E.tradeoff_at_single(KEY, protocol="paper"), r"protocol='paper'.*'split', 'sklearn'"),
        (lambda: E.tradeoff_at_single(KEY, p=1.0), r"p=1\.0.*\(0, 1\)"),
        (lambda: E.team_loss(M, 2 * Y - 1, H, A), r"y=-1.*0 or 1.*±1"),
        (lambda: E.team_loss(M, Y, H + 1, A), r"h=2.*0 or 1"),
        (lambda: E.team_loss(M[:3], Y, H, A), r"mismatched lengths"),
        (lambda: E.team_loss(M, Y, H, A.astype(int)), r"in_Da.*bool"),
        (lambda: E.team_loss(M, Y, H), r"in_Da=None and w_a=None"),
        (lambda: E.team_loss(M, Y, H, w_a=np.array([0.5, 1.5, 0, 0])), r"w_a=1\.5.*\[0, 1\]"),
        (lambda: E.team_loss(M, Y, H, A, r_empty=2.0), r"r_empty=2\.0"),
        (lambda: E.team_loss_mc(KEY, M, Y, H, None, conf=np.ones(4), tau_law=(0.8, 0.6)), r"lo <= hi"),
        (lambda: E.fit_wlr(np.ones((4, 2)), Y, s=-np.ones(4)), r"s=-1\.0.*\[0, inf\]"),
        (lambda: E.fit_wlr(np.ones((4, 2)), Y, s=np.zeros(4)), r"all weights are zero"),
        (lambda: E.fit_wlr(np.ones((4, 2)), 2 * Y - 1), r"t=-1.*±1"),
        (lambda: E.fit_wlr(np.ones((4, 2)), Y[:3]), r"mismatched lengths"),
        (lambda: E.fit_wlr(np.ones((4, 2)), Y, C=0.0), r"C=0\.0"),
        (lambda: E.route_noisy(KEY, A, 0.7), r"q=0\.7.*\[0, 0\.5\]"),
        (lambda: E.weights_from_FT(np.array([0.5, 1.2]), 0.6, 0.8), r"conf=1\.2"),
    ],
)
def test_bad_input_is_refused_before_compiling(call, match):
    before = trace_count(_run_core)
    with pytest.raises(InputError, match=match):
        call()
    assert trace_count(_run_core) == before


def test_edge_tau_is_by_design_not_an_error():
    # τ = 0 puts everyone (C^h > 0) in D_a: the complementary model is empty -> θ = 0, flagged.
    m = E.run_admissions(KEY, tau=0.0, n_train=400, n_test=1000)
    assert bool(m.empty_region)
    assert all(np.isfinite(np.asarray(v)).all() for v in m)
    # Everyone in D_a: the team is the human alone.
    assert float(m.team_acc_oracle) == pytest.approx(float(m.team_acc_human))
