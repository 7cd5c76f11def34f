"""Band-only evaluation (hai_sim.engine.band) against evaluating the expensive kernel everywhere."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.scipy.special import ndtr

from hai_sim.engine import InputError
from hai_sim.engine.band import band_evaluate, chunked_map

# A smooth step in (x, y) that is 0 or 1 to float64 precision far from the line x + y = 1: the
# "expensive" kernel is the exact step, the screen knows where it saturates.
WIDTH = 0.002


def step(x, y):
    z = (x + y - 1.0) / WIDTH
    return jnp.where(jnp.abs(z) > 40, (z > 0).astype(z.dtype), ndtr(z))


def screen(x, y):
    z = (x + y - 1.0) / WIDTH
    return jnp.abs(z) <= 40, (z > 0).astype(z.dtype)


@pytest.mark.parametrize("n, band_chunk", [(37, 5), (400, 4096), (1, 1)])
def test_band_only_equals_full_evaluation(n, band_chunk):
    rng = np.random.default_rng(n)
    x, y = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    full = np.asarray(jax.vmap(step)(jnp.asarray(x), jnp.asarray(y)))
    out = band_evaluate(step, screen, x, y, chunk_size=16, band_chunk_size=band_chunk)
    # Equal up to the rounding of a differently fused (jit vs eager) evaluation.
    np.testing.assert_allclose(out.values, full, rtol=1e-12, atol=1e-15)
    # The expensive kernel ran exactly where the screen asked for it.
    np.testing.assert_array_equal(out.inside, np.abs((x + y - 1.0) / WIDTH) <= 40)


def test_expensive_kernel_sees_only_band_points():
    seen = []

    def spy(x, y):
        jax.debug.callback(lambda v: seen.append(float(v)), x)
        return step(x, y)

    x = np.linspace(0, 1, 101)
    y = np.full(101, 0.5)
    out = band_evaluate(spy, screen, x, y, band_chunk_size=8)
    band = x[out.inside]
    assert 0 < band.size < 101
    # Padding repeats the last band point, so every point seen is a band point.
    assert set(np.round(seen, 12)) <= set(np.round(band, 12))
    np.testing.assert_array_equal(out.values[~out.inside], (x[~out.inside] + 0.5 > 1).astype(float))


def test_empty_band_and_empty_input():
    x = np.array([0.0, 0.1, 0.5, 0.8])
    out = band_evaluate(step, screen, x, np.zeros(4))
    assert not out.inside.any()
    np.testing.assert_array_equal(out.values, [0.0, 0.0, 0.0, 0.0])
    empty = band_evaluate(step, screen, np.zeros(0), np.zeros(0))
    assert empty.values.shape == (0,)


def test_chunked_map_matches_vmap_and_rejects_bad_points():
    x = np.linspace(0, 1, 23)
    np.testing.assert_allclose(chunked_map(step, x, 1 - x * 0.5, chunk_size=4),
                               np.asarray(jax.vmap(step)(jnp.asarray(x), jnp.asarray(1 - x * 0.5))), rtol=1e-14)
    with pytest.raises(InputError, match="1-D arrays of one length"):
        band_evaluate(step, screen, x, x[:5])
    with pytest.raises(InputError, match="band_chunk_size=0"):
        band_evaluate(step, screen, x, x, band_chunk_size=0)
