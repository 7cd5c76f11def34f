"""CGPR region losses and team loss (spec §1.3–1.4, eq. 3), Prop. 5 weights, and the Monte Carlo twin.

Normalisation (§1.3, A1): region losses are sums over the region divided by the *total* N; the
alignment loss inside the reliance r is a conditional mean over D_a. That is the only choice that
makes eq. 3 the team error rate. With soft weights (a random threshold, Prop. 5) every indicator
of D_a becomes w^a = F_T(C^h) and of D_c becomes w^c = 1 − F_T(C^h), inside r too.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import Estimate, InputError, jit_core, named_result
from hai_sim.engine.validate import check_range, is_concrete

from .params import _labels, _mask, _same_length

__all__ = ["RegionLosses", "region_losses", "team_loss", "team_loss_mc", "weights_from_FT"]


@named_result
class RegionLosses(NamedTuple):
    """The four primitive 0-1 losses of eq. 3 (0-d floats, or batched over leading axes).

    Attributes:
        L_ah: L(D_a, h) = (1/N) Σ w^a 1{h ≠ y}.
        L_ch: L(D_c, h) = (1/N) Σ w^c 1{h ≠ y}.
        L_cm: L(D_c, m) = (1/N) Σ w^c 1{m ≠ y}.
        L_ham: L_h(D_a, m) = Σ w^a 1{m ≠ h} / Σ w^a (1 − r_empty when D_a is empty).
    """

    L_ah: jax.Array
    L_ch: jax.Array
    L_cm: jax.Array
    L_ham: jax.Array


def _region_losses(pred, y, h, w_a, w_c, r_empty):
    """Unchecked kernel: float {0,1} arrays (..., N) (pred may carry extra leading axes)."""
    n = y.shape[-1]
    pred, y, h, w_a, w_c = jnp.broadcast_arrays(pred, y, h, w_a, w_c)
    h_wrong = (h != y).astype(w_a.dtype)
    m_wrong = (pred != y).astype(w_a.dtype)
    m_dis = (pred != h).astype(w_a.dtype)
    s_a = jnp.sum(w_a, axis=-1)
    safe = jnp.where(s_a > 0, s_a, 1.0)
    L_ham = jnp.where(s_a > 0, jnp.sum(w_a * m_dis, axis=-1) / safe, 1.0 - r_empty)
    return RegionLosses(
        jnp.sum(w_a * h_wrong, axis=-1) / n,
        jnp.sum(w_c * h_wrong, axis=-1) / n,
        jnp.sum(w_c * m_wrong, axis=-1) / n,
        L_ham,
    )


def _team_loss_from(rl: RegionLosses):
    """Eq. 3: L(D_a,h) + L(D_c,m) + [L(D_c,h) − L(D_c,m)] L_h(D_a,m)."""
    return rl.L_ah + rl.L_cm + (rl.L_ch - rl.L_cm) * rl.L_ham


@jit_core
def _region_losses_core(pred, y, h, w_a, w_c, r_empty):
    return _region_losses(pred, y, h, w_a, w_c, r_empty)


def _weights_from_FT(conf, lo, hi):
    """P[C^h > τ] for τ ~ U[lo, hi] (a step at lo when lo == hi)."""
    width = hi - lo
    soft = jnp.clip((conf - lo) / jnp.where(width > 0, width, 1.0), 0.0, 1.0)
    return jnp.where(width > 0, soft, (conf > lo).astype(conf.dtype))


def weights_from_FT(conf, lo, hi) -> jax.Array:
    """Prop. 5 expected region weight w^a = F_T(C^h) for τ ~ U[lo, hi] (w^c = 1 − w^a).

    Args:
        conf: (n,) float confidences in [0, 1]. lo ≤ hi in [0, 1] (lo == hi: a fixed τ).
    Returns:
        (n,) float w^a = clip((C − lo)/(hi − lo), 0, 1); for lo == hi, 1{C > lo}.
    """
    check_range("conf", conf, 0.0, 1.0)
    _check_tau_law((lo, hi))
    return _weights_core(jnp.asarray(conf, dtype=float), jnp.asarray(lo, dtype=float), jnp.asarray(hi, dtype=float))


_weights_core = jit_core(_weights_from_FT)


def _check_tau_law(tau_law) -> tuple[float, float]:
    if not (isinstance(tau_law, tuple) and len(tau_law) == 2):
        raise InputError(f"tau_law={tau_law!r}: must be a pair (lo, hi) for τ ~ U[lo, hi], 0 <= lo <= hi <= 1")
    lo, hi = tau_law
    check_range("tau_law[0]", lo, 0.0, 1.0)
    check_range("tau_law[1]", hi, 0.0, 1.0)
    if is_concrete((lo, hi)) and float(lo) > float(hi):
        raise InputError(f"tau_law={tau_law!r}: need lo <= hi (τ ~ U[lo, hi]) within [0, 1]")
    return lo, hi


def _region_weights(in_Da, w_a, w_c, n_name="pred"):
    """(w_a, w_c) from a mask or from soft weights (w_c defaults to 1 − w_a)."""
    if in_Da is not None:
        if w_a is not None or w_c is not None:
            raise InputError("in_Da and w_a/w_c were both given: pass a region mask or soft weights, not both")
        m = _mask("in_Da", in_Da)
        return m.astype(float), (~m).astype(float)
    if w_a is None:
        raise InputError("in_Da=None and w_a=None: give the region mask in_Da or the Prop. 5 weights w_a")
    check_range("w_a", w_a, 0.0, 1.0)
    wa = jnp.asarray(w_a, dtype=float) if is_concrete(w_a) else w_a
    if w_c is None:
        return wa, 1.0 - wa
    check_range("w_c", w_c, 0.0, 1.0)
    return wa, (jnp.asarray(w_c, dtype=float) if is_concrete(w_c) else w_c)


def _checked(pred, y, h, in_Da, w_a, w_c, r_empty):
    _same_length(pred=pred, y=y, h=h, in_Da=in_Da, w_a=w_a, w_c=w_c)
    check_range("r_empty", r_empty, 0.0, 1.0)
    pred, y, h = _labels("pred", pred), _labels("y", y), _labels("h", h)
    wa, wc = _region_weights(in_Da, w_a, w_c)
    return pred, y, h, wa, wc, jnp.asarray(r_empty, dtype=float)


def region_losses(pred, y, h, in_Da=None, *, w_a=None, w_c=None, r_empty=1.0) -> RegionLosses:
    """The four losses of eq. 3 with the §1.3 normalisation (see :class:`RegionLosses`).

    Args:
        pred, y, h: (N,) {0, 1} labels (int, float or bool) of the model, the truth, the human.
        in_Da: (N,) bool alignment-region mask; or give ``w_a`` (and optionally ``w_c``, default
            1 − w_a), the Prop. 5 expected weights of a random threshold.
        r_empty: reliance used when D_a is empty (A23, default 1: CGR behaviour).
    """
    return _region_losses_core(*_checked(pred, y, h, in_Da, w_a, w_c, r_empty))


def team_loss(pred, y, h, in_Da=None, *, w_a=None, w_c=None, r_empty=1.0) -> jax.Array:
    """CGPR team loss, eq. 3 [P; normalisation D]: the expected team error rate (0-d float).

    Equals 1 − Acc_team with Acc_team = p̂ acc_h|D_a + (1 − p̂)[r acc_m|D_c + (1 − r) acc_h|D_c],
    r = 1 − L_h(D_a, m). Arguments as :func:`region_losses`.
    """
    return _team_core(*_checked(pred, y, h, in_Da, w_a, w_c, r_empty))


@jit_core
def _team_core(pred, y, h, w_a, w_c, r_empty):
    return _team_loss_from(_region_losses(pred, y, h, w_a, w_c, r_empty))


def team_loss_mc(key, pred, y, h, in_Da, n_rep=1000, *, conf=None, tau_law=None) -> Estimate:
    """Monte Carlo twin of eq. 3: simulate every CGPR decision ``n_rep`` times [D].

    Per replicate and decision: on D_a the human decides; on D_c a Bernoulli(r) coin chooses the
    AI. With ``tau_law=(lo, hi)`` each decision draws its own τ ~ U[lo, hi] and is in D_a when
    ``conf > τ`` (``in_Da`` is then ignored and may be None); r is held at the expected-weight
    value of §1.4 (the spec's check), otherwise r is the realised agreement on ``in_Da``.

    Returns:
        :class:`~hai_sim.engine.Estimate` of the team error rate (mean over replicates, its s.e.).
    """
    if not isinstance(n_rep, int) or n_rep < 2:
        raise InputError(f"n_rep={n_rep!r} is outside the allowed range: an integer >= 2")
    if tau_law is None:
        if in_Da is None:
            raise InputError("in_Da=None with tau_law=None: a fixed region needs the mask in_Da")
        _same_length(pred=pred, y=y, h=h, in_Da=in_Da)
        pred, y, h = _labels("pred", pred), _labels("y", y), _labels("h", h)
        m = _mask("in_Da", in_Da)
        return _team_mc_core(key, pred, y, h, m.astype(float), m.astype(float), n_rep=n_rep, random_tau=False)
    if conf is None:
        raise InputError("conf=None with a tau_law: per-decision thresholds need the confidences conf")
    lo, hi = _check_tau_law(tau_law)
    _same_length(pred=pred, y=y, h=h, conf=conf)
    check_range("conf", conf, 0.0, 1.0)
    pred, y, h = _labels("pred", pred), _labels("y", y), _labels("h", h)
    conf = jnp.asarray(conf, dtype=float)
    w_a = _weights_from_FT(conf, jnp.asarray(lo, dtype=float), jnp.asarray(hi, dtype=float))
    u_scale = jnp.stack([conf, jnp.broadcast_to(jnp.asarray(lo, dtype=float), conf.shape),
                         jnp.broadcast_to(jnp.asarray(hi, dtype=float), conf.shape)])
    return _team_mc_core(key, pred, y, h, w_a, u_scale, n_rep=n_rep, random_tau=True)


@jit_core(static_argnames=("n_rep", "random_tau"))
def _team_mc_core(key, pred, y, h, w_a, region_info, n_rep, random_tau):
    n = y.shape[-1]
    rl = _region_losses(pred, y, h, w_a, 1.0 - w_a, 1.0)
    r = 1.0 - rl.L_ham

    def one(k):
        u = jax.random.uniform(k, (2, n), dtype=float)
        if random_tau:
            conf, lo, hi = region_info
            in_a = conf > lo + (hi - lo) * u[0]
        else:
            in_a = region_info > 0.5
        decision = jnp.where(in_a | (u[1] >= r), h, pred)
        return jnp.mean((decision != y).astype(float))

    keys = jax.random.split(key, n_rep)
    losses = jax.lax.map(one, keys, batch_size=min(n_rep, 256))
    return Estimate(jnp.mean(losses), jnp.std(losses, ddof=1) / jnp.sqrt(float(n_rep)))
