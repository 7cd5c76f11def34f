"""Parameters of the delegation model (spec §1.1) and their validation.

:class:`DelegationParams` is a frozen dataclass registered as a JAX pytree: the numbers are
leaves (so they can be traced, vmapped over and differentiated), the functional families and the
efficiency domain are static metadata (changing them recompiles, as a static choice should).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine.validate import check_choice, check_range, is_concrete

DETECTION = ("inverse_linear", "exponential")
VERIFICATION_COST = ("linear", "quadratic")
EXECUTION_COST = ("linear", "inverse_linear")

NUMERIC_FIELDS = ("b_w", "l_w", "b_I", "l_I", "rho", "p_w", "p_a", "c_a", "K", "c_v", "V", "tau", "gamma")
STATIC_FIELDS = ("detection", "verification_cost", "execution_cost", "theta_domain")


@dataclasses.dataclass(frozen=True)
class DelegationParams:
    """Model parameters (spec §1.1 symbols). All numeric fields are 0-d float arrays (pytree leaves).

    Attributes:
        b_w, l_w: worker benefit from success / loss from failure (>= 0).
        b_I, l_I: institution benefit / loss (>= 0).
        rho: weight of the worker's cost in the institution's utility, in (0, 1].
        p_w, p_a: success probability of the worker alone / the AI alone, in [0, 1].
        c_a: AI execution cost (>= 0).
        K: execution-cost multiplier: c_w(theta) = K (1 - theta) (linear) or K / theta.
        c_v: verification-cost multiplier: kappa(v) = c_v v (linear) or c_v v^2 / 2 (quadratic).
        V: cap on verification effort (> 0, may be inf).
        tau: qualification threshold on quality.
        gamma: re-execution discount after a detected error (extension 7.3 [P/R]; 1 = full redo).
        detection: "inverse_linear" D = beta v / (1 + beta v) or "exponential" D = 1 - exp(-beta v).
        verification_cost: "linear" or "quadratic" [R].
        execution_cost: "linear" or "inverse_linear".
        theta_domain: (lo, hi) efficiency domain; brackets theta_0 and theta_tau.
    """

    b_w: Any
    l_w: Any
    b_I: Any
    l_I: Any
    rho: Any
    p_w: Any
    p_a: Any
    c_a: Any
    K: Any
    c_v: Any
    V: Any
    tau: Any
    gamma: Any
    detection: str = "inverse_linear"
    verification_cost: str = "linear"
    execution_cost: str = "linear"
    theta_domain: tuple = (0.0, 1.0)

    @property
    def s_w(self):
        """Worker stakes b_w + l_w (only this sum enters the S-terms)."""
        return self.b_w + self.l_w

    @property
    def s_I(self):
        """Institution stakes b_I + l_I."""
        return self.b_I + self.l_I

    def replace(self, **changes) -> "DelegationParams":
        """A copy with some fields changed, validated again (see :func:`make_params`)."""
        fields = {f: getattr(self, f) for f in NUMERIC_FIELDS + STATIC_FIELDS}
        unknown = set(changes) - set(fields)
        if unknown:
            raise ValueError(f"unknown delegation parameter(s) {sorted(unknown)}: allowed {sorted(fields)}")
        fields.update(changes)
        return make_params(**fields)


jax.tree_util.register_dataclass(
    DelegationParams, data_fields=list(NUMERIC_FIELDS), meta_fields=list(STATIC_FIELDS)
)

# Figure-2 values, spec §4.2 [R]: the paper's numbers are lost; these satisfy Assumption 3.2,
# viability, p_w > p_a and put every regime inside theta in [0, 1], beta in [0, 2].
FIGURE2 = dict(
    b_w=20.0, l_w=5.0, b_I=24.0, l_I=6.0, rho=0.8, p_w=0.8, p_a=0.6, c_a=0.0,
    K=10.0, c_v=1.0, V=10.0, tau=13.0, gamma=1.0,
)


def _execution_cost_host(K, theta, family):
    return K * (1.0 - theta) if family == "linear" else K / theta


def make_params(**overrides) -> DelegationParams:
    """Build validated parameters: Figure-2 defaults (spec §4.2 [R]) with overrides by symbol.

    Args:
        **overrides: any of b_w, l_w, b_I, l_I, rho, p_w, p_a, c_a, K, c_v, V, tau, gamma (scalars),
            detection, verification_cost, execution_cost (strings) and theta_domain (lo, hi).
    Returns:
        DelegationParams with float64 0-d leaves.
    Raises:
        ValueError naming the parameter and allowed range: probabilities outside [0, 1], negative
        costs or stakes, rho outside (0, 1], gamma outside [0, 1], an unknown family, a theta
        domain on which c_w is undefined, **Assumption 3.2** (s_I >= rho s_w) violated, or
        **Assumption 3.3**'s premise violated: B_w(theta) = (1 - p_a)(s_w p_w - gamma c_w(theta))
        must be >= 0 on the theta domain (phi concave; the monotone-detection property is only
        established there). Traced values are not checked (works under jit/vmap).
    """
    allowed = set(NUMERIC_FIELDS) | set(STATIC_FIELDS)
    unknown = set(overrides) - allowed
    if unknown:
        raise ValueError(f"unknown delegation parameter(s) {sorted(unknown)}: allowed {sorted(allowed)}")
    detection = overrides.pop("detection", "inverse_linear")
    verification_cost = overrides.pop("verification_cost", "linear")
    execution_cost = overrides.pop("execution_cost", "linear")
    check_choice("detection", detection, DETECTION)
    check_choice("verification_cost", verification_cost, VERIFICATION_COST)
    check_choice("execution_cost", execution_cost, EXECUTION_COST)
    default_domain = (0.0, 1.0) if execution_cost == "linear" else (0.05, 1.0)
    theta_domain = overrides.pop("theta_domain", default_domain)
    theta_domain = tuple(float(t) for t in theta_domain)
    if len(theta_domain) != 2 or not theta_domain[0] < theta_domain[1]:
        raise ValueError(f"theta_domain={theta_domain!r}: must be (lo, hi) with lo < hi")
    if execution_cost == "inverse_linear" and theta_domain[0] <= 0:
        raise ValueError(
            f"theta_domain={theta_domain!r}: with execution_cost='inverse_linear' (c_w = K/theta) "
            "the lower end must be > 0"
        )

    values = dict(FIGURE2)
    values.update(overrides)
    for name in ("p_w", "p_a", "gamma"):
        check_range(name, values[name], 0.0, 1.0)
    check_range("rho", values["rho"], 0.0, 1.0, lo_open=True)
    for name in ("b_w", "l_w", "b_I", "l_I", "c_a", "K", "c_v"):
        check_range(name, values[name], 0.0)
    check_range("V", values["V"], 0.0, lo_open=True, finite=False)
    check_range("tau", values["tau"], finite=True)
    leaves = {k: jnp.asarray(v, dtype=jnp.result_type(float)) for k, v in values.items()}
    for k, v in leaves.items():
        if v.ndim != 0:
            raise ValueError(f"{k} has shape {v.shape}: parameters are scalars (vmap over a params pytree instead)")

    if is_concrete(leaves):
        f = {k: float(v) for k, v in leaves.items()}
        s_w, s_I = f["b_w"] + f["l_w"], f["b_I"] + f["l_I"]
        if s_I < f["rho"] * s_w - 1e-12 * max(1.0, s_I):
            raise ValueError(
                f"Assumption 3.2 (institutional dominance) fails: b_I + l_I = {s_I:g} < "
                f"rho (b_w + l_w) = {f['rho'] * s_w:g}; need b_I + l_I >= rho (b_w + l_w)"
            )
        # B_w is increasing in theta (c_w decreasing), so its minimum is at the domain's left end.
        lo = theta_domain[0]
        c_w_lo = _execution_cost_host(f["K"], lo, execution_cost)
        B_w_lo = (1.0 - f["p_a"]) * (s_w * f["p_w"] - f["gamma"] * c_w_lo)
        if not math.isfinite(B_w_lo) or B_w_lo < 0:
            raise ValueError(
                f"Assumption 3.3 premise fails: B_w(theta={lo:g}) = (1 - p_a)(s_w p_w - gamma c_w) = "
                f"{B_w_lo:g} < 0 (need s_w p_w >= gamma c_w(theta) on theta_domain={theta_domain}); "
                "raise b_w/l_w/p_w, lower K, or narrow theta_domain"
            )
    return DelegationParams(
        **leaves,
        detection=detection,
        verification_cost=verification_cost,
        execution_cost=execution_cost,
        theta_domain=theta_domain,
    )


def as_dict(p: DelegationParams) -> dict[str, Any]:
    """Plain-Python dict of the parameters (for Dataset attrs and reports)."""
    out = {k: float(np.asarray(getattr(p, k))) for k in NUMERIC_FIELDS}
    out.update(detection=p.detection, verification_cost=p.verification_cost, execution_cost=p.execution_cost)
    out["theta_domain"] = list(p.theta_domain)
    return out
