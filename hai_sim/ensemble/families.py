"""Other model families for Fig. A3: logistic regression on RBF features [R].

The paper repeats Fig. 3(i) with decision trees, random forests, MLPs and RBF-SVMs; here the
RBF-SVM stands in as an l2 logistic regression on Gaussian RBF features over a grid of centres
(JAX-native; trees and forests are optional in the spec and not implemented). Divergence between
specialists is measured through predictions (A9): the share of test points where m_a and m_c
disagree.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine.validate import check_range

from .data import _admissions
from .fit import _default_lam, _design, _newton
from .params import Population
from .train import _paradigm_targets

__all__ = ["FAMILIES", "rbf_features"]

FAMILIES = ("logistic", "rbf")
RBF_CENTRES = np.stack(np.meshgrid(np.linspace(0, 1, 3), np.linspace(0, 1, 3), indexing="ij"), -1).reshape(-1, 2)
RBF_WIDTH = 0.35


def _rbf(X, centres, width):
    d2 = jnp.sum((X[:, None, :] - centres[None, :, :]) ** 2, axis=-1)
    return jnp.exp(-0.5 * d2 / width**2)


def rbf_features(X, centres=RBF_CENTRES, width=RBF_WIDTH) -> jax.Array:
    """Gaussian RBF features exp(−‖x − c_j‖² / (2 width²)): X (n, d), centres (k, d) -> (n, k)."""
    check_range("width", width, 0.0, None, lo_open=True)
    return _rbf(jnp.asarray(X, dtype=float), jnp.asarray(centres, dtype=float), width)


def _family_run(key, pop: Population, family: str, n_train: int, n_test: int, C: float):
    """Region-target gain (adaptive − single) and prediction disagreement of m_a, m_c on test data."""
    k_train, k_test = jax.random.split(key)
    tr = _admissions(k_train, pop, n_train)
    te = _admissions(k_test, pop, n_test)
    feats = (lambda X: X) if family == "logistic" else (  # noqa: E731
        lambda X: _rbf(X, jnp.asarray(RBF_CENTRES, dtype=X.dtype), RBF_WIDTH))
    f = lambda v: v.astype(tr.X.dtype)  # noqa: E731
    t, s = _paradigm_targets(f(tr.y), f(tr.h), tr.in_Da, tr.conf)
    Ftr = feats(tr.X)
    theta = jax.vmap(_newton, in_axes=(None, 0, 0, 0, None))(Ftr, t, s, _default_lam(s, C), False)
    z = _design(feats(te.X)) @ theta.T  # (n, 4): standard, single, aligned, complementary
    pred = (z > 0).astype(tr.X.dtype)
    target = jnp.where(te.in_Da, f(te.h), f(te.y))
    adapt = jnp.where(te.in_Da, pred[:, 2], pred[:, 3])
    gain = jnp.mean((adapt == target).astype(tr.X.dtype)) - jnp.mean((pred[:, 1] == target).astype(tr.X.dtype))
    disagree = jnp.mean((pred[:, 2] != pred[:, 3]).astype(tr.X.dtype))
    return 100.0 * gain, disagree
