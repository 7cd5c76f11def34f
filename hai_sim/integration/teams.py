"""Teams: merged workers, integration gain, productivity compression (spec §1.6-1.7).

* ``merge(W1, W2)`` = (alpha_1 of W1, alpha_2 of W2) [P]; each level keeps its owner's noise [R].
* ``merge(W1, W2, rule="best-of-both", job=job)``: per level the profile with the larger mu_l [R].
* AI assistance of a human H by a tool AI is ``merge(H, AI)`` (human decides, AI executes) [S/R].
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_choice
from hai_sim.integration.model import mu, success_probability
from hai_sim.integration.params import Job, Level, Worker

MERGE_RULES = ("decision-action", "best-of-both")


def merge(w1: Worker, w2: Worker, rule: str = "decision-action", *, job: Job | None = None) -> Worker:
    """Merged worker W_12 (a Worker pytree).

    ``"decision-action"``: decision level of ``w1``, action level of ``w2`` [P].
    ``"best-of-both"`` (needs ``job``): at each level the profile of the worker with the larger
    mu_l on this job [R]; both workers must share each level's profile family and noise law (the
    choice is made on traced values with ``jnp.where``).
    """
    check_choice("rule", rule, MERGE_RULES)
    if rule == "decision-action":
        return Worker(w1.decision, w2.action)
    if job is None:
        raise InputError("merge(rule='best-of-both'): job=None; the rule compares mu_l on a job")
    for l, (v1, v2) in enumerate(zip(w1.levels, w2.levels), start=1):
        for name in ("profile", "law"):
            if getattr(v1, name) != getattr(v2, name):
                raise InputError(
                    f"merge(rule='best-of-both'): {name}{l} differs ({getattr(v1, name)!r} vs {getattr(v2, name)!r}); "
                    "the rule needs the same family and law at each level"
                )
    mu1, mu2 = mu(job, w1), mu(job, w2)
    levels = []
    for i, (v1, v2) in enumerate(zip(w1.levels, w2.levels)):
        first = mu1[i] >= mu2[i]
        pick = {f: jnp.where(first, getattr(v1, f), getattr(v2, f)) for f in ("a", "c", "beta", "sigma")}
        levels.append(Level(**pick, profile=v1.profile, law=v1.law))
    return Worker(*levels)


@named_result
class IntegrationGain(NamedTuple):
    """Success of W1, W2 and the merged W12, and the gains derived from them (float64 scalars).

    delta = P_12 - max(P_1, P_2) [R definition, the heat maps]; over_w2 = P_12 - P_2 (Theorem 3.3);
    superadditive = P_12 - P_1 - P_2.
    """

    delta: jax.Array
    over_w2: jax.Array
    superadditive: jax.Array
    p1: jax.Array
    p2: jax.Array
    p12: jax.Array


def integration_gain(job: Job, w1: Worker, w2: Worker, *, rule: str = "best-of-both", method: str = "exact") -> IntegrationGain:
    """Integration gain of merging W1 and W2 (spec §1.7); ``rule`` as in :func:`merge`."""
    w12 = merge(w1, w2, rule, job=job)
    p1 = success_probability(job, w1, method)
    p2 = success_probability(job, w2, method)
    p12 = success_probability(job, w12, method)
    return IntegrationGain(p12 - jnp.maximum(p1, p2), p12 - p2, p12 - p1 - p2, p1, p2, p12)


@named_result
class Compression(NamedTuple):
    """PC = |P_2 - P_1| - |P_2' - P_1'| and its four success probabilities (float64 scalars)."""

    pc: jax.Array
    p1: jax.Array
    p2: jax.Array
    p1_ai: jax.Array
    p2_ai: jax.Array


def productivity_compression(job: Job, w_high: Worker, w_low: Worker, ai: Worker, *,
                             rule: str = "decision-action", method: str = "exact") -> Compression:
    """Productivity compression of AI assistance [S] (positive: the gap shrinks with AI).

    W_i' = merge(W_i, AI, rule): the worker decides, the AI executes ("decision-action"), or each
    level goes to whoever is better ("best-of-both", the extension of spec §3.4).
    """
    p1 = success_probability(job, w_high, method)
    p2 = success_probability(job, w_low, method)
    p1a = success_probability(job, merge(w_high, ai, rule, job=job), method)
    p2a = success_probability(job, merge(w_low, ai, rule, job=job), method)
    return Compression(jnp.abs(p2 - p1) - jnp.abs(p2a - p1a), p1, p2, p1a, p2a)
