"""The float32 path (``HAI_SIM_X64=0``) on a subset of kernels, against float64 in this process.

One subprocess imports hai_sim with x64 off, evaluates the kernels on small grids and saves the
outputs; each test compares them with the float64 values computed here, with a tolerance derived
from float32's unit roundoff u = 2^-24 (not fitted to the observed error):

* integration P by the CLT / Edgeworth: P = Phi(z), z = (tau - mu) / sd, where mu is a sum of 2n
  terms. Recursive summation of 2n terms has error <= 2n u sum|terms|, and tau - mu loses no
  more, so |dz| <= (2n + 2) u (tau + sum|terms|) / sd plus the rounding of the inputs (a1, a2:
  u each, times |d mu / d a| <= 1/2). |dP| <= phi(z) |dz| (1 + |z|^3) + 4u (the factor bounds the
  Edgeworth terms' derivative). Tails (P64 < 1e-30): an absolute error of at most 4u (P < 1e-38
  underflows to 0; the Edgeworth correction's cancellation leaves ~u, even a negative P).
* delegation closed form: labels (regime) may differ only on cells that touch a float64
  regime boundary (the separatrices), and Q elsewhere within 64 u of the size of its terms.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hai_sim  # noqa: F401
from hai_sim import delegation as D
from hai_sim import integration as I

U32 = 2.0**-24
SIGMA = 0.1
A1 = np.linspace(0.30, 0.70, 41)
A2 = np.linspace(0.20, 0.60, 41)
BETA = np.linspace(1e-3, 2.0, 96)
THETA = np.linspace(0.0, 1.0, 96)

CHILD = r"""
import sys, numpy as np, jax
import hai_sim
from hai_sim import integration as I, delegation as D
assert not jax.config.jax_enable_x64
a1, a2, beta, theta, sigma = (np.load(sys.argv[1])[k] for k in ("a1", "a2", "beta", "theta", "sigma"))
job = I.default_job()
def grid(method):
    f = jax.vmap(jax.vmap(lambda x, y: I.success_probability(job, I.linear_worker(x, y, float(sigma)), method=method),
                          (None, 0)), (0, None))
    return np.asarray(jax.jit(f)(a1, a2))
q = D.quality(D.make_params(), beta[:, None], theta[None, :], method="closed")
out = {"clt": grid("clt"), "edgeworth": grid("edgeworth"), "Q": np.asarray(q["Q"]),
       "regime": np.asarray(q["regime"]), "dtype": np.asarray(str(np.asarray(q["Q"]).dtype))}
np.savez(sys.argv[2], **out)
"""


@pytest.fixture(scope="module")
def f32(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("f32")
    np.savez(tmp / "in.npz", a1=A1, a2=A2, beta=BETA, theta=THETA, sigma=SIGMA)
    env = dict(os.environ, HAI_SIM_X64="0", JAX_ENABLE_X64="0",
               PYTHONPATH=os.pathsep.join([str(Path(hai_sim.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp / "in.npz"), str(tmp / "out.npz")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(tmp / "out.npz") as z:
        out = {k: z[k] for k in z.files}
    assert str(out.pop("dtype")) == "float32"
    return out


def _p64(method):
    import jax

    job = I.default_job()
    f = jax.vmap(jax.vmap(lambda x, y: I.success_probability(job, I.linear_worker(x, y, SIGMA), method=method),
                          (None, 0)), (0, None))
    return np.asarray(jax.jit(f)(A1, A2))


def _clt_bound(job):
    """Per-point bound on |P32 - P64| from the CLT's error propagation (module docstring)."""
    s = np.asarray(job.s)  # (2, n); mean h, complete graph: every coefficient is 1/(2n)
    n = s.shape[1]
    a = np.stack(np.meshgrid(A1, A2, indexing="ij"), -1)[..., :, None]  # (41, 41, 2, 1)
    E = 1.0 - (1.0 - a) * s
    c = 0.5 / n
    terms = np.sum(c * np.abs(1.0 - E), axis=(-2, -1))
    sd = np.sqrt(np.sum(c**2 * (SIGMA * np.minimum(E, 1 - E)) ** 2 / 3, axis=(-2, -1)))
    z = (job.tau - np.sum(c * (1.0 - E), axis=(-2, -1))) / sd
    dmu = (2 * n + 2) * U32 * (job.tau + terms) + U32 * 0.5 * (np.abs(a[..., 0, 0]) + np.abs(a[..., 1, 0]))
    dz = dmu / sd
    return np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) * dz * (1 + np.abs(z) ** 3) + 4 * U32, z


@pytest.mark.parametrize("method", ["clt", "edgeworth"])
def test_integration_p_float32_within_roundoff_bound(f32, method):
    p64, p32 = _p64(method), f32[method].astype(np.float64)
    bound, z = _clt_bound(I.default_job())
    bulk = p64 > 1e-30
    assert bulk.sum() > 100 and (~bulk).sum() > 0  # the grid has both a bulk and a deep tail
    err = np.abs(p32 - p64)
    assert np.all(err[bulk] <= bound[bulk]), float(np.max(err[bulk] / bound[bulk]))
    # Deep tail: float32 cannot hold P < ~1e-38 (it flushes to 0), and the Edgeworth correction,
    # a difference of terms of order 1, leaves an absolute error of a few u (even a negative P):
    # below ~1e-6 a float32 tail probability means nothing, but it is never off by more than that.
    assert np.all(err[~bulk] <= 4 * U32), float(np.max(err[~bulk]))
    # The bound is not vacuous: it stays far below the effect size of a phase diagram (0..1).
    assert np.max(bound[bulk]) < 1e-2


def test_delegation_closed_form_float32_labels_differ_only_on_separatrices(f32):
    p = D.make_params()
    q = D.quality(p, BETA[:, None], THETA[None, :], method="closed")
    reg64, Q64 = np.asarray(q["regime"]), np.asarray(q["Q"])
    reg32, Q32 = f32["regime"], f32["Q"].astype(np.float64)
    pad = np.pad(reg64, 1, mode="edge")
    on_boundary = np.zeros(reg64.shape, bool)
    for di, dj in ((0, 1), (2, 1), (1, 0), (1, 2)):
        on_boundary |= pad[di:di + reg64.shape[0], dj:dj + reg64.shape[1]] != reg64
    differ = reg32 != reg64
    assert np.all(on_boundary[differ]), np.argwhere(differ & ~on_boundary)[:5].tolist()
    assert len(np.unique(reg64)) > 1  # the grid crosses at least one separatrix
    # Q = Q0 + d (A_I + B_I D(v) - rho kappa(v)): each term is at most the model's payoffs in size.
    scale = float(sum(abs(float(getattr(p, k))) for k in ("b_w", "l_w", "b_I", "l_I", "K", "c_a"))
                  + float(p.c_v) * float(p.V) ** 2 + 1.0)
    same = ~differ & ~on_boundary
    assert np.all(np.abs(Q32 - Q64)[same] <= 64 * U32 * scale), float(np.max(np.abs(Q32 - Q64)[same]))


def test_chaining_long_run_refuses_float32():
    import subprocess
    import sys

    code = ("import hai_sim\nfrom hai_sim import chaining as C\n"
            "inst = C.make_instance(cM=[1., 2], tM=[3., 2], cA=[1., 1], tA=[.5, .5], d=[1., 2], tH=[1.])\n"
            "try:\n    C.long_run(inst, 0.8)\nexcept hai_sim.InputError as e:\n    print('refused:', e)\n")
    env = dict(os.environ, HAI_SIM_X64="0", JAX_ENABLE_X64="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "refused: long_run needs float64" in out.stdout, out.stderr[-2000:]
