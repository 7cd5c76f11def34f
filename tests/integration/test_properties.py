"""Property tests (hypothesis): invariants of P over random workers and tolerances."""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hai_sim import integration as I

JOB = I.default_job()


@jax.jit
def _all_methods(a1, a2, sigma, tau):
    job = JOB.replace(tau=tau)
    w = I.linear_worker(a1, a2, sigma)
    return (I.success_probability(job, w, "exact"), I.success_probability(job, w, "edgeworth"),
            I.success_probability(job, I.linear_worker(a1 + 0.01, a2, sigma), "exact"))


unit = st.floats(0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(a1=unit, a2=unit, sigma=st.floats(0.005, 1.0), tau=st.floats(0.05, 0.6))
def test_exact_is_a_monotone_probability_close_to_edgeworth(a1, a2, sigma, tau):
    a1 = min(a1, 0.99)
    p, ew, p_up = (float(v) for v in _all_methods(jnp.float64(a1), jnp.float64(a2), jnp.float64(sigma), jnp.float64(tau)))
    assert -1e-10 <= p <= 1 + 1e-10
    assert p_up >= p - 1e-10  # spec §3.1 A2: non-decreasing in a_1
    assert abs(p - ew) < 2e-3  # Edgeworth is an approximation; 5e-5 holds at the default sigma (test_success)


@settings(max_examples=25, deadline=None)
@given(a2=st.floats(0.2, 0.9), sigma=st.floats(0.01, 1.0))
def test_half_at_the_critical_point(a2, sigma):
    w = I.linear_worker(0.5, a2, sigma)
    a1c = float(I.a1_critical(JOB, w))
    if 0.0 <= a1c <= 1.0:
        p = _all_methods(jnp.float64(a1c), jnp.float64(a2), jnp.float64(sigma), jnp.float64(0.25))[0]
        assert abs(float(p) - 0.5) < 1e-9
    else:
        assert np.isnan(float(I.transition_window(JOB, w, "a1", levels=(0.5,))[0]))
