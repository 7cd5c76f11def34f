"""Training every paradigm of spec §2.2 on one admissions data set.

| model | data | targets | weights |
|---|---|---|---|
| standard | all | y | uniform |
| single (minimises g_p̂) | all | h on D_a, y on D_c | uniform (A5) [R] |
| aligned m_a | D_a | h | C^h |
| complementary m_c | D_c | y | 1 − C^h |
| fixed-weight θ_w (Fig. A4) | all | as single | w/p̂ on D_a, (1 − w)/(1 − p̂) on D_c [R] |

All fits are scikit-learn-convention weighted logistic regressions (:func:`fit_wlr`): each model
gets λ = 1/(C Σ s), so the specialists have a different effective λ from the single model (A6).
Regions are the group labels, or C^h > τ when a threshold is given. An empty region leaves its
specialist at θ = 0.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from hai_sim.engine import InputError, jit_core, named_result
from hai_sim.engine.validate import check_range

from .data import Admissions
from .fit import PIPELINE_ITERS, _default_lam, _newton
from .params import _labels, _mask, _same_length

__all__ = ["Paradigms", "train_paradigms", "fit_fixed_weight"]


@named_result
class Paradigms(NamedTuple):
    """Fitted parameters θ = [b, w_GPA, w_Score], each (3,) float (leading batch axes allowed)."""

    standard: jax.Array
    single: jax.Array
    aligned: jax.Array
    complementary: jax.Array


def _regions(in_Da, conf, tau, use_tau: bool):
    return conf > tau if use_tau else in_Da


def _paradigm_targets(y, h, in_a, conf):
    """(4, n) targets and weights of standard, single, aligned, complementary."""
    a = in_a.astype(conf.dtype)
    ones = jnp.ones_like(conf)
    t = jnp.stack([y, jnp.where(in_a, h, y), h, y])
    s = jnp.stack([ones, ones, a * conf, (1.0 - a) * (1.0 - conf)])
    return t, s


def _fit_many(X, t, s, C):
    """vmap of the Newton fit over (k, n) targets and weights sharing X -> (k, d + 1) (the
    pipeline's PIPELINE_ITERS steps, converged on admissions data)."""
    lam = _default_lam(s, C)
    return jax.vmap(_newton, in_axes=(None, 0, 0, 0, None, None))(X, t, s, lam, False, PIPELINE_ITERS)


def _train(X, y, h, in_a, conf, C) -> Paradigms:
    t, s = _paradigm_targets(y, h, in_a, conf)
    return Paradigms(*_fit_many(X, t, s, C))


@jit_core(static_argnames=("C", "use_tau"))
def _train_core(X, y, h, in_Da, conf, tau, C, use_tau):
    return _train(X, y, h, _regions(in_Da, conf, tau, use_tau), conf, C)


def _check_data(d: Admissions):
    if not isinstance(d, tuple) or len(d) != 5:
        raise InputError(f"d={type(d).__name__}: must be an Admissions (X, y, h, in_Da, conf)")
    X, y, h, in_Da, conf = d
    _same_length(y=y, h=h, in_Da=in_Da, conf=conf)
    if jnp.ndim(X) != 2 or jnp.shape(X)[0] != jnp.shape(y)[0]:
        raise InputError(f"X has shape {jnp.shape(X)}: expected ({jnp.shape(y)[0]}, d)")
    check_range("conf", conf, 0.0, 1.0)
    return jnp.asarray(X, dtype=float), _labels("y", y), _labels("h", h), _mask("in_Da", in_Da), jnp.asarray(conf, dtype=float)


def _check_C(C):
    if not isinstance(C, (int, float)) or not C > 0:
        raise InputError(f"C={C!r} is outside the allowed range (0, inf): a static positive number")
    return float(C)


def train_paradigms(d: Admissions, C=1.0, tau=None) -> Paradigms:
    """Fit standard, single, aligned and complementary models on ``d`` (spec §2.2).

    Args:
        d: an :class:`Admissions` data set.
        C: static inverse penalty (scikit-learn default 1).
        tau: None (regions = group labels) or τ ∈ [0, 1] (regions D_a = {C^h > τ}).
    Returns:
        :class:`Paradigms`, each a (3,) float [b, w_GPA, w_Score].
    """
    X, y, h, in_Da, conf = _check_data(d)
    C = _check_C(C)
    check_range("tau", tau, 0.0, 1.0)
    tau_arr = jnp.asarray(0.0 if tau is None else tau, dtype=float)
    return _train_core(X, y, h, in_Da, conf, tau_arr, C=C, use_tau=tau is not None)


def _fixed_weight_weights(in_a, w):
    """Per-instance weights w/p̂ on D_a and (1 − w)/(1 − p̂) on D_c (so that Σ s = n)."""
    a = in_a.astype(float)
    p_hat = jnp.mean(a)
    safe = lambda v: jnp.where(v > 0, v, 1.0)  # noqa: E731
    return jnp.where(in_a, w / safe(p_hat), (1.0 - w) / safe(1.0 - p_hat))


@jit_core(static_argnames=("C",))
def _fixed_core(X, y, h, in_Da, w, C):
    t = jnp.where(in_Da, h, y)
    s = jax.vmap(_fixed_weight_weights, in_axes=(None, 0))(in_Da, w)
    t = jnp.broadcast_to(t, s.shape)
    return _fit_many(X, t, s, C)


def fit_fixed_weight(d: Admissions, w, C=1.0) -> jax.Array:
    """Fixed-weight single models θ_w of Fig. A4 [R weights], one per entry of ``w``.

    Args:
        d: an :class:`Admissions` data set (regions by group). w: (k,) weights in [0, 1] on L_a.
    Returns:
        (k, 3) float; w = p̂ gives the single model.
    """
    X, y, h, in_Da, _ = _check_data(d)
    check_range("w", w, 0.0, 1.0)
    w = jnp.atleast_1d(jnp.asarray(w, dtype=float))
    return _fixed_core(X, y, h, in_Da, w, C=_check_C(C))
