"""Property tests on random valid parameters (hypothesis): invariants of the model and its solvers."""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hai_sim import delegation as D

BETA = jnp.linspace(0.005, 3.0, 64)[:, None]
THETA = jnp.linspace(0.0017, 0.9971, 33)[None, :]


@st.composite
def valid_params(draw):
    p_w = draw(st.floats(0.5, 0.95))
    p_a = draw(st.floats(0.2, 0.9))
    b_w = draw(st.floats(5.0, 40.0))
    l_w = draw(st.floats(0.0, 20.0))
    rho = draw(st.floats(0.2, 1.0))
    extra_b = draw(st.floats(0.0, 10.0))
    extra_l = draw(st.floats(0.0, 10.0))
    # K below s_w p_w keeps B_w >= 0 on [0, 1] (Assumption 3.3's premise)
    K = draw(st.floats(1.0, 0.95 * (b_w + l_w) * p_w))
    return dict(p_w=p_w, p_a=p_a, b_w=b_w, l_w=l_w, b_I=b_w + extra_b, l_I=l_w + extra_l, rho=rho, K=K,
                c_v=draw(st.floats(0.2, 3.0)), tau=draw(st.floats(5.0, 40.0)),
                detection=draw(st.sampled_from(["inverse_linear", "exponential"])),
                V=draw(st.one_of(st.just(float("inf")), st.floats(0.3, 10.0))))


@jax.jit
def _everything(p):
    qc = D.quality(p, BETA, THETA, method="closed")
    qb = D.quality(p, BETA, THETA, method="bisection")
    s = D.separatrices(p, THETA[0])
    reg_sep = D.regime_from_separatrices(p, BETA, THETA, {k: (v[None, :] if v.ndim else v) for k, v in s.items()})
    return qc, qb, s, reg_sep


@settings(max_examples=30, deadline=None)
@given(valid_params())
def test_invariants_on_random_parameters(kw):
    p = D.make_params(**kw)
    qc, qb, s, reg_sep = jax.tree_util.tree_map(np.asarray, _everything(p))
    # closed form and general solver agree
    np.testing.assert_allclose(qc["v_star"], qb["v_star"], atol=1e-8 * (1 + np.abs(qc["v_star"]).max()))
    np.testing.assert_allclose(qc["Q"], qb["Q"], atol=1e-8 * (1 + np.abs(qc["Q"]).max()))
    # d* non-decreasing in beta, non-increasing in theta (Lemma 3.9, Theorem 3.1)
    d = qc["d"]
    assert (np.diff(d, axis=0) >= 0).all() and (np.diff(d, axis=1) <= 0).all()
    # Theorem 3.1 classification equals the solver's regimes away from the separatrices
    b = np.asarray(BETA)
    near = np.zeros(d.shape, bool)
    for k in ("beta_1", "beta_2"):
        near |= np.abs(b - np.nan_to_num(s[k], nan=np.inf)[None, :]) < 1e-6 * (1 + b)
    assert (reg_sep == qc["regime"])[~near].all()
    # where delegating, quality is non-decreasing in beta (Lemma 3.10)
    Q = qc["Q"]
    both = (d[1:] == 1) & (d[:-1] == 1)
    assert (np.diff(Q, axis=0)[both] >= -1e-9 * (1 + np.abs(Q).max())).all()
