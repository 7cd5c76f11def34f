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

from hai_sim.chaining.cost import design_cost
from hai_sim.chaining.dp import long_run, long_run_info
from hai_sim.chaining.params import Instance, check_alpha, modes_to_string, n_steps
from hai_sim.engine.validate import check_range


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
    check_alpha(alpha)
    _, modes, cuts = long_run(inst, alpha)
    modes, cuts = jax.lax.stop_gradient(modes), jax.lax.stop_gradient(cuts)
    return -jax.grad(lambda a: design_cost(inst, a, modes, cuts))(jnp.asarray(alpha, float))


_lr_grid = jax.jit(jax.vmap(lambda inst, a: long_run_info(inst, a)[:3], in_axes=(None, 0)))


def _lr(inst, a):
    """Single alpha through the grid kernel (one compilation per padded length)."""
    c, m, cu = _lr_grid(inst, jnp.asarray([a], dtype=float))
    return c[0], m[0], cu[0]
_dc = jax.jit(design_cost)


def _crossing(inst, dx, dy, lo, hi, iters=100):
    """alpha in [lo, hi] where C_X - C_Y changes sign (bisection on closed forms)."""
    f = lambda a: float(_dc(inst, a, *dx)) - float(_dc(inst, a, *dy))  # noqa: E731
    flo = f(lo)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if hi - lo <= 1e-15 * max(1.0, hi):
            break
        fm = f(mid)
        if (fm > 0) == (flo > 0) and fm != 0:
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


def thresholds(inst: Instance, alpha_lo: float = 1e-3, alpha_hi: float = 1.0, n_grid: int = 64,
               *, tol: float = 1e-10, max_depth: int = 60):
    """Reorganisation thresholds of the long-run optimum in [alpha_lo, alpha_hi] [X, ERRATA 5].

    Host-side (concrete instance). Returns a list of dicts ``{"alpha", "left", "right",
    "cost"}`` sorted by alpha, where left/right are :func:`signature` strings of the optimal
    designs just below and above the threshold and cost is C* there. Recursive refinement: a
    bracket is closed only when the closed-form crossing of its two end designs is confirmed
    optimal (no third design is cheaper there by more than ``tol`` relative).
    """
    check_alpha(alpha_lo)
    check_alpha(alpha_hi)
    n = int(n_steps(inst))
    grid = np.linspace(alpha_lo, alpha_hi, n_grid)
    costs, modes, cuts = (np.asarray(x) for x in _lr_grid(inst, jnp.asarray(grid)))
    designs = [(modes[i], cuts[i]) for i in range(n_grid)]
    sigs = [signature(m, c, n) for m, c in designs]
    out = []

    def refine(lo, dlo, slo, hi, dhi, shi, depth):
        if slo == shi:
            return
        a = _crossing(inst, dlo, dhi, lo, hi)
        c_star, m, c = _lr(inst, a)
        c_x = float(_dc(inst, a, *dlo))
        s_mid = signature(np.asarray(m), np.asarray(c), n)
        if c_x <= float(c_star) * (1 + tol) or depth >= max_depth or hi - lo < 1e-13:
            out.append(dict(alpha=a, left=slo, right=shi, cost=float(c_star)))
            return
        dmid = (np.asarray(m), np.asarray(c))
        refine(lo, dlo, slo, a, dmid, s_mid, depth + 1)
        refine(a, dmid, s_mid, hi, dhi, shi, depth + 1)

    for i in range(n_grid - 1):
        refine(grid[i], designs[i], sigs[i], grid[i + 1], designs[i + 1], sigs[i + 1], 0)
    # designs tied on a whole interval give no switch; merge duplicates at one alpha
    out.sort(key=lambda r: r["alpha"])
    return out


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


@jax.jit
def prop4_value(inst: Instance, alpha, cgrid, tgrid):
    """Proposition 4 table value [D, spec §2.5]: a lower bound on the long-run optimum.

    Every skill and time is rounded *down* to the grids (costs are increasing in both), and
    states whose time leaves the grid are pruned (they cost more than the all-manual design), so
    the value is <= OPT; with the ``eps/(2n)`` grid it is >= e^{-eps} OPT (checked in tests).
    Option (1) of Prop 3 is skipped for the empty active worker by construction (ERRATA 1).

    Args: inst (N,), alpha scalar, cgrid (Nc,), tgrid (Nt,) from :func:`prop4_grids`.
    Returns: float64 scalar.
    """
    BIGV = 1e30
    N = inst.n_pad
    Nc, Nt = cgrid.shape[0], tgrid.shape[0]
    lr = jnp.log(cgrid[1] / cgrid[0])
    lc0, lt0 = jnp.log(cgrid[0]), jnp.log(tgrid[0])

    def ic(x):
        return jnp.clip(jnp.floor((jnp.log(x) - lc0) / lr + 1e-9).astype(jnp.int32), 0, Nc - 1)

    def it(x):
        raw = jnp.floor((jnp.log(jnp.maximum(x, 1e-300)) - lt0) / lr + 1e-9).astype(jnp.int32)
        return jnp.clip(raw, 0, Nt - 1), raw < Nt

    def lookup(Gj, cvals, tvals):
        """G_j at rounded (c, t) for vectors of c (Nc or scalar) and t (Nt or scalar)."""
        ci = ic(cvals)
        ti, ok = it(tvals)
        return jnp.where(ok, Gj[ci][..., ti] if jnp.ndim(cvals) else Gj[ci, ti], BIGV)

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
        close = Fk + base
        man = G[k - 1][ic(cgrid + cM)][:, it(tgrid + tM)[0]]
        man = jnp.where(it(tgrid + tM)[1][None, :], man, BIGV)
        chains = []
        for j in range(k):
            tt = tgrid + chain_t[j]
            ti, ok = it(tt)
            chains.append(jnp.where(ok[None, :], G[j][ic(cgrid + cA)][:, ti], BIGV))
        Gk = jnp.minimum(jnp.minimum(close, man), jnp.min(jnp.stack(chains), axis=0))
        # padded steps are free: carry the previous tables unchanged
        G.append(jnp.where(real, Gk, G[k - 1]))
        F.append(jnp.where(real, Fk, F[k - 1]))
    n = jnp.sum(inst.mask)
    return jnp.stack(F)[n]


# ---------------------------------------------------------------------------------------------
# fragmentation (Section 5.1, Appendix A)


def _q(inst, alpha):
    return jnp.exp(inst.d * jnp.log(alpha))


def fragmentation_index(inst: Instance, alpha):
    """Fragmentation index Phi = E[R] of eq (5), closed form in O(n^2) [D/X, spec §1.8].

    ``tA = 1`` is assumed (Section 5.1); padded steps are ignored. Returns a float64 scalar.
    """
    check_alpha(alpha)
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
    """R(Fail, Comp) of eq (5) for one failure pattern ``failed`` (bool (N,)); tA = 1."""
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


def fragmentation_mc(inst: Instance, alpha, key, n_draws: int = 10000):
    """Monte Carlo estimate of Phi (mean of :func:`realized_fragmentation` over failure draws)."""
    q = _q(inst, alpha)
    failed = jax.random.uniform(key, (n_draws, inst.n_pad)) >= q[None, :]
    return jnp.mean(jax.vmap(lambda f: realized_fragmentation(inst, alpha, f))(failed))


def greedy_cost(inst: Instance, alpha, *, variant: str = "prop7"):
    """Cost (one job, ``tA = 1``) of the greedy strategy of Props 7/8 [D, spec §2.7].

    From the first unassigned step take the maximal run with success probability >= 1/2; a run
    of length 0 is done alone at ``m_s = min(tM_s, 1/q_s)``, a run becomes one chain costing
    ``1/prod q``. ``variant="prop8"`` does a run manually when its summed ``tM`` is below 1;
    ``"practical"`` [X] takes ``min(chain, sum of m_i)`` for each run. Returns a float64 scalar.
    """
    if variant not in ("prop7", "prop8", "practical"):
        raise ValueError(f"variant={variant!r}: must be one of 'prop7', 'prop8', 'practical'")
    check_alpha(alpha)
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


def unit_attempt(inst: Instance) -> Instance:
    """The Section 5.1 setting: AI management time per attempt tA = 1 on every step."""
    return inst._replace(tA=jnp.ones_like(inst.tA))


def certificate(inst: Instance, alpha: float, eps: float = 0.3):
    """Prop 4 certificate [D/X]: (lower, upper) with lower = discretised-DP value (eps/(2n) grid),
    upper = exact long-run cost; ``lower <= upper`` and ``lower >= e^{-eps} upper`` (host-side)."""
    check_alpha(alpha)
    cg, tg = prop4_grids(inst, eps)
    lower = float(prop4_value(inst, alpha, jnp.asarray(cg), jnp.asarray(tg)))
    upper = float(long_run(inst, alpha)[0])
    return lower, upper
