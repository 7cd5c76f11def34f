"""Independent SciPy twins of the Global closed forms (adaptive quadrature, scipy.stats), for tests."""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, stats

Phi = stats.norm.cdf


def expert_accuracy(n, K, p, expert="paper41"):
    """H from the vote model directly: P(y in E) + P(y not in E) P(right | y not in E)."""
    if expert == "paper41":
        if K == n:
            return 1.0
        p_right = p + (1 - p) / (n - K)
    else:
        p_right = p + (1 - p) / n
    return K / n + (n - K) / n * p_right


def p0(sigma_D, n, method):
    if method == "paper":
        return Phi(1 / sigma_D) ** (n - 1)
    s = sigma_D / math.sqrt(2)
    f = lambda z: stats.norm.pdf(z) * Phi(z + 1 / s) ** (n - 1)  # noqa: E731
    return integrate.quad(f, -12, 12, epsabs=1e-13, epsrel=1e-13, limit=200)[0]


def p1_kp(alpha, n, K, p, sigma_D, method):
    """Eq 8 written with (K, p), P_a, P_b (not through H)."""
    P_a = p + (1 - p) / (n - K)
    P_b = (n - K - 1) / (n - K) * (1 - p)
    if method == "paper":
        A = Phi(1 / (alpha * sigma_D)) ** (n - 1)
        B = Phi((2 * alpha - 1) / (alpha * sigma_D)) * Phi(1 / sigma_D) ** (n - 2)
    else:
        A, B = _exact_AB(alpha, n, sigma_D)
    return K / n * A + (n - K) / n * (P_a * A + P_b * B)


def _exact_AB(alpha, n, sigma_D):
    s = sigma_D / math.sqrt(2)
    fa = lambda z: stats.norm.pdf(z) * Phi(z + 1 / (alpha * s)) ** (n - 1)  # noqa: E731
    fb = lambda z: stats.norm.pdf(z) * Phi(z + (2 * alpha - 1) / (alpha * s)) * Phi(z + 1 / s) ** (n - 2)  # noqa: E731
    q = lambda f: integrate.quad(f, -12, 12, epsabs=1e-13, epsrel=1e-13, limit=200)[0]  # noqa: E731
    return q(fa), q(fb)


def p1(alpha, n, H, sigma_D, method):
    if alpha == 0:
        return H
    if method == "paper":
        A = Phi(1 / (alpha * sigma_D)) ** (n - 1)
        B = Phi((2 * alpha - 1) / (alpha * sigma_D)) * Phi(1 / sigma_D) ** (n - 2)
    else:
        A, B = _exact_AB(alpha, n, sigma_D)
    return H * A + (1 - H) * B


def best_alpha(n, H, sigma_D, method="paper"):
    """Brute force: a dense grid, then bounded Brent on the best bracket."""
    grid = np.linspace(1e-6, 1, 201 if method == "paper" else 41)
    vals = np.array([p1(a, n, H, sigma_D, method) for a in grid])
    i = int(np.argmax(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda a: -p1(a, n, H, sigma_D, method), bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-10})
    return (res.x, -res.fun) if -res.fun >= vals[i] else (grid[i], vals[i])


def sigma_exact(acc, n):
    """σ_D at which the noise model truly has accuracy acc (brentq on adaptive quadrature)."""
    return optimize.brentq(lambda sD: p0(sD, n, "exact") - acc, 1e-3, 50, xtol=1e-14)
