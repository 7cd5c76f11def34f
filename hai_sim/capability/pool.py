"""Expert pools: a vocabulary of M experts, random subsets per instance (spec §2.1-2.2, §4.3-4.4, §4.10-4.11).

* :func:`random_vocabulary`: M expertise sets drawn uniformly, with replacement, from the 2^n
  binary vectors (Table 4 / Fig 6 [P]; the empty set may occur [R]).
* :func:`sample_agents`: per instance m ~ uniform{lo..hi} distinct agents by Gumbel-top-m,
  padded to hi with ``agent_mask`` False (spec §2.1).
* :func:`pool_votes`: one vote per (instance, agent) by :func:`~hai_sim.capability.expert_votes`'s
  rule, each agent with its own expertise row.
* :func:`pool_inputs`: the model's ``(agent_ids, agent_mask, scores)``, with the AI (agent 0)
  in front when there is one.
* :func:`expert_pool_scenario`: a Gaussian task world with such a pool (and optionally the
  AI); :func:`~hai_sim.capability.train` draws agents and votes per step when
  ``Scenario.pool`` is set.
* :func:`capability_drift`: eq 11's D_corr and the mean absolute off-diagonal correlation of the
  capability vectors (Fig 6 (a), (b)).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError
from hai_sim.engine.validate import check_choice, check_range, check_shape

from ._checks import check_grid, check_int_range
from .data import Scenario, ai_expert_scenario, expert_votes
from .theory import EXPERTS

__all__ = ["capability_drift", "draw_pool", "expert_pool_scenario", "pool_inputs", "pool_votes", "random_vocabulary",
           "sample_agents"]


def random_vocabulary(key, M: int, n: int = 10) -> np.ndarray:
    """(M, n) bool: M expertise sets, each a uniform draw (with replacement) from the 2^n binary
    vectors, i.e. every class in E independently w.p. 1/2 (Table 4, Fig 6 [P])."""
    check_grid(M, "M", 1)
    check_grid(n, "n", 2)
    return np.asarray(jax.random.bernoulli(key, 0.5, (int(M), int(n))))


def sample_agents(key, B: int, M: int, m_lo: int, m_hi: int):
    """Per instance, m ~ uniform{m_lo..m_hi} distinct agents out of M, every m-subset equally
    likely (Gumbel-top-m, spec §2.1), in random order.

    Returns ``ids`` (B, m_hi) int32 in [0, M) (distinct within a row; padding slots hold further
    distinct agents) and ``mask`` (B, m_hi) bool, True on the first m slots. jit-able (sizes static).
    """
    k_g, k_m = jax.random.split(key)
    _, ids = jax.lax.top_k(jax.random.gumbel(k_g, (B, M)), m_hi)
    m = jax.random.randint(k_m, (B,), m_lo, m_hi + 1)
    return ids.astype(jnp.int32), jnp.arange(m_hi)[None, :] < m[:, None]


def pool_votes(key, y, ids, pool, p, expert: str = "ms"):
    """Votes (B, m) int32 of agents ``ids`` (B, m) with expertise rows ``pool`` (M, n) bool on
    labels ``y`` (B,): each (instance, agent) pair follows :func:`expert_votes`'s ``expert`` rule
    (``ms`` or ``paper41``) with its own key. jit/vmap-able (``expert`` static)."""
    check_choice("expert", expert, EXPERTS)
    B, m = ids.shape
    keys = jax.random.split(key, B * m).reshape(B, m)
    y_bm = jnp.broadcast_to(jnp.asarray(y, jnp.int32)[:, None], (B, m))
    one = jax.vmap(jax.vmap(lambda k, yi, E: expert_votes(k, yi, E, p, expert)))
    return one(keys, y_bm, jnp.asarray(pool)[ids])


@functools.partial(jax.jit, static_argnames=("m_lo", "m_hi", "expert"))
def draw_pool(key, y, pool, p, *, m_lo: int, m_hi: int, expert: str = "ms"):
    """Each instance's experts and their votes: :func:`sample_agents` out of ``pool`` (M, n),
    then :func:`pool_votes` on labels ``y`` (B,). Returns ``(ids, mask, votes)``, each (B, m_hi)."""
    k_a, k_v = jax.random.split(key)
    ids, mask = sample_agents(k_a, y.shape[0], pool.shape[0], m_lo, m_hi)
    return ids, mask, pool_votes(k_v, y, ids, pool, p, expert)


def pool_inputs(ai, ids, mask, votes, n: int):
    """The model's ``(agent_ids, agent_mask, scores)`` for expert ``ids`` (B, m) (pool indices),
    ``mask`` (B, m) and ``votes`` (B, m): one-hot vote rows (zero on padding). With an AI
    (``ai`` (B, n) probability rows, not None) the AI is agent 0 in slot 0 and expert i is agent
    i + 1, so the outputs have m + 1 slots."""
    scores = jax.nn.one_hot(votes, n, dtype=jnp.float32) * mask[..., None]
    if ai is None:
        return ids, mask, scores
    B = ids.shape[0]
    return (jnp.concatenate([jnp.zeros((B, 1), jnp.int32), ids + 1], axis=1),
            jnp.concatenate([jnp.ones((B, 1), bool), mask], axis=1),
            jnp.concatenate([jnp.asarray(ai, jnp.float32)[:, None, :], scores], axis=1))


def _m_range(m, M):
    lo, hi = (m, m) if np.ndim(m) == 0 else tuple(m)
    check_int_range("m", lo, 1, M, hi_name="M")
    check_int_range("m", hi, lo, M, hi_name="M")
    return int(lo), int(hi)


def expert_pool_scenario(seed: int = 0, pool=10, m=2, *, n: int = 10, p: float = 0.0, expert: str = "ms",
                         with_ai: bool = False, ai_acc: float | None = None, n_train: int = 20_000,
                         n_val: int = 4_000, n_test: int = 10_000, d_x: int = 32, tau: float = 1.6) -> Scenario:
    """A pool of M experts on a Gaussian task world (Tables 3-4, Figs 5-6 analogs [R]).

    Args:
        pool: an int M (a :func:`random_vocabulary` drawn from ``seed``) or an (M, n) bool array
            of expertise sets.
        m: experts per instance: an int, or ``(lo, hi)`` for m ~ uniform{lo..hi} (1 ≤ lo ≤ hi ≤ M).
        p, expert: each expert is right on its set, elsewhere right w.p. ``p``, else guesses as
            ``expert`` (``ms``: over all n; ``paper41``: outside its set).
        with_ai: add the AI (agent 0, always present) with accuracy ``ai_acc`` (None: 0.9454),
            noise σ calibrated exactly, as :func:`ai_expert_scenario`.

    Training redraws agents and votes every step; each split holds one fixed draw:
    ``agent_ids`` (N, hi) pool indices, ``agent_mask`` (N, hi), ``votes`` (N, hi). The
    scenario's ``pool`` (M, n), ``m`` = (lo, hi) and ``with_ai`` say so; ``expertise`` is the
    union of the sets and ``k`` its size. The world (features, labels, AI rows) is the one
    :func:`ai_expert_scenario` draws with the same seed and sizes.
    """
    check_choice("expert", expert, EXPERTS)
    check_range("p", p, 0.0, 1.0)
    if ai_acc is not None and not with_ai:
        raise InputError(f"ai_acc={ai_acc!r}: only with with_ai=True (there is no AI agent otherwise)")
    key = jax.random.fold_in(jax.random.key(seed), 300)  # apart from the world's and votes' keys
    if np.ndim(pool) == 0:
        pool = random_vocabulary(jax.random.fold_in(key, 0), pool, n)
    pool = np.asarray(pool)
    check_shape("pool", pool, (None, n))
    if pool.dtype != bool:
        raise InputError(f"pool has dtype {pool.dtype}: expected bool (M, n) expertise sets")
    M = pool.shape[0]
    lo, hi = _m_range(m, M)
    base = ai_expert_scenario(seed=seed, n=n, k=0, p=p, expert=expert, ai_acc=ai_acc if with_ai else None,
                              n_train=n_train, n_val=n_val, n_test=n_test, d_x=d_x, tau=tau)
    splits = {}
    for i, name in enumerate(("train", "val", "test")):
        sp = getattr(base, name)
        ids, mask, votes = draw_pool(jax.random.fold_in(key, 1 + i), jnp.asarray(sp.y), jnp.asarray(pool), p,
                                     m_lo=lo, m_hi=hi, expert=expert)
        splits[name] = sp._replace(ai_scores=sp.ai_scores if with_ai else None, votes=np.asarray(votes),
                                   agent_ids=np.asarray(ids), agent_mask=np.asarray(mask))
    union = pool.any(axis=0)
    info = {**base.info, "M": M, "m": (lo, hi), "with_ai": with_ai, "k": int(union.sum())}
    if not with_ai:
        for field in ("ai_acc_target", "sigma", "calibration"):
            info.pop(field, None)
    return base._replace(k=int(union.sum()), expertise=union, info=info, pool=pool, m=(lo, hi), with_ai=with_ai,
                         **splits)


def _corr_rows(a: np.ndarray) -> np.ndarray:
    """Pearson correlation between the rows of ``a`` (M, d); rows of zero variance correlate 0
    with everything, themselves included (spec §1.2 E11 [R])."""
    c = a - a.mean(axis=1, keepdims=True)
    norm = np.sqrt((c * c).sum(axis=1))
    ok = norm > 1e-12 * max(1.0, float(np.abs(a).max(initial=0.0)))
    c = np.where(ok[:, None], c / np.where(ok, norm, 1.0)[:, None], 0.0)
    return c @ c.T


def capability_drift(table, pool) -> tuple[float, float]:
    """Eq 11 and Fig 6 (a) for one snapshot of the capability table.

    Args: ``table`` (M, d_cap) capability vectors W_c, ``pool`` (M, n) bool expertise sets.
    Returns ``(D_corr, mean_abs_corr)``: D_corr = (1/M²) Σ_ij |ρ^cap_ij − ρ^bin_ij| (eq 11, all
    i, j) and the mean |ρ^cap_ij| over i ≠ j (panel (a), spec A15); float64.
    """
    table = np.asarray(table, np.float64)
    pool = np.asarray(pool)
    check_shape("table", table, (None, None))
    check_shape("pool", pool, (table.shape[0], None))
    r_cap, r_bin = _corr_rows(table), _corr_rows(pool.astype(np.float64))
    M = table.shape[0]
    off = ~np.eye(M, dtype=bool)
    return float(np.abs(r_cap - r_bin).mean()), float(np.abs(r_cap[off]).mean()) if M > 1 else float("nan")
