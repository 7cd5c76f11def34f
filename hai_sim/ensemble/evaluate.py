"""The whole admissions pipeline in one kernel: generate, train, route, score (spec §2.5, §6).

``run_admissions`` draws fresh train and test sets, fits the four paradigms, builds the oracle,
noisy-group (adapt) and RRS ensembles, and scores the seven predictors in one fused pass: the
region-target accuracy (A8, the primary metric of Fig. 3) and the CGPR team accuracy (1 − eq. 3).
It is jit-able and vmappable over keys and over p, δ, α, α_c, q, τ; sizes and C are static.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, jit_core, named_result
from hai_sim.engine.validate import check_choice, check_range

from .data import _admissions
from .fit import _design
from .losses import RegionLosses, _team_loss_from
from .params import Population, _check_p_open, make_population
from .train import _fit_many, _fixed_weight_weights, _regions, _train

__all__ = ["Gain", "Metrics", "PREDICTORS", "adaptive_gain", "run_admissions"]

PREDICTORS = ("standard", "single", "aligned", "complementary", "oracle", "adapt", "rrs")
METRICS = ("region_target", "team")


@named_result
class Metrics(NamedTuple):
    """Test-set metrics of one run (all 0-d; fractions in [0, 1]; leading batch axes under vmap).

    ``acc_rt_X``: region-target accuracy (agreement with h on D_a, with y on D_c; A8) [R];
    ``team_acc_X``: CGPR team accuracy 1 − eq. 3, with r from X's own predictions on D_a;
    X in standard, single, aligned, complementary, oracle (group routing), adapt (group labels
    flipped with prob. q), rrs (eq. 8). ``D`` = ‖θ_ma* − θ_mc*‖ (A9); ``Delta`` eq. 43
    (region-target 0-1, N-normalised); ``r_oracle`` the reliance earned by the oracle ensemble;
    ``route_agree_rrs`` the RRS route agreement; ``empty_region`` (bool) a region was empty.
    """

    acc_rt_standard: jax.Array
    acc_rt_single: jax.Array
    acc_rt_aligned: jax.Array
    acc_rt_complementary: jax.Array
    acc_rt_oracle: jax.Array
    acc_rt_adapt: jax.Array
    acc_rt_rrs: jax.Array
    team_acc_standard: jax.Array
    team_acc_single: jax.Array
    team_acc_aligned: jax.Array
    team_acc_complementary: jax.Array
    team_acc_oracle: jax.Array
    team_acc_adapt: jax.Array
    team_acc_rrs: jax.Array
    team_acc_human: jax.Array
    D: jax.Array
    Delta: jax.Array
    r_oracle: jax.Array
    route_agree_rrs: jax.Array
    empty_region: jax.Array


@named_result
class Gain(NamedTuple):
    """Seed mean and standard error of the seed mean of a gain, in percentage points."""

    mean: jax.Array
    se: jax.Array


def _score(theta, Xte, y, h, in_a, route_adapt, r_empty=1.0):
    """Fused metric pass. theta: Paradigms of (3,); test arrays (n,). Returns the Metrics pieces.

    Every metric of a predictor follows from two counts, its agreements with h on D_a (A) and with
    y on D_c (C): acc_rt = (A + C)/n, L(D_c, m) = (n_c − C)/n, L_h(D_a, m) = (n_a − A)/n_a, and
    eq. 43's Δ from the three specialists' A + C. So the test set is read once: the logits are
    elementwise in the two features (no (n, 4) matmul, no (7, n) prediction matrix) and all the
    counts come out of one (2, n) @ (n, 9) product. The counts are exact integers, so every metric equals the
    per-predictor formulas bit for bit.
    """
    dt = Xte.dtype
    x1, x2 = Xte[:, 0], Xte[:, 1]
    z = [th[0] + th[1] * x1 + th[2] * x2 for th in theta]  # standard, single, aligned, complementary
    pred = [zz > 0 for zz in z]
    pa, pc = pred[2], pred[3]
    route_rrs = jnp.abs(z[2]) >= jnp.abs(z[3])
    preds = pred + [jnp.where(in_a, pa, pc), jnp.where(route_adapt, pa, pc), jnp.where(route_rrs, pa, pc)]
    yb, hb = y > 0.5, h > 0.5
    target = jnp.where(in_a, hb, yb)
    a = in_a.astype(dt)
    c = 1.0 - a
    cols = [pk == target for pk in preds] + [hb != yb, route_rrs == in_a]
    # (2, n) @ (n, 9): one pass builds the indicator matrix, the product sums it per region. As
    # separate reductions XLA would fuse the whole logit/prediction chain into each of them.
    sums = jnp.stack([a, c]) @ jnp.stack(cols, axis=-1).astype(dt)
    A, C = sums[0, :7], sums[1, :7]
    ah_wrong, ch_wrong, agree = sums[0, 7], sums[1, 7], sums[0, 8] + sums[1, 8]
    n_a = jnp.sum(a)
    n = y.shape[-1]
    acc_rt = (A + C) / n
    safe = jnp.where(n_a > 0, n_a, 1.0)
    L_ham = jnp.where(n_a > 0, (n_a - A) / safe, 1.0 - r_empty)
    rl = RegionLosses(ah_wrong / n, ch_wrong / n, ((n - n_a) - C) / n, L_ham)
    team_acc = 1.0 - _team_loss_from(rl)
    # Eq. 43: excess region-target loss of swapping the specialists, N-normalised.
    hits = A + C
    Delta = (2.0 * hits[4] - hits[2] - hits[3]) / n
    return acc_rt, team_acc, 1.0 - L_ham[4], agree / n, Delta


def _run(key, pop: Population, q, tau, use_tau, n_train, n_test, C) -> Metrics:
    k_train, k_test, k_route = jax.random.split(key, 3)
    tr = _admissions(k_train, pop, n_train)
    te = _admissions(k_test, pop, n_test)
    f = lambda v: v.astype(tr.X.dtype)  # noqa: E731
    in_tr = _regions(tr.in_Da, tr.conf, tau, use_tau)
    in_te = _regions(te.in_Da, te.conf, tau, use_tau)
    theta = _train(tr.X, f(tr.y), f(tr.h), in_tr, tr.conf, C)
    # q=None (a static choice of callers that never flip, e.g. the 21^4 grid): adapt is the oracle,
    # exactly as q = 0 gives, without drawing n_test routing uniforms.
    route_adapt = in_te if q is None else in_te ^ (jax.random.uniform(k_route, (n_test,), dtype=float) < q)
    acc_rt, team_acc, r_oracle, agree, Delta = _score(theta, te.X, f(te.y), f(te.h), in_te, route_adapt)
    empty = ~(jnp.any(in_tr) & jnp.any(~in_tr) & jnp.any(in_te) & jnp.any(~in_te))
    human = jnp.mean((te.h == te.y).astype(tr.X.dtype))
    return Metrics(*acc_rt, *team_acc, human, jnp.linalg.norm(theta.aligned - theta.complementary), Delta,
                   r_oracle, agree, empty)


def _seed_runs(keys, pop: Population, q, tau, use_tau, n_train, n_test, C) -> Metrics:
    """:func:`_run` for each key of ``keys`` (S,) at one parameter point -> Metrics with a leading S.

    Seeds run in sequence (``lax.map``), not vmapped: under an outer vmap over grid points, a vmap
    over seeds too makes every intermediate (points × seeds × n_test) and the pipeline memory-bound;
    64 points × 30 seeds ran 2.3× faster per run this way (same results to round-off).
    """
    return jax.lax.map(lambda k: _run(k, pop, q, tau, use_tau, n_train, n_test, C), keys)


@jit_core(static_argnames=("use_tau", "n_train", "n_test", "C"))
def _run_core(key, pop, q, tau, use_tau, n_train, n_test, C):
    return _run(key, pop, q, tau, use_tau, n_train, n_test, C)


def _check_run(p, delta, alpha, q, tau, alpha_c, n_train, n_test, C):
    _check_p_open(p)
    check_range("q", q, 0.0, 0.5)
    check_range("tau", tau, 0.0, 1.0)
    for name, v in (("n_train", n_train), ("n_test", n_test)):
        if not isinstance(v, int) or v < 2:
            raise InputError(f"{name}={v!r} is outside the allowed range: an integer >= 2")
    if not isinstance(C, (int, float)) or not C > 0:
        raise InputError(f"C={C!r} is outside the allowed range (0, inf): a static positive number")
    pop = make_population(p, delta, alpha, alpha_c=alpha_c)
    f = lambda v: jnp.asarray(v, dtype=float)  # noqa: E731
    return pop, f(q), f(0.0 if tau is None else tau)


def run_admissions(key, p=0.5, delta=0.25, alpha=1.0, q=0.0, tau=None, *, alpha_c=0.5,
                   n_train=1000, n_test=5000, C=1.0) -> Metrics:
    """One run of the admissions pipeline (spec §6 kernel): fresh train/test sets → :class:`Metrics`.

    Args:
        key: PRNG key. p ∈ (0, 1), delta ∈ [0, 0.5], alpha ∈ [0.5, 1], q ∈ [0, 0.5] (routing-label
            flip probability, test time only), tau: None (regions by group) or τ ∈ [0, 1] (regions
            C^h > τ throughout, §6 grid 1; an edge τ empties a region: r_empty = 1, the empty
            specialist is θ = 0 and ``empty_region`` is set), alpha_c ∈ [0, 1].
        n_train, n_test, C: static sizes (A4 defaults 1000, 5000) and inverse penalty.
    """
    pop, q, tau_arr = _check_run(p, delta, alpha, q, tau, alpha_c, n_train, n_test, C)
    return _run_core(key, pop, q, tau_arr, use_tau=tau is not None, n_train=n_train, n_test=n_test, C=float(C))


@jit_core(static_argnames=("n_seeds", "metric", "n_train", "n_test", "C"))
def _gain_core(key, pop, q, n_seeds, metric, n_train, n_test, C):
    m = _seed_runs(jax.random.split(key, n_seeds), pop, q, 0.0, False, n_train, n_test, C)
    if metric == "team":
        g = m.team_acc_adapt - m.team_acc_single
    else:
        g = m.acc_rt_adapt - m.acc_rt_single
    g = 100.0 * g
    return Gain(jnp.mean(g), jnp.std(g, ddof=1) / jnp.sqrt(float(n_seeds)))


def adaptive_gain(key, n_seeds=30, p=0.5, delta=0.25, alpha=1.0, q=0.0, *, metric="region_target",
                  alpha_c=0.5, n_train=1000, n_test=5000, C=1.0) -> Gain:
    """Adaptive gain (adapt − single) over ``n_seeds`` runs, in percentage points (A8).

    ``metric="region_target"`` (default, Fig. 3) or ``"team"`` (CGPR team accuracy).
    Returns :class:`Gain` (seed mean, standard error of the seed mean).
    """
    check_choice("metric", metric, METRICS)
    if not isinstance(n_seeds, int) or n_seeds < 2:
        raise InputError(f"n_seeds={n_seeds!r} is outside the allowed range: an integer >= 2")
    pop, q, _ = _check_run(p, delta, alpha, q, None, alpha_c, n_train, n_test, C)
    return _gain_core(key, pop, q, n_seeds=n_seeds, metric=metric, n_train=n_train, n_test=n_test, C=float(C))


@jit_core(static_argnames=("use_tau", "n_train", "n_test", "C"))
def _batch_core(keys, pop, q, tau, use_tau, n_train, n_test, C):
    """Metrics for keys (P, S) at P parameter points (pop, q, tau batched over P), seeds innermost."""
    return jax.vmap(_seed_runs, in_axes=(0, 0, 0, 0, None, None, None, None))(
        keys, pop, q, tau, use_tau, n_train, n_test, C)


def _fixed_weight_run(key, pop: Population, ws, n_train, n_test, C):
    """Fig. A4 kernel [R]: region-target accuracy and log-loss surrogate (§2.5) of the fixed-weight
    single models θ_w (one per entry of ``ws``), of the single model (w = p̂) and of the oracle
    ensemble, on a fresh test set. Returns (acc (k,), logloss (k,), acc_single, ll_single,
    acc_adapt, ll_adapt)."""
    k_train, k_test = jax.random.split(key)
    tr = _admissions(k_train, pop, n_train)
    te = _admissions(k_test, pop, n_test)
    f = lambda v: v.astype(tr.X.dtype)  # noqa: E731
    para = _train(tr.X, f(tr.y), f(tr.h), tr.in_Da, tr.conf, C)
    s = jax.vmap(_fixed_weight_weights, in_axes=(None, 0))(tr.in_Da, ws)
    t = jnp.broadcast_to(jnp.where(tr.in_Da, f(tr.h), f(tr.y))[None, :], s.shape)
    theta_w = _fit_many(tr.X, t, s, C)  # (k, 3)
    Z = _design(te.X)
    y, h, a = f(te.y), f(te.h), te.in_Da
    target = jnp.where(a, h, y)
    af = f(a)
    p_hat = jnp.mean(af)

    def scores(z):  # z (n,) -> region-target accuracy, log-loss surrogate
        acc = jnp.mean(((z > 0).astype(z.dtype) == target).astype(z.dtype))
        ll = jax.nn.softplus(z) - target * z
        surrogate = (p_hat * jnp.sum(af * ll) / jnp.maximum(jnp.sum(af), 1.0)
                     + (1.0 - p_hat) * jnp.sum((1.0 - af) * ll) / jnp.maximum(jnp.sum(1.0 - af), 1.0))
        return acc, surrogate

    acc_w, ll_w = jax.vmap(scores)(theta_w @ Z.T)
    acc_s, ll_s = scores(Z @ para.single)
    acc_ad, ll_ad = scores(jnp.where(a, Z @ para.aligned, Z @ para.complementary))
    return acc_w, ll_w, acc_s, ll_s, acc_ad, ll_ad


@jit_core(static_argnames=("n_train", "n_test", "C"))
def _fixed_weight_core(keys, pop, ws, n_train, n_test, C):
    per_seed = jax.vmap(_fixed_weight_run, in_axes=(0, None, None, None, None, None))
    return jax.vmap(per_seed, in_axes=(0, 0, None, None, None, None))(keys, pop, ws, n_train, n_test, C)
