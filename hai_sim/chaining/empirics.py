"""Synthetic-occupation stand-in for the empirical section (Section 7) [X, spec §5].

The paper's workflow orderings (GPT-5-mini) are not public, so the empirical pipeline runs on
synthetic occupations: tasks with a latent AI difficulty from a two-state Markov chain
(persistence = clustering of AI-easy tasks), exposure E1 = easy, execution labels = the optimal
short-run strategy (Prop 1) at a chosen alpha, order = generation order. Targets are qualitative:
chains longer and fewer than placebo, a negative EFI coefficient, immediate-neighbour AMEs above
distant ones. All kernels work on padded (occupation, N_max) matrices with a mask.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.chaining.dp import _short_run_core
from hai_sim.chaining.params import Instance
from hai_sim.chaining.results import ChainStatistics, ExecutionLabel, NeighbourDesign, Occupations
from hai_sim.engine import InputError, jit_core
from hai_sim.engine.validate import check_choice, check_range


def synthetic_occupations(key, n_occ: int = 872, *, n_max: int = 40, n_min: int = 5, persistence: float = 0.25,
                          p_easy: float = 0.14, d_easy: float = 0.3, d_hard: float = 6.0, alpha: float = 0.7):
    """Generate occupations and label their tasks by the optimal short-run strategy [X].

    ``p_easy`` (stationary share of AI-easy = E1-exposed tasks) is the paper's 14 % E1 share;
    ``persistence`` is the lag-1 persistence of exposure along the task order (0: independent
    positions). With the defaults about 12.6 % of tasks are AI-executed (paper: 2,347 labelled of
    ~18,000, about 13 %).

    Returns :class:`Occupations`: ``mask`` (O, N) bool, ``exposed`` (O, N) bool (E1 = easy),
    ``modes`` (O, N) int (0 manual, 1 augmented, 2 automated), ``ai`` (O, N) bool (AI-executed).
    """
    check_range("n_occ", n_occ, 1, None)
    check_range("n_max", n_max, 2, None)
    check_range("n_min", n_min, 1, n_max)
    check_range("persistence", persistence, 0.0, 1.0)
    check_range("p_easy", p_easy, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("d_easy", d_easy, 0.0, None)
    check_range("d_hard", d_hard, 0.0, None)
    check_range("alpha", alpha, 0.0, 1.0, lo_open=True)
    return _occupations_core(key, persistence, p_easy, d_easy, d_hard, alpha,
                             n_occ=int(n_occ), n_max=int(n_max), n_min=int(n_min))


@jit_core(static_argnames=("n_occ", "n_max", "n_min"))
def _occupations_core(key, persistence, p_easy, d_easy, d_hard, alpha, *, n_occ, n_max, n_min) -> Occupations:
    k_n, k_state, k_cost = jax.random.split(key, 3)
    n_o = jax.random.randint(k_n, (n_occ,), n_min, n_max + 1)
    mask = jnp.arange(n_max)[None, :] < n_o[:, None]
    # two-state Markov chain with stationary share p_easy and lag-1 persistence
    u = jax.random.uniform(k_state, (n_occ, n_max))
    stay_easy = persistence + (1 - persistence) * p_easy
    to_easy = (1 - persistence) * p_easy

    def chain_step(prev, ui):
        easy = jnp.where(prev, ui < stay_easy, ui < to_easy)
        return easy, easy

    first = u[:, 0] < p_easy
    _, rest = jax.lax.scan(chain_step, first, u[:, 1:].T)
    easy = jnp.concatenate([first[:, None], rest.T], axis=1) & mask
    kc = jax.random.split(k_cost, 4)
    ln = lambda k, mu, s: jnp.exp(mu + s * jax.random.normal(k, (n_occ, n_max)))  # noqa: E731
    tM = ln(kc[0], 0.0, 0.4)
    tA = ln(kc[1], -0.4, 0.4)
    cM = ln(kc[2], 0.0, 0.3)
    d = jnp.where(easy, d_easy, d_hard) * ln(kc[3], 0.0, 0.2)
    z = jnp.zeros_like(tM)
    inst = Instance(jnp.where(mask, cM, 0.0), jnp.where(mask, tM, 0.0), cM, tA, jnp.where(mask, d, 0.0), z, mask)
    _, modes = jax.vmap(_short_run_core, in_axes=(0, None))(inst, alpha)
    modes = jnp.where(mask, modes, 0)
    return Occupations(mask=mask, exposed=easy, modes=modes, ai=(modes != 0) & mask)


def _check_matrix(mask, **xs):
    if np.ndim(mask) != 2:
        raise InputError(f"mask has shape {np.shape(mask)}: expected (O, N)")
    for name, x in xs.items():
        if np.shape(x) != np.shape(mask):
            raise InputError(f"{name} has shape {np.shape(x)}: expected (O, N) = {np.shape(mask)} (the shape of mask)")


def chain_statistics(x, mask):
    """Empirical AI chains (maximal runs of x = 1) per occupation [P, spec §1.10].

    Args: x, mask: bool (O, N). Returns :class:`ChainStatistics`: ``n_chains`` (O,),
    ``n_chain_steps`` (O,), ``mean_chain_length`` (pooled over all chains), ``mean_chains``
    (averaged over occupations).
    """
    _check_matrix(mask, x=x)
    return _chain_statistics_core(jnp.asarray(x, bool), jnp.asarray(mask, bool))


@jit_core
def _chain_statistics_core(x, mask) -> ChainStatistics:
    x = x & mask
    prev = jnp.concatenate([jnp.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
    starts = x & ~prev
    n_chains = jnp.sum(starts, axis=1)
    steps = jnp.sum(x, axis=1)
    total = jnp.sum(n_chains)
    return ChainStatistics(n_chains=n_chains, n_chain_steps=steps,
                           mean_chain_length=jnp.sum(steps) / jnp.maximum(total, 1),
                           mean_chains=jnp.mean(n_chains.astype(float)))


def efi(x, mask):
    """Empirical fragmentation index ``(n_o - sum_i x_i x_{i+1}) / n_o`` per occupation [P]
    (x, mask bool (O, N); returns float64 (O,))."""
    _check_matrix(mask, x=x)
    return _efi_core(jnp.asarray(x, bool), jnp.asarray(mask, bool))


@jit_core
def _efi_core(x, mask):
    x = (x & mask).astype(float)
    n = jnp.sum(mask, axis=1).astype(float)
    links = jnp.sum(x[:, :-1] * x[:, 1:], axis=1)
    return (n - links) / n


def permute_within(key, x, mask):
    """Placebo A: an independent random permutation of each occupation's real positions
    (x, mask bool (O, N); returns bool (O, N))."""
    _check_matrix(mask, x=x)
    return _permute_core(key, jnp.asarray(x, bool), jnp.asarray(mask, bool))


@jit_core
def _permute_core(key, x, mask):
    O, N = x.shape
    keys = jax.random.uniform(key, (O, N)) + jnp.where(mask, 0.0, 2.0)  # padding sorts last
    order = jnp.argsort(keys, axis=1)
    return jnp.take_along_axis(x, order, axis=1) & mask


def ols(y, X):
    """Least squares coefficients (p,) of y (n,) on X (n, p) (include a constant column yourself)."""
    if np.ndim(X) != 2 or np.shape(y) != np.shape(X)[:1]:
        raise InputError(f"y has shape {np.shape(y)} and X {np.shape(X)}: expected (n,) and (n, p)")
    return _ols_core(jnp.asarray(y, float), jnp.asarray(X, float))


@jit_core
def _ols_core(y, X):
    return jnp.linalg.lstsq(X, y)[0]


def neighbour_design(ai, exposed, mask):
    """Rows = real tasks: [1, AI_{i-2}, AI_{i-1}, AI_{i+1}, AI_{i+2}, Exp_i, NumSteps] (neighbours
    outside the sequence coded 0 [R]); returns :class:`NeighbourDesign` (X (O*N, 7), y (O*N,),
    w (O*N,) row weights)."""
    _check_matrix(mask, ai=ai, exposed=exposed)
    return _neighbour_core(jnp.asarray(ai, bool), jnp.asarray(exposed, bool), jnp.asarray(mask, bool))


@jit_core
def _neighbour_core(ai, exposed, mask) -> NeighbourDesign:
    a = (ai & mask).astype(float)
    pad = jnp.zeros((a.shape[0], 2))
    ext = jnp.concatenate([pad, a, pad], axis=1)
    N = a.shape[1]
    sh = lambda o: ext[:, 2 + o: 2 + o + N]  # noqa: E731
    nsteps = jnp.broadcast_to(jnp.sum(mask, axis=1, keepdims=True).astype(float), a.shape)
    cols = [jnp.ones_like(a), sh(-2), sh(-1), sh(1), sh(2), exposed.astype(float), nsteps / 20.0]
    X = jnp.stack([c.reshape(-1) for c in cols], axis=1)
    return NeighbourDesign(X, a.reshape(-1), mask.reshape(-1).astype(float))


def logit_newton(X, y, w, iters: int = 25):
    """Weighted logit by a fixed number of Newton steps (vmappable over placebo draws).

    X (n, p), y (n,) in {0, 1}, w (n,) >= 0; returns the coefficients float64 (p,)."""
    if np.ndim(X) != 2 or np.shape(y) != np.shape(X)[:1] or np.shape(w) != np.shape(X)[:1]:
        raise InputError(f"X, y, w have shapes {np.shape(X)}, {np.shape(y)}, {np.shape(w)}: expected (n, p), (n,), (n,)")
    check_range("w", w, 0.0, None)
    check_range("iters", iters, 1, None)
    return _logit_core(jnp.asarray(X, float), jnp.asarray(y, float), jnp.asarray(w, float), iters=int(iters))


@jit_core(static_argnames=("iters",))
def _logit_core(X, y, w, iters: int):
    beta = jnp.zeros(X.shape[1])

    def step(b, _):
        p = jax.nn.sigmoid(X @ b)
        grad = X.T @ (w * (y - p))
        H = (X * (w * p * (1 - p))[:, None]).T @ X + 1e-9 * jnp.eye(X.shape[1])
        return b + jnp.linalg.solve(H, grad), None

    beta, _ = jax.lax.scan(step, beta, None, length=iters)
    return beta


def neighbour_ames(X, w, beta):
    """Average marginal effects (discrete changes 0 -> 1) of the four neighbour dummies
    (columns 1-4 of X (n, 7) from :func:`neighbour_design`); returns float64 (4,)."""
    if np.ndim(X) != 2 or np.shape(X)[1] < 5:
        raise InputError(f"X has shape {np.shape(X)}: expected (n, 7) from neighbour_design")
    return _ames_core(jnp.asarray(X, float), jnp.asarray(w, float), jnp.asarray(beta, float))


@jit_core
def _ames_core(X, w, beta):
    def ame(col):
        x1 = X.at[:, col].set(1.0)
        x0 = X.at[:, col].set(0.0)
        diff = jax.nn.sigmoid(x1 @ beta) - jax.nn.sigmoid(x0 @ beta)
        return jnp.sum(w * diff) / jnp.sum(w)

    return jnp.stack([ame(c) for c in (1, 2, 3, 4)])


AUG_CATEGORIES = ("validation", "task_iteration", "learning")
AUTO_CATEGORIES = ("directive", "feedback_loop")


def execution_label(shares: dict):
    """Execution label of a task from Anthropic Economic Index shares [P rule, spec §1.10].

    ``aug = validation + task_iteration + learning``, ``auto = directive + feedback_loop``;
    ``filtered`` is ignored; the larger wins, ties go to augmentation [R]; a task with no
    conversations (all shares 0) or 100% filtered is manual. Works elementwise on arrays.
    Returns :class:`ExecutionLabel` (aug, auto, label) with label 0 manual, 1 augmentation,
    2 automation.
    """
    for name, value in shares.items():
        check_choice("shares key", name, AUG_CATEGORIES + AUTO_CATEGORIES + ("filtered",))
        check_range(f"shares[{name!r}]", value, 0.0, None)
    aug = sum(jnp.asarray(shares.get(k, 0.0), float) for k in AUG_CATEGORIES)
    auto = sum(jnp.asarray(shares.get(k, 0.0), float) for k in AUTO_CATEGORIES)
    return _label_core(aug, auto)


@jit_core
def _label_core(aug, auto) -> ExecutionLabel:
    none = (aug + auto) <= 0
    label = jnp.where(none, 0, jnp.where(auto > aug, 2, 1))
    return ExecutionLabel(aug, auto, label)
