"""Benchmarks of the chaining kernels against batched NumPy twins (same math, same run).

Rows: Prop 1 short-run DP at n = 20 and n = 100 (instances/s, :func:`C.short_run_batch_cost`) against a batch-minor
NumPy twin of the same recurrence; exact long run (hull bisection)
at n = 16 against a NumPy twin of the same algorithm; the exact long run over 10^4 (firm, alpha)
cells at n = 16 (JAX only, wall time in the note).
"""

from __future__ import annotations

import sys

import time

import jax
import jax.numpy as jnp
import numpy as np

import hai_sim  # noqa: F401  (float64)
from hai_sim import chaining as C
from hai_sim.engine import bench

BIG = 1e30


def _firms(n, batch, seed=0):
    """``batch`` random firms as C.random_instance draws them (skills and times U(1, 10), d U(0, 3),
    hand-offs U(0, 5)), drawn with NumPy in float64 so that the float32 run of this script (which
    rounds them) solves the same firms and its error columns compare like with like."""
    rng = np.random.default_rng(seed)
    u = lambda lo, hi, m=n: rng.uniform(lo, hi, (batch, m))  # noqa: E731
    fields = dict(cM=u(1, 10), tM=u(1, 10), cA=u(1, 10), tA=u(1, 10), d=u(0, 3),
                  tH=np.concatenate([u(0, 5, n - 1), np.zeros((batch, 1))], axis=1))
    return C.Instance(**{k: jnp.asarray(v, dtype=float) for k, v in fields.items()},
                      mask=jnp.ones((batch, n), bool))._validate()


def _np(inst):
    return {f: np.asarray(getattr(inst, f)) for f in ("cM", "tM", "cA", "tA", "d", "tH")}


def _chain_time_np(tA, log_alpha, D):
    expo = -log_alpha[:, None] * D
    return np.where(expo > 600, BIG, tA[:, None] * np.exp(np.minimum(expo, 600)))


E600 = float(np.exp(600.0))


def prop1_numpy(p, alpha):
    """Batched Prop 1, the best plain-NumPy layout we know of the same O(n^2) recurrence:
    g(k) = min(g(k-1) + tM_k, min_j g(j) + tA_k R_j), R_j = prod_{i=j+1..k} 1/q_i.

    Batch-minor: arrays are (step, firm), so every per-step reduction over chain starts j is an
    elementwise minimum across contiguous firm rows. Two ways to form the candidates, the faster
    one used at each n (measured on the 2-core machine, issue 13 session 16):

    * n <= 32: R_j updated in place by one multiplication per (j, k) (no temporaries for R); the
      prefix form below is up to 2x slower there (more temporaries per step);
    * n > 32: prefix products, the same arithmetic as the JAX kernel for n <= 32:
      ``g(j) + (tA_k P_k) / P_j`` with ``P_k = prod_{i<=k} 1/q_i`` from ``np.cumprod``, 1.5-2x faster
      than the in-place form at n = 100. Valid while P_n < e^600 (checked: no chain is then
      beyond the kernels' hopeless cap).
    """
    tM, tA, d = p["tM"].T, p["tA"].T, p["d"].T  # (n, B)
    n, B = tM.shape
    r = np.exp(np.minimum(-np.log(alpha) * d, 600.0))
    g = np.zeros((n + 1, B))
    if n > 32:
        P = np.concatenate([np.ones((1, B)), np.cumprod(r, axis=0)])
        assert np.all(P[n] < E600), "prefix twin: a chain passes the hopeless cap"
        u = 1.0 / P
        for k in range(1, n + 1):
            cand = g[:k] + (tA[k - 1] * P[k]) * u[:k]
            np.minimum(g[k - 1] + tM[k - 1], cand.min(axis=0), out=g[k])
        return g[n]
    R = np.ones((n, B))
    for k in range(1, n + 1):
        Rk = R[:k]
        np.multiply(Rk, r[k - 1], out=Rk)
        np.minimum(Rk, E600, out=Rk)
        cand = g[:k] + tA[k - 1] * Rk
        cand[Rk >= E600] = BIG
        np.minimum(g[k - 1] + tM[k - 1], cand.min(axis=0), out=g[k])
    return g[n]


def _segment_choices_np(p, la, s, wC, wT, sC, sT, lexi):
    """Batched (over rows r = (cell, segment)) back-pointers of min wC C + wT T from start s."""
    R, n = p["cM"].shape
    Dp = np.concatenate([np.zeros((R, 1)), np.cumsum(p["d"], axis=1)], axis=1)
    P = np.full((R, n + 1), BIG)
    S = np.zeros((R, n + 1))
    P[:, 0] = np.where(s == 0, 0.0, BIG)
    choices = np.zeros((R, n), np.int64)
    rows = np.arange(R)
    for k in range(1, n + 1):
        tch = _chain_time_np(p["tA"][:, k - 1], la, Dp[:, k:k + 1] - Dp[:, :k])
        ok = np.arange(k)[None, :] >= s[:, None]
        cP = np.concatenate([(P[:, k - 1] + wC * p["cM"][:, k - 1] + wT * p["tM"][:, k - 1])[:, None],
                             np.where(ok, P[:, :k] + (wC * p["cA"][:, k - 1])[:, None] + wT[:, None] * tch, BIG)], 1)
        if lexi:
            cS = np.concatenate([(S[:, k - 1] + sC * p["cM"][:, k - 1] + sT * p["tM"][:, k - 1])[:, None],
                                 S[:, :k] + (sC * p["cA"][:, k - 1])[:, None] + sT[:, None] * tch], 1)
            pmin = cP.min(1, keepdims=True)
            idx = np.argmin(np.where(cP <= pmin + 1e-12 * np.abs(pmin), cS, np.inf), axis=1)
            S[:, k] = np.where(k > s, cS[rows, idx], 0.0)
        else:
            idx = np.argmin(cP, axis=1)
        P[:, k] = np.where(k == s, 0.0, np.where(k > s, cP[rows, idx], BIG))
        choices[:, k - 1] = idx
    return choices


def _segment_CT_np(p, la, choices, s, e):
    R, n = p["cM"].shape
    Dp = np.concatenate([np.zeros((R, 1)), np.cumsum(p["d"], axis=1)], axis=1)
    C_, T_ = np.zeros(R), np.zeros(R)
    cursor = e.copy()
    rows = np.arange(R)
    for k in range(n, 0, -1):
        at = (k == cursor) & (k > s)
        ch = choices[:, k - 1]
        man = ch == 0
        j = np.maximum(ch - 1, 0)
        tch = np.where(-la * (Dp[:, k] - Dp[rows, j]) > 600, BIG,
                       p["tA"][:, k - 1] * np.exp(np.minimum(-la * (Dp[:, k] - Dp[rows, j]), 600)))
        C_ += np.where(at, np.where(man, p["cM"][:, k - 1], p["cA"][:, k - 1]), 0.0)
        T_ += np.where(at, np.where(man, p["tM"][:, k - 1], tch), 0.0)
        cursor = np.where(at, np.where(man, k - 1, ch - 1), cursor)
    return C_, T_


def long_run_numpy(p, alpha, stack_size=12):
    """Batched NumPy twin of the exact long run (same hull bisection with pruning), cost only."""
    B, n = p["cM"].shape
    s_idx, e_idx = np.triu_indices(n + 1, k=1)
    nseg = s_idx.size
    rep = {k: np.repeat(v, nseg, axis=0) for k, v in p.items()}
    s = np.tile(s_idx, B)
    e = np.tile(e_idx, B)
    la = np.repeat(np.log(alpha), nseg)
    hand = rep["tH"][np.arange(B * nseg), e - 1]
    R = B * nseg
    one, zero = np.ones(R), np.zeros(R)
    Ca, Ta = _segment_CT_np(rep, la, _segment_choices_np(rep, la, s, one, zero, zero, one, True), s, e)
    Cb, Tb = _segment_CT_np(rep, la, _segment_choices_np(rep, la, s, zero, one, one, zero, True), s, e)
    best = np.minimum(Ca * (Ta + hand), Cb * (Tb + hand))
    open_ = (Cb - Ca > 1e-12 * (Ca + Cb)) & (Ta - Tb > 1e-12 * (Ta + Tb)) & (Ca * (Tb + hand) < best)
    stack = np.zeros((R, stack_size, 6))
    stack[:, 0] = np.stack([Ca, Ta, Cb, Tb, Ca, Tb], -1)
    sp = open_.astype(np.int64)
    while np.any(sp > 0):
        act = np.flatnonzero(sp > 0)
        top = stack[act, sp[act] - 1]
        ca, ta, cb, tb, cx, tx = top.T
        lam = (ta - tb) / (cb - ca)
        sub = {k: v[act] for k, v in rep.items()}
        ch = _segment_choices_np(sub, la[act], s[act], lam, np.ones(act.size), np.ones(act.size), np.zeros(act.size), False)
        C_, T_ = _segment_CT_np(sub, la[act], ch, s[act], e[act])
        chord = lam * ca + ta
        vP = lam * C_ + T_
        new = vP < chord - 1e-12 * chord
        v = C_ * (T_ + hand[act])
        best[act] = np.where(new & (v < best[act]), v, best[act])
        gap = lam * cx + tx - chord
        u1 = np.clip((vP - chord) / np.where(gap < 0, gap, -1.0), 0, 1)
        x1 = (ca + u1 * (cx - ca), ta + u1 * (tx - ta))
        gap2 = lam * cx + tx - (lam * cb + tb)
        u2 = np.clip((vP - (lam * cb + tb)) / np.where(gap2 < 0, gap2, -1.0), 0, 1)
        x2 = (cb + u2 * (cx - cb), tb + u2 * (tx - tb))
        keep_l = new & (x1[0] * (x1[1] + hand[act]) < best[act])
        keep_r = new & (x2[0] * (x2[1] + hand[act]) < best[act])
        sp[act] -= 1
        for keep, item in ((keep_r, np.stack([C_, T_, cb, tb, *x2], -1)), (keep_l, np.stack([ca, ta, C_, T_, *x1], -1))):
            idx = act[keep & (sp[act] < stack_size)]
            stack[idx, sp[idx]] = item[keep & (sp[act] < stack_size)]
            sp[idx] += 1
    seg = np.full((B, n + 1, n + 1), BIG)
    seg[np.repeat(np.arange(B), nseg), s, e] = best
    F = np.zeros((B, n + 1))
    for k in range(1, n + 1):
        F[:, k] = (F[:, :k] + seg[:, :k, k]).min(axis=1)
    return F[:, n]


def run(quick: bool = False) -> list[dict]:
    rows = []
    for n, batch in ((20, 512 if quick else 4096), (100, 256 if quick else 2048)):
        firms = _firms(n, batch)
        alpha = jnp.asarray(np.random.default_rng(1).uniform(0.3, 1.0, batch), dtype=float)
        # cost only (the twin computes no back-pointers); n <= 32: prefix-product form, unrolled
        f = jax.jit(C.short_run_batch_cost)
        rows.append(bench.compare(f"chaining.prop1 n={n}", f, prop1_numpy, (firms, alpha), (_np(firms), np.asarray(alpha)),
                                  n_points=batch, unit="instances",
                                  check=lambda a, b: float(np.max(np.abs(np.asarray(a) - b) / b)),
                                  note="same O(n^2) DP, batch-minor NumPy twin; max relative difference"))
    if not jax.config.jax_enable_x64:
        # The exact long run's hull tolerances (1e-12) are below float32 resolution: its bisection
        # does not terminate in float32, so the float32 run of this script stops here (README).
        return rows
    n, batch = 16, 32 if quick else 256
    firms = _firms(n, batch, seed=2)
    alpha = jnp.asarray(np.random.default_rng(2).uniform(0.3, 1.0, batch), dtype=float)
    f = jax.jit(jax.vmap(lambda i, a: C.long_run_info(i, a, stack_size=12)[0]))
    rows.append(bench.compare(f"chaining.long_run exact n={n}", f, long_run_numpy, (firms, alpha),
                              (_np(firms), np.asarray(alpha)), n_points=batch, unit="cells", repeat=2,
                              check=lambda a, b: float(np.max(np.abs(np.asarray(a) - b) / b)),
                              note="same hull-bisection algorithm; max relative difference"))
    # 10^4 (firm, alpha) cells at n = 16: 100 firms x 100 alphas, chunks of 1000 cells
    n_f, n_a = (20, 10) if quick else (100, 100)
    firms = _firms(16, n_f, seed=3)
    alphas = jnp.linspace(0.05, 1.0, n_a)
    cells = jax.jit(jax.vmap(jax.vmap(lambda i, a: C.long_run_info(i, a, stack_size=12)[0], in_axes=(None, 0)),
                             in_axes=(0, None)))
    chunk = max(1, 2500 // n_a)
    cells(jax.tree_util.tree_map(lambda x: x[:chunk], firms), alphas).block_until_ready()
    t0 = time.perf_counter()
    for i in range(0, n_f, chunk):
        cells(jax.tree_util.tree_map(lambda x, i=i: x[i:i + chunk], firms), alphas).block_until_ready()
    wall = time.perf_counter() - t0
    rows.append(dict(name=f"chaining.long_run exact {n_f * n_a} cells n=16", unit="cells", n=n_f * n_a, jax_s=wall,
                     jax_rate=n_f * n_a / wall, compile_s=float("nan"), backend=jax.default_backend(),
                     devices=len(jax.devices()), x64=True,
                     note=f"wall {wall:.1f} s after compilation, chunks of {chunk * n_a} cells"))
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
