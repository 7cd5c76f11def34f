"""Ability profiles and noise laws (spec §1.3): mean ability, moments, CDF and quantile of X.

Per-level primitives take the static family name and float arrays that broadcast together; the
``subskill_*`` functions apply a :class:`Worker`'s two :class:`Level` s to the (2, n) difficulty array of a
job, returning (2, n) arrays (row 0 decision level, row 1 action level).
"""

from __future__ import annotations

import jax.numpy as jnp
from jax.scipy.special import ndtr, ndtri

from typing import NamedTuple

import jax

from hai_sim.engine import InputError, named_result
from hai_sim.engine.special import normal_pdf


@named_result
class Moments(NamedTuple):
    """Mean, variance, third and fourth cumulants (arrays of one shape)."""

    mean: jax.Array
    var: jax.Array
    k3: jax.Array
    k4: jax.Array

# Truncation limits in standard units beyond which the normal density is exactly 0 in float64:
# clipping there keeps alpha**k * phi(alpha) finite (0, not inf * 0) as sigma -> 0.
_Z_CLIP = 40.0


def ability_mean(profile: str, a, c, beta, s):
    """Mean ability E(s): linear ``c - (1 - a) s`` or polynomial ``1 - s**beta`` [P].

    0**0 = 1 (ERRATA 7), computed with a safe power so that d/d beta is finite at s = 0.
    """
    if profile == "linear":
        return c - (1.0 - a) * s
    if profile == "polynomial":
        pos = s > 0
        power = jnp.where(pos, jnp.where(pos, s, 1.0) ** beta, jnp.where(beta == 0, 1.0, 0.0))
        return 1.0 - power
    raise InputError(f"profile={profile!r}: must be one of 'linear', 'polynomial'")


def _tn_standard(E, sigma):
    """Standardised truncation limits (alpha, beta), mass Z and a safe sigma (1 where sigma = 0)."""
    sig = jnp.where(sigma > 0, sigma, 1.0)
    al = jnp.clip(-E / sig, -_Z_CLIP, 0.0)
    be = jnp.clip((1.0 - E) / sig, 0.0, _Z_CLIP)
    return al, be, ndtr(be) - ndtr(al), sig


def law_moments(law: str, E, sigma) -> Moments:
    """:class:`Moments` (mean, var, k3, k4) of X for noise ``law`` at mean ability E [D].

    uniform: X = E + min(E, 1 - E) U, U ~ Unif[-sigma, sigma];
    truncnorm: X ~ N(E, sigma^2) conditioned on [0, 1] [R] (its mean is not E unless E = 1/2).
    """
    if law == "uniform":
        r = jnp.minimum(E, 1.0 - E)
        b2 = (sigma * r) ** 2
        return Moments(E, b2 / 3.0, jnp.zeros_like(b2), -2.0 * b2 * b2 / 15.0)
    if law == "truncnorm":
        al, be, Z, sig = _tn_standard(E, sigma)
        pa, pb = normal_pdf(al), normal_pdf(be)
        # Raw moments of the standard normal truncated to [al, be]: m_k = (k-1) m_{k-2} + (al^{k-1} phi(al) - be^{k-1} phi(be)) / Z.
        m1 = (pa - pb) / Z
        m2 = 1.0 + (al * pa - be * pb) / Z
        m3 = 2.0 * m1 + (al**2 * pa - be**2 * pb) / Z
        m4 = 3.0 * m2 + (al**3 * pa - be**3 * pb) / Z
        c2 = m2 - m1**2
        c3 = m3 - 3.0 * m1 * m2 + 2.0 * m1**3
        c4 = m4 - 4.0 * m1 * m3 + 6.0 * m1**2 * m2 - 3.0 * m1**4
        k4 = c4 - 3.0 * c2**2
        live = sigma > 0
        return Moments(
            jnp.where(live, E + sig * m1, E),
            jnp.where(live, sig**2 * c2, 0.0),
            jnp.where(live, sig**3 * c3, 0.0),
            jnp.where(live, sig**4 * k4, 0.0),
        )
    raise InputError(f"law={law!r}: must be one of 'uniform', 'truncnorm'")


def law_quantile(law: str, E, sigma, u):
    """Quantile Q(u) of X, non-decreasing in E (stochastic dominance, spec §1.3) and in u."""
    if law == "uniform":
        return E + sigma * jnp.minimum(E, 1.0 - E) * (2.0 * u - 1.0)
    if law == "truncnorm":
        al, be, Z, sig = _tn_standard(E, sigma)
        # Work from the nearer end of [0, 1] so that ndtri never sees a probability rounded to 1.
        lower = E + sig * ndtri(jnp.clip(ndtr(al) + u * Z, 1e-300, 1.0))
        upper = E - sig * ndtri(jnp.clip(ndtr(-be) + (1.0 - u) * Z, 1e-300, 1.0))
        q = jnp.where(E <= 0.5, lower, upper)
        return jnp.where(sigma > 0, jnp.clip(q, 0.0, 1.0), E)
    raise InputError(f"law={law!r}: must be one of 'uniform', 'truncnorm'")


def law_cdf(law: str, E, sigma, x):
    """CDF Pr[X <= x] of the performance X (a step at E when the noise vanishes)."""
    if law == "uniform":
        half = sigma * jnp.minimum(E, 1.0 - E)
        safe = jnp.where(half > 0, half, 1.0)
        return jnp.where(half > 0, jnp.clip((x - E) / (2.0 * safe) + 0.5, 0.0, 1.0), (x >= E).astype(float))
    if law == "truncnorm":
        al, be, Z, sig = _tn_standard(E, sigma)
        zx = jnp.clip((x - E) / sig, al, be)
        return jnp.where(sigma > 0, jnp.clip((ndtr(zx) - ndtr(al)) / Z, 0.0, 1.0), (x >= E).astype(float))
    raise InputError(f"law={law!r}: must be one of 'uniform', 'truncnorm'")


def law_support(law: str, E, sigma):
    """(lo, hi): an interval holding all of X's mass."""
    if law == "uniform":
        half = sigma * jnp.minimum(E, 1.0 - E)
        return E - half, E + half
    if law == "truncnorm":
        return jnp.where(sigma > 0, 0.0, E), jnp.where(sigma > 0, 1.0, E)
    raise InputError(f"law={law!r}: must be one of 'uniform', 'truncnorm'")


def _per_level(worker, fn):
    rows = [fn(lv, i) for i, lv in enumerate(worker.levels)]
    if isinstance(rows[0], tuple):
        stacked = tuple(jnp.stack([r0, r1]) for r0, r1 in zip(*rows))
        return Moments(*stacked) if isinstance(rows[0], Moments) else stacked
    return jnp.stack(rows)


def level_mean(lv, s):
    """E_l(s) for one :class:`~hai_sim.integration.params.Level` (the location of X)."""
    return ability_mean(lv.profile, lv.a, lv.c, lv.beta, s)


def subskill_moments(worker, s):
    """:class:`Moments` of X_{jl}, each (2, n)."""
    return _per_level(worker, lambda lv, i: law_moments(lv.law, level_mean(lv, s[i]), lv.sigma))


def subskill_quantile(worker, s, u):
    """X_{jl} = Q_{jl}(u) for uniforms ``u`` of shape (..., 2, n); returns the same shape."""

    def level(lv, i):
        E = level_mean(lv, s[i])
        E = E.reshape((1,) * (u.ndim - 2) + E.shape)
        return law_quantile(lv.law, E, lv.sigma, u[..., i, :])

    return jnp.stack([level(lv, i) for i, lv in enumerate(worker.levels)], axis=-2)


def subskill_cdf(worker, s, x):
    """Pr[X_{jl} <= x] for x of shape (2, n, ...) (trailing axes broadcast over evaluation points)."""

    def level(lv, i):
        E = level_mean(lv, s[i])
        shape = E.shape + (1,) * (x.ndim - 2)
        return law_cdf(lv.law, E.reshape(shape), jnp.reshape(lv.sigma, ()), x[i])

    return jnp.stack([level(lv, i) for i, lv in enumerate(worker.levels)])


def subskill_support(worker, s):
    """(lo, hi), each (2, n): intervals holding all the mass of X_{jl}."""
    return _per_level(worker, lambda lv, i: law_support(lv.law, level_mean(lv, s[i]), lv.sigma))
