"""Training (spec §2.2-2.3, optax), evaluation (§2.4), baselines and Orbax checkpoints.

Training draws the expert's votes afresh every step (a new key per step); in an expert-pool
scenario (``Scenario.pool`` set) it also draws the experts of every instance. Validation and test
use the scenario's fixed draws, so every epoch is scored on the same votes. The kept model is the
one with the lowest validation loss [P]. Same seed, same results.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import xarray as xr
from flax import nnx

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_choice, check_range, check_shape

from .data import Scenario, Split, expert_votes
from .model import CapabilityModel
from .params import Config
from .pool import draw_pool, pool_inputs

__all__ = ["Evaluation", "Fit", "Trials", "evaluate", "global_empirical", "lce_loss", "load_model", "save_model",
           "train", "train_trials"]

_AGENTS = 2  # agent 0: the AI, agent 1: the expert
_PARAMS = "params"  # the Orbax checkpoint directory inside a saved model


@named_result
class Fit(NamedTuple):
    """A trained ``model`` (eval mode, best validation loss) and its per-epoch ``history``
    Dataset (dim ``epoch``: ``train_loss``, ``val_loss``, ``val_acc``, ``scale``)."""

    model: CapabilityModel
    history: xr.Dataset


@named_result
class Trials(NamedTuple):
    """``acc`` (T,) float64 accuracies of the T = ``cfg.trials`` trainings (seeds ``seed`` …
    ``seed + T − 1``) on one split; ``median`` their median (the paper's "medium test accuracy
    of 5 trials", spec A17); ``fit`` the :class:`Fit` of the median trial (the lower middle one
    when T is even)."""

    acc: np.ndarray
    median: float
    fit: Fit


@named_result
class Evaluation(NamedTuple):
    """Accuracies on one split (fractions): the model ``acc``; the AI alone ``acc_ai``; the
    expert alone ``acc_human``; the best single α picked on validation ``acc_global``
    (``global_empirical``); routing to the expert iff y ∈ E ``acc_oracle``; the mean expert
    weight when y ∈ E (``w_human_in``) and when y ∉ E (``w_human_out``)."""

    acc: float
    acc_ai: float
    acc_human: float
    acc_global: float
    acc_oracle: float
    w_human_in: float
    w_human_out: float


# ----------------------------------------------------------------------------- losses


def _lce(logits, human_pred, y, alpha):
    logp = jax.nn.log_softmax(logits, axis=-1)
    n = logits.shape[-1] - 1
    right = (human_pred == y).astype(logits.dtype)
    log_gy = jnp.take_along_axis(logp, y[:, None], axis=-1)[:, 0]
    return jnp.mean(-(alpha * right + 1.0 - right) * log_gy - right * logp[:, n])


def lce_loss(logits, human_pred, y, alpha=1.0):
    """Mozannar–Sontag's L_CE^α (the Consistent baseline, spec §1.5; α = 1 is the paper's).

    Per example ``−(α·1[h=y] + 1 − 1[h=y])·log g_y − 1[h=y]·log g_⊥`` with g = softmax(logits),
    natural log. Args: ``logits`` (B, n+1) (column n = defer), ``human_pred`` (B,) and ``y``
    (B,) integer labels in [0, n), ``alpha`` in [0, 1]. Returns the 0-d batch mean.
    """
    check_shape("logits", logits, (None, None))
    B, n1 = np.shape(logits)
    check_shape("human_pred", human_pred, (B,))
    check_shape("y", y, (B,))
    check_range("alpha", alpha, 0.0, 1.0)
    check_range("y", y, 0, n1 - 2)
    check_range("human_pred", human_pred, 0, n1 - 2)
    return _lce(jnp.asarray(logits), jnp.asarray(human_pred), jnp.asarray(y), alpha)


# ----------------------------------------------------------------------------- batches


def _scores(ai_scores, votes, n):
    """(B, 2, n) score rows: the AI's probabilities and the expert's one-hot vote."""
    return jnp.stack([ai_scores, jax.nn.one_hot(votes, n, dtype=jnp.float32)], axis=1)


def _inputs(split_task, ai, votes, n):
    B = split_task.shape[0]
    ids = jnp.broadcast_to(jnp.arange(_AGENTS, dtype=jnp.int32), (B, _AGENTS))
    return split_task, ids, jnp.ones((B, _AGENTS), bool), _scores(ai, votes, n)


def _loss(model, task, ai, votes, y, n):
    fusion = model(*_inputs(task, ai, votes, n))
    return optax.softmax_cross_entropy_with_integer_labels(model.logits(fusion), y).mean()


@nnx.jit(static_argnames=("n", "expert"))
def _train_step(model, optimizer, key, task, ai, y, expertise, p, *, n, expert, group=None, q=None):
    votes = expert_votes(key, y, expertise, p, expert, q=q, group=group)
    loss, grads = nnx.value_and_grad(_loss)(model, task, ai, votes, y, n)
    optimizer.update(model, grads)
    return loss


def _metrics(model, fusion, y):
    loss = optax.softmax_cross_entropy_with_integer_labels(model.logits(fusion), y).mean()
    return loss, jnp.mean(jnp.argmax(fusion.s_f, axis=-1) == y), fusion.w


@nnx.jit(static_argnames=("n",))
def _score(model, task, ai, votes, y, *, n):
    return _metrics(model, model(*_inputs(task, ai, votes, n)), y)


@nnx.jit(static_argnames=("n", "expert", "m_lo", "m_hi"))
def _pool_train_step(model, optimizer, key, task, ai, y, pool, p, *, n, expert, m_lo, m_hi):
    """One step on an expert pool: draw each instance's experts (and their votes) from ``key``."""
    ids, mask, votes = draw_pool(key, y, pool, p, m_lo=m_lo, m_hi=m_hi, expert=expert)

    def loss_fn(model):
        fusion = model(task, *pool_inputs(ai, ids, mask, votes, n))
        return optax.softmax_cross_entropy_with_integer_labels(model.logits(fusion), y).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


@nnx.jit(static_argnames=("n",))
def _pool_score(model, task, ai, ids, mask, votes, y, *, n):
    return _metrics(model, model(task, *pool_inputs(ai, ids, mask, votes, n)), y)


# λ0 grid of the temperature-scaling start: scales e^-3 ≈ 0.05 to e^8 ≈ 3000 in steps of 0.05.
_LAMBDA_GRID = np.linspace(-3.0, 8.0, 221)
_CALIBRATION_SIZE = 4096  # training instances used to pick λ0


@nnx.jit
def _calibrated_log_scale(model, task, ids, mask, scores, y):
    """λ0 = argmin over :data:`_LAMBDA_GRID` of the cross-entropy of ``exp(λ)·s_f`` for the
    untrained model's fusion of the given agent inputs (temperature scaling, Guo et al. 2017).
    s_f is a convex combination of probability and one-hot rows, so at λ = 0 the logits differ by
    at most 1 and the softmax is nearly uniform: cross-entropy is then almost linear in w, the
    weights run to the agent with the best mean score (the AI) and saturate before a slowly learnt
    λ grows (spec §2.3)."""
    s_f = model(task, ids, mask, scores).s_f
    lam = jnp.asarray(_LAMBDA_GRID, jnp.float32)
    logits = jnp.exp(lam)[:, None, None] * s_f[None]
    ce = optax.softmax_cross_entropy_with_integer_labels(logits, jnp.broadcast_to(y, logits.shape[:2])).mean(-1)
    return lam[jnp.argmin(ce)]


# Parameter groups of the per-group learning rates (Config.lr_*): top-level module attribute ->
# group; every other attribute is the "generator" (embeddings, encoder, weight head) at cfg.lr.
_GROUPS = {"cap_table": "capability", "cap_proj": "capability", "slot_emb": "capability",
           "feat1": "task", "feat2": "task", "log_scale": "scale"}


def _group_labels(params):
    """The group of every parameter leaf (by the first key of its path)."""
    return jax.tree_util.tree_map_with_path(lambda path, _: _GROUPS.get(str(path[0].key), "generator"), params)


@functools.cache
def _transform(cfg: Config):
    """Adam with the Config's per-group learning rates (optax.multi_transform). Cached per
    Config: nnx.jit keys its compiled step on the optimizer, and a new optax object each call
    would recompile the step for every training run."""
    rates = {"generator": cfg.lr, "capability": cfg.lr_capability, "task": cfg.lr_task, "scale": cfg.lr_scale}
    return optax.multi_transform({g: optax.adam(cfg.lr if lr is None else lr) for g, lr in rates.items()},
                                 _group_labels)


def _check_scenario(sc):
    if not isinstance(sc, Scenario):
        raise InputError(f"scenario: expected a Scenario (from ai_expert_scenario), got {type(sc).__name__}")


def train(cfg: Config, sc: Scenario, seed: int = 0) -> Fit:
    """Train a :class:`CapabilityModel` on ``sc`` with Adam (``cfg.lr``), ``cfg.epochs`` epochs of
    ``cfg.batch`` (the last partial batch of each shuffled epoch is dropped, so shapes stay
    fixed). Keeps the parameters of the epoch with the lowest validation loss.

    An expert-pool scenario (``sc.pool`` set, :func:`~hai_sim.capability.expert_pool_scenario`)
    draws every instance's experts and votes per step; the model's vocabulary is the pool (plus
    the AI as agent 0 when ``sc.with_ai``), and the history also holds ``cap_table`` (epoch,
    agent, cap_dim), the capability table after each epoch, and ``cap_table_init`` (when the
    model has a table).

    Returns:
        :class:`Fit` ``(model, history)``; the model is in eval mode.
    """
    if not isinstance(cfg, Config):
        raise InputError(f"cfg: expected a Config (cap.config(...)), got {type(cfg).__name__}")
    _check_scenario(sc)
    tr, va = sc.train, sc.val
    n, N = sc.n, tr.y.shape[0]
    if N < cfg.batch:
        raise InputError(f"batch={cfg.batch} is outside the allowed range [1, {N}] (training examples)")
    pooled = sc.pool is not None
    with jax.numpy_dtype_promotion("standard"):
        if pooled:
            pool, (m_lo, m_hi) = jnp.asarray(sc.pool), sc.m
            sizes = dict(n_agents=sc.pool.shape[0] + sc.with_ai, max_agents=m_hi + sc.with_ai)
        else:
            sizes = dict(n_agents=_AGENTS)
        model = CapabilityModel(cfg, n_classes=n, d_task=tr.task.shape[-1],
                                rngs=nnx.Rngs(params=seed, dropout=seed + 1), **sizes)
        key, k_cal = jax.random.split(jax.random.key(seed))
        expertise = jnp.asarray(sc.expertise)
        data = {name: None if getattr(tr, name) is None else jnp.asarray(getattr(tr, name))
                for name in ("task", "ai_scores", "y")}
        group = None if tr.group is None else jnp.asarray(tr.group)  # the group expert's flags
        lam0 = float("nan")  # λ0 of a learnable scale (NaN: the scale is fixed)
        if cfg.logit_scale == "learnable":
            if cfg.scale_init == "calibrated":
                c = slice(0, min(N, _CALIBRATION_SIZE))
                model.eval()
                if pooled:
                    y_c = data["y"][c]
                    ids, mask, votes = draw_pool(k_cal, y_c, pool, sc.p, m_lo=m_lo, m_hi=m_hi, expert=sc.expert)
                    ai_c = None if data["ai_scores"] is None else data["ai_scores"][c]
                    lam0 = _calibrated_log_scale(model, data["task"][c], *pool_inputs(ai_c, ids, mask, votes, n), y_c)
                else:
                    votes = expert_votes(k_cal, data["y"][c], expertise, sc.p, sc.expert, q=sc.q,
                                         group=None if group is None else group[c])
                    lam0 = _calibrated_log_scale(model, *_inputs(data["task"][c], data["ai_scores"][c], votes, n),
                                                 data["y"][c])
            else:
                lam0 = cfg.scale_init
            lam0 = float(lam0)
            model.log_scale[...] = jnp.asarray(lam0, jnp.float32)
        optimizer = nnx.Optimizer(model, _transform(cfg), wrt=nnx.Param)
        if pooled:
            val = [None if a is None else jnp.asarray(a)
                   for a in (va.task, va.ai_scores, va.agent_ids, va.agent_mask, va.votes, va.y)]
            scorer = _pool_score
        else:
            val = [jnp.asarray(a) for a in (va.task, va.ai_scores, va.votes, va.y)]
            scorer = _score
        tables = [] if pooled and hasattr(model, "cap_table") else None  # W_c after each epoch (Fig 6)
        table_init = None if tables is None else np.asarray(model.cap_table[...])
        steps = N // cfg.batch
        best, best_state, hist = np.inf, None, {"train_loss": [], "val_loss": [], "val_acc": [], "scale": []}
        for epoch in range(cfg.epochs):
            k_shuffle, k_epoch = jax.random.split(jax.random.fold_in(key, epoch))
            order = jax.random.permutation(k_shuffle, N)[: steps * cfg.batch]
            order = order.reshape(steps, cfg.batch)
            model.train()
            # cached_partial skips re-walking the module each step
            step = nnx.cached_partial(_pool_train_step if pooled else _train_step, model, optimizer)
            losses = []
            for s in range(steps):
                idx = order[s]
                k_s = jax.random.fold_in(k_epoch, s)
                if pooled:
                    ai = None if data["ai_scores"] is None else data["ai_scores"][idx]
                    losses.append(step(k_s, data["task"][idx], ai, data["y"][idx], pool, sc.p, n=n, expert=sc.expert,
                                       m_lo=m_lo, m_hi=m_hi))
                else:
                    losses.append(step(k_s, data["task"][idx], data["ai_scores"][idx], data["y"][idx], expertise,
                                       sc.p, n=n, expert=sc.expert, q=sc.q, group=None if group is None else group[idx]))
            model.eval()
            v_loss, v_acc, _ = scorer(model, *val, n=n)
            if tables is not None:
                tables.append(np.asarray(model.cap_table[...]))
            hist["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
            hist["val_loss"].append(float(v_loss))
            hist["val_acc"].append(float(v_acc))
            hist["scale"].append(float(model.output_scale()))
            if float(v_loss) < best:
                best = float(v_loss)
                best_state = jax.tree_util.tree_map(jnp.copy, nnx.state(model, nnx.Param))
        nnx.update(model, best_state)
        model.eval()
    history = xr.Dataset({k: ("epoch", np.asarray(v)) for k, v in hist.items()},
                         coords={"epoch": np.arange(cfg.epochs)},
                         attrs={"seed": seed, "best_val_loss": best, "log_scale_init": lam0,
                                **{f"cfg_{k}": str(v) for k, v in cfg.__dict__.items()}})
    if tables is not None:
        history["cap_table"] = (("epoch", "agent", "cap_dim"), np.stack(tables))
        history["cap_table_init"] = (("agent", "cap_dim"), table_init)
    return Fit(model, history)


def train_trials(cfg: Config, sc: Scenario, seed: int = 0, split: str = "test") -> Trials:
    """Train ``cfg.trials`` models (seeds ``seed + t``) on the same scenario and score each on
    ``split`` (spec §2.3: 5 trials, the median reported [P]). Same seed, same results."""
    check_choice("split", split, ("train", "val", "test"))
    fits = [train(cfg, sc, seed=seed + t) for t in range(cfg.trials)]
    acc = np.array([evaluate(f.model, sc, split).acc for f in fits])
    return Trials(acc, float(np.median(acc)), fits[int(np.argsort(acc, kind="stable")[(acc.size - 1) // 2])])


# ----------------------------------------------------------------------------- evaluation


def _fixed_alpha_acc(alpha, ai, votes, y, n):
    s = alpha * ai + (1.0 - alpha) * np.eye(n, dtype=np.float32)[votes]
    return float(np.mean(np.argmax(s, axis=-1) == y))


def global_empirical(sc: Scenario, grid: int = 101) -> float:
    """Global with α picked by validation accuracy (spec §2.5 item 6, ERRATA 5): the best of
    ``grid`` values α ∈ [0, 1] on the validation draws (ties: the largest α). Returns α."""
    _check_scenario(sc)
    if sc.pool is not None:
        raise InputError("scenario: global_empirical needs the two-agent scenario (one AI, one expert), not an expert pool")
    va = sc.val
    alphas = np.linspace(0.0, 1.0, grid)
    accs = [_fixed_alpha_acc(a, va.ai_scores, va.votes, va.y, sc.n) for a in alphas]
    return float(alphas[len(accs) - 1 - int(np.argmax(accs[::-1]))])


def evaluate(model: CapabilityModel, sc: Scenario, split: str = "test") -> Evaluation:
    """Score ``model`` on a split's fixed draws (spec §2.4) beside the AI, the expert, empirical
    Global and oracle routing. Puts the model in eval mode. Returns :class:`Evaluation`.

    Expert pools: ``acc_ai`` the AI alone (NaN without one), ``acc_human`` one active expert
    drawn at random (the mean over active experts), ``acc_global`` NaN (no single α), ``acc_oracle``
    right whenever an active expert's set holds y (else the AI, or the first expert's vote
    without an AI), ``w_human_in`` / ``w_human_out`` the mean weight of active experts whose set
    holds / misses y."""
    check_choice("split", split, ("train", "val", "test"))
    _check_scenario(sc)
    sp: Split = getattr(sc, split)
    n = sc.n
    model.eval()
    if sc.pool is not None:
        return _evaluate_pool(model, sc, sp)
    with jax.numpy_dtype_promotion("standard"):
        _, acc, w = _score(model, jnp.asarray(sp.task), jnp.asarray(sp.ai_scores), jnp.asarray(sp.votes),
                           jnp.asarray(sp.y), n=n)
    w_h = np.asarray(w)[:, 1]
    in_E = sc.expertise[sp.y]
    ai_right = np.argmax(sp.ai_scores, axis=-1) == sp.y
    human_right = sp.votes == sp.y
    return Evaluation(
        acc=float(acc),
        acc_ai=float(np.mean(ai_right)),
        acc_human=float(np.mean(human_right)),
        acc_global=_fixed_alpha_acc(global_empirical(sc), sp.ai_scores, sp.votes, sp.y, n),
        acc_oracle=float(np.mean(np.where(in_E, human_right, ai_right))),
        w_human_in=float(w_h[in_E].mean()) if in_E.any() else float("nan"),
        w_human_out=float(w_h[~in_E].mean()) if (~in_E).any() else float("nan"),
    )


def _evaluate_pool(model, sc: Scenario, sp: Split) -> Evaluation:
    ai = None if sp.ai_scores is None else jnp.asarray(sp.ai_scores)
    with jax.numpy_dtype_promotion("standard"):
        _, acc, w = _pool_score(model, jnp.asarray(sp.task), ai, jnp.asarray(sp.agent_ids),
                                jnp.asarray(sp.agent_mask), jnp.asarray(sp.votes), jnp.asarray(sp.y), n=sc.n)
    w_e = np.asarray(w)[:, int(sc.with_ai):]
    mask = sp.agent_mask
    in_E = sc.pool[sp.agent_ids, sp.y[:, None]] & mask
    out_E = ~in_E & mask
    right = sp.votes == sp.y[:, None]
    ai_right = None if sp.ai_scores is None else np.argmax(sp.ai_scores, axis=-1) == sp.y
    fallback = right[:, 0] if ai_right is None else ai_right
    return Evaluation(
        acc=float(acc),
        acc_ai=float("nan") if ai_right is None else float(np.mean(ai_right)),
        acc_human=float(np.mean((right & mask).sum(1) / mask.sum(1))),
        acc_global=float("nan"),
        acc_oracle=float(np.mean(in_E.any(1) | fallback)),
        w_human_in=float(w_e[in_E].mean()) if in_E.any() else float("nan"),
        w_human_out=float(w_e[out_E].mean()) if out_E.any() else float("nan"),
    )


# ----------------------------------------------------------------------------- checkpoints


def save_model(model: CapabilityModel, path) -> Path:
    """Write ``model`` to a new directory ``path``: ``config.json`` (Config and sizes) and an
    Orbax checkpoint ``params/`` of every parameter (``orbax.checkpoint.StandardCheckpointer``).
    Returns the path."""
    import orbax.checkpoint as ocp

    path = Path(path).absolute()  # Orbax needs absolute paths
    if path.exists():
        raise InputError(f"path={str(path)!r}: already exists; save_model writes a new directory")
    path.mkdir(parents=True)
    cfg = {k: getattr(model.cfg, k) for k in model.cfg.__dataclass_fields__}
    (path / "config.json").write_text(json.dumps({"config": cfg, "spec": model.spec}, indent=2))
    with ocp.StandardCheckpointer() as ckpt:  # leaving the block waits for the write to finish
        ckpt.save(path / _PARAMS, nnx.state(model, nnx.Param))
    return path


def load_model(path) -> CapabilityModel:
    """Rebuild a model written by :func:`save_model` (eval mode); it gives the same outputs."""
    import orbax.checkpoint as ocp

    path = Path(path).absolute()
    if not (path / "config.json").is_file() or not (path / _PARAMS).is_dir():
        raise InputError(f"path={str(path)!r}: not a saved model (needs config.json and an Orbax {_PARAMS}/)")
    meta = json.loads((path / "config.json").read_text())
    cfg = Config(**meta["config"])._validate()
    with jax.numpy_dtype_promotion("standard"):
        model = CapabilityModel(cfg, rngs=nnx.Rngs(0), **meta["spec"])
    target = jax.tree_util.tree_map(lambda v: jax.ShapeDtypeStruct(v.shape, v.dtype), nnx.state(model, nnx.Param))
    try:
        with ocp.StandardCheckpointer() as ckpt:
            state = ckpt.restore(path / _PARAMS, target)
    except (ValueError, KeyError) as e:
        raise InputError(f"path={str(path)!r}: the checkpoint does not fit the saved config ({e})") from e
    nnx.update(model, state)
    model.eval()
    return model
