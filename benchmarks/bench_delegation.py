"""Delegation kernels against vectorised NumPy twins (same math, same run).

Rows: the full (d*, v*, Q) solve with the general bisection solver and with the closed form, the
closed-form separatrices, and a 4096 x 4096 (beta, theta) phase diagram (regimes + quality
labels). Run ``python benchmarks/bench_delegation.py [--quick]``; writes
``benchmarks/results/delegation.json``.
"""

from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import hai_sim  # noqa: F401  (x64)
from hai_sim import delegation as D
from hai_sim.engine.bench import compare

P = dict(b_w=20.0, l_w=5.0, b_I=24.0, l_I=6.0, rho=0.8, p_w=0.8, p_a=0.6, c_a=0.0, K=10.0, c_v=1.0, V=10.0)
ITERS = 60


def _np_coeffs(theta):
    s_w, s_I = P["b_w"] + P["l_w"], P["b_I"] + P["l_I"]
    c_w = P["K"] * (1.0 - theta)
    G = s_w * (P["p_a"] - P["p_w"]) + c_w - P["c_a"]
    B_w = (1 - P["p_a"]) * (s_w * P["p_w"] - c_w)
    A_I = s_I * (P["p_a"] - P["p_w"]) + P["rho"] * (c_w - P["c_a"])
    B_I = (1 - P["p_a"]) * (s_I * P["p_w"] - P["rho"] * c_w)
    Q0 = s_I * P["p_w"] - P["l_I"] - P["rho"] * c_w
    scale = s_w + s_I + np.abs(c_w) + P["c_a"] + 1.0
    return G, B_w, A_I, B_I, Q0, scale


def _np_finish(beta, theta, v):
    G, B_w, A_I, B_I, Q0, scale = _np_coeffs(theta)
    Dv = beta * v / (1.0 + beta * v)
    M = G + B_w * Dv - P["c_v"] * v
    d = (M >= -1e-12 * scale).astype(float)
    Q = Q0 + d * (A_I + B_I * Dv - P["rho"] * P["c_v"] * v)
    return d, d * v, Q


def numpy_closed(beta, theta):
    """NumPy twin of worker_action + quality, closed form (inverse-linear D, linear kappa)."""
    _, B_w, *_ = _np_coeffs(theta)
    x = B_w * beta / P["c_v"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(x > 1.0, (np.sqrt(np.maximum(x, 1.0)) - 1.0) / np.where(beta > 0, beta, 1.0), 0.0)
    return _np_finish(beta, theta, np.minimum(v, P["V"]))


def numpy_phase(beta, theta, tau=13.0):
    """NumPy twin of the phase-diagram kernel: regime, quality label, compliance label."""
    b, t = beta[:, None], theta[None, :]
    G, B_w, A_I, B_I, Q0, scale = _np_coeffs(t)
    x = B_w * b / P["c_v"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(x > 1.0, (np.sqrt(np.maximum(x, 1.0)) - 1.0) / np.where(b > 0, b, 1.0), 0.0)
    Dv = b * v / (1.0 + b * v)
    M = G + B_w * Dv - P["c_v"] * v
    d = M >= -1e-12 * scale
    regime = np.where(d, np.where(v > 0, 2, 1), 0)
    dQ = d * (A_I + B_I * Dv - P["rho"] * P["c_v"] * v)
    eps = 1e-9 * scale
    quality = np.where(dQ > eps, 2, np.where(dQ < -eps, 0, 1))
    qual, qual0 = Q0 + dQ >= tau - eps, np.broadcast_to(Q0 >= tau - eps, dQ.shape)
    compliance = np.where(qual, np.where(qual0, 3, 1), np.where(qual0, 2, 0))
    return regime, quality, compliance


def _label_mismatches(a, b):
    return float(sum(int((np.asarray(x) != np.asarray(y)).sum()) for x, y in zip(a, b)))


def numpy_bisection(beta, theta):
    """NumPy twin of the general solver: bisection on the sign of phi'(v), same bracket and count."""
    _, B_w, *_ = _np_coeffs(theta)

    def g(v):
        return B_w * beta / (1.0 + beta * v) ** 2 - P["c_v"]

    hi0 = np.minimum(P["V"], np.maximum(B_w, 0.0) / P["c_v"])
    lo, hi = np.zeros_like(hi0), hi0.copy()
    for _ in range(ITERS):
        mid = 0.5 * (lo + hi)
        right = g(mid) > 0
        lo = np.where(right, mid, lo)
        hi = np.where(right, hi, mid)
    v = np.where(g(np.zeros_like(hi0)) <= 0, 0.0, np.where(g(hi0) >= 0, hi0, 0.5 * (lo + hi)))
    return _np_finish(beta, theta, v)


def numpy_separatrices(theta):
    """NumPy twin of the closed-form beta_1 / beta_3 / beta_4 (inverse-linear D, linear kappa), with the
    same capped-branch selection as the JAX kernel."""
    G, B_w, A_I, B_I, Q0, scale = _np_coeffs(theta)
    s_I = P["b_I"] + P["l_I"]
    c_v, V, rho = P["c_v"], P["V"], P["rho"]
    Q_pure = s_I * P["p_a"] - P["l_I"] - rho * P["c_a"]
    sB = np.sqrt(B_w)
    after = G < -1e-12 * scale

    def vhat(beta):
        b = np.where(np.isfinite(beta) & (beta > 0), beta, 1.0)
        x = B_w * b / c_v
        return np.where(x > 1, (np.sqrt(np.maximum(x, 1.0)) - 1) / b, 0.0)

    def pick(free, ok, target, fallback):
        free_valid = ok & (vhat(free) <= V)
        r_ok = (target > 0) & (target < 1)
        r = np.where(r_ok, target, 0.5)
        cap = r / (V * (1 - r))
        return np.where(free_valid, free, np.where(r_ok & (vhat(cap) >= V), cap, fallback))

    with np.errstate(divide="ignore", invalid="ignore"):
        denom = sB - np.sqrt(np.maximum(-G, 0.0))
        free1 = np.where(denom > 0, c_v / denom**2, np.inf)
        beta_1 = np.where(after, pick(free1, denom > 0, (c_v * V - G) / B_w, np.inf), np.nan)
        b = B_I / sB + rho * sB

        def small_root(c):
            disc = b * b - 4 * rho * c
            return np.where(disc >= 0, 2 * c / (b + np.sqrt(np.maximum(disc, 0.0))), np.nan)

        y3 = small_root(A_I + B_I)
        free3 = np.where(y3 > 0, c_v / y3**2, np.inf)
        root3 = pick(free3, y3 > 0, (rho * c_v * V - A_I) / B_I, np.inf)
        beta_3 = np.where(after, np.maximum(beta_1, root3), np.where(A_I >= 0, 0.0, root3))
        y4 = small_root(Q_pure + B_I - 13.0)
        ok4 = (y4 > 0) & (y4 < sB)
        beta_4 = pick(np.where(ok4, c_v / y4**2, np.nan), ok4, (13.0 + rho * c_v * V - Q_pure) / B_I, np.nan)
    return beta_1, beta_3, beta_4


def _maxdiff(a, b):
    return max(float(np.nanmax(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b))


def run(quick: bool = False) -> list[dict]:
    p = D.make_params()
    n = 256 if quick else 1024
    beta = jnp.linspace(1e-3, 2.0, n)[:, None] * jnp.ones((1, n))
    theta = jnp.ones((n, 1)) * jnp.linspace(0.0, 1.0, n)[None, :]
    npts = n * n

    def solve(method, chunk=None):
        # The bisection state of a chunk stays in cache across its halvings; over the whole 1M-point
        # grid at once every halving would stream the arrays through memory (as NumPy does).
        def one(bt):
            q = D.quality(p, bt[0], bt[1], method=method)
            return jnp.stack([q["d"], q["v"], q["Q"]])

        def f(b, t):
            if chunk is None:
                return tuple(one((b, t)))
            bt = jnp.stack([b.reshape(-1, chunk), t.reshape(-1, chunk)], axis=1)
            out = jax.lax.map(one, bt)
            return tuple(out[:, k].reshape(b.shape) for k in range(3))

        return jax.jit(f)

    rows = [
        compare(f"delegation.solve bisection {n}x{n}", solve("bisection", 1024), numpy_bisection, (beta, theta),
                n_points=npts, check=_maxdiff, note=f"(d*, v*, Q), {ITERS} halvings + IFT, lax.map over 1024-point chunks"),
        compare(f"delegation.solve closed form {n}x{n}", solve("closed"), numpy_closed, (beta, theta),
                n_points=npts, check=_maxdiff, note="(d*, v*, Q), inverse-linear D, linear kappa"),
    ]
    th = jnp.linspace(0.0, 1.0, 1 << (14 if quick else 20))

    def seps(t):
        s = D.separatrices(p, t, method="closed")
        return s["beta_1"], s["beta_3"], s["beta_4"]

    rows.append(compare(f"delegation.separatrices closed {th.size}", jax.jit(seps), numpy_separatrices, (th,),
                        n_points=th.size, check=_maxdiff, note="beta_1, beta_3, beta_4 over theta"))

    # The 4096 x 4096 phase diagram: wall time of one call including compilation (target < 60 s).
    side = 1024 if quick else 4096

    @jax.jit
    def diagram(b, t):
        q = D.quality(p, b[:, None], t[None, :], method="closed")
        return q["regime"], q["quality_label"], q["compliance_label"]

    b1, t1 = jnp.linspace(1e-4, 2.0, side), jnp.linspace(0.0, 1.0, side)
    t0 = time.perf_counter()
    jax.block_until_ready(diagram(b1, t1))
    first = time.perf_counter() - t0
    row = compare(f"delegation.phase diagram {side}x{side}", diagram, numpy_phase, (b1, t1), n_points=side * side,
                  repeat=2, check=_label_mismatches,
                  note=f"regime + 2 labels, closed form (check = # differing labels); first call incl. "
                  f"compile {first:.2f} s")
    row["first_call_s"] = first
    rows.append(row)

    @jax.jit
    def diagram_bisection(b, t):
        # two beta rows (8192 points at side 4096) per step keep the bisection state in cache
        def rows(b_pair):
            q = D.quality(p, b_pair[:, None], t[None, :], method="bisection")
            return q["regime"], q["quality_label"], q["compliance_label"]

        return jax.lax.map(rows, b.reshape(-1, 2))

    t0 = time.perf_counter()
    jax.block_until_ready(diagram_bisection(b1, t1))
    first_b = time.perf_counter() - t0
    agree = [int((np.asarray(x).reshape(side, side) != np.asarray(y)).sum())
             for x, y in zip(diagram_bisection(b1, t1), diagram(b1, t1))]
    row = compare(f"delegation.phase diagram {side}x{side} bisection", diagram_bisection, None, (b1, t1),
                  n_points=side * side, repeat=1,
                  note=f"general solver, 2 beta rows per lax.map step; first call incl. compile {first_b:.2f} s; "
                  f"labels differing from the closed form: {sum(agree)}")
    row["first_call_s"] = first_b
    rows.append(row)
    return rows


if __name__ == "__main__":
    # One runner for every script: float64 here, float32 in a subprocess, JSON under results/.
    from hai_sim.engine import bench as _bench

    sys.exit(_bench.main([__file__, *sys.argv[1:]]))
