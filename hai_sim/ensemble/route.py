"""Routing between the aligned and the complementary specialist (spec §1.9, §2.4).

Every router returns a bool mask "send to the aligned model m_a". RRS ties go to the aligned
model [P]; its confidences are each specialist's maximum class probability (A19) [R].
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.engine import jit_core
from hai_sim.engine.validate import check_range

from .params import _mask, _same_length

__all__ = ["binary_confidence", "route_agreement", "route_noisy", "route_oracle", "route_rrs"]


def binary_confidence(z) -> jax.Array:
    """max(σ(z), 1 − σ(z)) = σ(|z|): a binary logistic model's confidence in its answer."""
    return jax.nn.sigmoid(jnp.abs(jnp.asarray(z)))


def route_oracle(in_Da) -> jax.Array:
    """Eq. 7: m_a on D_a, m_c on D_c (needs the region, here the known group or C^h > τ)."""
    return _mask("in_Da", in_Da)


def _route_noisy(key, in_Da, q):
    return in_Da ^ (jax.random.uniform(key, in_Da.shape, dtype=float) < q)


_route_noisy_core = jit_core(_route_noisy)


def route_noisy(key, in_Da, q) -> jax.Array:
    """Fig. 3(iv) [R]: the router sees the group label flipped independently with probability q.

    Args: key; in_Da (n,) bool; q ∈ [0, 0.5]. Returns (n,) bool, misrouting rate ρ̄ = q.
    """
    check_range("q", q, 0.0, 0.5)
    return _route_noisy_core(key, _mask("in_Da", in_Da), jnp.asarray(q, dtype=float))


def route_rrs(conf_a, conf_c) -> jax.Array:
    """Rational Routing Shortcut, eq. 8 [P]: aligned where C^a ≥ C^c (ties → aligned)."""
    _same_length(conf_a=conf_a, conf_c=conf_c)
    check_range("conf_a", conf_a, 0.0, 1.0)
    check_range("conf_c", conf_c, 0.0, 1.0)
    return jnp.asarray(conf_a) >= jnp.asarray(conf_c)


def route_agreement(route_a, in_Da) -> jax.Array:
    """The diagnostic always reported with RRS: mean(1{routed to m_a} == 1{x ∈ D_a})."""
    return jnp.mean((_mask("route_a", route_a) == _mask("in_Da", in_Da)).astype(float))
