"""Theory: thresholds in AI quality, marginal benefit, Prop 4 certificate, fragmentation (Props 5-8).

Thresholds [X, ERRATA 5]: the optimal organisation (modes and job cuts) changes at finitely many
alphas. A grid brackets the changes; each bracket with designs X (left) and Y (right) is refined
*recursively*: the crossing of the closed-form costs C_X(alpha) = C_Y(alpha) is the threshold only
if no third design beats both there; otherwise the bracket is split at the crossing and both halves
are refined again. Switches that change only the job cuts are found the same way.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from hai_sim.chaining.cost import _design_cost_core, design_cost
from hai_sim.chaining.dp import _long_run_core, long_run
from hai_sim.chaining.params import Instance, check_alpha, check_instance, modes_to_string, n_steps
from hai_sim.chaining.results import Certificate, Thresholds
from hai_sim.engine import Estimate, InputError, jit_core
from hai_sim.engine.validate import check_choice, check_range


def signature(modes, cuts, n: int | None = None) -> str:
    """Signature of a design: mode string and cut bits, e.g. ``"MCCAM|0001"``."""
    m = np.asarray(modes)
    n = m.shape[0] if n is None else n
    return modes_to_string(m, n) + "|" + "".join(str(int(c)) for c in np.asarray(cuts)[: max(n - 1, 0)])


def marginal_benefit(inst: Instance, alpha):
    """MB(alpha) = -dC*/dalpha [D, spec §2.8] by the envelope theorem.

    Differentiates the closed-form cost of the optimal design (found by back-pointers, held fixed),
    so it is exact between thresholds and works under jit/vmap. Returns a float64 scalar.
    """
    check_instance(inst)
    check_alpha(alpha)
    _, modes, cuts = long_run(inst, alpha)
    return _marginal_benefit_core(inst, jnp.asarray(alpha, dtype=inst.tM.dtype), modes, cuts)


@jit_core
def _marginal_benefit_core(inst: Instance, alpha, modes, cuts):
    modes, cuts = jax.lax.stop_gradient(modes), jax.lax.stop_gradient(cuts)
    return -jax.grad(lambda a: _design_cost_core(inst, a, modes, cuts))(alpha)


def _stack_size(inst: Instance) -> int:
    return max(8, inst.n_pad // 2 + 4)


@jit_core(static_argnames=("stack_size",))
def _long_run_grid(inst: Instance, alphas, stack_size: int):
    """Exact long run at many alphas (one compilation per padded length and grid size)."""
    out = jax.vmap(lambda a: _long_run_core(inst, a, stack_size=stack_size), in_axes=0)(alphas)
    return out.cost, out.modes, out.cuts, out.exact


def _lr(inst, alphas):
    """Host long run on a grid of alphas, rerun with a larger stack in the (rare) overflow case."""
    size = _stack_size(inst)
    while True:
        cost, modes, cuts, exact = (np.asarray(x) for x in _long_run_grid(inst, jnp.asarray(alphas, float), stack_size=size))
        if exact.all():
            return cost, modes, cuts
        size *= 2


def _dc(inst, a, modes, cuts) -> float:
    return float(_design_cost_core(inst, jnp.asarray(a, float), jnp.asarray(modes), jnp.asarray(cuts)))


# the two designs' cost curves cross within [lo, hi] to float64 resolution (1e-15 relative)
_XTOL, _RTOL = 1e-15, 4 * np.finfo(float).eps


def _crossing(inst, dx, dy, lo, hi):
    """alpha in [lo, hi] where C_X - C_Y changes sign: Brent's method on the closed forms.

    X is optimal at lo and Y at hi, so C_X - C_Y <= 0 at lo and >= 0 at hi; where rounding makes
    both ends the same sign the crossing is at the end closer to zero.
    """
    f = lambda a: _dc(inst, a, *dx) - _dc(inst, a, *dy)  # noqa: E731
    flo, fhi = f(lo), f(hi)
    if flo == 0.0:
        return lo
    if fhi == 0.0:
        return hi
    if (flo > 0) == (fhi > 0):
        return lo if abs(flo) <= abs(fhi) else hi
    return brentq(f, lo, hi, xtol=_XTOL, rtol=_RTOL, maxiter=200)


def thresholds(inst: Instance, alpha_lo: float = 1e-3, alpha_hi: float = 1.0, n_grid: int = 64,
               *, tol: float = 1e-10, max_depth: int = 60):
    """Reorganisation thresholds of the long-run optimum in [alpha_lo, alpha_hi] [X, ERRATA 5].

    Host-side (concrete instance). Returns :class:`Thresholds` ``(alpha (k,), left, right,
    cost (k,))`` sorted by alpha, where left/right are :func:`signature` strings of the optimal
    designs just below and above each threshold and cost is C* there. Recursive refinement: a
    bracket is closed only when the closed-form crossing of its two end designs is confirmed
    optimal (no third design is cheaper there by more than ``tol`` relative).
    """
    check_instance(inst)
    check_alpha(alpha_lo)
    check_alpha(alpha_hi)
    if not alpha_lo < alpha_hi:
        raise InputError(f"alpha_hi={alpha_hi!r} is outside the allowed range (alpha_lo, 1] = ({alpha_lo!r}, 1]")
    check_range("n_grid", n_grid, 2, None)
    check_range("tol", tol, 0.0, None)
    check_range("max_depth", max_depth, 0, None)
    n = int(n_steps(inst))
    grid = np.linspace(alpha_lo, alpha_hi, int(n_grid))
    costs, modes, cuts = _lr(inst, grid)
    designs = [(modes[i], cuts[i]) for i in range(n_grid)]
    sigs = [signature(m, c, n) for m, c in designs]
    out = []

    def refine(lo, dlo, slo, hi, dhi, shi, depth):
        if slo == shi:
            return
        a = _crossing(inst, dlo, dhi, lo, hi)
        c_star, m, c = (x[0] for x in _lr(inst, [a]))
        c_x = _dc(inst, a, *dlo)
        s_mid = signature(np.asarray(m), np.asarray(c), n)
        if c_x <= float(c_star) * (1 + tol) or depth >= max_depth or hi - lo < 1e-13:
            out.append(dict(alpha=a, left=slo, right=shi, cost=float(c_star)))
            return
        dmid = (np.asarray(m), np.asarray(c))
        refine(lo, dlo, slo, a, dmid, s_mid, depth + 1)
        refine(a, dmid, s_mid, hi, dhi, shi, depth + 1)

    for i in range(n_grid - 1):
        refine(grid[i], designs[i], sigs[i], grid[i + 1], designs[i + 1], sigs[i + 1], 0)
    out.sort(key=lambda r: r["alpha"])
    return Thresholds(np.array([r["alpha"] for r in out], float), tuple(r["left"] for r in out),
                      tuple(r["right"] for r in out), np.array([r["cost"] for r in out], float))


# ---------------------------------------------------------------------------------------------
# Proposition 4: discretised DP (lower-bound certificate)


def prop4_grids(inst: Instance, eps: float, *, literal: bool = False):
    """Geometric grids (host side) for :func:`prop4_value`: returns (cgrid, tgrid) numpy arrays.

    Ratio ``1 + eps_g`` with ``eps_g = eps`` (paper-literal) or ``eps / (2n)`` (project default,
    spec §2.5). Skills cover [min skill, sum_i max(cM_i, cA_i)]; times cover
    [min time, all-manual cost / min skill].
    """
    check_range("eps", eps, 0.0, None, lo_open=True)
    mask = np.asarray(inst.mask)
    n = int(mask.sum())
    eps_g = eps if literal else eps / (2 * n)
    cM, tM, cA, tA, tH = (np.asarray(getattr(inst, f))[mask] for f in ("cM", "tM", "cA", "tA", "tH"))
    cmin = min(cM.min(), cA.min())
    cmax = np.maximum(cM, cA).sum()
    tmin = min(tM.min(), tA.min())
    tmax = (cM * (tM + tH)).sum() / cmin
    r = math.log1p(eps_g)
    a0, a1 = math.floor(math.log(cmin) / r), math.ceil(math.log(cmax) / r)
    b0, b1 = math.floor(math.log(tmin) / r), math.ceil(math.log(tmax) / r)
    return np.exp(r * np.arange(a0, a1 + 1)), np.exp(r * np.arange(b0, b1 + 1))


def prop4_value(inst: Instance, alpha, cgrid, tgrid):
    """Proposition 4 table value [D, spec §2.5]: a lower bound on the long-run optimum.

    Every skill and time is rounded *down* to the grids (costs are increasing in both), and
    states whose time leaves the grid are pruned (they cost more than the all-manual design), so
    the value is <= OPT; with the ``eps/(2n)`` grid it is >= e^{-eps} OPT (checked in tests).
    Option (1) of Prop 3 is skipped for the empty active worker by construction (ERRATA 1).

    Args: inst (N,), alpha scalar, cgrid (Nc,), tgrid (Nt,) geometric grids of one ratio, as
        made by :func:`prop4_grids`.
    Returns: float64 scalar.
    """
    check_instance(inst)
    check_alpha(alpha)
    cgrid, tgrid = _check_grids(cgrid, tgrid)
    return _prop4_core(inst, alpha, cgrid, tgrid)[0]


def _check_grids(cgrid, tgrid):
    cgrid, tgrid = jnp.asarray(cgrid, float), jnp.asarray(tgrid, float)
    for name, g in (("cgrid", cgrid), ("tgrid", tgrid)):
        if g.ndim != 1 or g.shape[0] < 2:
            raise InputError(f"{name} has shape {g.shape}: expected (K,) with K >= 2 (use prop4_grids)")
        check_range(name, g, 0.0, None, lo_open=True)
    if abs(float(cgrid[1] / cgrid[0]) - float(tgrid[1] / tgrid[0])) > 1e-9 * float(cgrid[1] / cgrid[0]):
        raise InputError("cgrid and tgrid must be geometric grids of the same ratio (use prop4_grids)")
    return cgrid, tgrid


def _round_down(lr, l0, size):
    """Index of the grid point at or below x (relative slack 1e-9 against log rounding)."""

    def index(x, xp):
        raw = xp.floor((xp.log(xp.maximum(x, 1e-300)) - l0) / lr + 1e-9).astype(xp.int32 if xp is jnp else int)
        return xp.clip(raw, 0, size - 1), raw < size

    return index


@jit_core
def _prop4_core(inst: Instance, alpha, cgrid, tgrid):
    """(F(n), G tables (N+1, Nc, Nt), F (N+1,)) of the discretised Prop 3 recursion."""
    N = inst.n_pad
    Nc, Nt = cgrid.shape[0], tgrid.shape[0]
    lr = jnp.log(cgrid[1] / cgrid[0])
    c_index = _round_down(lr, jnp.log(cgrid[0]), Nc)
    t_index = _round_down(lr, jnp.log(tgrid[0]), Nt)

    def ic(x):
        return c_index(x, jnp)[0]

    def lookup(Gj, c, t):
        """G_j at rounded (c, t) for scalar c and t; pruned (BIG) when t leaves the grid."""
        ti, ok = t_index(t, jnp)
        return jnp.where(ok, Gj[ic(c), ti], _BIGV)

    def extend(Gj, dc, dt):
        """G_j at every grid state (c, t) moved to (c + dc, t + dt), rounded down."""
        ti, ok = t_index(tgrid + dt, jnp)
        return jnp.where(ok[None, :], Gj[ic(cgrid + dc)][:, ti], _BIGV)

    Dp = jnp.concatenate([jnp.zeros(1), jnp.cumsum(inst.d)])
    log_alpha = jnp.log(alpha)
    base = cgrid[:, None] * tgrid[None, :]
    G = [base]
    F = [jnp.zeros(())]
    for k in range(1, N + 1):
        cM, tM, cA, tA, tH, real = (inst.cM[k - 1], inst.tM[k - 1], inst.cA[k - 1], inst.tA[k - 1],
                                    inst.tH[k - 1], inst.mask[k - 1])
        chain_t = tA * jnp.exp(jnp.minimum(-log_alpha * (Dp[k] - Dp[:k]), 600.0))  # (k,)
        # F(k): a new job ends at step k (its hand-off tH_k), built from steps <= k
        f_man = lookup(G[k - 1], cM, tH + tM)
        f_chain = jnp.stack([lookup(G[j], cA, tH + chain_t[j]) for j in range(k)])
        Fk = jnp.minimum(f_man, jnp.min(f_chain))
        # G(k, c, t): close the active job, or extend it with step k (manual) or a chain ending at k
        chains = jnp.stack([extend(G[j], cA, chain_t[j]) for j in range(k)])
        Gk = jnp.minimum(jnp.minimum(Fk + base, extend(G[k - 1], cM, tM)), jnp.min(chains, axis=0))
        # padded steps are free: carry the previous tables unchanged
        G.append(jnp.where(real, Gk, G[k - 1]))
        F.append(jnp.where(real, Fk, F[k - 1]))
    n = jnp.sum(inst.mask)
    F = jnp.stack(F)
    return F[n], jnp.stack(G), F


_BIGV = 1e30


def _prop4_design(inst: Instance, alpha: float, cgrid, tgrid, G, F):
    """The design behind the Prop 4 table value, read back on the host [D, spec §2.5].

    Walks the recursion from F(n): at each state the option whose table entry is least (the one
    the DP took) fixes the mode of step k, a chain, or a job boundary. Returns (modes, cuts).
    """
    mask = np.asarray(inst.mask)
    n, N = int(mask.sum()), mask.shape[0]
    cM, tM, cA, tA, d, tH = (np.asarray(getattr(inst, f), float) for f in ("cM", "tM", "cA", "tA", "d", "tH"))
    cgrid, tgrid, G, F = np.asarray(cgrid), np.asarray(tgrid), np.asarray(G), np.asarray(F)
    lr = math.log(cgrid[1] / cgrid[0])
    c_index = _round_down(lr, math.log(cgrid[0]), cgrid.shape[0])
    t_index = _round_down(lr, math.log(tgrid[0]), tgrid.shape[0])
    Dp = np.concatenate([[0.0], np.cumsum(d)])
    log_alpha = math.log(alpha)
    modes, cuts = np.zeros(N, np.int32), np.zeros(max(N - 1, 0), np.int32)
    k, c, t, empty = n, 0.0, tH[n - 1], True
    while k > 0:
        options = [] if empty else [(F[k] + c * t, "close", k)]
        moves = [("manual", k - 1, cM[k - 1], tM[k - 1])]
        moves += [("chain", j, cA[k - 1], tA[k - 1] * math.exp(min(-log_alpha * (Dp[k] - Dp[j]), 600.0)))
                  for j in range(k)]
        for kind, j, dc, dt in moves:
            ti, ok = t_index(np.asarray(t + dt), np)
            if ok:
                ci = int(c_index(np.asarray(c + dc), np)[0])
                options.append((G[j][ci, int(ti)], kind, j, ci, int(ti)))
        _, kind, *rest = min(options, key=lambda o: o[0])
        if kind == "close":
            cuts[k - 1] = 1
            c, t, empty = 0.0, tH[k - 1], True
            continue
        j, ci, ti = rest
        modes[k - 1] = 0 if kind == "manual" else 1
        modes[j:k - 1] = 2
        k, c, t, empty = j, cgrid[ci], tgrid[ti], False
    return modes, cuts


# ---------------------------------------------------------------------------------------------
# fragmentation (Section 5.1, Appendix A)


def _q(inst, alpha):
    return jnp.exp(inst.d * jnp.log(alpha))


def fragmentation_index(inst: Instance, alpha):
    """Fragmentation index Phi = E[R] of eq (5), closed form in O(n^2) [D/X, spec §1.8].

    ``tA = 1`` is assumed (Section 5.1); padded steps are ignored. Returns a float64 scalar.
    """
    check_instance(inst)
    check_alpha(alpha)
    return _fragmentation_core(inst, alpha)


@jit_core
def _fragmentation_core(inst: Instance, alpha):
    q = _q(inst, alpha)
    mask = inst.mask
    N = inst.n_pad
    n = jnp.sum(mask)
    m = jnp.minimum(inst.tM, 1.0 / q)
    single = jnp.sum(jnp.where(mask, (1 - q) * m, 0.0))
    logq = jnp.where(mask, jnp.log(q), 0.0)
    Lp = jnp.concatenate([jnp.zeros(1), jnp.cumsum(logq)])
    Tp = jnp.concatenate([jnp.zeros(1), jnp.cumsum(jnp.where(mask, inst.tM, 0.0))])
    a = jnp.arange(N)[:, None]
    b = jnp.arange(N)[None, :]
    valid = (a <= b) & (b < n)
    prod = jnp.exp(Lp[b + 1] - Lp[a])
    qprev = jnp.concatenate([jnp.ones(1), q[:-1]])
    qnext = jnp.concatenate([q[1:], jnp.ones(1)])
    lft = jnp.where(a == 0, 1.0, 1 - qprev[a])
    rgt = jnp.where(b == n - 1, 1.0, 1 - qnext[jnp.minimum(b, N - 1)])
    w = jnp.minimum(1.0, Tp[b + 1] - Tp[a])
    runs = jnp.sum(jnp.where(valid, lft * prod * rgt * w, 0.0))
    return single + runs


def realized_fragmentation(inst: Instance, alpha, failed):
    """R(Fail, Comp) of eq (5) for one failure pattern ``failed`` (bool (N,)); tA = 1 (float64 scalar)."""
    check_instance(inst)
    check_alpha(alpha)
    if np.shape(failed) != np.shape(inst.mask):
        raise InputError(f"failed has shape {np.shape(failed)}: expected (N,) = {np.shape(inst.mask)}")
    return _realized_core(inst, alpha, jnp.asarray(failed, bool))


@jit_core
def _realized_core(inst: Instance, alpha, failed):
    q = _q(inst, alpha)
    m = jnp.minimum(inst.tM, 1.0 / q)
    ok = inst.mask & ~failed
    cost_fail = jnp.sum(jnp.where(inst.mask & failed, m, 0.0))

    def step(carry, x):
        run_t, total = carry
        t, good = x
        run_t2 = jnp.where(good, run_t + t, 0.0)
        ended = ~good & (run_t > 0)
        return (run_t2, total + jnp.where(ended, jnp.minimum(1.0, run_t), 0.0)), None

    # a zero-length run never counts; runs of positive manual time weigh min(1, sum tM)
    (run_t, total), _ = jax.lax.scan(step, (jnp.zeros(()), jnp.zeros(())), (inst.tM, ok))
    return cost_fail + total + jnp.minimum(1.0, run_t)


def fragmentation_mc(inst: Instance, alpha, key, n_draws: int = 10000) -> Estimate:
    """Monte Carlo estimate of Phi: :class:`~hai_sim.engine.Estimate` (mean, se) of
    :func:`realized_fragmentation` over ``n_draws`` independent failure patterns."""
    check_instance(inst)
    check_alpha(alpha)
    check_range("n_draws", n_draws, 2, None)
    return _fragmentation_mc_core(inst, alpha, key, n_draws=int(n_draws))


@jit_core(static_argnames=("n_draws",))
def _fragmentation_mc_core(inst: Instance, alpha, key, n_draws: int) -> Estimate:
    q = _q(inst, alpha)
    failed = jax.random.uniform(key, (n_draws, inst.n_pad)) >= q[None, :]
    r = jax.vmap(lambda f: _realized_core(inst, alpha, f))(failed)
    return Estimate(jnp.mean(r), jnp.std(r, ddof=1) / jnp.sqrt(float(n_draws)))


def greedy_cost(inst: Instance, alpha, *, variant: str = "prop7"):
    """Cost (one job, ``tA = 1``) of the greedy strategy of Props 7/8 [D, spec §2.7].

    From the first unassigned step take the maximal run with success probability >= 1/2; a run
    of length 0 is done alone at ``m_s = min(tM_s, 1/q_s)``, a run becomes one chain costing
    ``1/prod q``. ``variant="prop8"`` does a run manually when its summed ``tM`` is below 1;
    ``"practical"`` [X] takes ``min(chain, sum of m_i)`` for each run. Returns a float64 scalar.
    """
    check_choice("variant", variant, ("prop7", "prop8", "practical"))
    check_instance(inst)
    check_alpha(alpha)
    return _greedy_core(inst, alpha, variant=variant)


@jit_core(static_argnames=("variant",))
def _greedy_core(inst: Instance, alpha, variant: str):
    q = _q(inst, alpha)
    m = jnp.minimum(inst.tM, 1.0 / q)

    def block_cost(prod, tsum, msum):
        chain = 1.0 / prod
        if variant == "prop8":
            return jnp.where(tsum < 1.0, tsum, chain)
        if variant == "practical":
            return jnp.minimum(chain, msum)
        return chain

    def step(carry, x):
        prod, tsum, msum, open_, total = carry
        qi, tmi, mi, real = x
        extend = open_ & (prod * qi >= 0.5) & real
        close = open_ & ~extend
        total = total + jnp.where(close, block_cost(prod, tsum, msum), 0.0)
        start = real & ~extend & (qi >= 0.5)
        alone = real & ~extend & (qi < 0.5)
        total = total + jnp.where(alone, mi, 0.0)
        prod = jnp.where(extend, prod * qi, jnp.where(start, qi, 1.0))
        tsum = jnp.where(extend, tsum + tmi, jnp.where(start, tmi, 0.0))
        msum = jnp.where(extend, msum + mi, jnp.where(start, mi, 0.0))
        return (prod, tsum, msum, extend | start, total), None

    init = (jnp.ones(()), jnp.zeros(()), jnp.zeros(()), jnp.asarray(False), jnp.zeros(()))
    (prod, tsum, msum, open_, total), _ = jax.lax.scan(step, init, (q, inst.tM, m, inst.mask))
    return total + jnp.where(open_, block_cost(prod, tsum, msum), 0.0)


def certificate(inst: Instance, alpha: float, eps: float = 0.3, *, literal: bool = False) -> Certificate:
    """Prop 4 certificate [D/X, spec §2.5 and P4]: the table value, the exact optimum and the
    table's own design.

    Host-side. With the project's ``eps/(2n)`` grid, ``lower <= upper`` (the table value is a
    lower bound on OPT), ``lower >= e^{-eps} upper``, and the design read back from the table
    costs ``recovered <= e^{eps} upper`` (Prop 4(ii)); ``literal=True`` uses the paper's
    ``eps`` grid, where these bounds can fail (spec §2.5 caveat).

    Returns:
        :class:`Certificate` ``(lower, upper, recovered, modes (N,), cuts (N-1,))``.
    """
    check_instance(inst)
    check_alpha(alpha)
    cg, tg = prop4_grids(inst, eps, literal=literal)
    lower, G, F = _prop4_core(inst, alpha, jnp.asarray(cg), jnp.asarray(tg))
    modes, cuts = _prop4_design(inst, float(alpha), cg, tg, G, F)
    recovered = float(design_cost(inst, alpha, modes, cuts))
    return Certificate(float(lower), float(long_run(inst, alpha).cost), recovered, modes, cuts)
