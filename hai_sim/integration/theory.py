"""Theorem quantities and predicates (spec §1.5, §3): mu, critical points, widths gamma,
Theorem 3.2 (phase transition), Theorem 3.3 (merging), Corollary 3.4 (productivity compression).

All functions take pytrees and return float64 / bool arrays; they run under jit and vmap.
The widths use Hoeffding's constant (spec §3.2 [D]); the paper states only the order
O(sigma sqrt(ln(1/theta)/n)) [P].
"""

from __future__ import annotations

import jax.numpy as jnp

from hai_sim.engine import InputError
from hai_sim.engine.validate import check_choice, check_range
from hai_sim.integration.model import _level_weights, level_totals, mean_difficulty, mu, success_probability
from hai_sim.integration.params import Job, Worker
from hai_sim.integration.profiles import subskill_moments
from hai_sim.integration.teams import merge, productivity_compression


def mu1_critical(job: Job, worker: Worker):
    """mu_1^c = (1 - tau - Lambda_2 mu_2) / Lambda_1: the decision ability where E[Err] = tau [D]."""
    lam, m = level_totals(job), mu(job, worker)
    return (1.0 - job.tau - lam[1] * m[1]) / lam[0]


def mu2_critical(job: Job, worker: Worker):
    """mu_2^c = (1 - tau - Lambda_1 mu_1) / Lambda_2: the action-level analogue [D]."""
    lam, m = level_totals(job), mu(job, worker)
    return (1.0 - job.tau - lam[0] * m[0]) / lam[1]


def _linear_uniform(worker: Worker, level: int, name: str):
    lv = worker.level(level)
    if lv.profile != "linear" or lv.law != "uniform":
        raise InputError(
            f"{name}: needs a linear profile with uniform noise at level {level} (closed form); got "
            f"profile{level}={lv.profile!r}, law{level}={lv.law!r} (use transition_window for other profiles)"
        )


def a1_critical(job: Job, worker: Worker):
    """Critical a_1 in closed form: a_1^c = 1 - (c_1 - mu_1^c) / sbar_1 [D].

    With c = 1 and mean h: ``a_1^c = 1 - (2 tau - (1 - a_2) sbar_2) / sbar_1``. Needs a linear,
    uniform-noise decision level (ValueError otherwise). May lie outside [0, 1] (no transition).
    """
    _linear_uniform(worker, 1, "a1_critical")
    return 1.0 - (worker.decision.c - mu1_critical(job, worker)) / mean_difficulty(job)[0]


def a2_critical(job: Job, worker: Worker):
    """Critical a_2 in closed form, 1 - (c_2 - mu_2^c) / sbar_2 [D] (linear, uniform action level)."""
    _linear_uniform(worker, 2, "a2_critical")
    return 1.0 - (worker.action.c - mu2_critical(job, worker)) / mean_difficulty(job)[1]


def gamma(job: Job, worker: Worker, theta=0.05, level: int = 1, *, sharp: bool = False):
    """Transition half-width of Theorem 3.2 in mu_l units [P order, D constant].

    Default (Hoeffding with r <= 1/2): ``sqrt(ln(1/theta) sum_{jl} c_{jl}^2 s_l^2 / 2) / Lambda_level``
    with s_l = sigma_l (uniform law) or 2 sigma_l (truncated normal, sub-Gaussian). For mean h and
    w_j = 1/n this is sigma sqrt(ln(1/theta)/n). ``sharp=True``: the data-dependent width
    ``sqrt(2 ln(1/theta) sum (c sigma_l r)^2) / Lambda_level`` (uniform law only).
    """
    check_range("theta", theta, 0.0, 0.5, lo_open=True, hi_open=True)
    check_choice("level", level, (1, 2))
    c = _level_weights(job)
    lam = jnp.sum(c, axis=1)[level - 1]
    log = jnp.log(1.0 / theta)
    if sharp:
        if (worker.law1, worker.law2) != ("uniform", "uniform"):
            raise InputError(f"gamma(sharp=True): laws ({worker.law1!r}, {worker.law2!r}); the sharp width needs 'uniform'")
        mean, _, _, _ = subskill_moments(worker, job.s)
        sig = jnp.stack([lv.sigma for lv in worker.levels])[:, None]
        b = c * sig * jnp.minimum(mean, 1.0 - mean)
        return jnp.sqrt(2.0 * log * jnp.sum(b**2)) / lam
    # The truncated normal is sigma-sub-Gaussian: twice the uniform's Hoeffding range (spec §3.2).
    scale = jnp.stack([lv.sigma * (2.0 if lv.law == "truncnorm" else 1.0) for lv in worker.levels])[:, None]
    return jnp.sqrt(log * jnp.sum((c * scale) ** 2) / 2.0) / lam


def thm32_region(job: Job, worker: Worker, theta=0.05, *, sharp: bool = False):
    """Theorem 3.2's verdict: +1 if mu_1 >= mu_1^c + gamma_1 (P >= 1 - theta promised), -1 if
    mu_1 <= mu_1^c - gamma_1 (P <= theta promised), 0 inside the band (no promise). int32."""
    m1, c, g = mu(job, worker)[0], mu1_critical(job, worker), gamma(job, worker, theta, 1, sharp=sharp)
    return jnp.where(m1 >= c + g, 1, jnp.where(m1 <= c - g, -1, 0)).astype(jnp.int32)


def thm32_holds(job: Job, worker: Worker, theta=0.05, *, method: str = "exact", tol: float = 1e-9, sharp: bool = False):
    """True where Theorem 3.2's promise holds for P computed by ``method`` (bool)."""
    region = thm32_region(job, worker, theta, sharp=sharp)
    p = success_probability(job, worker, method)
    return jnp.where(region > 0, p >= 1.0 - theta - tol, jnp.where(region < 0, p <= theta + tol, True))


def thm33_hypothesis(job: Job, w1: Worker, w2: Worker, theta=0.05):
    """Location condition of Theorem 3.3 [D completion of the seed's gap condition]:
    ``mu_1^{(2)} + gamma_1(W2) <= mu_1^c <= mu_1^{(1)} - gamma_1(W12)`` with mu_1^c set by W2's action
    profile and W12 = (decision of W1, action of W2) (mixed-noise width). Implies the seed's gap
    condition ``mu_1^{(1)} >= mu_1^{(2)} + gamma_1^{(1)} + gamma_1^{(2)}``. bool."""
    w12 = merge(w1, w2)
    crit = mu1_critical(job, w2)
    lower = mu(job, w2)[0] + gamma(job, w2, theta)
    upper = mu(job, w12)[0] - gamma(job, w12, theta)
    return (lower <= crit) & (crit <= upper)


def thm33_holds(job: Job, w1: Worker, w2: Worker, theta=0.05, *, method: str = "exact", tol: float = 1e-9):
    """True unless the hypothesis holds and P_12 - P_2 < 1 - 2 theta (bool)."""
    gain = success_probability(job, merge(w1, w2), method) - success_probability(job, w2, method)
    return ~thm33_hypothesis(job, w1, w2, theta) | (gain >= 1.0 - 2.0 * theta - tol)


def _shared_decision(w1: Worker, w2: Worker):
    d1, d2 = w1.decision, w2.decision
    if (d1.profile, d1.law) != (d2.profile, d2.law):
        return jnp.asarray(False)
    return (d1.a == d2.a) & (d1.c == d2.c) & (d1.beta == d2.beta) & (d1.sigma == d2.sigma)


def cor34_hypothesis(job: Job, w_high: Worker, w_low: Worker, ai: Worker, theta=0.05):
    """Corollary 3.4's hypotheses (spec §3.4 [R]): W1 above its action-level critical point,
    W2 below its own, and each AI-assisted worker W_i' = (alpha_1^{(i)}, alpha_2^{AI}) above its own,
    all by the Theorem 3.2 width gamma_2. bool."""

    def side(w):
        return mu(job, w)[1] - mu2_critical(job, w), gamma(job, w, theta, level=2)

    d1, g1 = side(w_high)
    d2, g2 = side(w_low)
    d1a, g1a = side(merge(w_high, ai))
    d2a, g2a = side(merge(w_low, ai))
    return (d1 >= g1) & (d2 <= -g2) & (d1a >= g1a) & (d2a >= g2a)


def cor34_bound(w_high: Worker, w_low: Worker, theta=0.05):
    """Guaranteed productivity compression: 1 - 2 theta with a shared decision profile, else
    1 - 3 theta (the extension to distinct profiles) [R/D]."""
    return jnp.where(_shared_decision(w_high, w_low), 1.0 - 2.0 * theta, 1.0 - 3.0 * theta)


def cor34_holds(job: Job, w_high: Worker, w_low: Worker, ai: Worker, theta=0.05, *, method: str = "exact", tol: float = 1e-9):
    """True unless the hypotheses hold and PC < cor34_bound (bool)."""
    pc = productivity_compression(job, w_high, w_low, ai, method=method).pc
    return ~cor34_hypothesis(job, w_high, w_low, ai, theta) | (pc >= cor34_bound(w_high, w_low, theta) - tol)


def upskilling_a1(job: Job, worker: Worker, theta=0.05):
    """Theorem-3.2 bound on the a_1 increase that guarantees P >= 1 - theta:
    ``(mu_1^c + gamma_1 - mu_1)_+ / sbar_1`` (linear, uniform decision level; spec §3.5 [R])."""
    _linear_uniform(worker, 1, "upskilling_a1")
    gap = mu1_critical(job, worker) + gamma(job, worker, theta) - mu(job, worker)[0]
    return jnp.maximum(gap, 0.0) / mean_difficulty(job)[0]
