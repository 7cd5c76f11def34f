"""Brute-force enumerators (test oracles) [X, spec §2.1], plain NumPy/Python, exponential time.

Independent of the DPs: they list every AI strategy and every job design and evaluate the cost
formulas of spec §1.3-1.4 directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

FIELDS = ("cM", "tM", "cA", "tA", "d", "tH")  # an instance as the oracles take it: a dict of these


def random_params(rng: np.random.Generator, n: int, low: float, high: float) -> dict:
    """A random n-step instance in the oracles' dict format: every field uniform on [low, high),
    the last step's hand-off 0."""
    params = {k: rng.uniform(low, high, n) for k in FIELDS}
    params["tH"][-1] = 0.0
    return params


def strategies(n: int) -> Iterator[tuple[tuple[int, int, str], ...]]:
    """All AI strategies of n steps as tuples of tasks (first, last, kind), kind "M" or "AI".

    Count: ``F_{2n+1}`` (2, 5, 13, 34, ... for n = 1, 2, 3, 4).
    """
    def rec(p):
        if p == n:
            yield ()
            return
        for rest in rec(p + 1):
            yield ((p, p, "M"),) + rest
        for L in range(1, n - p + 1):
            for rest in rec(p + L):
                yield ((p, p + L - 1, "AI"),) + rest

    yield from rec(0)


def strategy_modes(strategy, n: int) -> np.ndarray:
    """Mode array (0 manual, 1 augmented goal, 2 automated) of a strategy."""
    modes = np.zeros(n, np.int32)
    for a, b, kind in strategy:
        if kind == "AI":
            modes[a:b] = 2
            modes[b] = 1
    return modes


def task_list(params: dict, alpha: float, strategy):
    """Task skills, times and hand-offs (after the task's last step) of a strategy."""
    cM, tM, cA, tA, d, tH = (np.asarray(params[k], float) for k in FIELDS)
    c, t, h = [], [], []
    for a, b, kind in strategy:
        if kind == "M":
            c.append(cM[a])
            t.append(tM[a])
        else:
            c.append(cA[b])
            t.append(tA[b] / np.prod(alpha ** d[a:b + 1]))
        h.append(tH[b])
    return np.array(c), np.array(t), np.array(h)


def job_designs(m: int) -> Iterator[np.ndarray]:
    """All ``2^(m-1)`` job designs of m tasks as 0/1 cut vectors of length m - 1."""
    for bits in itertools.product((0, 1), repeat=m - 1):
        yield np.array(bits, np.int32)


def design_cost_tasks(c, t, h, cuts) -> float:
    """Wage bill of a task list cut into jobs (hand-off of the last job ignored)."""
    total, C, T = 0.0, 0.0, 0.0
    m = len(c)
    for i in range(m):
        C += c[i]
        T += t[i]
        if i == m - 1 or cuts[i]:
            total += C * (T + (h[i] if i < m - 1 else 0.0))
            C, T = 0.0, 0.0
    return total


def best_job_design(c, t, h):
    """(cost, cuts) minimising over all job designs of the task list."""
    best, arg = np.inf, None
    for cuts in job_designs(len(c)):
        v = design_cost_tasks(c, t, h, cuts)
        if v < best:
            best, arg = v, cuts
    return best, arg


def short_run_brute(params: dict, alpha: float):
    """(least total task time, modes) over all strategies (one job, unit wage)."""
    n = len(params["cM"])
    best, arg = np.inf, None
    for s in strategies(n):
        v = task_list(params, alpha, s)[1].sum()
        if v < best:
            best, arg = v, s
    return best, strategy_modes(arg, n)


def long_run_brute(params: dict, alpha: float):
    """(cost, modes, step cuts) of the long-run optimum by enumerating strategies x job designs."""
    n = len(params["cM"])
    best, arg = np.inf, None
    for s in strategies(n):
        c, t, h = task_list(params, alpha, s)
        v, cuts = best_job_design(c, t, h)
        if v < best:
            best, arg = v, (s, cuts)
    s, task_cuts = arg
    step_cuts = np.zeros(n - 1, np.int32)
    for i, (_, b, _) in enumerate(s[:-1]):
        step_cuts[b] = task_cuts[i]
    return best, strategy_modes(s, n), step_cuts


def short_run_cost_brute(params: dict, alpha: float):
    """Frozen-pre-AI-jobs short-run cost (spec §1.5) by enumeration within each pre-AI job."""
    cM, tM, tH = (np.asarray(params[k], float) for k in ("cM", "tM", "tH"))
    n = len(cM)
    _, cuts0 = best_job_design(cM, tM, tH)
    total = 0.0
    start = 0
    for i in range(n):
        if i == n - 1 or cuts0[i]:
            sub = {k: np.asarray(params[k], float)[start:i + 1] for k in FIELDS}
            g, _ = short_run_brute(sub, alpha)
            wage = cM[start:i + 1].sum()
            total += wage * (g + (tH[i] if i < n - 1 else 0.0))
            start = i + 1
    return total


def prop3_recursion(params: dict, alpha: float) -> float:
    """Proposition 3's recursion with the active worker, memoised on exact (k, c, t) [D, §2.4].

    Option (1) (close the active job) is skipped for the empty active worker via an explicit
    flag (ERRATA 1), not by testing c == 0. Exponential in the worst case: test oracle only.
    """
    from functools import lru_cache

    cM, tM, cA, tA, d, tH = (np.asarray(params[k], float) for k in FIELDS)
    n = len(cM)

    @lru_cache(maxsize=None)
    def G(k, c, t, empty):
        if k == 0:
            return c * t
        best = np.inf
        if not empty:
            best = F(k) + c * t
        best = min(best, G(k - 1, c + cM[k - 1], t + tM[k - 1], False))
        for j in range(k):
            tch = tA[k - 1] / np.prod(alpha ** d[j:k])
            best = min(best, G(j, c + cA[k - 1], t + tch, False))
        return best

    @lru_cache(maxsize=None)
    def F(k):
        return G(k, 0.0, tH[k - 1], True)

    return F(n)
