"""Job success probability P = Pr[Err <= tau] (spec §1.4-1.5, §2).

Methods (static, resolved before tracing):

* ``"exact"``: Gil-Pelaez inversion of the characteristic function of the affine Err with bounded
  uniform noise (spec §2.1), returning 0/1 where the standardised distance |z| > 12 (ERRATA 3);
* ``"clt"`` and ``"edgeworth"``: normal approximation and its Edgeworth correction (spec §2.2),
  any noise law with affine aggregators;
* ``"fft"``: numerical convolution of the terms' densities (spec §2.3), any noise law with mean g, f
  and h in {mean, lambda, max};
* ``"mc"``: Monte Carlo with the quantile coupling (spec §2.4), any aggregators; returns
  :class:`hai_sim.engine.Estimate` (mean, se), which unpacks as ``p, se``.

An unsupported combination of method, law and aggregator is an ``InputError`` (ERRATA Inputs 2).
The level quantities shared by the theory and the teams (mu_l, Lambda_l, sbar_l) live here too,
so that neither of those modules imports the other.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hai_sim.engine import Estimate, InputError, jit_core
from hai_sim.engine.special import normal_cdf, normal_pdf
from hai_sim.engine.validate import check_choice, check_range
from hai_sim.integration.params import Job, Worker
from hai_sim.integration.profiles import (
    Moments,
    law_moments,
    level_mean,
    subskill_cdf,
    subskill_moments,
    subskill_quantile,
    subskill_support,
)

METHODS = ("exact", "clt", "edgeworth", "fft", "mc")

# Beyond |z| = 12 Hoeffding bounds the tail below 4e-11 while the fixed quadrature starts to alias
# (ERRATA 3): the exact kernel returns 0 or 1 there.
Z_CLAMP = 12.0
_UNROLL_TERMS = 128



def skill_weights(job: Job):
    """(n,) weights w_j = sum_i f_i A_ij / sum_j' A_ij' of each skill in a mean-type Err (sum 1) [D]."""
    rows = job.A / jnp.sum(job.A, axis=1, keepdims=True)
    tw = job.task_weights / jnp.sum(job.task_weights)
    return tw @ rows


def affine_coefficients(job: Job):
    """(2, n) coefficients c_{jl} = w_j kappa_{jl} of zeta_{jl} in the affine Err (spec §1.5).

    kappa = (1/2, 1/2) for h = "mean", (lambda_j, 1 - lambda_j) for h = "lambda". InputError for a
    non-affine job (h in {max, either}, g or f = max).
    """
    if not job.affine:
        raise InputError(
            f"aggregators (h, g, f)=({job.h!r}, {job.g!r}, {job.f!r}): Err is affine only for h in "
            "('mean', 'lambda') with g = f = 'mean'"
        )
    w = skill_weights(job)
    if job.h == "mean":
        kappa = jnp.full((2,) + w.shape, 0.5)
    else:
        kappa = jnp.stack([job.lam, 1.0 - job.lam])
    return w[None, :] * kappa


def err_moments(job: Job, worker: Worker) -> Moments:
    """:class:`Moments` (mean, var, k3, k4) of the affine Err, each a float64 scalar [D].

    With uniform noise and 2n <= 128 terms the sums are unrolled over the subskills: under vmap
    every term is then an elementwise operation on the batch, which XLA fuses into one vectorised
    loop (a vmapped reduction over a short minor axis runs ~5x slower on CPU). Larger jobs and the
    truncated normal (whose per-term moments are long expressions, slow to compile unrolled) use
    array sums.
    """
    coef = affine_coefficients(job)
    if 2 * job.n <= _UNROLL_TERMS and worker.law1 == worker.law2 == "uniform":
        totals = [0.0, 0.0, 0.0, 0.0]
        for i, lv in enumerate(worker.levels):
            for j in range(job.n):
                m, v, k3, k4 = law_moments(lv.law, level_mean(lv, job.s[i, j]), lv.sigma)
                c = coef[i, j]
                totals[0] = totals[0] + c * (1.0 - m)
                totals[1] = totals[1] + c**2 * v
                totals[2] = totals[2] - c**3 * k3
                totals[3] = totals[3] + c**4 * k4
        return Moments(*(jnp.asarray(t) for t in totals))
    m, v, k3, k4 = subskill_moments(worker, job.s)
    # zeta = 1 - X flips the sign of odd cumulants.
    return Moments(
        jnp.sum(coef * (1.0 - m)),
        jnp.sum(coef**2 * v),
        -jnp.sum(coef**3 * k3),
        jnp.sum(coef**4 * k4),
    )


def standardized_distance(job: Job, worker: Worker):
    """z = (tau - E[Err]) / sd(Err) (+-inf when sd = 0), the argument of the CLT form."""
    mean, var, _, _ = err_moments(job, worker)
    sd = jnp.sqrt(var)
    x = job.tau - mean
    return jnp.where(sd > 0, x / jnp.where(sd > 0, sd, 1.0), jnp.where(x >= 0, jnp.inf, -jnp.inf))


def _p_clt(job: Job, worker: Worker):
    """P by the normal approximation Phi(z) (spec §2.2); 1[E Err <= tau] when sd = 0."""
    return normal_cdf(standardized_distance(job, worker))


def _p_edgeworth(job: Job, worker: Worker):
    """P by the two-term Edgeworth expansion of the CDF of Err (spec §2.2)."""
    mean, var, k3, k4 = err_moments(job, worker)
    live = var > 0
    sd = jnp.sqrt(jnp.where(live, var, 1.0))
    x = job.tau - mean
    z = x / sd
    g3, g4 = k3 / sd**3, k4 / sd**4
    he2, he3, he5 = z**2 - 1.0, z**3 - 3.0 * z, z**5 - 10.0 * z**3 + 15.0 * z
    p = normal_cdf(z) - normal_pdf(z) * (g3 / 6.0 * he2 + g4 / 24.0 * he3 + g3**2 / 72.0 * he5)
    return jnp.where(live, p, (x >= 0).astype(p.dtype))


_SPLIT = 16


def _sinc_nodes(theta, n_nodes: int):
    """(K, n_nodes) array sinc(q theta_k) for q = 1..n_nodes, with 2 * (16 + n_nodes/16) sin/cos per term.

    sin(q theta) for q = 16 m + i + 1 comes from the angle-addition formula applied to
    e^{i (i + 1) theta} and e^{i 16 m theta}: trigonometric calls drop from K * Q to
    K * (16 + Q/16), which is where the exact kernel spends its time. Rounding error ~1e-15.
    A term with theta = 0 (no noise) is evaluated at a tiny theta, where sinc is exactly 1.
    """
    theta = jnp.where(theta > 0, theta, 1e-300)
    lo = theta[:, None] * jnp.arange(1, _SPLIT + 1, dtype=theta.dtype)[None, :]
    hi = theta[:, None] * (_SPLIT * jnp.arange(n_nodes // _SPLIT, dtype=theta.dtype))[None, :]
    sin_q = jnp.sin(hi)[:, :, None] * jnp.cos(lo)[:, None, :] + jnp.cos(hi)[:, :, None] * jnp.sin(lo)[:, None, :]
    return (sin_q / (hi[:, :, None] + lo[:, None, :])).reshape(theta.shape[0], n_nodes)


def _p_exact(job: Job, worker: Worker, *, n_nodes: int = 256):
    """P by Gil-Pelaez inversion, uniform noise and affine aggregators (spec §2.1, ERRATA 3).

    ``P = 1/2 + (1/pi) int_0^inf sin(t x) phi(t) / t dt`` with x = tau - E[Err] and
    ``phi(t) = prod_k sinc(b_k t)``, b_k = c_k sigma_l r_k. The integral is taken by the
    trapezoidal rule with step ``h = pi / (B + |x|)``, B = sum_k |b_k|: Err - E[Err] lives in
    [-B, B], so this step aliases nothing and the rule is exact up to truncating the series after
    ``n_nodes`` terms (a multiple of 16; T = n_nodes h >= 35 / sd for n = 20; spec §2.1's Gauss-Legendre rule is used
    only as an independent check in the tests). Returns 0 or 1 for |z| > 12 and 1[E Err <= tau]
    when sd = 0. Scalar float64.
    """
    coef = affine_coefficients(job)
    mean, _, _, _ = subskill_moments(worker, job.s)
    sig = jnp.stack([lv.sigma for lv in worker.levels])[:, None]
    b = jnp.abs(coef * sig * jnp.minimum(mean, 1.0 - mean)).reshape(-1)
    var = jnp.sum(b**2) / 3.0
    live = var > 0
    sd = jnp.sqrt(jnp.where(live, var, 1.0))
    x = job.tau - jnp.sum(coef * (1.0 - mean))
    z = x / sd
    h = jnp.pi / (jnp.sum(b) + jnp.abs(x) + jnp.where(live, 0.0, 1.0))
    t = h * jnp.arange(1, n_nodes + 1, dtype=h.dtype)
    cf = jnp.prod(_sinc_nodes(b * h, n_nodes), axis=0)
    # Trapezoid: the t = 0 node contributes h x / 2 (the integrand's limit is x).
    integral = h * x / 2.0 + h * jnp.sum(jnp.sin(t * x) / t * cf)
    p = 0.5 + integral / jnp.pi
    p = jnp.where(jnp.abs(z) > Z_CLAMP, (z > 0).astype(p.dtype), p)
    return jnp.where(live, p, (x >= 0).astype(p.dtype))


def _fft_terms(job: Job, worker: Worker):
    """Per-term (centre, CDF of the centred term, range, variance bound) for the FFT method."""
    mean, var, _, _ = subskill_moments(worker, job.s)
    lo, hi = subskill_support(worker, job.s)
    if job.h == "max":
        w = skill_weights(job)
        centre = w * jnp.maximum(1.0 - mean[0], 1.0 - mean[1])
        width = w * jnp.maximum(hi[0] - lo[0], hi[1] - lo[1])
        # Var max(Z1, Z2) <= Var Z1 + Var Z2 for independent Z (Efron-Stein): a safe grid size.
        var_bound = w**2 * (var[0] + var[1])
        safe_w = jnp.where(w > 0, w, 1.0)

        def cdf(y):  # y: (n, G) offsets from the centre
            q = (centre[:, None] + y) / safe_w[:, None]
            xs = jnp.stack([1.0 - q, 1.0 - q])
            tail = 1.0 - subskill_cdf(worker, job.s, xs)  # Pr[X >= 1 - q] = Pr[zeta <= q]
            return jnp.where(w[:, None] > 0, tail[0] * tail[1], (y >= 0).astype(float))

        return jnp.sum(centre), cdf, jnp.max(width), jnp.sum(var_bound)
    coef = affine_coefficients(job)
    centre = coef * (1.0 - mean)
    safe_c = jnp.where(coef > 0, coef, 1.0)

    def cdf(y):  # y: (2, n, G)
        xs = mean[..., None] - y / safe_c[..., None]
        tail = 1.0 - subskill_cdf(worker, job.s, xs)  # Pr[c (1 - X) - centre <= y]
        return jnp.where(coef[..., None] > 0, tail, (y >= 0).astype(float)).reshape(-1, y.shape[-1])

    return jnp.sum(centre), cdf, jnp.max(coef * (hi - lo)), jnp.sum(coef**2 * var)


def _p_fft(job: Job, worker: Worker, *, grid_size: int = 4096):
    """P by convolving the terms' lattice masses with FFTs (spec §2.3); any noise law.

    Each term's centred law is discretised to exact bin masses on a common lattice of
    ``grid_size`` points covering +-(8 sd + largest term range); the CDF of the sum is linearly
    interpolated at tau - sum of centres. Error O(spacing^2). Scalar float64.
    """
    total_centre, cdf, width, var_bound = _fft_terms(job, worker)
    sd = jnp.sqrt(var_bound)
    half = jnp.maximum(8.0 * sd + width, 1e-12)
    delta = 2.0 * half / grid_size
    # Bin edges (k - 1/2) delta for k = -G/2 .. G/2: one CDF evaluation per edge, masses by difference.
    edges = (jnp.arange(grid_size + 1, dtype=delta.dtype) - (grid_size // 2 + 0.5)) * delta
    shape = (2, job.n) if job.h != "max" else (job.n,)
    mass = jnp.diff(cdf(jnp.broadcast_to(edges, shape + (grid_size + 1,))), axis=-1)  # (K, G), lattice k * delta
    spectrum = jnp.prod(jnp.fft.rfft(jnp.fft.ifftshift(mass, axes=-1), axis=-1), axis=0)
    total = jnp.fft.fftshift(jnp.fft.irfft(spectrum, n=grid_size))
    cum = jnp.cumsum(total)  # cum[i] = Pr[S <= (k_i + 1/2) delta]
    x = job.tau - total_centre
    pos = x / delta - 0.5 + grid_size // 2
    p = jnp.interp(pos, jnp.arange(grid_size, dtype=pos.dtype), cum, left=0.0, right=1.0)
    return jnp.clip(p, 0.0, 1.0)


def job_error(job: Job, worker: Worker, U):
    """Err for uniforms ``U`` of shape (N, 2, n) via the quantile coupling (spec §2.4); (N,)."""
    X = subskill_quantile(worker, job.s, U)
    z1, z2 = 1.0 - X[..., 0, :], 1.0 - X[..., 1, :]
    if job.h == "mean":
        H = 0.5 * (z1 + z2)
    elif job.h == "lambda":
        lam = job.lam.reshape((1,) * (z1.ndim - 1) + job.lam.shape)
        H = lam * z1 + (1.0 - lam) * z2
    elif job.h == "max":
        H = jnp.maximum(z1, z2)
    else:
        H = 1.0 - X[..., 0, :] * X[..., 1, :]
    if job.g == "mean" and job.f == "mean":
        # Mean over tasks of means over skills = one weighted sum over skills (same value, 1/m the work).
        return H @ skill_weights(job)
    if job.g == "mean":
        G = H @ (job.A / jnp.sum(job.A, axis=1, keepdims=True)).T
    else:
        # One task at a time keeps memory at N x n rather than N x m x n.
        G = jax.lax.map(lambda row: jnp.max(jnp.where(row > 0, H, -jnp.inf), axis=-1), job.A).T
    if job.f == "mean":
        return G @ (job.task_weights / jnp.sum(job.task_weights))
    return jnp.max(G, axis=-1)


def _p_mc_uniforms(job: Job, worker: Worker, U) -> Estimate:
    """Monte Carlo P from given uniforms ``U`` (N, 2, n): common random numbers across calls.

    With the same U the estimate is exactly monotone in every ability parameter (spec §2.4).
    """
    p = jnp.mean((job_error(job, worker, U) <= job.tau).astype(float))
    return Estimate(p, jnp.sqrt(p * (1.0 - p) / U.shape[0]))


def _p_mc(job: Job, worker: Worker, key, n_samples: int = 100_000) -> Estimate:
    """Monte Carlo P with ``n_samples`` draws from ``key`` (same key => common random numbers)."""
    U = jax.random.uniform(key, (n_samples, 2, job.n), dtype=jnp.result_type(float))
    return _p_mc_uniforms(job, worker, U)


def check_method(job: Job, worker: Worker, method: str) -> None:
    """``InputError`` for an unknown method or an unsupported (method, law, aggregator) combination."""
    check_choice("method", method, METHODS)
    laws = (worker.law1, worker.law2)
    if method in ("exact", "clt", "edgeworth") and not job.affine:
        raise InputError(
            f"method={method!r}: aggregators (h, g, f)=({job.h!r}, {job.g!r}, {job.f!r}) unsupported; "
            "it needs h in ('mean', 'lambda') and g = f = 'mean' (use method='fft' or 'mc')"
        )
    if method == "exact" and laws != ("uniform", "uniform"):
        raise InputError(f"method='exact': noise laws {laws} unsupported; it needs 'uniform' at both levels (use 'fft' or 'mc')")
    if method == "fft" and (job.g != "mean" or job.f != "mean" or job.h == "either"):
        raise InputError(
            f"method='fft': aggregators (h, g, f)=({job.h!r}, {job.g!r}, {job.f!r}) unsupported; "
            "it needs g = f = 'mean' and h in ('mean', 'lambda', 'max') (use method='mc')"
        )


def success_probability(job: Job, worker: Worker, method: str = "exact", *, key=None,
                        n_samples: int = 100_000, n_nodes: int = 256, grid_size: int = 4096):
    """Job success probability P(alpha_1, alpha_2, h, g, f, tau) = Pr[Err <= tau] [P].

    Args:
        job, worker: the pytrees (validated here when concrete).
        method: "exact" | "clt" | "edgeworth" | "fft" | "mc" (see module docstring).
        key: PRNG key, required for "mc" (the same key gives common random numbers).
        n_samples, n_nodes, grid_size: sizes for mc, exact and fft (static ints).
    Returns:
        a float64 scalar, or :class:`hai_sim.engine.Estimate` (mean, se) for "mc" (unpacks as
        ``p, se``). Works under jit/vmap; grad for clt, edgeworth, exact (inside the |z| <= 12
        band) and fft. The host checks run on concrete arguments only; the work is one jitted
        core, compiled once per shape and static choice.
    """
    job._validate()
    worker._validate()
    check_method(job, worker, method)
    if method == "exact":
        check_range("n_nodes", n_nodes, 16, None)
        if n_nodes % _SPLIT:
            raise InputError(f"n_nodes={n_nodes}: must be a multiple of {_SPLIT}")
    if method == "fft":
        check_range("grid_size", grid_size, 64, None)
    if method == "mc":
        if key is None:
            raise InputError("method='mc': key=None; pass a jax.random.key")
        check_range("n_samples", n_samples, 1, None)
    else:
        key = None
    return _success_core(job, worker, key, method=method, n_samples=int(n_samples), n_nodes=int(n_nodes),
                         grid_size=int(grid_size))


@jit_core(static_argnames=("method", "n_samples", "n_nodes", "grid_size"))
def _success_core(job: Job, worker: Worker, key, *, method: str, n_samples: int, n_nodes: int, grid_size: int):
    return _success_unchecked(job, worker, method, key=key, n_samples=n_samples, n_nodes=n_nodes, grid_size=grid_size)


def _success_unchecked(job: Job, worker: Worker, method: str, *, key=None, n_samples: int = 100_000,
                       n_nodes: int = 256, grid_size: int = 4096):
    """P by ``method`` without any check (callers have checked the method and the parameters)."""
    if method == "exact":
        return _p_exact(job, worker, n_nodes=n_nodes)
    if method == "clt":
        return _p_clt(job, worker)
    if method == "edgeworth":
        return _p_edgeworth(job, worker)
    if method == "fft":
        return _p_fft(job, worker, grid_size=grid_size)
    return _p_mc(job, worker, key, n_samples)


# ----------------------------------------------------------------------------- level quantities
def _level_weights(job: Job):
    """(2, n) weights of E[X_{jl}] in mu_l: affine coefficients, else w_j/2 (spec ambiguity 1)."""
    if job.affine:
        return affine_coefficients(job)
    w = skill_weights(job)
    return jnp.stack([w, w]) * 0.5


def level_totals(job: Job):
    """(2,) Lambda_l = sum_j c_{jl}, the total weight of each level in Err (1/2 each for mean h)."""
    return jnp.sum(_level_weights(job), axis=1)


def mean_difficulty(job: Job):
    """(2,) sbar_l = sum_j c_{jl} s_{jl} / Lambda_l, the weighted mean difficulty of each level."""
    c = _level_weights(job)
    return jnp.sum(c * job.s, axis=1) / jnp.sum(c, axis=1)


def mu(job: Job, worker: Worker):
    """(2,) average expected abilities mu_l = sum_j c_{jl} E[X_{jl}] / Lambda_l (spec §1.5) [P name, R weights]."""
    c = _level_weights(job)
    mean, _, _, _ = subskill_moments(worker, job.s)
    return jnp.sum(c * mean, axis=1) / jnp.sum(c, axis=1)
