"""WoofStandIn: a SYNTHETIC stand-in for the WoofNette image task (spec §5.2) [R throughout].

Nothing here is WoofNette data and no number produced here is a WoofNette result. The paper's
Table 1 needs the real images and the pilot study's human annotations (spec §4.5); this module
only builds a synthetic task with the same *structure*, so that the paper's qualitative orderings
can be checked (ERRATA ensemble 6):

* K = 10 classes, 0–4 "objects" (humans accurate and confident: the alignment region), 5–9
  "breeds" (humans unsure: the complementarity region); uniform class prior.
* Features in R^32 mimic a frozen backbone's embeddings: class means supported on coordinates
  0–15 (objects) or 16–31 (breeds), Gaussian then rescaled to norm ``mean_norm``;
  x = μ_y + σ_own ε on the class's own half and σ_off ε on the other half.
* Human judgement h ~ Categorical(M[y]) with the confusion matrix M of :func:`human_confusion`
  (objects: 0.95 on the diagonal; breeds: 0.35; the rest spread uniformly within the group).
* Confidence: 9 simulated annotators draw from M[y]; C = share of the modal answer (the paper's
  inter-annotator agreement proxy); Ĉ^h = clip(C + N(0, conf_noise²), 0, 1) stands in for the
  paper's learned regressor. The threshold τ ~ U[0.6, 0.8] is drawn per decision, so the region
  weights are Prop. 5's w^a = F_T(Ĉ^h), w^c = 1 − w^a.

Specialists (spec §2.2 WoofNette table, §2.3): softmax regression or a small flax (nnx) MLP,
trained full-batch with optax Adam (lr 0.05, l2 1e-4 on weight matrices, a fixed step budget for
every paradigm, A21): standard (y, uniform), aligned (soft targets M[y], weights w^a, A20),
complementary (y, weights w^c), behaviour-aware (the §2.3 surrogate of eq. 4 with expected
weights, from the standard model, Adam lr 0.02); oracle routing uses the human's own τ draw
(A17), RRS the specialists' maximum class probabilities (A19, ties → aligned). Team accuracy is
CGPR with expected weights everywhere (§1.4, the option of A18 that matches Monte Carlo).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, Params, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range, is_concrete

from .losses import RegionLosses, _region_losses, _team_loss_from, _weights_from_FT

__all__ = [
    "STANDIN_FAMILIES",
    "STANDIN_PARADIGMS",
    "StandInMetrics",
    "WoofLaw",
    "WoofStandIn",
    "WoofTask",
    "fit_mlp",
    "fit_softmax",
    "human_confusion",
    "make_woof_law",
    "make_woof_standin",
    "run_woof_standin",
]

N_CLASSES, N_OBJECTS, DIM = 10, 5, 32
TAU_LO, TAU_HI = 0.6, 0.8  # τ ~ U[0.6, 0.8] per decision [P]
STANDIN_FAMILIES = ("softmax", "mlp")
STANDIN_PARADIGMS = ("standard", "aligned", "complementary", "behaviour", "oracle", "rrs")


class WoofLaw(Params):
    """Parameters of the synthetic stand-in (spec §5.2 defaults [R]); every field a 0-d float array.

    Attributes:
        sigma_own: noise s.d. on the class's own 16 coordinates (1.6).
        sigma_off: noise s.d. on the other group's 16 coordinates (0.6 … 1.6; 1.6 default).
        mean_norm: Euclidean norm of every class mean (3).
        acc_object: human accuracy (confusion diagonal) on the five object classes (0.95).
        acc_breed: human accuracy on the five breed classes (0.35).
        conf_noise: s.d. of the Gaussian noise of the confidence regressor stand-in (0.05).
    """

    sigma_own: Any
    sigma_off: Any
    mean_norm: Any
    acc_object: Any
    acc_breed: Any
    conf_noise: Any

    def _validate(self):
        for name in ("sigma_own", "sigma_off", "mean_norm"):
            check_range(name, getattr(self, name), 0.0, None, lo_open=True)
        check_range("acc_object", self.acc_object, 0.0, 1.0)
        check_range("acc_breed", self.acc_breed, 0.0, 1.0)
        check_range("conf_noise", self.conf_noise, 0.0, None)
        return self


def make_woof_law(*, sigma_own=1.6, sigma_off=1.6, mean_norm=3.0, acc_object=0.95, acc_breed=0.35,
                  conf_noise=0.05) -> WoofLaw:
    """A validated :class:`WoofLaw` (spec §5.2 defaults) [R]."""
    f = lambda v: v if not is_concrete(v) else jnp.asarray(v, dtype=float)  # noqa: E731
    return WoofLaw(f(sigma_own), f(sigma_off), f(mean_norm), f(acc_object), f(acc_breed), f(conf_noise))._validate()


@named_result
class WoofStandIn(NamedTuple):
    """One split of the SYNTHETIC stand-in (not WoofNette data).

    Attributes:
        X: (n, 32) float64 embeddings. y: (n,) int32 class in 0..9 (0–4 objects, 5–9 breeds).
        h: (n,) int32 simulated human judgement ~ M[y].
        conf: (n,) float64 Ĉ^h in [0, 1] (agreement + regressor noise, clipped).
        agreement: (n,) float64 C = modal share of the simulated annotators (9: values in {2/9, …, 1},
            since 9 answers over a group's 5 classes put at least 2 on one). is_object: (n,) bool, y < 5.
    """

    X: jax.Array
    y: jax.Array
    h: jax.Array
    conf: jax.Array
    agreement: jax.Array
    is_object: jax.Array


@named_result
class WoofTask(NamedTuple):
    """Train and test splits sharing one set of class means (SYNTHETIC stand-in).

    Attributes: train, test: :class:`WoofStandIn`; means: (10, 32) float64 class means;
    M: (10, 10) float64 human confusion matrix (rows: true class, sum 1).
    """

    train: WoofStandIn
    test: WoofStandIn
    means: jax.Array
    M: jax.Array


def _confusion(acc_object, acc_breed):
    """(10, 10): diagonal acc per group, the rest spread uniformly over the group's other 4 classes."""
    grp = jnp.arange(N_CLASSES) < N_OBJECTS
    same = grp[:, None] == grp[None, :]
    eye = jnp.eye(N_CLASSES, dtype=bool)
    acc = jnp.where(grp, acc_object, acc_breed)[:, None]
    return jnp.where(eye, acc, jnp.where(same, (1.0 - acc) / (N_OBJECTS - 1), 0.0))


def human_confusion(acc_object=0.95, acc_breed=0.35) -> jax.Array:
    """The stand-in's human confusion matrix M (10, 10) float64, rows = true class [R].

    Objects (0–4): M[k, k] = acc_object, (1 − acc_object)/4 on each other object; breeds (5–9) the
    same with acc_breed; no confusion across groups. acc_* ∈ [0, 1].
    """
    check_range("acc_object", acc_object, 0.0, 1.0)
    check_range("acc_breed", acc_breed, 0.0, 1.0)
    return _confusion(jnp.asarray(acc_object, dtype=float), jnp.asarray(acc_breed, dtype=float))


def _means(g, norm):
    """(10, 32) class means from (10, 16) standard normals: own half only, rescaled to ``norm``."""
    g = norm * g / jnp.linalg.norm(g, axis=-1, keepdims=True)
    obj = (jnp.arange(N_CLASSES) < N_OBJECTS)[:, None]
    return jnp.concatenate([jnp.where(obj, g, 0.0), jnp.where(obj, 0.0, g)], axis=-1)


def _inverse_cdf(rows, u):
    """Categorical draws by inversion: rows (n, K) probabilities, u (..., n) uniforms -> (..., n) int."""
    cdf = jnp.cumsum(rows, axis=-1)
    cdf = cdf.reshape((1,) * (u.ndim - 1) + cdf.shape)
    return jnp.minimum(jnp.sum(u[..., None] >= cdf, axis=-1), rows.shape[-1] - 1)


def _split(u, g, law: WoofLaw, means, M, n_annotators):
    """One split from its uniforms u (2 + n_annotators, n) and normals g (n, 33)."""
    y = jnp.minimum(jnp.floor(u[0] * N_CLASSES).astype(jnp.int32), N_CLASSES - 1)
    obj = y < N_OBJECTS
    own = (jnp.arange(DIM) < DIM // 2)[None, :] == obj[:, None]  # (n, 32): the class's own half
    X = means[y] + jnp.where(own, law.sigma_own, law.sigma_off) * g[:, :DIM]
    rows = M[y]
    h = _inverse_cdf(rows, u[1])
    ann = _inverse_cdf(rows, u[2:])  # (n_annotators, n)
    counts = jnp.sum(jax.nn.one_hot(ann, N_CLASSES, dtype=X.dtype), axis=0)
    agreement = jnp.max(counts, axis=-1) / n_annotators
    conf = jnp.clip(agreement + law.conf_noise * g[:, DIM], 0.0, 1.0)
    return WoofStandIn(X, y, h.astype(jnp.int32), conf, agreement, obj)


def _task(key, law: WoofLaw, n_train, n_test, n_annotators):
    # Two random draws in all (uniforms, normals), sliced per split: each jax.random call costs
    # about a second of XLA compile time on CPU, which dominated the experiment's quick run.
    k_u, k_g = jax.random.split(key)
    n = n_train + n_test
    u = jax.random.uniform(k_u, (2 + n_annotators, n), dtype=float)
    g = jax.random.normal(k_g, (n * (DIM + 1) + N_CLASSES * DIM // 2,), dtype=float)
    means = _means(g[n * (DIM + 1):].reshape(N_CLASSES, DIM // 2), law.mean_norm)
    g = g[: n * (DIM + 1)].reshape(n, DIM + 1)
    M = _confusion(law.acc_object, law.acc_breed)
    return WoofTask(_split(u[:, :n_train], g[:n_train], law, means, M, n_annotators),
                    _split(u[:, n_train:], g[n_train:], law, means, M, n_annotators), means, M)


_task_core = jit_core(_task, static_argnames=("n_train", "n_test", "n_annotators"))


def _check_size(name, v, lo=1):
    if not isinstance(v, int) or isinstance(v, bool) or v < lo:
        raise InputError(f"{name}={v!r} is outside the allowed range: an integer >= {lo}")


def make_woof_standin(key, n_train=9446, n_test=4054, *, sigma_off=1.6, sigma_own=1.6, mean_norm=3.0,
                      acc_object=0.95, acc_breed=0.35, conf_noise=0.05, n_annotators=9) -> WoofTask:
    """Draw the SYNTHETIC WoofStandIn task (spec §5.2; default sizes are WoofNette's split sizes).

    Args:
        key: PRNG key. n_train, n_test, n_annotators: static sizes (≥ 1).
        sigma_off, sigma_own, mean_norm > 0; acc_object, acc_breed ∈ [0, 1]; conf_noise ≥ 0.
    Returns:
        :class:`WoofTask` (train, test: :class:`WoofStandIn`; means (10, 32); M (10, 10)).
    """
    for name, v in (("n_train", n_train), ("n_test", n_test), ("n_annotators", n_annotators)):
        _check_size(name, v)
    law = make_woof_law(sigma_own=sigma_own, sigma_off=sigma_off, mean_norm=mean_norm, acc_object=acc_object,
                        acc_breed=acc_breed, conf_noise=conf_noise)
    return _task_core(key, law, n_train=n_train, n_test=n_test, n_annotators=n_annotators)


# --------------------------------------------------------------------------------------------- models
def _mlp(d: int, hidden: int, k: int, key):
    """A one-hidden-layer tanh MLP (d → hidden → k) as a flax nnx module."""
    from flax import nnx

    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.hidden = nnx.Linear(d, hidden, rngs=rngs)
            self.out = nnx.Linear(hidden, k, rngs=rngs)

        def __call__(self, x):
            return self.out(jnp.tanh(self.hidden(x)))

    return MLP(nnx.Rngs(params=key))


def _family(family: str, d: int, k: int, hidden: int):
    """(init(key) -> params pytree, apply(params, X (n, d)) -> logits (n, k))."""
    if family == "softmax":
        return (lambda key: {"W": jnp.zeros((d, k)), "b": jnp.zeros(k)},
                lambda prm, X: X @ prm["W"] + prm["b"][None, :])
    from flax import nnx

    graphdef, _ = nnx.split(_mlp(d, hidden, k, jax.random.key(0)))
    return (lambda key: nnx.split(_mlp(d, hidden, k, key))[1],
            lambda state, X: nnx.merge(graphdef, state)(X))


def _l2(params):
    """Squared norm of the weight matrices (leaves with ndim ≥ 2; biases are not penalised)."""
    return sum(jnp.sum(v**2) for v in jax.tree_util.tree_leaves(params) if v.ndim >= 2)


def _xent(params, apply, X, T, s, l2):
    """Σ s_i CE(T_i, softmax(f(x_i))) / Σ s + (l2/2)‖W‖² (soft targets T (n, K))."""
    logp = jax.nn.log_softmax(apply(params, X), axis=-1)
    return -jnp.sum(s * jnp.sum(T * logp, axis=-1)) / jnp.sum(s) + 0.5 * l2 * _l2(params)


def _adam(loss, params, lr, steps):
    """Full-batch Adam in ``lax.scan`` -> (params, objective before each step (steps,))."""
    import optax

    opt = optax.adam(lr)

    def step(carry, _):
        prm, state = carry
        value, g = jax.value_and_grad(loss)(prm)
        updates, state = opt.update(g, state, prm)
        return (optax.apply_updates(prm, updates), state), value

    (params, _), losses = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
    return params, losses


def _ba_objective(params, apply, X, y, Mrow, w_a, w_c, l2):
    """§2.3 surrogate of eq. 4 (multiclass, expected weights; P(h = k) = the confusion row M[y], A20)."""
    P = jax.nn.softmax(apply(params, X), axis=-1)
    n = y.shape[-1]
    p_y = jnp.take_along_axis(P, y[:, None], axis=-1)[:, 0]
    L_c = jnp.sum(w_c * (1.0 - p_y)) / n
    L_ha = jnp.sum(w_a * (1.0 - jnp.sum(P * Mrow, axis=-1))) / jnp.sum(w_a)
    L_ch = jnp.sum(w_c * (1.0 - jnp.take_along_axis(Mrow, y[:, None], axis=-1)[:, 0])) / n
    return L_c + (L_ch - L_c) * L_ha + 0.5 * l2 * _l2(params)


def _check_fit(X, T, s, l2, lr, steps):
    if np.ndim(X) != 2 or np.ndim(T) != 2 or np.shape(T)[0] != np.shape(X)[0]:
        raise InputError(f"X {np.shape(X)} and T {np.shape(T)}: expected X (n, d) and soft targets T (n, K)")
    n = np.shape(X)[0]
    check_range("X", X)
    check_range("T", T, 0.0, 1.0)
    if not np.allclose(np.sum(np.asarray(T, dtype=float), axis=-1), 1.0, atol=1e-9):
        raise InputError("T: every row of the targets must sum to 1 (one-hot labels or class probabilities)")
    s = np.ones(n) if s is None else s
    if np.shape(s) != (n,):
        raise InputError(f"mismatched lengths (X: {n}, s: {np.shape(s)}): s must have shape ({n},)")
    check_range("s", s, 0.0, None)
    if not np.any(np.asarray(s) > 0):
        raise InputError("s: all weights are zero; at least one must be > 0")
    check_range("l2", l2, 0.0, None)
    check_range("lr", lr, 0.0, None, lo_open=True)
    _check_size("steps", steps)
    f = lambda v: jnp.asarray(v, dtype=float)  # noqa: E731
    return f(X), f(T), f(s), f(l2), f(lr)


@jit_core(static_argnames=("family", "hidden", "steps"))
def _fit_core(key, X, T, s, l2, lr, family, hidden, steps):
    init, apply = _family(family, X.shape[-1], T.shape[-1], hidden)
    return _adam(lambda prm: _xent(prm, apply, X, T, s, l2), init(key), lr, steps)


def fit_softmax(X, T, s=None, *, l2=1e-4, lr=0.05, steps=60):
    """Weighted multinomial logistic regression by full-batch Adam from zero (spec §2.2, stand-in).

    Minimises Σ s_i CE(T_i, softmax(x_i W + b)) / Σ s + (l2/2)‖W‖² (bias unpenalised): scikit-learn's
    multinomial ``LogisticRegression(C = 1/(l2 Σ s))`` with ``sample_weight = s``, divided by Σ s.

    Args:
        X: (n, d) float. T: (n, K) float targets, rows summing to 1 (one-hot or soft, e.g. M[y]).
        s: (n,) non-negative weights, not all zero (None: uniform). l2 ≥ 0, lr > 0, steps ≥ 1 (static).
    Returns:
        (params, losses): params {"W": (d, K), "b": (K,)} float64; losses (steps,) float64, the
        objective before each step.
    """
    X, T, s, l2, lr = _check_fit(X, T, s, l2, lr, steps)
    return _fit_core(jax.random.key(0), X, T, s, l2, lr, family="softmax", hidden=0, steps=steps)


def fit_mlp(key, X, T, s=None, *, hidden=64, l2=1e-4, lr=0.05, steps=60):
    """A small flax (nnx) MLP, d → hidden (tanh) → K, trained like :func:`fit_softmax` (optax Adam).

    Args:
        key: PRNG key for the initial weights (flax's default initialisers). X, T, s, l2, lr, steps
            as :func:`fit_softmax`; hidden ≥ 1 (static).
    Returns:
        (model, losses): the trained ``flax.nnx`` module (``model(X)`` -> logits (n, K) float64) and
        the objective before each step (steps,).
    """
    from flax import nnx

    _check_size("hidden", hidden)
    X, T, s, l2, lr = _check_fit(X, T, s, l2, lr, steps)
    state, losses = _fit_core(key, X, T, s, l2, lr, family="mlp", hidden=hidden, steps=steps)
    graphdef, _ = nnx.split(_mlp(X.shape[-1], hidden, T.shape[-1], jax.random.key(0)))
    return nnx.merge(graphdef, state), losses


# --------------------------------------------------------------------------------------------- evaluation
@named_result
class StandInMetrics(NamedTuple):
    """One run on the SYNTHETIC stand-in (0-d each; leading axes under vmap; fractions in [0, 1]).

    ``ai_acc_X`` (expected accuracy of the routed AI under τ ~ U[0.6, 0.8]) and ``team_acc_X``
    (CGPR team accuracy, expected weights) for X in standard, aligned, complementary, behaviour,
    oracle, rrs; ``human_acc``; ``p_a`` = mean w^a (expected share of D_a); ``route_agree_rrs``
    = Σ w^a 1{RRS → m_a} + w^c 1{RRS → m_c} over N; ``viol_ii`` = share of D_a (weight w^a) where
    C^a < C^c (Theorem 3 condition (ii) broken); ``eps_iii`` = Theorem 3's ε measured: the AI
    accuracy RRS loses on D_c by choosing m_a where m_c would be right, N-normalised
    (Σ w^c 1{RRS → m_a}(1{m_c = y} − 1{m_a = y})⁺ / N).
    """

    ai_acc_standard: jax.Array
    ai_acc_aligned: jax.Array
    ai_acc_complementary: jax.Array
    ai_acc_behaviour: jax.Array
    ai_acc_oracle: jax.Array
    ai_acc_rrs: jax.Array
    team_acc_standard: jax.Array
    team_acc_aligned: jax.Array
    team_acc_complementary: jax.Array
    team_acc_behaviour: jax.Array
    team_acc_oracle: jax.Array
    team_acc_rrs: jax.Array
    human_acc: jax.Array
    p_a: jax.Array
    route_agree_rrs: jax.Array
    viol_ii: jax.Array
    eps_iii: jax.Array


def _cgpr(pred_a, pred_c, y, h, w_a, w_c):
    """(AI accuracy, CGPR team accuracy) when the AI shows pred_a on D_a and pred_c on D_c (expected
    weights); r is earned by pred_a on D_a (§1.9: the routed predictions there). pred_a, pred_c
    (..., n) int; y, h (n,) int; w_a, w_c (n,) float -> two (...) floats."""
    f = lambda v: v.astype(w_a.dtype)  # noqa: E731
    on_a = _region_losses(f(pred_a), f(y), f(h), w_a, w_c, 1.0)
    on_c = _region_losses(f(pred_c), f(y), f(h), w_a, w_c, 1.0)
    team = 1.0 - _team_loss_from(RegionLosses(on_a.L_ah, on_a.L_ch, on_c.L_cm, on_a.L_ham))
    y_, wa, wc = (jnp.broadcast_to(v, pred_a.shape) for v in (y, w_a, w_c))
    ai = jnp.mean(wa * f(pred_a == y_) + wc * f(pred_c == y_), axis=-1)
    return ai, team


def _standin_run(key, law: WoofLaw, family, hidden, n_train, n_test, steps, ba_steps, lr, ba_lr, l2):
    k_task, k_init = jax.random.split(key)
    task = _task(k_task, law, n_train, n_test, 9)
    tr, te = task.train, task.test
    init, apply = _family(family, DIM, N_CLASSES, hidden)
    w_a = _weights_from_FT(tr.conf, TAU_LO, TAU_HI)
    onehot = jax.nn.one_hot(tr.y, N_CLASSES, dtype=tr.X.dtype)
    Mrow = task.M[tr.y]
    # Standard, aligned (soft targets M[y], A20), complementary: one vmapped Adam run.
    T = jnp.stack([onehot, Mrow, onehot])
    S = jnp.stack([jnp.ones_like(w_a), w_a, 1.0 - w_a])
    p0 = init(k_init)
    fit = lambda T_, s_: _adam(lambda prm: _xent(prm, apply, tr.X, T_, s_, l2), p0, lr, steps)[0]  # noqa: E731
    three = jax.vmap(fit)(T, S)
    standard = jax.tree_util.tree_map(lambda v: v[0], three)
    behaviour, _ = _adam(lambda prm: _ba_objective(prm, apply, tr.X, tr.y, Mrow, w_a, 1.0 - w_a, l2),
                         standard, ba_lr, ba_steps)
    four = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a, b[None]]), three, behaviour)
    logits = jax.vmap(apply, in_axes=(0, None))(four, te.X)  # (4, n, K): std, aligned, compl., behaviour
    pred = jnp.argmax(logits, axis=-1)
    conf_m = jnp.max(jax.nn.softmax(logits, axis=-1), axis=-1)
    ta = _weights_from_FT(te.conf, TAU_LO, TAU_HI)
    tc = 1.0 - ta
    pa, pc = pred[1], pred[2]
    to_a = conf_m[1] >= conf_m[2]  # RRS, ties → aligned
    rrs = jnp.where(to_a, pa, pc)
    # Rows: standard, aligned, complementary, behaviour, oracle (m_a on D_a, m_c on D_c; A17), RRS.
    shown_a = jnp.stack([pred[0], pa, pc, pred[3], pa, rrs])
    shown_c = jnp.stack([pred[0], pa, pc, pred[3], pc, rrs])
    ai, team = _cgpr(shown_a, shown_c, te.y, te.h, ta, tc)
    f = lambda v: v.astype(ta.dtype)  # noqa: E731
    return StandInMetrics(
        *ai, *team, jnp.mean(f(te.h == te.y)), jnp.mean(ta),
        jnp.mean(ta * f(to_a) + tc * f(~to_a)),
        jnp.sum(ta * f(~to_a)) / jnp.sum(ta),
        jnp.mean(tc * f(to_a) * jnp.maximum(f(pc == te.y) - f(pa == te.y), 0.0)),
    )


@jit_core(static_argnames=("family", "hidden", "n_train", "n_test", "steps", "ba_steps"))
def _standin_core(keys, law, lr, ba_lr, l2, family, hidden, n_train, n_test, steps, ba_steps):
    return jax.vmap(lambda k: _standin_run(k, law, family, hidden, n_train, n_test, steps, ba_steps, lr, ba_lr, l2))(keys)


def run_woof_standin(key, n_seeds=5, *, family="softmax", sigma_off=1.6, n_train=9446, n_test=4054, steps=60,
                     ba_steps=200, hidden=32, lr=0.05, ba_lr=0.02, l2=1e-4) -> StandInMetrics:
    """Table 1's evaluation on the SYNTHETIC stand-in (never WoofNette results), one run per seed.

    Each seed draws a fresh task (means, train, test), trains standard / aligned / complementary
    for ``steps`` Adam steps and behaviour-aware for ``ba_steps`` more from the standard model,
    routes (oracle by the human's τ draw, RRS by max class probability) and scores.

    Args:
        key: PRNG key. n_seeds ≥ 1 (A22: 5). family: "softmax" or "mlp" (hidden units ``hidden``).
        sigma_off > 0 (spec: 0.6 … 1.6). Sizes and step counts static ≥ 1; lr, ba_lr > 0; l2 ≥ 0.
    Returns:
        :class:`StandInMetrics`, each field (n_seeds,) float64.
    """
    check_choice("family", family, STANDIN_FAMILIES)
    for name, v in (("n_seeds", n_seeds), ("n_train", n_train), ("n_test", n_test), ("steps", steps),
                    ("ba_steps", ba_steps), ("hidden", hidden)):
        _check_size(name, v)
    check_range("lr", lr, 0.0, None, lo_open=True)
    check_range("ba_lr", ba_lr, 0.0, None, lo_open=True)
    check_range("l2", l2, 0.0, None)
    law = make_woof_law(sigma_off=sigma_off)
    f = lambda v: jnp.asarray(v, dtype=float)  # noqa: E731
    return _standin_core(jax.random.split(key, n_seeds), law, f(lr), f(ba_lr), f(l2), family=family,
                         hidden=hidden if family == "mlp" else 0, n_train=n_train, n_test=n_test, steps=steps,
                         ba_steps=ba_steps)
