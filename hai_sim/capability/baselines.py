"""The trained and rule baselines of spec §1.5 and Table 8, on a :class:`~.data.Scenario`.

Learning to defer (each instance goes to the AI *or* to the expert, never a mix; spec §2.4:
system accuracy = the AI's accuracy on kept instances plus the expert's on deferred ones):

* :func:`model_only`, :func:`expert_only` (Table 7): the AI's argmax alone, the expert's vote alone.
* :func:`consistent` (Mozannar & Sontag 2020): L_CE^α (:func:`~.fit.lce_loss`) on n+1 outputs;
  defer when the defer logit wins.
* :func:`confidence` (Raghu et al. 2019): defer when e(x) = P(expert right | x), fitted with
  binary cross-entropy, is at least the classifier's top probability.
* :func:`oracle_reject` ("LearnedOracle"): a rejector fitted to recognise y ∈ E (knowing E).
* :func:`mpz18` (Madras et al. 2018): the mixture loss ``r_0·CE_f(no grad) + r_1·CE_expert + CE_f``.
* :func:`consistent_impute`, :func:`consistent_two_step` (Table 8, reported by Mozannar &
  Sontag; reconstructed [R] below).

Weightings (Table 8): :func:`global_weights` (one α picked on validation, spec §2.5 item 6),
:func:`equal_weights` (w = 1/2), :func:`pooled_weights` (a trained
:class:`~.model.CapabilityModel`'s weights averaged over the training split),
:func:`flexible_weights` (its per-instance weights). DiffTriage (Okati et al. 2021) is quoted
from the paper only (``references.TABLE8``): the spec does not reproduce it.

Stand-in choices [R] (the spec is silent; CIFAR backbones are out of reach offline):

* **The classifier is the scenario's AI.** The paper trains one WRN per method and Sec 5.4.1
  shares the AI between "Ours" and Consistent; here every method keeps the AI's class ranking and
  fits only its temperature, ``class logits = exp(log_s)·log p_AI`` (``log_s`` learnt, from 0). A
  kept instance is therefore always answered by the AI's argmax, so the methods differ only in
  *where they defer*, and none of them is a better classifier than the AI itself.
* **Rejector inputs** z = [task features, log p_AI] (standardised on the training split): the
  stand-in for a WRN that sees the image the AI saw. Rejectors, e(x) and the defer logit are MLPs
  with one ReLU hidden layer (``hidden`` units), plain pytrees trained with Adam in ``lax.scan``
  for a fixed number of ``steps`` on mini-batches drawn with replacement (no checkpoint
  selection: the spec keeps that for the capability model).
* **Human labels** are the scenario's fixed training draws (``sc.train.votes``), as a labelled
  data set gives them; scores use the split's fixed draws.
* **Impute / 2-step** (spec §1.5 item 7): only the first ``labelled`` fraction of the training
  split carries expert votes (CIFAR-10H labels 10k of CIFAR-10's 60k images). *2-step*: the
  classifier's temperature is fitted with cross-entropy on all training examples, then the defer
  head alone with L_CE on the labelled part. *Impute*: a softmax model of the vote given
  (z, one-hot y) is fitted on the labelled part, one vote per unlabelled example is drawn from it
  (fixed key), and :func:`consistent` trains on the union.

All results are fractions of the chosen split (the test split by default).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from hai_sim.engine import InputError, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range

from .data import Scenario, Split
from .fit import _inputs, global_empirical, lce_loss
from .model import CapabilityModel

__all__ = [
    "Deferral",
    "Weighting",
    "confidence",
    "consistent",
    "consistent_impute",
    "consistent_two_step",
    "equal_weights",
    "expert_only",
    "flexible_weights",
    "global_weights",
    "model_only",
    "mpz18",
    "oracle_reject",
    "pooled_weights",
]

_F32 = jnp.float32
_SPLITS = ("train", "val", "test")
_EXPERT_SURE = 1e-11  # MPZ18's expert puts 1 - 1e-11 on a correct vote (spec §1.5 item 5)


@named_result
class Deferral(NamedTuple):
    """A learning-to-defer result on one split: system accuracy ``acc`` (fraction), ``coverage``
    (fraction kept by the AI), ``defer`` (N,) bool (True: the expert's vote is the answer) and
    ``correct`` (N,) bool per instance (for paired comparisons on the same draws)."""

    acc: float
    coverage: float
    defer: np.ndarray
    correct: np.ndarray


@named_result
class Weighting(NamedTuple):
    """A weighted-combination result on one split: accuracy ``acc`` (fraction) of
    ``argmax(w_AI·p_AI + w_human·onehot(vote))``, the expert weight ``w_human`` (N,) float32 and
    ``correct`` (N,) bool per instance."""

    acc: float
    w_human: np.ndarray
    correct: np.ndarray


# ----------------------------------------------------------------------------- checks


def _check_scenario(sc) -> None:
    if not isinstance(sc, Scenario):
        raise InputError(f"sc: expected a Scenario (from ai_expert_scenario), got {type(sc).__name__}")


def _check_training(steps, hidden, lr, batch, seed) -> None:
    for name, v, lo in (("steps", steps, 1), ("hidden", hidden, 1), ("batch", batch, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise InputError(f"{name}={v!r} is outside the allowed range integers >= {lo}")
    check_range("lr", lr, 0.0, None, lo_open=True)


def _split(sc: Scenario, split: str) -> Split:
    check_choice("split", split, _SPLITS)
    return getattr(sc, split)


# ----------------------------------------------------------------------------- rules


def _deferral(defer, sp: Split) -> Deferral:
    """System accuracy of a deferral rule: the expert's vote where ``defer``, else the AI's argmax."""
    defer = np.asarray(defer, bool)
    right = np.where(defer, sp.votes == sp.y, np.argmax(sp.ai_scores, axis=-1) == sp.y)
    return Deferral(float(np.mean(right)), float(1.0 - np.mean(defer)), defer, right)


def _weighting(w_human, sp: Split, n: int) -> Weighting:
    w_h = np.broadcast_to(np.asarray(w_human, np.float32), sp.y.shape)
    s = (1.0 - w_h)[:, None] * sp.ai_scores + w_h[:, None] * np.eye(n, dtype=np.float32)[sp.votes]
    right = np.argmax(s, axis=-1) == sp.y
    return Weighting(float(np.mean(right)), np.array(w_h), right)


def model_only(sc: Scenario, split: str = "test") -> Deferral:
    """The AI alone (Table 7 "Model"): never defer."""
    _check_scenario(sc)
    sp = _split(sc, split)
    return _deferral(np.zeros(sp.y.shape, bool), sp)


def expert_only(sc: Scenario, split: str = "test") -> Deferral:
    """The expert alone (Table 7 "Expert"): always defer."""
    _check_scenario(sc)
    sp = _split(sc, split)
    return _deferral(np.ones(sp.y.shape, bool), sp)


def equal_weights(sc: Scenario, split: str = "test") -> Weighting:
    """Table 8 "Equal Weights": w = (1/2, 1/2). With a probability row and a one-hot vote the
    vote always wins or ties (ERRATA 5); ties go to the lowest class index (spec A22)."""
    _check_scenario(sc)
    return _weighting(0.5, _split(sc, split), sc.n)


@nnx.jit(static_argnames=("n",))
def _w_human_core(model, task, ai, votes, *, n):
    return model(*_inputs(task, ai, votes, n)).w[:, 1]


def global_weights(sc: Scenario, split: str = "test") -> Weighting:
    """Global with α picked on validation accuracy (spec §2.5 item 6, ERRATA 5: the honest
    synthetic Global; :func:`~.fit.global_empirical`): w_human = 1 − α on every instance."""
    _check_scenario(sc)
    sp = _split(sc, split)
    return _weighting(1.0 - global_empirical(sc), sp, sc.n)


def _model_w_human(model: CapabilityModel, sp: Split, n: int) -> np.ndarray:
    if not isinstance(model, CapabilityModel):
        raise InputError(f"model: expected a CapabilityModel (cap.train(...).model), got {type(model).__name__}")
    model.eval()
    with jax.numpy_dtype_promotion("standard"):
        return np.asarray(_w_human_core(model, jnp.asarray(sp.task), jnp.asarray(sp.ai_scores),
                                        jnp.asarray(sp.votes), n=n))


def pooled_weights(model: CapabilityModel, sc: Scenario, split: str = "test") -> Weighting:
    """Table 8 "Pooled Weights" [P]: ``model``'s expert weight averaged over the training split
    (its fixed votes), then used for every instance of ``split``."""
    _check_scenario(sc)
    sp = _split(sc, split)
    return _weighting(float(np.mean(_model_w_human(model, sc.train, sc.n))), sp, sc.n)


def flexible_weights(model: CapabilityModel, sc: Scenario, split: str = "test") -> Weighting:
    """Table 8 "Flexible Weights" [P]: ``model``'s own per-instance weights (the full model;
    ``acc`` equals :func:`~.fit.evaluate`'s ``acc``)."""
    _check_scenario(sc)
    sp = _split(sc, split)
    return _weighting(_model_w_human(model, sp, sc.n), sp, sc.n)


# ----------------------------------------------------------------------------- small nets


def _features(sc: Scenario, sp: Split) -> np.ndarray:
    """z = [task features, log p_AI], standardised with the training split's mean and std."""

    def raw(s: Split):
        return np.concatenate([s.task.reshape(len(s.y), -1), np.log(np.maximum(s.ai_scores, 1e-6))], axis=1)

    tr = raw(sc.train)
    mu, sd = tr.mean(axis=0), tr.std(axis=0) + 1e-6
    return ((raw(sp) - mu) / sd).astype(np.float32)


def _mlp_init(key, d_in: int, hidden: int, d_out: int) -> dict:
    k1, k2 = jax.random.split(key)
    return {"w1": jax.random.normal(k1, (d_in, hidden), _F32) / np.sqrt(d_in), "b1": jnp.zeros(hidden, _F32),
            "w2": jax.random.normal(k2, (hidden, d_out), _F32) / np.sqrt(hidden), "b2": jnp.zeros(d_out, _F32)}


def _mlp(p: dict, z):
    return jax.nn.relu(z @ p["w1"] + p["b1"][None, :]) @ p["w2"] + p["b2"][None, :]


def _class_logits(p: dict, b: dict):
    """The AI's log-probabilities at a fitted temperature: the ranking stays the AI's."""
    return jnp.exp(p["log_s"]) * b["logp"]


def _bce(logit, target):
    return jnp.mean(optax.sigmoid_binary_cross_entropy(logit, target))


def _ce(logits, y):
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, y))


def _loss_consistent(p, b):
    # α rides in the data as a per-row array: traced, so every α shares one compilation.
    logits = jnp.concatenate([_class_logits(p, b), _mlp(p["mlp"], b["z"])], axis=-1)
    return lce_loss(logits, b["h"], b["y"], b["alpha"][0])


def _loss_defer_head(p, b):
    """2-step, second stage: L_CE with the classifier's temperature frozen."""
    return _loss_consistent({**p, "log_s": jax.lax.stop_gradient(p["log_s"])}, b)


def _loss_temperature(p, b):
    return _ce(_class_logits(p, b), b["y"])


def _loss_binary(p, b):
    """Confidence's e(x) (target 1[h = y]) or OracleReject's rejector (target 1[y ∈ E]), plus the
    classifier's temperature. The two have disjoint parameters, so one Adam run on the sum equals
    two separate runs; OracleReject ignores the temperature (its classifier is the AI's argmax)."""
    return _ce(_class_logits(p, b), b["y"]) + _bce(_mlp(p["mlp"], b["z"])[:, 0], b["target"])


def _loss_mpz18(p, b):
    logits = _class_logits(p, b)
    ce_f = optax.softmax_cross_entropy_with_integer_labels(logits, b["y"])
    n = logits.shape[-1]
    ce_expert = jnp.where(b["h"] == b["y"], -jnp.log1p(-_EXPERT_SURE), jnp.log(float(n))).astype(_F32)
    r = jax.nn.softmax(_mlp(p["mlp"], b["z"]), axis=-1)
    return jnp.mean(r[:, 0] * jax.lax.stop_gradient(ce_f) + r[:, 1] * ce_expert + ce_f)


def _loss_vote_model(p, b):
    return _ce(_mlp(p["mlp"], b["zy"]), b["h"])


_LOSSES = {"consistent": _loss_consistent, "defer_head": _loss_defer_head, "temperature": _loss_temperature,
           "binary": _loss_binary, "mpz18": _loss_mpz18, "vote_model": _loss_vote_model}


@jit_core(static_argnames=("loss", "steps", "batch"))
def _fit_core(params, key, data, lr, *, loss, steps, batch):
    """Adam on ``_LOSSES[loss]`` for ``steps`` mini-batches of ``batch`` rows of ``data`` (a dict
    of arrays with a common leading size), drawn with replacement."""
    opt = optax.adam(lr)
    N = jax.tree_util.tree_leaves(data)[0].shape[0]
    f = _LOSSES[loss]

    def step(carry, k):
        p, state = carry
        idx = jax.random.randint(k, (batch,), 0, N)
        g = jax.grad(f)(p, jax.tree_util.tree_map(lambda a: a[idx], data))
        updates, state = opt.update(g, state, p)
        return (optax.apply_updates(p, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, opt.init(params)), jax.random.split(key, steps))
    return params


def _fit(loss: str, params: dict, data: dict, key, *, steps: int, batch: int, lr: float) -> dict:
    data = {k: jnp.asarray(v) for k, v in data.items()}
    with jax.numpy_dtype_promotion("standard"):
        return _fit_core(params, key, data, jnp.asarray(lr, _F32), loss=loss, steps=int(steps), batch=int(batch))


def _batch(sc: Scenario, sp: Split) -> dict:
    """Arrays a loss reads: z, log p_AI, y and the expert's vote h."""
    return {"z": _features(sc, sp), "logp": np.log(np.maximum(sp.ai_scores, 1e-6)).astype(np.float32),
            "y": sp.y, "h": sp.votes}


def _params(key, d_in: int, hidden: int, d_out: int) -> dict:
    return {"log_s": jnp.zeros((), _F32), "mlp": _mlp_init(key, d_in, hidden, d_out)}


def _apply(p: dict, b: dict):
    """Class logits and head outputs on a whole split (host arrays)."""
    with jax.numpy_dtype_promotion("standard"):
        return np.asarray(_class_logits(p, b)), np.asarray(_mlp(p["mlp"], jnp.asarray(b["z"])))


def _consistent_defer(p: dict, b: dict) -> np.ndarray:
    cls, head = _apply(p, b)
    return head[:, 0] > cls.max(axis=-1)  # argmax over n+1 outputs; a tie goes to the class


# ----------------------------------------------------------------------------- methods


_TRAIN_DOC = """
    Training [R]: ``seed`` (int), ``steps`` Adam steps of ``batch`` examples at ``lr`` (> 0), MLP
    width ``hidden`` (see the module docstring). Returns :class:`Deferral` on ``split``.
    """


def _trained(func):
    """Append the shared training arguments to a trained baseline's docstring."""
    func.__doc__ = func.__doc__.rstrip() + "\n" + _TRAIN_DOC
    return func


def _prepare(sc, split, steps, hidden, lr, batch, seed):
    _check_scenario(sc)
    sp = _split(sc, split)
    _check_training(steps, hidden, lr, batch, seed)
    return sp, jax.random.split(jax.random.key(seed))


def _train_consistent(sc, data, key_init, key_fit, alpha, steps, hidden, lr, batch, loss="consistent", params=None):
    data = {**data, "alpha": np.full(len(data["y"]), alpha, np.float32)}
    p0 = _params(key_init, data["z"].shape[1], hidden, 1) if params is None else params
    return _fit(loss, p0, data, key_fit, steps=steps, batch=batch, lr=lr)


@_trained
def consistent(sc: Scenario, *, alpha: float = 1.0, seed: int = 0, steps: int = 1000, hidden: int = 32,
               lr: float = 3e-3, batch: int = 128, split: str = "test") -> Deferral:
    """Consistent (Mozannar & Sontag 2020; spec §1.5 item 2): g = softmax over the n class logits
    and one defer logit, trained with L_CE^α (``alpha`` in [0, 1]; 1 is the paper's) on the
    training split; defer when the defer logit is the largest (a tie goes to the class).
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    check_range("alpha", alpha, 0.0, 1.0)
    p = _train_consistent(sc, _batch(sc, sc.train), k_init, k_fit, alpha, steps, hidden, lr, batch)
    return _deferral(_consistent_defer(p, _batch(sc, sp)), sp)


@_trained
def confidence(sc: Scenario, *, seed: int = 0, steps: int = 1000, hidden: int = 32, lr: float = 3e-3,
               batch: int = 128, split: str = "test") -> Deferral:
    """Confidence (Raghu et al. 2019; spec §1.5 item 3): f (the AI at a temperature fitted with
    cross-entropy) and e(x) = P(expert right | x) fitted with binary cross-entropy; defer when
    e(x) ≥ max_j f_j(x).
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    tr = _batch(sc, sc.train)
    tr["target"] = (tr["h"] == tr["y"]).astype(np.float32)
    p = _fit("binary", _params(k_init, tr["z"].shape[1], hidden, 1), tr, k_fit, steps=steps, batch=batch, lr=lr)
    cls, head = _apply(p, _batch(sc, sp))
    f_max = 1.0 / np.exp(cls - cls.max(axis=-1, keepdims=True)).sum(axis=-1)  # the top softmax probability
    return _deferral(1.0 / (1.0 + np.exp(-head[:, 0])) >= f_max, sp)


@_trained
def oracle_reject(sc: Scenario, *, seed: int = 0, steps: int = 1000, hidden: int = 32, lr: float = 3e-3,
                  batch: int = 128, split: str = "test") -> Deferral:
    """OracleReject, "LearnedOracle" (spec §1.5 item 4): a rejector r(x) fitted with binary
    cross-entropy to recognise y ∈ E (it knows E); defer when r(x) > 1/2. The classifier is the AI.
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    tr = _batch(sc, sc.train)
    tr["target"] = sc.expertise[tr["y"]].astype(np.float32)
    p = _fit("binary", _params(k_init, tr["z"].shape[1], hidden, 1), tr, k_fit, steps=steps, batch=batch, lr=lr)
    return _deferral(_apply(p, _batch(sc, sp))[1][:, 0] > 0.0, sp)


@_trained
def mpz18(sc: Scenario, *, seed: int = 0, steps: int = 1000, hidden: int = 32, lr: float = 3e-3, batch: int = 128,
          split: str = "test") -> Deferral:
    """MPZ18 (Madras et al. 2018, mixture of experts; spec §1.5 item 5): classifier f and rejector
    r(x) ∈ Δ², loss ``r_0·CE_f (no gradient) + r_1·CE_expert + CE_f`` with the expert's
    "probabilities" 1 − 1e−11 on a correct vote and uniform when wrong; defer when r_1 > r_0.
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    tr = _batch(sc, sc.train)
    p = _fit("mpz18", _params(k_init, tr["z"].shape[1], hidden, 2), tr, k_fit, steps=steps, batch=batch, lr=lr)
    head = _apply(p, _batch(sc, sp))[1]
    return _deferral(head[:, 1] > head[:, 0], sp)


def _labelled_count(sc: Scenario, labelled: float) -> int:
    check_range("labelled", labelled, 0.0, 1.0, lo_open=True)
    N = len(sc.train.y)
    m = int(round(labelled * N))
    if m < 1:
        raise InputError(f"labelled={labelled!r}: leaves no labelled example of {N}; allowed range (1/{N}, 1]")
    return m


@_trained
def consistent_two_step(sc: Scenario, *, labelled: float = 0.2, alpha: float = 1.0, seed: int = 0,
                        steps: int = 1000, hidden: int = 32, lr: float = 3e-3, batch: int = 128,
                        split: str = "test") -> Deferral:
    """Consistent (2-step) [R] (Table 8; spec §1.5 item 7): first the classifier (temperature by
    cross-entropy on every training example), then the defer head alone, L_CE^α on the first
    ``labelled`` fraction (in (0, 1]) of the training split, the only examples with expert votes.
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    check_range("alpha", alpha, 0.0, 1.0)
    m = _labelled_count(sc, labelled)
    tr = _batch(sc, sc.train)
    k_cls, k_def = jax.random.split(k_fit)
    p = _fit("temperature", _params(k_init, tr["z"].shape[1], hidden, 1), tr, k_cls, steps=steps, batch=batch, lr=lr)
    part = {k: v[:m] for k, v in tr.items()}
    p = _train_consistent(sc, part, k_init, k_def, alpha, steps, hidden, lr, min(batch, m), "defer_head", p)
    return _deferral(_consistent_defer(p, _batch(sc, sp)), sp)


@_trained
def consistent_impute(sc: Scenario, *, labelled: float = 0.2, alpha: float = 1.0, seed: int = 0,
                      steps: int = 1000, hidden: int = 32, lr: float = 3e-3, batch: int = 128,
                      split: str = "test") -> Deferral:
    """Consistent (Impute) [R] (Table 8; spec §1.5 item 7): a softmax model of the expert's vote
    given (z, one-hot y) is fitted on the first ``labelled`` fraction (in (0, 1]) of the training
    split; each remaining example gets one vote drawn from it; L_CE^α then trains on all of them.
    """
    sp, (k_init, k_fit) = _prepare(sc, split, steps, hidden, lr, batch, seed)
    check_range("alpha", alpha, 0.0, 1.0)
    m = _labelled_count(sc, labelled)
    tr = _batch(sc, sc.train)
    n = sc.n
    zy = np.concatenate([tr["z"], np.eye(n, dtype=np.float32)[tr["y"]]], axis=1)
    k_vote, k_draw, k_def = jax.random.split(k_fit, 3)
    pv = _fit("vote_model", {"mlp": _mlp_init(k_init, zy.shape[1], hidden, n)}, {"zy": zy[:m], "h": tr["h"][:m]},
              k_vote, steps=steps, batch=min(batch, m), lr=lr)
    with jax.numpy_dtype_promotion("standard"):
        drawn = np.asarray(jax.random.categorical(k_draw, _mlp(pv["mlp"], jnp.asarray(zy))), np.int32)
    votes = np.where(np.arange(len(tr["y"])) < m, tr["h"], drawn)
    p = _train_consistent(sc, {**tr, "h": votes}, k_init, k_def, alpha, steps, hidden, lr, batch)
    return _deferral(_consistent_defer(p, _batch(sc, sp)), sp)
