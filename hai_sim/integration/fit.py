"""Fitting linear ability profiles to per-task scores (spec §4.7).

``fit_linear_profile``: least squares of X = c - (1 - a) s (closed form, jit/vmap-able).
``posterior_linear_profile``: a numpyro NUTS posterior over (a, c, sigma) [R: the paper's fitting
loss is unknown]; the likelihood moment-matches the bounded uniform noise with a normal of
variance (sigma r)^2 / 3, r = min(E, 1 - E) (the exact uniform likelihood has hard edges that
HMC cannot cross). The prior keeps a + c >= 1: c ~ U(0, 1), a | c ~ U(1 - c, 1), sigma ~ U(0, 1).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_range, check_shape, is_concrete


@named_result
class LinearFit(NamedTuple):
    """Least-squares linear profile: a, c and the coefficient of determination R^2."""

    a: jax.Array
    c: jax.Array
    r2: jax.Array


def _check(s, scores):
    check_shape("scores", scores, np.shape(s))
    if np.ndim(s) != 1 or np.shape(s)[0] < 2:
        raise InputError(f"s has shape {np.shape(s)}: expected (k,) with k >= 2 tasks")
    check_range("s", s, 0.0, 1.0)
    check_range("scores", scores, 0.0, 1.0)
    if is_concrete(s) and np.ptp(np.asarray(s)) == 0:
        raise InputError("s: all difficulties are equal; the slope (1 - a) is not identified")


def fit_linear_profile(s, scores) -> LinearFit:
    """Least squares of scores = c - (1 - a) s over tasks: s, scores of shape (k,) -> LinearFit.

    a and c are returned unconstrained (a fitted a + c < 1 says the profile family does not fit).
    """
    _check(s, scores)
    s, x = jnp.asarray(s, dtype=float), jnp.asarray(scores, dtype=float)
    sm, xm = jnp.mean(s), jnp.mean(x)
    slope = jnp.sum((s - sm) * (x - xm)) / jnp.sum((s - sm) ** 2)
    c = xm - slope * sm
    resid = x - (c + slope * s)
    r2 = 1.0 - jnp.sum(resid**2) / jnp.sum((x - xm) ** 2)
    return LinearFit(1.0 + slope, c, r2)


def _model(s, scores):
    import numpyro
    import numpyro.distributions as dist

    with numpyro.plate("worker", scores.shape[0], dim=-2):
        c = numpyro.sample("c", dist.Uniform(0.0, 1.0))
        # a | c ~ U(1 - c, 1) written as a = 1 - c (1 - u): a fixed support for u keeps NUTS's
        # trajectories short (a c-dependent support makes a funnel).
        u = numpyro.sample("u", dist.Uniform(0.0, 1.0))
        a = numpyro.deterministic("a", 1.0 - c * (1.0 - u))
        sigma = numpyro.sample("sigma", dist.Uniform(0.0, 1.0))
        E = c - (1.0 - a) * s[None, :]
        sd = sigma * jnp.minimum(E, 1.0 - E) / jnp.sqrt(3.0) + 1e-6
        with numpyro.plate("task", scores.shape[1], dim=-1):
            numpyro.sample("scores", dist.Normal(E, sd), obs=scores)


def posterior_linear_profile(s, scores, *, key, num_warmup: int = 500, num_samples: int = 1000) -> dict:
    """NUTS posterior samples {"a", "c", "sigma"} for one worker (scores (k,): samples (num_samples,))
    or several workers at once (scores (W, k): samples (num_samples, W), one compilation)."""
    scores = np.asarray(scores, dtype=float)
    single = scores.ndim == 1
    rows = scores[None, :] if single else scores
    for row in rows:
        _check(s, row)
    check_range("num_warmup", num_warmup, 1, None)
    check_range("num_samples", num_samples, 1, None)
    from numpyro.infer import MCMC, NUTS

    mcmc = MCMC(NUTS(_model), num_warmup=num_warmup, num_samples=num_samples, progress_bar=False)
    mcmc.run(key, jnp.asarray(s, dtype=float), jnp.asarray(rows))
    out = {k: v[:, :, 0] for k, v in mcmc.get_samples().items() if k in ("a", "c", "sigma")}
    return {k: v[:, 0] for k, v in out.items()} if single else out
