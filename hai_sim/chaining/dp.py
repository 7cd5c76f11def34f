"""Dynamic programmes: Prop 1 (short run), Prop 2 (job design), exact long run, frozen-job short run.

All kernels take one firm (fields of shape (N,)) and a scalar alpha; ``jax.vmap`` batches firms,
alphas and hand-off scales. Loops over steps are unrolled in Python (the padded length N is
static): on CPU this beats ``vmap(scan)`` because each step only touches the k candidates that
exist at step k. Modes and cuts come from back-pointers, never from autodiff (ERRATA 6).

Exact long run [X, ERRATA 2]. A job is a contiguous segment of steps; its best cost
``min_T C_T (T_T + tH_e)`` is attained at a vertex of the lower-left convex hull of the achievable
(skill C, time T) pairs of the segment's strategies. We find *every* such vertex by recursive
bisection on the slope (Eisner–Severance / NISE): start from the two lexicographic extremes (least
C, least T); for an interval between vertices a and b, solve the weighted DP ``min lam C + T`` at
the slope ``lam`` of the chord; a point strictly below the chord is a new vertex and splits the
interval, otherwise the edge is final. No lambda grid, hence invariant to the units of time and
wages. The stack of open intervals has a fixed capacity (static); if it ever overflows the result
is flagged (``exact=False``) and, on concrete inputs, :func:`long_run` reruns with twice the
capacity, so host calls are exact for every n.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.chaining.cost import BIG, _chain_time, _task_skill_time
from hai_sim.chaining.params import Instance, check_alpha, check_instance
from hai_sim.chaining.results import JobDesign, LongRun, LongRunInfo, ShortRun
from hai_sim.engine import InputError, jit_core
from hai_sim.engine.validate import check_range, is_concrete

_TIE = 1e-12


def _prefix(x):
    return jnp.concatenate([jnp.zeros((1,), x.dtype), jnp.cumsum(x)])


def _backtrack_modes(choices, N):
    """Modes (N,) from Prop-1 style choices: choices[k-1] = 0 manual, j + 1 = chain from step j."""

    def step(cursor, k):
        at = k == cursor
        ch = choices[k - 1]
        manual = ch == 0
        mode = jnp.where(at, jnp.where(manual, 0, 1), 2)
        return jnp.where(at, jnp.where(manual, k - 1, ch - 1), cursor), mode

    _, modes = jax.lax.scan(step, jnp.asarray(N, choices.dtype), jnp.arange(N, 0, -1, dtype=choices.dtype))
    return modes[::-1].astype(jnp.int32)


_E600 = float(np.exp(600.0))  # a chain whose inverse success probability exceeds e^600 is hopeless
_UNROLL_MAX = 32  # static lengths up to this use the fully unrolled kernel


def _inverse_q(inst: Instance, alpha):
    """1/q_i = alpha^{-d_i}, capped at e^600."""
    return jnp.exp(jnp.minimum(-jnp.log(alpha) * inst.d, 600.0))


def _weighted_prop1(tM_w, tA_w, r, mask, job):
    """min over strategies of summed weighted task times; chains stay inside one job.

    ``r`` = 1/q per step. The inverse chain success probability ``R_j = prod_{i=j+1..k} r_i``
    is updated by one multiplication per (j, k), so the DP needs no exponentials. Short lengths
    run fully unrolled on scalars (vmap turns every scalar into a batch-long vector, the fastest
    layout on CPU); longer ones use ``lax.scan`` over k with O(N) vectors.
    Returns (value, choices) with choices (N,) int: 0 manual, j + 1 = chain over steps j..k-1.
    """
    N = tM_w.shape[0]
    if N <= _UNROLL_MAX:
        g = [jnp.zeros((), tM_w.dtype)]
        R = []
        choices = []
        for k in range(1, N + 1):
            R = [jnp.minimum(x * r[k - 1], _E600) for x in R] + [r[k - 1]]
            best = g[k - 1] + tM_w[k - 1]
            arg = jnp.zeros((), jnp.int32)
            for j in range(k):
                ok = mask[k - 1] & (job[j] == job[k - 1]) & (R[j] < _E600)
                t = jnp.where(ok, g[j] + tA_w[k - 1] * R[j], BIG)
                better = t < best
                best = jnp.where(better, t, best)
                arg = jnp.where(better, j + 1, arg)
            g.append(best)
            choices.append(arg)
        return g[N], jnp.stack(choices)
    idx = jnp.arange(N + 1)
    job_ext = jnp.concatenate([job, job[-1:]])

    def step(carry, k):
        g, R = carry
        rk = r[k - 1]
        R = jnp.where(idx < k, jnp.minimum(R * rk, _E600), R)
        ok = (idx < k) & (R < _E600) & mask[k - 1] & (job_ext == job[k - 1])
        t = jnp.where(ok, g + tA_w[k - 1] * R, BIG)
        j = jnp.argmin(t)
        manual = g[k - 1] + tM_w[k - 1]
        use_chain = t[j] < manual
        gk = jnp.where(use_chain, t[j], manual)
        return (g.at[k].set(gk), R), jnp.where(use_chain, j + 1, 0).astype(jnp.int32)

    (g, _), choices = jax.lax.scan(step, (jnp.zeros(N + 1, tM_w.dtype), jnp.ones(N + 1, tM_w.dtype)),
                                   jnp.arange(1, N + 1))
    return g[N], choices


def short_run(inst: Instance, alpha):
    """Proposition 1 [D, spec §2.2]: least expected time of one job at unit wage (eq 4).

    ``g(k) = min{ g(k-1) + tM_k, min_j g(j) + tA_k / prod_{i=j+1..k} q_i }``.

    Args:
        inst: :class:`Instance`, fields (N,).
        alpha: scalar in (0, 1].
    Returns:
        (g_n, modes): float64 scalar and int32 (N,) modes from back-pointers (0 manual,
        1 augmented goal, 2 automated; padded steps manual) as a :class:`ShortRun`. Ties go to the
        manual option, then to the longest chain candidate listed first (earliest start).
    """
    check_instance(inst)
    check_alpha(alpha)
    return _short_run_core(inst, alpha)


@jit_core
def _short_run_core(inst: Instance, alpha) -> ShortRun:
    N = inst.n_pad
    value, choices = _weighted_prop1(inst.tM, inst.tA, _inverse_q(inst, alpha), inst.mask, jnp.zeros((N,), jnp.int32))
    return ShortRun(value, _backtrack_modes(choices, N))


def _check_batch(insts, alphas) -> None:
    check_instance(insts)
    check_alpha(alphas)
    if np.ndim(insts.mask) != 2 or np.shape(alphas) != np.shape(insts.mask)[:1]:
        raise InputError(f"alphas has shape {np.shape(alphas)}: expected (B,) = {np.shape(insts.mask)[:1]} for "
                         f"a batch of instances with fields (B, N) = {np.shape(insts.mask)}")


def short_run_batch(insts: Instance, alphas):
    """Proposition 1 over a batch of firms, laid out batch-minor for speed [X].

    Same recurrence, candidates and tie-breaking as :func:`short_run` (tests check equality with it
    and with brute force). Arrays are (N, B): every per-step operation is elementwise across the
    batch. For N <= 32 the chain candidates use prefix products instead of updating
    ``R_j = prod_{i=j+1..k} r_i`` in place: with ``P_k = r_1 ... r_k`` a candidate is
    ``g(j) + (tA_k P_k) (1 / P_j)``, one fused multiply-add and one comparison per (j, k) pair
    (``tA_k P_k`` and ``1 / P_j`` are computed once per step), against a multiply, a clamp, a mask
    and a select per pair in the in-place form. The two agree up to rounding (a few ulps) and
    consider the same candidates when every firm's ``P_N`` is below e^600 and the smallest normal
    number's inverse (then no chain reaches the hopeless cap and ``1 / P`` does not underflow);
    otherwise, and for N > 32, the whole batch runs the in-place form.

    Args:
        insts: batched :class:`Instance` with fields (B, N); alphas: (B,) in (0, 1].
    Returns:
        :class:`ShortRun` with ``cost`` (B,) and ``modes`` (B, N) int32.
    """
    _check_batch(insts, alphas)
    return _short_run_batch_core(insts, alphas)


def short_run_batch_cost(insts: Instance, alphas):
    """The cost of :func:`short_run_batch` alone, (B,) float: without back-pointers each (j, k)
    pair is one multiply-add and one minimum (the fastest batched Prop 1; same checks)."""
    _check_batch(insts, alphas)
    return _short_run_batch_cost_core(insts, alphas)


def _prop1_inplace_batch(tM, tA, r, mask):
    """Prop 1 on (N, B) arrays, R_j updated in place (the single-firm scan kernel's arithmetic)."""
    N, B = tM.shape
    idx = jnp.arange(N + 1)[:, None]

    def step(carry, k):
        g, R = carry
        R = jnp.where(idx < k, jnp.minimum(R * r[k - 1][None, :], _E600), R)
        t = jnp.where((idx < k) & (R < _E600) & mask[k - 1][None, :], g + tA[k - 1][None, :] * R, BIG)
        j = jnp.argmin(t, axis=0)
        tj = jnp.min(t, axis=0)
        manual = g[k - 1] + tM[k - 1]
        use = tj < manual
        return (g.at[k].set(jnp.where(use, tj, manual)), R), jnp.where(use, j + 1, 0).astype(jnp.int32)

    (g, _), choices = jax.lax.scan(step, (jnp.zeros((N + 1, B), tM.dtype), jnp.ones((N + 1, B), tM.dtype)),
                                   jnp.arange(1, N + 1))
    return g[N], choices


def _first_min(items):
    """(value, index) of the least of ``items`` (pairs of arrays), the earliest on ties.

    A balanced tree of pairwise comparisons: log2(len) deep instead of len, so the long chains of
    dependent comparisons of a left-to-right scan do not stall the CPU. A right operand wins only
    when strictly smaller, which keeps the earliest index on ties (index None: value only).
    """
    while len(items) > 1:
        nxt = []
        for a in range(0, len(items) - 1, 2):
            (va, ia), (vb, ib) = items[a], items[a + 1]
            take = vb < va
            nxt.append((jnp.where(take, vb, va), None if ia is None else jnp.where(take, ib, ia)))
        if len(items) % 2:
            nxt.append(items[-1])
        items = nxt
    return items[0]


def _prop1_prefix_batch(tM, tA, P, mask, with_choices: bool):
    """Prop 1 on (N, B) arrays with prefix products P (list of N + 1 rows (B,)), unrolled over (j, k).

    Candidates are ordered manual first, then chain starts j = 0, 1, ...; ties go to the earliest
    (as in :func:`short_run`). Padded steps get an infinite query so no chain ends there. Without
    choices a pair costs one multiply-add and one compare-select.
    """
    N = tM.shape[0]
    u = [1.0 / P[j] for j in range(N)]
    g = [jnp.zeros_like(tM[0])]
    choices = []
    for k in range(1, N + 1):
        x = jnp.where(mask[k - 1], tA[k - 1] * P[k], jnp.inf)
        idx = (lambda i: jnp.full(x.shape, i, jnp.int32)) if with_choices else (lambda i: None)
        cands = [(g[k - 1] + tM[k - 1], idx(0))] + [(g[j] + x * u[j], idx(j + 1)) for j in range(k)]
        best, arg = _first_min(cands)
        g.append(best)
        choices.append(arg if with_choices else jnp.zeros(x.shape, jnp.int32))
    return g[N], jnp.stack(choices)


def _prop1_batch(insts: Instance, alphas, with_choices: bool):
    """(cost (B,), choices (N, B)) of Prop 1 for a batch; choices are zeros without ``with_choices``."""
    B, N = insts.mask.shape
    fields = (insts.tM, insts.tA, insts.d, insts.mask)

    def prepare(tM, tA, d, mask):  # (N, B) rows and the exponents of 1/q
        return tM.T, tA.T, jnp.minimum(-jnp.log(alphas)[None, :] * d.T, 600.0), mask.T

    def inplace(*fields):
        tM, tA, expo, mask = prepare(*fields)
        return _prop1_inplace_batch(tM, tA, jnp.exp(expo), mask)

    if N > _UNROLL_MAX:
        return inplace(*fields)

    def prefix(*fields):
        tM, tA, expo, mask = prepare(*fields)
        r = jnp.exp(expo)
        P = [jnp.ones((B,), r.dtype)]
        for k in range(N):
            P.append(P[k] * r[k])
        return _prop1_prefix_batch(tM, tA, P, mask, with_choices)

    # The prefix form is exact when every P_N = prod r_i stays below e^600 (no chain reaches the
    # hopeless cap, whose candidates the in-place form drops) and below the inverse of the smallest
    # normal number (1 / P does not underflow), and tA_k P_k is finite. Checked in logarithms with a
    # margin of e (the rounding of <= 32 products is ~1e-14 relative), in one pass over the batch.
    # The branches take the untouched inputs: operands prepared outside a cond are copied.
    finfo = jnp.finfo(insts.tM.dtype)
    log_limit = min(600.0, -float(np.log(finfo.tiny))) - 1.0
    log_total = jnp.sum(jnp.minimum(-jnp.log(alphas)[:, None] * insts.d, 600.0), axis=1)
    log_tA = jnp.log(jnp.max(jnp.where(insts.mask, insts.tA, 0.0), axis=1))
    safe = jnp.all(log_total < log_limit) & jnp.all(log_tA + log_total < float(np.log(finfo.max)) - 1.0)
    return jax.lax.cond(safe, prefix, inplace, *fields)


@jit_core
def _short_run_batch_core(insts: Instance, alphas) -> ShortRun:
    cost, choices = _prop1_batch(insts, alphas, True)
    return ShortRun(cost, jax.vmap(_backtrack_modes, in_axes=(1, None))(choices, insts.n_pad))


@jit_core
def _short_run_batch_cost_core(insts: Instance, alphas):
    return _prop1_batch(insts, alphas, False)[0]


@jit_core
def _job_design_core(c, t, tH, mask) -> JobDesign:
    m = c.shape[0]
    Cp, Tp = _prefix(c), _prefix(t)
    f = [jnp.zeros((), c.dtype)]
    bp = []
    for l in range(1, m + 1):
        fj = jnp.stack(f)
        cand = fj + (Cp[l] - Cp[:l]) * (Tp[l] - Tp[:l] + tH[l - 1])
        idx = jnp.argmin(cand)
        f.append(cand[idx])
        bp.append(idx)
    cursor = jnp.asarray(m)
    cuts = [None] * (m - 1)
    for l in range(m, 0, -1):
        at = l == cursor
        if l < m:
            cuts[l - 1] = at
        cursor = jnp.where(at, bp[l - 1], cursor)
    if m == 1:
        return JobDesign(f[m], jnp.zeros((0,), jnp.int32))
    cuts = jnp.stack(cuts) & mask[1:]
    return JobDesign(f[m], cuts.astype(jnp.int32))


def job_design(c, t, tH, mask=None):
    """Proposition 2 [D, spec §2.3]: least wage bill of a fixed task sequence over job designs.

    ``f(l) = min_{j<l} f(j) + (Cp_l - Cp_j)(Tp_l - Tp_j + tH_l)``.

    Args:
        c, t: task skills and times, shape (m,) (>= 0; padded tasks 0).
        tH: hand-off after each task, length m - 1 or m (last entry 0).
        mask: optional bool (m,) marking real tasks (padding at the end).
    Returns:
        :class:`JobDesign` ``(cost, cuts)``: float64 scalar; int32 (m - 1,) with cuts[i] = 1 when
        a job ends after task i.
    """
    c = jnp.asarray(c, dtype=float)
    t = jnp.asarray(t, dtype=float)
    tH = jnp.asarray(tH, dtype=float)
    m = c.shape[-1]
    if t.shape[-1] != m:
        raise InputError(f"t has length {t.shape[-1]}: expected m = {m} (the length of c)")
    if tH.shape[-1] == m - 1:
        tH = jnp.concatenate([tH, jnp.zeros((1,), tH.dtype)])
    elif tH.shape[-1] != m:
        raise InputError(f"tH has length {tH.shape[-1]}: expected m - 1 = {m - 1} or m = {m}")
    elif is_concrete(tH) and float(tH[-1]) != 0.0:
        raise InputError(f"tH[{m - 1}]={float(tH[-1])!r}: the hand-off after the last task must be 0")
    check_range("c", c, 0.0, None)
    check_range("t", t, 0.0, None)
    check_range("tH", tH, 0.0, None)
    mask = jnp.ones((m,), bool) if mask is None else jnp.asarray(mask, bool)
    if mask.shape != (m,):
        raise InputError(f"mask has shape {mask.shape}: expected (m,) = ({m},)")
    return _job_design_core(c, t, tH, mask)


def _jobs_from_cuts(cuts):
    return jnp.concatenate([jnp.zeros((1,), jnp.int32), jnp.cumsum(cuts).astype(jnp.int32)])


def prewage_jobs(inst: Instance) -> JobDesign:
    """Pre-AI long-run optimum (all manual, Prop 2): :class:`JobDesign` (cost, cuts (N-1,))."""
    check_instance(inst)
    return _job_design_core(inst.cM, inst.tM, inst.tH, inst.mask)


def short_run_cost(inst: Instance, alpha, cuts0=None):
    """Short-run cost with frozen pre-AI jobs and wages [R, spec §1.5] (the contract's call shape).

    The wage bill only (float64 scalar); :func:`short_run_frozen` also returns the modes.
    """
    return short_run_frozen(inst, alpha, cuts0).cost


def short_run_frozen(inst: Instance, alpha, cuts0=None):
    """Short-run cost with frozen pre-AI jobs and wages [R, spec §1.5], and the modes chosen.

    Keeps the job boundaries ``cuts0`` (default: the pre-AI optimum of Prop 2 on all-manual tasks)
    and wage rates ``c_J^0 = sum_{i in J} cM_i``; AI is optimised inside each job by Prop 1:
    ``sum_J c_J^0 (g_J(alpha) + tH_J)``. AI-management skill is ignored (wages are frozen), so this
    can be *below* the long-run optimum when cA > cM (ERRATA 3).

    Args:
        inst: :class:`Instance` (N,). alpha: scalar in (0, 1]. cuts0: optional (N-1,) 0/1.
    Returns:
        :class:`ShortRun` ``(cost, modes)``: float64 scalar and int32 (N,).
    """
    check_instance(inst)
    check_alpha(alpha)
    if cuts0 is not None:
        from hai_sim.chaining.params import check_design

        cuts0 = jnp.asarray(cuts0).astype(jnp.int32)
        check_design(inst, jnp.zeros((inst.n_pad,), jnp.int32), cuts0)
    return _short_run_frozen_core(inst, alpha, cuts0)


@jit_core
def _short_run_frozen_core(inst: Instance, alpha, cuts0) -> ShortRun:
    N = inst.n_pad
    if cuts0 is None:
        cuts0 = _job_design_core(inst.cM, inst.tM, inst.tH, inst.mask).cuts
    job = _jobs_from_cuts(cuts0)
    wage = jax.ops.segment_sum(inst.cM, job, num_segments=N)[job]
    value, choices = _weighted_prop1(wage * inst.tM, wage * inst.tA, _inverse_q(inst, alpha), inst.mask, job)
    handoff = jnp.sum(wage[:-1] * cuts0.astype(wage.dtype) * inst.tH[:-1])
    return ShortRun(value + handoff, _backtrack_modes(choices, N))


# ---------------------------------------------------------------------------------------------
# exact long run


def _segment_choices(inst: Instance, Dp, log_alpha, s, w, lexicographic: bool):
    """Back-pointers of ``min wC C + wT T`` over strategies of steps s..k-1, for every k.

    w = (wC, wT, sC, sT); with ``lexicographic`` ties in the primary objective (relative 1e-12)
    go to the least secondary ``sC C + sT T`` (used for the two hull extremes). Returns choices
    (N,) int: 0 manual, j + 1 = chain over steps j..k-1. (Vector form per step: a fully unrolled
    scalar form compiles too slowly inside the bisection loop.)
    """
    N = inst.n_pad
    wC, wT, sC, sT = w
    P = [jnp.where(s == 0, 0.0, BIG)]
    S = [jnp.zeros(())]
    choices = []
    for k in range(1, N + 1):
        t_chain = _chain_time(inst.tA[k - 1], log_alpha, Dp[k] - Dp[:k])
        ok = inst.mask[k - 1] & (jnp.arange(k, dtype=jnp.int32) >= s)
        cA, cM, tM = inst.cA[k - 1], inst.cM[k - 1], inst.tM[k - 1]
        candP = jnp.concatenate([(P[k - 1] + wC * cM + wT * tM)[None],
                                 jnp.where(ok, jnp.stack(P) + wC * cA + wT * t_chain, BIG)])
        if lexicographic:
            candS = jnp.concatenate([(S[k - 1] + sC * cM + sT * tM)[None], jnp.stack(S) + sC * cA + sT * t_chain])
            pmin = jnp.min(candP)
            idx = jnp.argmin(jnp.where(candP <= pmin + _TIE * jnp.abs(pmin), candS, jnp.inf))
            S.append(jnp.where(k > s, candS[idx], 0.0))
        else:
            idx = jnp.argmin(candP)
        P.append(jnp.where(k == s, 0.0, jnp.where(k > s, candP[idx], BIG)))
        choices.append(idx.astype(jnp.int32))
    return jnp.stack(choices)


def _segment_modes(choices, s, e, N):
    """Modes (N,) of the strategy of steps s..e-1 read from back-pointers (0 outside)."""
    cursor = e
    modes = [None] * N
    for k in range(N, 0, -1):
        inside = (k <= e) & (k > s)
        at = (k == cursor) & inside
        ch = choices[k - 1]
        manual = ch == 0
        modes[k - 1] = jnp.where(inside, jnp.where(at, jnp.where(manual, 0, 1), 2), 0)
        cursor = jnp.where(at, jnp.where(manual, k - 1, ch - 1), cursor)
    return jnp.stack(modes).astype(jnp.int8)


def _segment_dp(inst: Instance, alpha, s, e, w, lexicographic: bool = False):
    """(C, T, modes) of the minimiser of ``wC C + wT T`` over strategies of steps s..e-1."""
    Dp = _prefix(inst.d)
    choices = _segment_choices(inst, Dp, jnp.log(alpha), s, w, lexicographic)
    modes = _segment_modes(choices, s, e, inst.n_pad)
    skill, time = _task_skill_time(inst, alpha, modes)
    idx = jnp.arange(inst.n_pad, dtype=jnp.int32)
    inside = (idx >= s) & (idx < e)
    return jnp.sum(jnp.where(inside, skill, 0.0)), jnp.sum(jnp.where(inside, time, 0.0)), modes


def _segments(N):
    s, e = np.triu_indices(N + 1, k=1)
    return s.astype(np.int32), e.astype(np.int32)


@jit_core(static_argnames=("stack_size",))
def _long_run_core(inst: Instance, alpha, stack_size: int) -> LongRunInfo:
    N = inst.n_pad
    S_idx, E_idx = _segments(N)
    nseg = S_idx.shape[0]
    hand = inst.tH[E_idx - 1]
    seg_dp = jax.vmap(lambda s, e, w: _segment_dp(inst, alpha, s, e, w))
    S_arr, E_arr = jnp.asarray(S_idx), jnp.asarray(E_idx)
    ones, zeros = jnp.ones((nseg,)), jnp.zeros((nseg,))
    # the two extremes of every segment's hull in one batch: least C then least T; least T then C
    ext = jax.vmap(lambda s, e, w: _segment_dp(inst, alpha, s, e, w, lexicographic=True))(
        jnp.concatenate([S_arr, S_arr]), jnp.concatenate([E_arr, E_arr]),
        (jnp.concatenate([ones, zeros]), jnp.concatenate([zeros, ones]),
         jnp.concatenate([zeros, ones]), jnp.concatenate([ones, zeros])))
    Ca, Cb = ext[0][:nseg], ext[0][nseg:]
    Ta, Tb = ext[1][:nseg], ext[1][nseg:]
    Ma, Mb = ext[2][:nseg], ext[2][nseg:]
    va, vb = Ca * (Ta + hand), Cb * (Tb + hand)
    best = jnp.minimum(va, vb)
    best_modes = jnp.where((va <= vb)[:, None], Ma, Mb)
    # an open interval (a, b) keeps the corner x of the triangle a-x-b that holds every hull
    # point between a and b (x lies on the supporting lines of a and b); min C (T + h) over the
    # triangle is at a corner, so the interval is dropped once x cannot beat the best cost
    open_ = (Cb - Ca > _TIE * (Ca + Cb)) & (Ta - Tb > _TIE * (Ta + Tb)) & (Ca * (Tb + hand) < best)
    stack = jnp.zeros((nseg, stack_size, 6)).at[:, 0].set(jnp.stack([Ca, Ta, Cb, Tb, Ca, Tb], -1))
    sp = open_.astype(jnp.int32)
    n_vert = jnp.where(open_, 2, 1)

    S_np, E_np = S_idx, E_idx

    def global_prune(stack, sp, best):
        """Close every segment that cannot belong to an optimal job design.

        Lower bound of a segment: min of its best cost and the triangle corners of its open
        intervals; a design using segment (s, e) costs at least LF(s) + lb(s, e) + LB(e) (outer DPs
        over lower bounds), which must not exceed the best known total (outer DP over the best
        costs found so far) — otherwise the segment's search is dropped. Exactness is kept: only
        segments of no optimal design are closed.
        """
        corner = stack[:, :, 4] * (stack[:, :, 5] + hand[:, None])
        open_k = jnp.arange(stack_size, dtype=jnp.int32)[None, :] < sp[:, None]
        lb = jnp.minimum(best, jnp.min(jnp.where(open_k, corner, BIG), axis=1))
        lbm = jnp.full((N + 1, N + 1), BIG).at[S_np, E_np].set(lb)
        ubm = jnp.full((N + 1, N + 1), BIG).at[S_np, E_np].set(best)
        LF, UF = [jnp.zeros(())], [jnp.zeros(())]
        for e in range(1, N + 1):
            LF.append(jnp.min(jnp.stack(LF) + lbm[:e, e]))
            UF.append(jnp.min(jnp.stack(UF) + ubm[:e, e]))
        LB = [jnp.zeros(())]  # LB[m] = bound for steps N-m..N-1
        for m in range(1, N + 1):
            st = N - m
            LB.append(jnp.min(lbm[st, st + 1:][::-1] + jnp.stack(LB)))
        LF, LBv = jnp.stack(LF), jnp.stack(LB[::-1])
        total = LF[S_np] + lb + LBv[E_np]
        keep = total <= UF[N] * (1 + 1e-12)
        return jnp.where(keep, sp, 0)

    sp = global_prune(stack, sp, best)
    state = (stack, sp, best, best_modes, n_vert, jnp.zeros((nseg,), bool), jnp.asarray(0))

    def cond(st):
        return jnp.any(st[1] > 0)

    def body(st):
        stack, sp, best, best_modes, n_vert, overflow, it = st
        active = sp > 0
        rows = jnp.arange(nseg)
        top_i = jnp.maximum(sp - 1, 0)
        top = stack[rows, top_i]
        ca, ta, cb, tb, cx, tx = (top[:, i] for i in range(6))
        lam = jnp.where(active, (ta - tb) / jnp.where(active, cb - ca, 1.0), 1.0)
        C, T, M = seg_dp(S_arr, E_arr, (lam, ones, ones, zeros))
        chord = lam * ca + ta
        vP = lam * C + T
        new = active & (vP < chord - _TIE * chord)
        v = C * (T + hand)
        better = new & (v < best)
        best = jnp.where(better, v, best)
        best_modes = jnp.where(better[:, None], M, best_modes)
        # corners of the two sub-triangles: where the lam-line through P meets a-x and x-b
        gap = lam * cx + tx - chord
        u1 = jnp.clip((vP - chord) / jnp.where(gap < 0, gap, -1.0), 0.0, 1.0)
        x1c, x1t = ca + u1 * (cx - ca), ta + u1 * (tx - ta)
        gap2 = lam * cx + tx - (lam * cb + tb)
        u2 = jnp.clip((vP - (lam * cb + tb)) / jnp.where(gap2 < 0, gap2, -1.0), 0.0, 1.0)
        x2c, x2t = cb + u2 * (cx - cb), tb + u2 * (tx - tb)
        keep_l = new & (x1c * (x1t + hand) < best)
        keep_r = new & (x2c * (x2t + hand) < best)
        left = jnp.stack([ca, ta, C, T, x1c, x1t], -1)
        right = jnp.stack([C, T, cb, tb, x2c, x2t], -1)
        # pop the top, then push the kept halves (right first so the left is explored next)
        sp = jnp.where(active, sp - 1, sp)
        first = jnp.where(keep_r[:, None], right, left)
        n_push = keep_l.astype(jnp.int32) + keep_r.astype(jnp.int32)
        room1 = sp < stack_size
        stack = stack.at[rows, jnp.minimum(sp, stack_size - 1)].set(
            jnp.where(((n_push > 0) & room1)[:, None], first, stack[rows, jnp.minimum(sp, stack_size - 1)]))
        sp = sp + ((n_push > 0) & room1).astype(jnp.int32)
        room2 = sp < stack_size
        second_ok = (n_push == 2) & room2
        stack = stack.at[rows, jnp.minimum(sp, stack_size - 1)].set(
            jnp.where(second_ok[:, None], left, stack[rows, jnp.minimum(sp, stack_size - 1)]))
        sp = sp + second_ok.astype(jnp.int32)
        overflow = overflow | ((n_push > 0) & ~room1) | ((n_push == 2) & ~room2)
        n_vert = n_vert + new.astype(n_vert.dtype)
        sp = global_prune(stack, sp, best)
        return stack, sp, best, best_modes, n_vert, overflow, it + 1

    _, _, best, best_modes, n_vert, overflow, iters = jax.lax.while_loop(cond, body, state)

    # outer DP over job boundaries: F(e) = min_s F(s) + seg(s, e)
    seg = jnp.full((N + 1, N + 1), BIG).at[S_arr, E_arr].set(best)
    F = [jnp.zeros(())]
    bp = []
    for e in range(1, N + 1):
        cand = jnp.stack(F) + seg[:e, e]
        idx = jnp.argmin(cand)
        F.append(cand[idx])
        bp.append(idx)
    seg_id = jnp.full((N + 1, N + 1), 0, jnp.int32).at[S_arr, E_arr].set(jnp.arange(nseg, dtype=jnp.int32))
    cursor = jnp.asarray(N)
    cur_s = jnp.asarray(0)
    cur_e = jnp.asarray(N)
    modes = [None] * N
    is_end = [None] * N
    for k in range(N, 0, -1):
        at = k == cursor
        s_new = bp[k - 1]
        cur_s = jnp.where(at, s_new, cur_s)
        cur_e = jnp.where(at, k, cur_e)
        is_end[k - 1] = at
        cursor = jnp.where(at, s_new, cursor)
        modes[k - 1] = best_modes[seg_id[cur_s, cur_e], k - 1]
    modes = jnp.stack(modes).astype(jnp.int32)
    if N == 1:
        cuts = jnp.zeros((0,), jnp.int32)
    else:
        cuts = (jnp.stack(is_end[:-1]) & inst.mask[1:]).astype(jnp.int32)
    return LongRunInfo(F[N], modes, cuts, ~jnp.any(overflow), iters, jnp.max(n_vert))


def long_run_info(inst: Instance, alpha, *, stack_size: int | None = None):
    """Exact long-run optimum of (3) with diagnostics [X, ERRATA 2].

    Returns:
        :class:`LongRunInfo` ``(cost, modes (N,), cuts (N-1,), exact, iterations, max_vertices)``:
        ``exact`` (bool: no stack overflow), ``iterations`` (bisection rounds) and
        ``max_vertices`` (largest hull found over segments). On concrete inputs an overflow
        triggers a rerun with twice the stack, so the result is exact; under jit/vmap check
        ``exact``.
    """
    if not jax.config.jax_enable_x64:
        # In float32 the hull tolerances (1e-12) are below resolution: the overflow reruns below
        # never end. Refuse rather than hang.
        raise InputError("long_run needs float64: hai_sim was imported with HAI_SIM_X64=0 (float32), whose "
                         "resolution is coarser than the exact long run's 1e-12 hull tolerances; unset HAI_SIM_X64")
    check_instance(inst)
    check_alpha(alpha)
    if stack_size is not None:
        check_range("stack_size", stack_size, 1, None)
    size = int(stack_size or max(8, inst.n_pad // 2 + 4))
    while True:
        out = _long_run_core(inst, alpha, stack_size=size)
        if not (is_concrete(out.exact) and not bool(jnp.all(out.exact))):
            return out
        size *= 2


def long_run(inst: Instance, alpha, *, stack_size: int | None = None):
    """Long-run optimum [D eq 3]: least wage bill over AI strategies and job designs, exact.

    Args:
        inst: :class:`Instance` (N,); alpha: scalar in (0, 1].
    Returns:
        :class:`LongRun` ``(cost, modes, cuts)``: float64 scalar, int32 (N,), int32 (N-1,) (0 after
        the last real step).
    """
    out = long_run_info(inst, alpha, stack_size=stack_size)
    return LongRun(out.cost, out.modes, out.cuts)
