"""Data without downloads (spec §2.1, §5, ERRATA 6): task worlds, agents, scenarios and loaders.

* :func:`gaussian_task_world` [R]: class means μ_c ~ N(0, I), features ``μ_y + τ ε``.
* :func:`expert_votes`: the ``ms``, ``paper41`` and ``group`` experts [P] and the ``crowd``
  annotator [R] of §2.1 (jit/vmap-able); :func:`crowd_probs` draws the crowd's distributions.
* :func:`ai_expert_scenario`: one AI (agent 0) and one expert (agent 1) on a Gaussian world, or
  on scikit-learn's bundled ``load_digits`` images (``data="digits"``).
* Loaders for the real formats: CIFAR-10 python batches, ``(N, d)`` feature arrays (``.npy``)
  and CIFAR-10H's ``cifar10h-probs.npy``; nothing is fetched.
"""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_choice, check_range, check_shape, is_concrete

from ._checks import check_grid, check_int_range
from .theory import EXPERTS, sigma_from_acc

__all__ = [
    "Scenario",
    "Split",
    "VOTE_EXPERTS",
    "ai_expert_scenario",
    "crowd_probs",
    "expert_votes",
    "gaussian_task_world",
    "load_cifar10_batches",
    "load_cifar10h_probs",
    "load_features",
]

VOTE_EXPERTS = (*EXPERTS, "group", "crowd")  # expert_votes' rules; the closed forms know the first two
GROUP_FRAC = 0.55  # share of AAE tweets behind Table 7's Expert row (spec §4.8) [R]
AI_BETA = 8.0  # AI rows are softmax(8 (e_y + δ)) (spec §2.1 prototype)
DEFAULT_AI_ACC = 0.9454  # spec A10


@named_result
class Split(NamedTuple):
    """One split: ``task`` (N, 1, d_x) float32, ``y`` (N,) int32, ``ai_scores`` (N, n) float32
    (the AI's row), ``votes`` (N,) int32 (one fixed expert draw: scoring uses it; training
    redraws votes every step), ``group`` (N,) bool: the instance's group for a ``group`` expert
    (None otherwise). In an expert-pool scenario (:func:`~hai_sim.capability.expert_pool_scenario`)
    ``votes`` is (N, m) and ``agent_ids`` (N, m) int32 / ``agent_mask`` (N, m) bool hold the fixed
    draw of pool experts (``ai_scores`` is None without an AI); None otherwise."""

    task: np.ndarray
    y: np.ndarray
    ai_scores: np.ndarray
    votes: np.ndarray
    group: np.ndarray | None = None
    agent_ids: np.ndarray | None = None
    agent_mask: np.ndarray | None = None


@named_result
class Scenario(NamedTuple):
    """Agent 0 the AI, agent 1 the expert with expertise ``E = {0..k−1}`` (``expertise`` (n,)
    bool), right w.p. ``p`` elsewhere (``q`` outside the group for a ``group`` expert, else
    None), guessing as ``expert``; splits ``train``, ``val``, ``test``; ``info`` records sizes,
    calibration and seed. An expert-pool scenario sets ``pool`` (M, n) bool (each expert's set),
    ``m`` = (lo, hi) experts per instance and ``with_ai`` (the AI as agent 0); training then draws
    agents per step. ``pool`` None: the two-agent scenario above."""

    n: int
    k: int
    p: float
    expert: str
    expertise: np.ndarray
    train: Split
    val: Split
    test: Split
    info: dict
    q: float | None = None
    pool: np.ndarray | None = None
    m: tuple[int, int] | None = None
    with_ai: bool = True


def gaussian_task_world(key, n_samples: int, *, n: int = 10, d_x: int = 32, tau: float = 1.6, means=None):
    """Draw ``(x, y, means)``: y uniform on n, ``x = μ_y + τ ε`` (float32, (N, d_x)); ``means``
    (n, d_x) drawn from ``key`` unless given (pass them to draw more of the same world)."""
    k_mu, k_y, k_x = jax.random.split(key, 3)
    if means is None:
        means = jax.random.normal(k_mu, (n, d_x), jnp.float32)
    y = jax.random.randint(k_y, (n_samples,), 0, n, jnp.int32)
    x = means[y] + tau * jax.random.normal(k_x, (n_samples, d_x), jnp.float32)
    return np.asarray(x), np.asarray(y), means


def expert_votes(key, y, expertise, p, expert: str = "ms", *, q=None, group=None, probs=None):
    """One vote per instance (§2.1, ERRATA 6). Args: ``y`` (N,) int labels, ``expertise`` (n,)
    bool, ``p`` in [0, 1]; returns (N,) int32 votes. jit/vmap-able (``expert`` static).

    * ``"ms"`` [P]: right on E; elsewhere right w.p. ``p``, else uniform over all n classes.
    * ``"paper41"`` [P]: as ``ms`` but the guess is uniform over the classes outside E.
    * ``"group"`` [P, Table 7]: as ``ms`` with the accuracy parameter ``p`` where ``group`` (N,)
      bool is True (the AAE group) and ``q`` elsewhere; so P(right | y ∉ E) = p + (1 − p)/n or
      q + (1 − q)/n.
    * ``"crowd"`` [R, Table 8 analog]: a label drawn from ``probs`` (N, n), each instance's
      annotator distribution (:func:`crowd_probs`); ``expertise`` and ``p`` are not used.
    """
    check_choice("expert", expert, VOTE_EXPERTS)
    y = jnp.asarray(y, jnp.int32)
    n = expertise.shape[-1]
    if expert == "crowd":
        if probs is None:
            raise InputError("probs=None: the crowd expert needs (N, n) annotator distributions (crowd_probs)")
        _check_probs(probs, y.shape + (n,))
        return jax.random.categorical(key, jnp.log(jnp.asarray(probs, jnp.float32))).astype(jnp.int32)
    if expert == "group":
        if q is None or group is None:
            raise InputError(f"q={q!r}, group={'None' if group is None else 'given'}: the group expert needs both")
        check_range("q", q, 0.0, 1.0)
        check_shape("group", group, y.shape)
        p = jnp.where(jnp.asarray(group, bool), p, q)
    k_r, k_g = jax.random.split(key)
    right = jax.random.uniform(k_r, y.shape) < p
    if expert == "paper41":
        outside = jnp.where(expertise.all(), 0.0, jnp.where(expertise, -jnp.inf, 0.0))
        guess = jax.random.categorical(k_g, jnp.broadcast_to(outside, y.shape + (n,))).astype(jnp.int32)
    else:
        guess = jax.random.randint(k_g, y.shape, 0, n, jnp.int32)
    return jnp.where(expertise[y] | right, y, guess)


def _check_probs(probs, shape):
    check_shape("probs", probs, shape)
    if is_concrete(probs):
        a = np.asarray(probs, np.float64)
        if np.any(a < 0) or not np.allclose(a.sum(axis=-1), 1.0, atol=1e-4):
            raise InputError("probs: rows must be probability vectors (non-negative, summing to 1)")


CROWD_EPS = (1.0, 15.0)  # ε_i ~ Beta(1, 15): mean 1/16 of each instance's mass is confusion [R]


def crowd_probs(key, y, n: int, confusion=None):
    """Per-instance annotator distributions of the ``crowd`` expert (spec §2.1 [R]):
    ``π_i = (1 − ε_i) e_y + ε_i C[y]`` with ``ε_i ~ Beta(1, 15)`` and the confusion matrix ``C``
    (n, n) of Dirichlet(1) rows (drawn from ``key`` unless given; pass it to draw more instances
    of the same crowd). So P(vote = y | y) = 1 − E[ε](1 − C[y, y]) = 1 − (1 − C[y, y])/16.

    Returns ``(probs (N, n) float32, confusion (n, n) float32)``.
    """
    check_grid(n, "n", 2)
    y = jnp.asarray(y, jnp.int32)
    check_range("y", y, 0, n - 1)
    if confusion is not None:
        _check_probs(confusion, (n, n))
        confusion = jnp.asarray(confusion, jnp.float32)
    return _crowd_core(key, y, confusion, n=int(n))


@functools.partial(jax.jit, static_argnames=("n",))
def _crowd_core(key, y, confusion, *, n):
    k_c, k_e = jax.random.split(key)
    # Both laws by exact transforms of uniforms (jax.random.beta/dirichlet run a gamma rejection
    # sampler that is slow to compile): Dirichlet(1) rows are normalised Exp(1) draws, and
    # Beta(1, b) has the cdf 1 − (1 − x)^b, so ε = 1 − U^(1/b).
    if confusion is None:
        e = jax.random.exponential(k_c, (n, n), jnp.float32)
        confusion = e / e.sum(axis=1, keepdims=True)
    eps = 1.0 - jax.random.uniform(k_e, y.shape + (1,), jnp.float32) ** (1.0 / CROWD_EPS[1])
    return (1.0 - eps) * jax.nn.one_hot(y, n, dtype=jnp.float32) + eps * confusion[y], confusion


def _ai_rows(key, y, n: int, sigma: float):
    """softmax(β (e_y + δ)), δ ~ N(0, σ²) drawn once per instance (a fixed model)."""
    delta = sigma * jax.random.normal(key, (y.shape[0], n), jnp.float32)
    return np.asarray(jax.nn.softmax(AI_BETA * (jax.nn.one_hot(y, n, dtype=jnp.float32) + delta), axis=-1))


def _digits(seed: int):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(y))
    n_ai = int(round(0.4 * len(y)))
    ai_idx, rest = order[:n_ai], order[n_ai:]
    clf = LogisticRegression(max_iter=300, C=0.05).fit(X[ai_idx], y[ai_idx])
    n_tr, n_va = int(round(0.6 * len(rest))), int(round(0.2 * len(rest)))
    parts = {"train": rest[:n_tr], "val": rest[n_tr:n_tr + n_va], "test": rest[n_tr + n_va:]}
    out = {name: (X[idx], y[idx].astype(np.int32), clf.predict_proba(X[idx]).astype(np.float32))
           for name, idx in parts.items()}
    info = {"data": "digits", "ai": "logistic regression on a disjoint 40 %", "ai_train": n_ai,
            **{f"n_{k}": len(v) for k, v in parts.items()}}
    return out, info


def ai_expert_scenario(seed: int = 0, n: int = 10, k: int = 5, p: float = 0.0, expert: str = "ms",
                       ai_acc: float | None = None, n_train: int = 20_000, n_val: int = 4_000,
                       n_test: int = 10_000, *, data: str = "gaussian", d_x: int = 32, tau: float = 1.6,
                       q: float | None = None, group_frac: float = GROUP_FRAC) -> Scenario:
    """One AI and one expert (the Table 5 / Fig 4 analog, spec §4.5; Table 7 with ``group``).

    ``data="gaussian"``: a :func:`gaussian_task_world`; the AI's noise σ is calibrated
    **exactly** (ERRATA 2) to ``ai_acc`` (None: 0.9454) for the argmax of e_y + δ.
    ``data="digits"``: the 1,797 bundled 8×8 images (n = 10); a logistic-regression AI trains on
    a disjoint 40 %, the rest splits 60/20/20 (the size arguments are ignored, ``info`` reports
    the split); ``ai_acc`` must be None there.
    ``expert="group"`` (the Table 7 analog [R]): each instance belongs to the group (the AAE
    tweets) w.p. ``group_frac`` (0.55, spec §4.8), where the expert's accuracy parameter is ``p``,
    and ``q`` applies elsewhere; the flag is appended to the task features (the text encoder sees
    the dialect), so ``d_x`` grows by one.
    """
    check_choice("data", data, ("gaussian", "digits"))
    check_choice("expert", expert, (*EXPERTS, "group"))
    if (expert == "group") != (q is not None):
        raise InputError(f"q={q!r}: give q exactly when expert='group' (expert={expert!r})")
    if q is not None:
        check_range("q", q, 0.0, 1.0)
    check_range("group_frac", group_frac, 0.0, 1.0)
    check_grid(n, "n", 2)
    check_int_range("k", k, 0, n, hi_name="n")
    check_range("p", p, 0.0, 1.0)
    key = jax.random.key(seed)
    expertise = np.arange(n) < k
    if data == "digits":
        if ai_acc is not None:
            raise InputError(f"ai_acc={ai_acc!r}: must be None with data='digits' (the AI is a trained classifier)")
        if n != 10:
            raise InputError(f"n={n!r}: data='digits' has 10 classes")
        arrays, info = _digits(seed)
    else:
        for name, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
            check_grid(v, name, 1)
        acc = DEFAULT_AI_ACC if ai_acc is None else ai_acc
        sigma = float(sigma_from_acc(acc, n, "exact").sigma)
        k_world, k_ai = jax.random.split(key)
        sizes = {"train": n_train, "val": n_val, "test": n_test}
        means, arrays = None, {}
        for i, (name, size) in enumerate(sizes.items()):
            x, y, means = gaussian_task_world(jax.random.fold_in(k_world, i), size, n=n, d_x=d_x, tau=tau, means=means)
            arrays[name] = (x, y, _ai_rows(jax.random.fold_in(k_ai, i), jnp.asarray(y), n, sigma))
        info = {"data": "gaussian", "ai_acc_target": acc, "sigma": sigma, "calibration": "exact", "d_x": d_x,
                "tau": tau, **{f"n_{k_}": v for k_, v in sizes.items()}}
    splits = {}
    for i, (name, (x, y, ai)) in enumerate(arrays.items()):
        group = None
        if expert == "group":
            group = np.asarray(jax.random.uniform(jax.random.fold_in(key, 200 + i), y.shape) < group_frac)
            x = np.concatenate([x, group[:, None].astype(x.dtype)], axis=1)
        votes = np.asarray(expert_votes(jax.random.fold_in(key, 100 + i), y, jnp.asarray(expertise), p, expert,
                                        q=q, group=group))
        splits[name] = Split(x[:, None, :].astype(np.float32), y.astype(np.int32), ai, votes, group)
    info.update(seed=seed, n=n, k=k, p=p, expert=expert)
    if q is not None:
        info.update(q=q, group_frac=group_frac)
    return Scenario(n, k, float(p), expert, expertise, splits["train"], splits["val"], splits["test"], info,
                    None if q is None else float(q))


# ----------------------------------------------------------------------------- loaders


def load_cifar10_batches(paths) -> tuple[np.ndarray, np.ndarray]:
    """Read CIFAR-10 python batches (pickled dicts with ``b'data'`` (N, 3072) uint8 and
    ``b'labels'``). ``paths``: a batch file, a list of them, or a directory (``data_batch_*``).
    Returns ``images`` (N, 32, 32, 3) uint8 and ``labels`` (N,) int32."""
    if isinstance(paths, (str, Path)) and Path(paths).is_dir():
        paths = sorted(Path(paths).glob("data_batch_*"))
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputError("paths: no CIFAR-10 batch files (data_batch_*) found")
    images, labels = [], []
    for path in paths:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
            raise InputError(f"{path}: not a CIFAR-10 python batch (needs b'data' and b'labels')")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3072 or len(batch[b"labels"]) != data.shape[0]:
            raise InputError(f"{path}: b'data' has shape {data.shape}: expected (N, 3072) with N labels")
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch[b"labels"], dtype=np.int32))
    return np.concatenate(images), np.concatenate(labels)


def load_features(path) -> np.ndarray:
    """An ``(N, d)`` feature array saved with ``np.save``; returned as float32 (finite)."""
    x = np.load(path, allow_pickle=False)
    if x.ndim != 2:
        raise InputError(f"{path}: features have shape {x.shape}: expected (N, d)")
    if not np.all(np.isfinite(x)):
        raise InputError(f"{path}: features contain non-finite values")
    return x.astype(np.float32)


def load_cifar10h_probs(path) -> np.ndarray:
    """CIFAR-10H's ``cifar10h-probs.npy``: (10000, 10) annotator label distributions (rows sum
    to 1). Returns float32 (N, 10)."""
    probs = np.load(path, allow_pickle=False)
    if probs.ndim != 2 or probs.shape[1] != 10:
        raise InputError(f"{path}: probabilities have shape {probs.shape}: expected (N, 10)")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-4):
        raise InputError(f"{path}: rows must be probability vectors (non-negative, summing to 1)")
    return probs.astype(np.float32)
