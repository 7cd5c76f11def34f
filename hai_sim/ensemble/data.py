"""The college-admissions generator (spec §2.6) [P; sizes and the clip of C^h are R]."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, jit_core, named_result

from .params import Population, make_population

__all__ = ["Admissions", "make_admissions"]


@named_result
class Admissions(NamedTuple):
    """One admissions data set of n applicants.

    Attributes:
        X: (n, 2) float, columns [x_GPA, x_Score] ~ U[0, 1].
        y: (n,) int32 ground truth, 1 = admit.
        h: (n,) int32 human judgement (correct with prob. α on D_a, α_c on D_c; else the other class).
        in_Da: (n,) bool, applicant in the privileged group a (the alignment region by group).
        conf: (n,) float human confidence C^h ~ U[acc − w, acc + w] clipped to [0, 1].
    """

    X: jax.Array
    y: jax.Array
    h: jax.Array
    in_Da: jax.Array
    conf: jax.Array


def _admissions(key: jax.Array, pop: Population, n: int) -> Admissions:
    """Unchecked kernel (one draw of (4, n) uniforms: gpa, score, group, human coin; + confidence)."""
    u = jax.random.uniform(key, (5, n), dtype=float)
    gpa, score = u[0], u[1]
    in_Da = u[2] < pop.p
    hi, lo = 0.5 + pop.delta, 0.5 - pop.delta
    y = jnp.where(in_Da, hi * score + lo * gpa, hi * gpa + lo * score) >= 0.5
    acc = jnp.where(in_Da, pop.alpha, pop.alpha_c)
    h = jnp.where(u[3] < acc, y, ~y)
    conf = jnp.clip(acc + pop.conf_width * (2.0 * u[4] - 1.0), 0.0, 1.0)
    X = jnp.stack([gpa, score], axis=-1)
    return Admissions(X, y.astype(jnp.int32), h.astype(jnp.int32), in_Da, conf)


_admissions_core = jit_core(_admissions, static_argnames=("n",))


def make_admissions(key, n=4000, p=0.5, delta=0.25, alpha=1.0, *, alpha_c=0.5, conf_width=0.1) -> Admissions:
    """Draw n applicants of the admissions task (spec §2.6).

    x_GPA, x_Score ~ U[0, 1]; group a (→ D_a) with prob. p; on D_a
    y = 1[(0.5+δ) x_Score + (0.5−δ) x_GPA ≥ 0.5], on D_c the roles of the features swap; the human
    is right with prob. α on D_a and α_c on D_c (a wrong answer is the other class); C^h is uniform
    on [acc − w, acc + w] clipped to [0, 1].

    Args:
        key: a PRNG key (typed or raw). n: static sample size (≥ 1).
        p ∈ [0, 1], delta ∈ [0, 0.5], alpha ∈ [0.5, 1], alpha_c ∈ [0, 1], conf_width ∈ [0, 0.5].
    Returns:
        :class:`Admissions` (X (n, 2), y (n,), h (n,), in_Da (n,), conf (n,)).
    """
    if not isinstance(n, int) or n < 1:
        raise InputError(f"n={n!r} is outside the allowed range: an integer >= 1")
    pop = make_population(p, delta, alpha, alpha_c=alpha_c, conf_width=conf_width)
    return _admissions_core(key, pop, n=n)
