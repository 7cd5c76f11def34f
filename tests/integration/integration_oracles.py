"""Independent NumPy/SciPy oracles for the integration tests (no hai_sim code inside)."""

from __future__ import annotations

import numpy as np
from functools import lru_cache

from scipy import integrate


def default_s(n=20, seed=42):
    return np.random.RandomState(seed).uniform(0, 1, size=(2, n))


def linear_terms(s, a, c, sigma, kappa=(0.5, 0.5), w=None):
    """(mean Err, b_k half-ranges) of the affine Err for linear profiles with uniform noise."""
    n = s.shape[1]
    w = np.full(n, 1.0 / n) if w is None else np.asarray(w)
    coef = np.stack([w * kappa[0], w * kappa[1]])
    E = np.stack([c[0] - (1 - a[0]) * s[0], c[1] - (1 - a[1]) * s[1]])
    b = coef * np.asarray(sigma)[:, None] * np.minimum(E, 1 - E)
    return float(np.sum(coef * (1 - E))), b.ravel()


def gil_pelaez_quad(mean, b, tau):
    """P[Err <= tau] by adaptive quadrature of the Gil-Pelaez integral (scipy.integrate.quad)."""
    x = tau - mean
    sd = np.sqrt(np.sum(b**2) / 3)

    def f(t):
        return np.sin(t * x) / t * np.prod(np.sinc(b * t / np.pi)) if t > 0 else x

    val = 0.0
    edges = np.linspace(0, 60 / sd, 61)
    for lo, hi in zip(edges[:-1], edges[1:]):
        val += integrate.quad(f, lo, hi, limit=400, epsabs=1e-14, epsrel=1e-12)[0]
    return 0.5 + val / np.pi


@lru_cache(maxsize=1)
def _leggauss800():
    return np.polynomial.legendre.leggauss(800)


def gauss_legendre_800(mean, b, tau):
    """Spec §2.1's rule: 800-node Gauss-Legendre on [0, 40/sd]."""
    x = tau - mean
    sd = np.sqrt(np.sum(b**2) / 3)
    u, w = _leggauss800()
    T = 40 / sd
    t = T * (u + 1) / 2
    cf = np.prod(np.sinc(b[:, None] * t[None, :] / np.pi), axis=0)
    return 0.5 + T / 2 * np.sum(w * np.sin(t * x) / t * cf) / np.pi


def sample_linear_uniform(rng, s, a, c, sigma, N):
    """N draws of X (N, 2, n) for linear profiles with uniform noise, by direct simulation."""
    E = np.stack([c[0] - (1 - a[0]) * s[0], c[1] - (1 - a[1]) * s[1]])
    U = rng.uniform(-1, 1, size=(N,) + E.shape) * np.asarray(sigma)[:, None]
    return E + np.minimum(E, 1 - E) * U


def sample_truncnorm(rng, E, sigma, N):
    """N draws of X ~ N(E, sigma^2) conditioned on [0, 1], by rejection of normal draws."""
    out = np.empty((N,) + E.shape)
    todo = np.ones(out.shape, dtype=bool)
    while todo.any():
        draw = E + sigma * rng.standard_normal(out.shape)
        take = todo & (draw >= 0) & (draw <= 1)
        out[take] = draw[take]
        todo &= ~take
    return out


def job_error_np(X, A, h="mean", g="mean", f="mean", lam=None):
    """Err from performances X (N, 2, n) by brute-force aggregation over an explicit graph A."""
    z1, z2 = 1 - X[:, 0], 1 - X[:, 1]
    H = {"mean": (z1 + z2) / 2, "max": np.maximum(z1, z2), "either": 1 - (1 - z1) * (1 - z2)}.get(h)
    if h == "lambda":
        H = lam * z1 + (1 - lam) * z2
    G = np.empty((X.shape[0], A.shape[0]))
    for i, row in enumerate(A):
        idx = np.flatnonzero(row)
        G[:, i] = H[:, idx].mean(axis=1) if g == "mean" else H[:, idx].max(axis=1)
    return G.mean(axis=1) if f == "mean" else G.max(axis=1)
