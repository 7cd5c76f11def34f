"""Parameters of the delegation model (spec §1.1) and their validation.

:class:`DelegationParams` is a :class:`hai_sim.engine.Params`: the numbers are 0-d float leaves
(traced, vmapped over, differentiated), the functional families and the efficiency domain are
static fields (changing them recompiles, as a static choice should). :func:`make_params` and
``.replace`` validate; pytrees rebuilt by JAX (tree_map, jit, vmap, ``in_axes`` prefixes) do not.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, Params, static
from hai_sim.engine.validate import check_choice, check_range, is_concrete

DETECTION = ("inverse_linear", "exponential")
VERIFICATION_COST = ("linear", "quadratic")
EXECUTION_COST = ("linear", "inverse_linear")

NUMERIC_FIELDS = ("b_w", "l_w", "b_I", "l_I", "rho", "p_w", "p_a", "c_a", "K", "c_v", "V", "tau", "gamma")
STATIC_FIELDS = ("detection", "verification_cost", "execution_cost", "theta_domain")

# Figure-2 values, spec §4.2 [R]: the paper's numbers are lost; these satisfy Assumption 3.2,
# viability, p_w > p_a and put every regime inside theta in [0, 1], beta in [0, 2].
FIGURE2 = dict(
    b_w=20.0, l_w=5.0, b_I=24.0, l_I=6.0, rho=0.8, p_w=0.8, p_a=0.6, c_a=0.0,
    K=10.0, c_v=1.0, V=10.0, tau=13.0, gamma=1.0,
)


class DelegationParams(Params):
    """Model parameters (spec §1.1 symbols). Numeric fields are 0-d float arrays (pytree leaves).

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
        detection: static, "inverse_linear" D = beta v / (1 + beta v) or "exponential" 1 - exp(-beta v).
        verification_cost: static, "linear" or "quadratic" [R].
        execution_cost: static, "linear" or "inverse_linear".
        theta_domain: static (lo, hi) efficiency domain; brackets theta_0 and theta_tau.
    """

    b_w: jax.Array
    l_w: jax.Array
    b_I: jax.Array
    l_I: jax.Array
    rho: jax.Array
    p_w: jax.Array
    p_a: jax.Array
    c_a: jax.Array
    K: jax.Array
    c_v: jax.Array
    V: jax.Array
    tau: jax.Array
    gamma: jax.Array
    detection: str = static(default="inverse_linear")
    verification_cost: str = static(default="linear")
    execution_cost: str = static(default="linear")
    theta_domain: tuple = static(default=(0.0, 1.0))

    @property
    def s_w(self):
        """Worker stakes b_w + l_w (only this sum enters the S-terms)."""
        return self.b_w + self.l_w

    @property
    def s_I(self):
        """Institution stakes b_I + l_I."""
        return self.b_I + self.l_I

    def _validate(self) -> "DelegationParams":
        """Host checks (see :func:`make_params`); leaves become float 0-d arrays. Tracers pass."""
        check_choice("detection", self.detection, DETECTION)
        check_choice("verification_cost", self.verification_cost, VERIFICATION_COST)
        check_choice("execution_cost", self.execution_cost, EXECUTION_COST)
        try:
            domain = tuple(float(t) for t in self.theta_domain)
        except (TypeError, ValueError):
            raise InputError(f"theta_domain={self.theta_domain!r}: must be (lo, hi) with lo < hi") from None
        if len(domain) != 2 or not domain[0] < domain[1]:
            raise InputError(f"theta_domain={self.theta_domain!r}: must be (lo, hi) with lo < hi")
        if self.execution_cost == "inverse_linear" and domain[0] <= 0:
            raise InputError(
                f"theta_domain={domain!r}: with execution_cost='inverse_linear' (c_w = K/theta) "
                "the lower end must be > 0"
            )
        values = {k: getattr(self, k) for k in NUMERIC_FIELDS}
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
                raise InputError(
                    f"{k} has shape {v.shape}: parameters are scalars (vmap over a params pytree instead)"
                )
        if is_concrete(leaves):
            _check_assumptions({k: float(v) for k, v in leaves.items()}, domain, self.execution_cost)
        return dataclasses.replace(self, theta_domain=domain, **leaves)


def _execution_cost_host(K, theta, family):
    return K * (1.0 - theta) if family == "linear" else K / theta


def _check_assumptions(f: dict[str, float], domain: tuple, execution_cost: str) -> None:
    s_w, s_I = f["b_w"] + f["l_w"], f["b_I"] + f["l_I"]
    if s_I < f["rho"] * s_w - 1e-12 * max(1.0, s_I):
        raise InputError(
            f"Assumption 3.2 (institutional dominance) fails: b_I + l_I = {s_I:g} < "
            f"rho (b_w + l_w) = {f['rho'] * s_w:g}; need b_I + l_I >= rho (b_w + l_w)"
        )
    # B_w is increasing in theta (c_w decreasing), so its minimum is at the domain's left end.
    lo = domain[0]
    B_w_lo = (1.0 - f["p_a"]) * (s_w * f["p_w"] - f["gamma"] * _execution_cost_host(f["K"], lo, execution_cost))
    if not math.isfinite(B_w_lo) or B_w_lo < 0:
        raise InputError(
            f"Assumption 3.3 premise fails: B_w(theta={lo:g}) = (1 - p_a)(s_w p_w - gamma c_w) = "
            f"{B_w_lo:g} < 0 (need s_w p_w >= gamma c_w(theta) on theta_domain={domain}); "
            "raise b_w/l_w/p_w, lower K, or narrow theta_domain"
        )


def make_params(**overrides) -> DelegationParams:
    """Build validated parameters: Figure-2 defaults (spec §4.2 [R]) with overrides by symbol.

    Args:
        **overrides: any of b_w, l_w, b_I, l_I, rho, p_w, p_a, c_a, K, c_v, V, tau, gamma (scalars),
            detection, verification_cost, execution_cost (strings) and theta_domain (lo, hi;
            default (0, 1), or (0.05, 1) with execution_cost="inverse_linear").
    Returns:
        DelegationParams with float64 0-d leaves (float32 under HAI_SIM_X64=0).
    Raises:
        InputError naming the parameter and allowed range: an unknown name, probabilities outside
        [0, 1], negative costs or stakes, rho outside (0, 1], gamma outside [0, 1], an unknown
        family, a theta domain on which c_w is undefined, **Assumption 3.2** (s_I >= rho s_w)
        violated, or **Assumption 3.3**'s premise violated: B_w(theta) = (1 - p_a)(s_w p_w -
        gamma c_w(theta)) must be >= 0 on the theta domain (phi concave; the monotone-detection
        property is only established there). Traced values are not checked (works under jit/vmap).
    """
    allowed = NUMERIC_FIELDS + STATIC_FIELDS
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        raise InputError(f"make_params: unknown delegation parameter(s) {unknown}; allowed: {', '.join(allowed)}")
    values = dict(FIGURE2)
    values.update(overrides)
    if "theta_domain" not in values:
        values["theta_domain"] = (0.05, 1.0) if values.get("execution_cost") == "inverse_linear" else (0.0, 1.0)
    return DelegationParams(**values)._validate()


def _as_dict(p: DelegationParams) -> dict[str, Any]:
    """Plain-Python dict of the parameters (for Dataset attrs and reports)."""
    out = {k: float(np.asarray(getattr(p, k))) for k in NUMERIC_FIELDS}
    out.update(detection=p.detection, verification_cost=p.verification_cost, execution_cost=p.execution_cost)
    out["theta_domain"] = list(p.theta_domain)
    return out
