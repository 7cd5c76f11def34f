"""Parameters of the college-admissions population (spec §2.6) and host-side input checks.

:class:`Population` is an engine :class:`~hai_sim.engine.Params`: its numbers are pytree leaves
(traced, vmapped over, differentiated); nothing is validated when JAX rebuilds it.
:func:`make_population` is the validating factory. The label/weight checks shared by every public
function of the package live here too, so each public function reads: check, then call a core.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, Params
from hai_sim.engine.validate import check_range, is_concrete

__all__ = ["Population", "make_population"]


class Population(Params):
    """The admissions generator's parameters (spec §1.1, §2.6); every field a 0-d float array.

    Attributes:
        p: probability that an applicant belongs to the privileged group a (the region D_a).
        delta: feature-importance shift δ in [0, 0.5].
        alpha: human accuracy α on D_a, in [0.5, 1].
        alpha_c: human accuracy on D_c, in [0, 1] (spec A2: 0.5, the "random baseline") [R].
        conf_width: half-width w of the confidence law C^h ~ U[acc − w, acc + w], clipped to
            [0, 1] (A3, a model rule) [R].
    """

    p: Any
    delta: Any
    alpha: Any
    alpha_c: Any
    conf_width: Any

    def _validate(self):
        check_range("p", self.p, 0.0, 1.0)
        check_range("delta", self.delta, 0.0, 0.5)
        check_range("alpha", self.alpha, 0.5, 1.0)
        check_range("alpha_c", self.alpha_c, 0.0, 1.0)
        check_range("conf_width", self.conf_width, 0.0, 0.5)
        return self


def make_population(p=0.5, delta=0.25, alpha=1.0, *, alpha_c=0.5, conf_width=0.1) -> Population:
    """A validated :class:`Population` (paper defaults p = 0.5, δ = 0.25, α = 1)."""
    f = lambda v: v if not is_concrete(v) else jnp.asarray(v, dtype=float)  # noqa: E731
    return Population(f(p), f(delta), f(alpha), f(alpha_c), f(conf_width))._validate()


def _check_p_open(p: Any) -> None:
    """Both regions are trained: p must leave each one non-empty in expectation."""
    check_range("p", p, 0.0, 1.0, lo_open=True, hi_open=True)


def _labels(name: str, value: Any) -> jax.Array:
    """{0, 1} labels (int, float or bool) as a float array; ±1 and anything else is refused."""
    if not is_concrete(value):
        return jnp.asarray(value).astype(float)
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise InputError(f"{name}={value!r}: must be an array of labels in {{0, 1}}")
    bad = ~np.isin(arr.astype(np.float64), (0.0, 1.0))
    if arr.ndim == 0 or bad.any():
        where = "" if arr.ndim == 0 else f" (at index {int(np.flatnonzero(bad.reshape(-1))[0])} of shape {arr.shape})"
        v = arr.item() if arr.ndim == 0 else arr.reshape(-1)[bad.reshape(-1)][0].item()
        raise InputError(f"{name}={v!r}{where}: labels must be 0 or 1 (1 = admit; ±1 labels are not accepted)")
    return jnp.asarray(arr, dtype=float)


def _mask(name: str, value: Any) -> jax.Array:
    """A boolean region mask (D_a membership)."""
    if not is_concrete(value):
        return jnp.asarray(value)
    arr = np.asarray(value)
    if arr.dtype != bool:
        raise InputError(f"{name} has dtype {arr.dtype}: must be a bool mask (True = in D_a)")
    return jnp.asarray(arr)


def _weights(name: str, value: Any, *, allow_all_zero: bool = False) -> jax.Array:
    """Non-negative instance weights, not all zero."""
    check_range(name, value, 0.0, None)
    if is_concrete(value) and not allow_all_zero and not np.any(np.asarray(value) > 0):
        raise InputError(f"{name}: all weights are zero; at least one must be > 0")
    return jnp.asarray(value, dtype=float) if is_concrete(value) else jnp.asarray(value)


def _same_length(**arrays: Any) -> None:
    """Raise unless every given 1-D array has the same length."""
    shapes = {k: np.shape(v) for k, v in arrays.items() if v is not None}
    for k, s in shapes.items():
        if len(s) != 1:
            raise InputError(f"{k} has shape {s}: expected a 1-D array (n,)")
    lengths = {s[0] for s in shapes.values()}
    if len(lengths) > 1:
        got = ", ".join(f"{k}: {s[0]}" for k, s in shapes.items())
        raise InputError(f"mismatched lengths ({got}): every array must have the same length n")
