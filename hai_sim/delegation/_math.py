"""Primitive functions and core equations of the delegation model (spec §1.2-1.4), unchecked.

Private: these kernels skip the host validation of the public wrappers in :mod:`.model` and are
what the solvers call inside traced code. Every kernel is a pure function of a
:class:`DelegationParams` pytree and arrays; arrays broadcast against each other (explicitly:
ranks must agree or be 0-d, see :func:`broadcast`). The families
(detection D, verification cost kappa, execution cost c_w) are static fields of the params, so
each is resolved in Python before tracing.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import named_result
from hai_sim.engine import InputError
from hai_sim.engine.validate import check_range, is_concrete

from .params import DelegationParams


def broadcast(*xs):
    """Float arrays broadcast to a common shape (explicit, so strict rank promotion is satisfied)."""
    arrs = [jnp.asarray(x, dtype=jnp.result_type(float)) for x in xs]
    return jnp.broadcast_arrays(*arrs)


def check_abilities(p: DelegationParams, beta=None, theta=None, *, d=None, v=None):
    """Host-side check of a public call: ``p`` is a :class:`DelegationParams`, beta >= 0, theta inside
    ``p.theta_domain`` (where c_w(theta) is a non-negative finite cost), d in [0, 1], v in [0, V].
    Tracers are skipped."""
    if not isinstance(p, DelegationParams):
        raise InputError(f"p={type(p).__name__}: expected DelegationParams (build it with make_params)")
    if d is not None:
        check_range("d", d, 0.0, 1.0)
    if v is not None:
        check_range("v", v, 0.0, float(p.V) if is_concrete(p.V) else None)
    if beta is not None:
        check_range("beta", beta, 0.0)
    if theta is not None:
        lo, hi = p.theta_domain
        check_range("theta", theta, lo, hi)


# ---------------------------------------------------------------- primitives (spec §1.2) [P]


def execution_cost(p: DelegationParams, theta):
    """c_w(theta): K (1 - theta) ("linear") or K / theta ("inverse_linear") [P]. Shape of theta."""
    theta = jnp.asarray(theta, dtype=jnp.result_type(float))
    if p.execution_cost == "linear":
        return p.K * (1.0 - theta)
    return p.K / theta




def detection(p: DelegationParams, v, beta):
    """D(v; beta): probability an AI error is detected at effort v [P]. Broadcasts v, beta.

    "inverse_linear": beta v / (1 + beta v); "exponential": 1 - exp(-beta v) (= -expm1).
    """
    x = beta * v
    if p.detection == "inverse_linear":
        return x / (1.0 + x)
    return -jnp.expm1(-x)


def detection_slope(p: DelegationParams, v, beta):
    """dD/dv (v; beta), analytic (used by the inner solver; beta at v = 0 for both forms)."""
    if p.detection == "inverse_linear":
        return beta / (1.0 + beta * v) ** 2
    return beta * jnp.exp(-beta * v)




def verification_cost(p: DelegationParams, v):
    """kappa(v): c_v v ("linear") or c_v v^2 / 2 ("quadratic", [R]) [P]."""
    if p.verification_cost == "linear":
        return p.c_v * v
    return 0.5 * p.c_v * v**2


def verification_cost_slope(p: DelegationParams, v):
    """kappa'(v)."""
    if p.verification_cost == "linear":
        return p.c_v * jnp.ones_like(v)
    return p.c_v * v




def verification_cost_inverse(p: DelegationParams, y):
    """kappa^{-1}(y) for y >= 0 (brackets the inner problem: kappa(v*) <= B_w)."""
    y = jnp.maximum(y, 0.0)
    if p.verification_cost == "linear":
        return y / p.c_v
    return jnp.sqrt(2.0 * y / p.c_v)


# ---------------------------------------------------------------- core equations (spec §1.3) [P]


def success(p: DelegationParams, d, v, beta):
    """S(d, v), eq (5) [P/D]: manual, AI right, or AI wrong but caught and redone."""
    return (1.0 - d) * p.p_w + d * p.p_a + d * (1.0 - p.p_a) * detection(p, v, beta) * p.p_w


def cost(p: DelegationParams, d, v, beta, theta):
    """C(d, v), eq (6) [P/D]: execution + verification on every delegated task + re-execution.

    The re-execution term carries gamma (extension 7.3; gamma = 1 is the paper's main model).
    """
    c_w = execution_cost(p, theta)
    return (
        (1.0 - d) * c_w
        + d * p.c_a
        + d * verification_cost(p, v)
        + d * (1.0 - p.p_a) * detection(p, v, beta) * p.gamma * c_w
    )


def worker_utility(p: DelegationParams, d, v, beta, theta):
    """U_w(d, v) = s_w S - l_w - C, eq (1) [P]."""
    return p.s_w * success(p, d, v, beta) - p.l_w - cost(p, d, v, beta, theta)


def institutional_utility(p: DelegationParams, d, v, beta, theta):
    """U_I(d, v) = s_I S - l_I - rho C, eq (3) [P]."""
    return p.s_I * success(p, d, v, beta) - p.l_I - p.rho * cost(p, d, v, beta, theta)


# ---------------------------------------------------------------- affine decomposition (spec §1.4) [D]


@named_result
class Coeffs(NamedTuple):
    """Affine coefficients of spec §1.4 [D], each of the broadcast shape of (beta, theta), float.

    ``G`` eq (7), ``B_w``, ``A_I``, ``B_I``, ``Q0`` = U_I(0, 0), ``Q_pure`` = U_I(1, 0),
    ``U_w0`` = U_w(0, 0).
    """

    G: jax.Array
    B_w: jax.Array
    A_I: jax.Array
    B_I: jax.Array
    Q0: jax.Array
    Q_pure: jax.Array
    U_w0: jax.Array


def coeffs(p: DelegationParams, beta, theta) -> Coeffs:
    """Affine coefficients of spec §1.4 [D] (see :class:`Coeffs`)."""
    beta, theta = broadcast(beta, theta)
    c_w = execution_cost(p, theta)
    zero = jnp.zeros_like(beta)
    return Coeffs(
        G=p.s_w * (p.p_a - p.p_w) + c_w - p.c_a + zero,
        B_w=(1.0 - p.p_a) * (p.s_w * p.p_w - p.gamma * c_w) + zero,
        A_I=p.s_I * (p.p_a - p.p_w) + p.rho * (c_w - p.c_a) + zero,
        B_I=(1.0 - p.p_a) * (p.s_I * p.p_w - p.rho * p.gamma * c_w) + zero,
        Q0=p.s_I * p.p_w - p.l_I - p.rho * c_w + zero,
        Q_pure=p.s_I * p.p_a - p.l_I - p.rho * p.c_a + zero,
        U_w0=p.s_w * p.p_w - p.l_w - c_w + zero,
    )


def verification_surplus(p: DelegationParams, v, beta, theta):
    """phi(v) = B_w D(v; beta) - kappa(v): the gain of verifying at effort v [D]."""
    B_w = (1.0 - p.p_a) * (p.s_w * p.p_w - p.gamma * execution_cost(p, theta))
    return B_w * detection(p, v, beta) - verification_cost(p, v)




def utility_scale(p: DelegationParams, theta):
    """Magnitude of utilities at this point (for the relative tie tolerance, ERRATA 5)."""
    return p.s_w + p.s_I + jnp.abs(execution_cost(p, theta)) + p.c_a + 1.0


# Relative tolerances (ERRATA 5): ties delegate when M >= -EPS_TIE * scale; labels treat values within
# EPS_Q * scale as equal (ERRATA 4). Under float32 (HAI_SIM_X64=0) they widen to a few hundred ulps.
EPS_TIE = 1e-12
EPS_Q = 1e-9


def _relative_eps(base, ulps, theta):
    return max(base, ulps * float(jnp.finfo(jnp.result_type(theta, float)).eps))


def tie_tolerance(p: DelegationParams, theta):
    """Absolute tie tolerance at theta: EPS_TIE (at least 100 ulps) times the utility scale."""
    return _relative_eps(EPS_TIE, 100.0, theta) * utility_scale(p, theta)


def label_tolerance(p: DelegationParams, theta):
    """Absolute tolerance of the quality/compliance labels: EPS_Q (at least 1000 ulps) times the scale."""
    return _relative_eps(EPS_Q, 1000.0, theta) * utility_scale(p, theta)
