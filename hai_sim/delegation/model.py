"""Primitive functions and core equations of the delegation model (spec §1.2-1.4), public.

Each function checks its concrete arguments on the host (:func:`InputError` naming the argument),
then calls a jitted core (one compilation per shape, dtype and family). Arrays broadcast against
each other with equal ranks or 0-d (the tests run with ``jax_numpy_rank_promotion="raise"``).
Results are float arrays of the broadcast shape; :func:`coeffs` returns a :class:`Coeffs`.
"""

from __future__ import annotations

import jax

from hai_sim.engine import jit_core

from . import _math as m
from ._math import Coeffs
from .params import DelegationParams

__all__ = [
    "Coeffs", "coeffs", "cost", "detection", "execution_cost", "institutional_utility", "success",
    "verification_cost", "verification_surplus", "worker_utility",
]

_execution_cost_core = jit_core(m.execution_cost)
_detection_core = jit_core(m.detection)
_verification_cost_core = jit_core(m.verification_cost)
_success_core = jit_core(m.success)
_cost_core = jit_core(m.cost)
_worker_utility_core = jit_core(m.worker_utility)
_institutional_utility_core = jit_core(m.institutional_utility)
_coeffs_core = jit_core(m.coeffs)
_verification_surplus_core = jit_core(m.verification_surplus)


def execution_cost(p: DelegationParams, theta) -> jax.Array:
    """c_w(theta): K (1 - theta) ("linear") or K / theta ("inverse_linear") [P]. Shape of theta."""
    m.check_abilities(p, theta=theta)
    return _execution_cost_core(p, theta)


def detection(p: DelegationParams, v, beta) -> jax.Array:
    """D(v; beta), probability an AI error is detected at effort v [P]: beta v / (1 + beta v)
    ("inverse_linear") or 1 - exp(-beta v) ("exponential"). Broadcast shape of v, beta."""
    m.check_abilities(p, beta=beta, v=v)
    return _detection_core(p, v, beta)


def verification_cost(p: DelegationParams, v) -> jax.Array:
    """kappa(v): c_v v ("linear") or c_v v^2 / 2 ("quadratic", [R]) [P]. Shape of v."""
    m.check_abilities(p, v=v)
    return _verification_cost_core(p, v)


def success(p: DelegationParams, d, v, beta) -> jax.Array:
    """S(d, v), eq (5) [P/D]: manual, AI right, or AI wrong but caught and redone."""
    m.check_abilities(p, beta=beta, d=d, v=v)
    return _success_core(p, d, v, beta)


def cost(p: DelegationParams, d, v, beta, theta) -> jax.Array:
    """C(d, v), eq (6) [P/D]: execution + verification on every delegated task + re-execution
    (the re-execution term carries gamma, extension 7.3; gamma = 1 is the paper's main model)."""
    m.check_abilities(p, beta, theta, d=d, v=v)
    return _cost_core(p, d, v, beta, theta)


def worker_utility(p: DelegationParams, d, v, beta, theta) -> jax.Array:
    """U_w(d, v) = s_w S - l_w - C, eq (1) [P]."""
    m.check_abilities(p, beta, theta, d=d, v=v)
    return _worker_utility_core(p, d, v, beta, theta)


def institutional_utility(p: DelegationParams, d, v, beta, theta) -> jax.Array:
    """U_I(d, v) = s_I S - l_I - rho C, eq (3) [P]."""
    m.check_abilities(p, beta, theta, d=d, v=v)
    return _institutional_utility_core(p, d, v, beta, theta)


def coeffs(p: DelegationParams, beta, theta) -> Coeffs:
    """Affine coefficients of spec §1.4 [D], broadcast to the shape of (beta, theta).

    Returns:
        :class:`Coeffs` (G eq 7, B_w, A_I, B_I, Q0 = U_I(0, 0), Q_pure = U_I(1, 0), U_w0 = U_w(0, 0)).
    """
    m.check_abilities(p, beta, theta)
    return _coeffs_core(p, beta, theta)


def verification_surplus(p: DelegationParams, v, beta, theta) -> jax.Array:
    """phi(v) = B_w D(v; beta) - kappa(v): the gain of verifying at effort v [D]."""
    m.check_abilities(p, beta, theta, v=v)
    return _verification_surplus_core(p, v, beta, theta)
