"""engine.special against scipy's independent normal law, in both tails and at the infinities."""

import numpy as np
import pytest
import scipy.stats

from hai_sim.engine.special import normal_cdf, normal_pdf


def test_normal_cdf_matches_scipy_in_both_tails():
    z = np.concatenate([np.linspace(-37.0, 8.0, 901), [0.0]])
    got = np.asarray(normal_cdf(z))
    want = scipy.stats.norm.cdf(z)
    # relative, so the far lower tail (down to ~1e-300) is checked to full precision too
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_normal_cdf_limits_and_pdf():
    np.testing.assert_array_equal(np.asarray(normal_cdf(np.array([-np.inf, np.inf]))), [0.0, 1.0])
    z = np.linspace(-10.0, 10.0, 201)
    np.testing.assert_allclose(np.asarray(normal_pdf(z)), scipy.stats.norm.pdf(z), rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    assert normal_cdf(np.ones(3, dtype)).dtype == dtype
