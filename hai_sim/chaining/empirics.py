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

from hai_sim.chaining.dp import short_run
from hai_sim.chaining.params import Instance
from hai_sim.engine.validate import check_range


def synthetic_occupations(key, n_occ: int = 872, *, n_max: int = 40, n_min: int = 5, persistence: float = 0.25,
                          p_easy: float = 0.17, d_easy: float = 0.3, d_hard: float = 6.0, alpha: float = 0.5):
    """Generate occupations and label their tasks by the optimal short-run strategy [X].

    Returns a dict of arrays: ``mask`` (O, N) bool, ``exposed`` (O, N) bool (E1 = easy),
    ``modes`` (O, N) int (0 manual, 1 augmented, 2 automated), ``ai`` (O, N) bool (AI-executed).
    """
    check_range("persistence", persistence, 0.0, 1.0)
    check_range("p_easy", p_easy, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("alpha", alpha, 0.0, 1.0, lo_open=True)
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
    _, modes = jax.vmap(short_run, in_axes=(0, None))(inst, alpha)
    modes = jnp.where(mask, modes, 0)
    return dict(mask=mask, exposed=easy, modes=modes, ai=(modes != 0) & mask)


def chain_statistics(x, mask):
    """Empirical AI chains (maximal runs of x = 1) per occupation [P, spec §1.10].

    Args: x, mask: bool (O, N). Returns dict: ``n_chains`` (O,), ``n_chain_steps`` (O,),
    ``mean_chain_length`` (pooled over all chains), ``mean_chains`` (averaged over occupations).
    """
    x = x & mask
    prev = jnp.concatenate([jnp.zeros_like(x[:, :1]), x[:, :-1]], axis=1)
    starts = x & ~prev
    n_chains = jnp.sum(starts, axis=1)
    steps = jnp.sum(x, axis=1)
    total = jnp.sum(n_chains)
    return dict(n_chains=n_chains, n_chain_steps=steps,
                mean_chain_length=jnp.sum(steps) / jnp.maximum(total, 1), mean_chains=jnp.mean(n_chains))


def efi(x, mask):
    """Empirical fragmentation index ``(n_o - sum_i x_i x_{i+1}) / n_o`` per occupation [P]."""
    x = (x & mask).astype(float)
    n = jnp.sum(mask, axis=1)
    links = jnp.sum(x[:, :-1] * x[:, 1:], axis=1)
    return (n - links) / n


def permute_within(key, x, mask):
    """Placebo A: an independent random permutation of each occupation's real positions."""
    O, N = x.shape
    keys = jax.random.uniform(key, (O, N)) + jnp.where(mask, 0.0, 2.0)  # padding sorts last
    order = jnp.argsort(keys, axis=1)
    return jnp.take_along_axis(x, order, axis=1) & mask


def ols(y, X):
    """Least squares coefficients of y (n,) on X (n, p) (include a constant column yourself)."""
    return jnp.linalg.lstsq(X, y)[0]


def neighbour_design(ai, exposed, mask):
    """Rows = real tasks: [1, AI_{i-2}, AI_{i-1}, AI_{i+1}, AI_{i+2}, Exp_i, NumSteps] (neighbours
    outside the sequence coded 0 [R]); returns (X (O*N, 7), y (O*N,), w (O*N,) row weights)."""
    a = (ai & mask).astype(float)
    pad = jnp.zeros((a.shape[0], 2))
    ext = jnp.concatenate([pad, a, pad], axis=1)
    N = a.shape[1]
    sh = lambda o: ext[:, 2 + o: 2 + o + N]  # noqa: E731
    nsteps = jnp.broadcast_to(jnp.sum(mask, axis=1, keepdims=True).astype(float), a.shape)
    cols = [jnp.ones_like(a), sh(-2), sh(-1), sh(1), sh(2), exposed.astype(float), nsteps / 20.0]
    X = jnp.stack([c.reshape(-1) for c in cols], axis=1)
    return X, a.reshape(-1), mask.reshape(-1).astype(float)


def logit_newton(X, y, w, iters: int = 25):
    """Weighted logit by a fixed number of Newton steps (vmappable over placebo draws)."""
    beta = jnp.zeros(X.shape[1])

    def step(b, _):
        p = jax.nn.sigmoid(X @ b)
        grad = X.T @ (w * (y - p))
        H = (X * (w * p * (1 - p))[:, None]).T @ X + 1e-9 * jnp.eye(X.shape[1])
        return b + jnp.linalg.solve(H, grad), None

    beta, _ = jax.lax.scan(step, beta, None, length=iters)
    return beta


def neighbour_ames(X, y, w, beta):
    """Average marginal effects (discrete changes 0 -> 1) of the four neighbour dummies."""
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
    Returns (aug, auto, label) with label 0 manual, 1 augmentation, 2 automation.
    """
    aug = sum(jnp.asarray(shares.get(k, 0.0), float) for k in AUG_CATEGORIES)
    auto = sum(jnp.asarray(shares.get(k, 0.0), float) for k in AUTO_CATEGORIES)
    none = (aug + auto) <= 0
    label = jnp.where(none, 0, jnp.where(auto > aug, 2, 1))
    return aug, auto, label
