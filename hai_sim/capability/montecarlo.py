"""Monte Carlo twin of the team accuracy (spec §3.3): simulate the AI noise and the expert's vote.

Common random numbers: every parameter point uses the same draws (the key is not folded with the
point), so differences between points carry no sampling noise from the draws themselves.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax

from hai_sim.engine import Estimate, jit_core

from ._checks import check_choice, check_grid, check_int_range, check_range
from .theory import EXPERTS

__all__ = ["team_accuracy_mc"]

_CHUNK = 2**14


def _hits(key, alpha, n: int, K, p, sigma, expert: str, size: int):
    """Correct team decisions among ``size`` simulated instances (E = {0..K−1} by symmetry)."""
    k_y, k_z, k_r, k_g = jax.random.split(key, 4)
    y = jax.random.randint(k_y, (size,), 0, n)
    z = jax.random.normal(k_z, (size, n), jnp.float64)
    right = jax.random.uniform(k_r, (size,), jnp.float64) < p
    u = jax.random.uniform(k_g, (size,), jnp.float64)
    if expert == "paper41":
        guess = jnp.floor(K + u * (n - K))  # uniform over the classes outside E
    else:
        guess = jnp.floor(u * n)  # uniform over all n classes
    guess = jnp.minimum(guess, n - 1.0).astype(y.dtype)
    in_E = y.astype(jnp.float64) < K
    vote = jnp.where(in_E | right, y, guess)
    classes = jnp.arange(n)[None, :]
    e_y = (classes == y[:, None]).astype(jnp.float64)
    e_h = (classes == vote[:, None]).astype(jnp.float64)
    b = alpha * (e_y + sigma * z) + (1.0 - alpha) * e_h
    return jnp.argmax(b, axis=-1) == y


@jit_core(static_argnames=("n", "expert", "n_samples"))
def _mc_core(key, alpha, K, p, sigma_D, *, n, expert, n_samples):
    args = [jnp.asarray(a).astype(jnp.float64) for a in (alpha, K, p, sigma_D)]
    shape = jnp.broadcast_shapes(*(a.shape for a in args))
    flat = [jnp.broadcast_to(a, shape).reshape(-1) for a in args]
    chunk = min(n_samples, _CHUNK)
    n_chunks = math.ceil(n_samples / chunk)

    def one_point(point):
        a, k, p_, s_D = point

        def add(total, c):
            hits = _hits(jax.random.fold_in(key, c), a, n, k, p_, s_D / math.sqrt(2.0), expert, chunk)
            valid = c * chunk + jnp.arange(chunk) < n_samples
            return total + jnp.sum(hits & valid, dtype=jnp.int32), None

        total, _ = lax.scan(add, jnp.zeros((), jnp.int32), jnp.arange(n_chunks))
        return total

    totals = lax.map(one_point, tuple(flat)).reshape(shape)
    mean = totals.astype(jnp.float64) / n_samples
    return Estimate(mean, jnp.sqrt(mean * (1.0 - mean) / n_samples))


def team_accuracy_mc(key, alpha, n, K, p, sigma_D, *, expert: str = "paper41", n_samples: int = 2**20) -> Estimate:
    """Monte Carlo estimate of the team accuracy P1 (spec §3.3): AI scores ``e_y + σZ``
    (σ = σ_D/√2), one expert vote (``expert`` as in :func:`human_accuracy`), decision
    ``argmax α·AI + (1−α)·vote``.

    Args:
        key: a JAX PRNG key (the same draws serve every parameter point).
        alpha, K, p, sigma_D: broadcastable arrays (jit/vmap-able); K integer in [0, n].
        n: number of options, a concrete Python int ≥ 2 (static here, unlike the closed forms).
        n_samples: instances per point.
    Returns:
        :class:`~hai_sim.engine.Estimate` ``(mean, se)``, float64, shape = broadcast of the
        parameters; ``se = sqrt(mean(1−mean)/n_samples)``.
    """
    check_choice("expert", expert, EXPERTS)
    check_grid(n, "n", 2)
    check_grid(n_samples, "n_samples", 1)
    check_range("alpha", alpha, 0.0, 1.0)
    check_int_range("K", K, 0, n, hi_name="n")
    check_range("p", p, 0.0, 1.0)
    check_range("sigma_D", sigma_D, 0.0, lo_open=True)
    return _mc_core(key, alpha, K, p, sigma_D, n=int(n), expert=expert, n_samples=int(n_samples))

