"""Jobs and workers as pytrees (spec §1.2-1.4), with host-side validation.

A :class:`Job` carries the task-skill graph, the subskill difficulties, the error tolerance and the
aggregators h, g, f (static). A :class:`Worker` carries the ability profiles of both levels and
their noise laws (the profile family and the law are static, the numbers are leaves). Both are
registered dataclass pytrees, so they pass through ``jit``/``vmap``/``grad``; the constructors
check concrete values and skip tracers (hai_sim.engine.validate).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine.validate import check_choice, check_range, check_shape, is_concrete

H_CHOICES = ("mean", "max", "lambda", "either")
G_CHOICES = ("mean", "max")
F_CHOICES = ("mean", "max")
PROFILES = ("linear", "polynomial")
LAWS = ("uniform", "truncnorm")
WORKER_PARAMS = ("a1", "a2", "c1", "c2", "beta1", "beta2", "sigma1", "sigma2")

# Rounding slack for a + c >= 1 (a value such as 0.7 + 0.3 may land a few ulps below 1).
_AC_SLACK = 1e-12


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Job:
    """A job: m tasks over n skills, each skill split into a decision (l=1) and action (l=2) level.

    Leaves (float64):
        A: (m, n) task-skill weights; ``A[i, j] > 0`` iff skill j is needed by task i. Binary for
            the paper's plain mean g; other positive values give the importance-weighted mean [R].
        s: (2, n) subskill difficulties s_{jl} in [0, 1]; row 0 decision level, row 1 action level.
        lam: (n,) decision share lambda_j used by h = "lambda" [R].
        task_weights: (m,) weights of f = "mean" (uniform for the paper's plain mean).
        tau: () error tolerance in [0, 1].
    Static: h in {"mean", "max", "lambda", "either"}, g in {"mean", "max"}, f in {"mean", "max"}.
    """

    A: jax.Array
    s: jax.Array
    lam: jax.Array
    task_weights: jax.Array
    tau: jax.Array
    h: str = dataclasses.field(default="mean", metadata=dict(static=True))
    g: str = dataclasses.field(default="mean", metadata=dict(static=True))
    f: str = dataclasses.field(default="mean", metadata=dict(static=True))

    @property
    def n(self) -> int:
        return self.s.shape[-1]

    @property
    def m(self) -> int:
        return self.A.shape[-2]

    @property
    def affine(self) -> bool:
        """True when Err is affine in the subskill errors (spec §1.5)."""
        return self.h in ("mean", "lambda") and self.g == "mean" and self.f == "mean"

    def replace(self, **kw) -> "Job":
        return validate_job(dataclasses.replace(self, **kw))


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Worker:
    """A worker (human, AI or team): one ability profile and noise law per level.

    Leaves (float64 scalars, or arrays under vmap):
        a1, a2, c1, c2: linear profile E_l(s) = c_l - (1 - a_l) s (used where profile_l="linear").
        beta1, beta2: polynomial profile E_l(s) = 1 - s**beta_l (used where profile_l="polynomial").
        sigma1, sigma2: noise level of each level, in [0, 1].
    Static: profile1, profile2 in {"linear", "polynomial"}; law1, law2 in {"uniform", "truncnorm"}.
    """

    a1: jax.Array
    a2: jax.Array
    c1: jax.Array
    c2: jax.Array
    beta1: jax.Array
    beta2: jax.Array
    sigma1: jax.Array
    sigma2: jax.Array
    profile1: str = dataclasses.field(default="linear", metadata=dict(static=True))
    profile2: str = dataclasses.field(default="linear", metadata=dict(static=True))
    law1: str = dataclasses.field(default="uniform", metadata=dict(static=True))
    law2: str = dataclasses.field(default="uniform", metadata=dict(static=True))

    def replace(self, **kw) -> "Worker":
        """A copy with some fields changed ("sigma" sets both levels), validated."""
        if "sigma" in kw:
            sigma = kw.pop("sigma")
            kw.setdefault("sigma1", sigma)
            kw.setdefault("sigma2", sigma)
        kw = {k: (_as_float(v) if k in WORKER_PARAMS else v) for k, v in kw.items()}
        return validate_worker(dataclasses.replace(self, **kw))

    def level(self, l: int) -> dict:
        """The parameters of level l (1 or 2) as a dict (profile, law, a, c, beta, sigma)."""
        return dict(
            profile=getattr(self, f"profile{l}"),
            law=getattr(self, f"law{l}"),
            a=getattr(self, f"a{l}"),
            c=getattr(self, f"c{l}"),
            beta=getattr(self, f"beta{l}"),
            sigma=getattr(self, f"sigma{l}"),
        )


def _as_float(x):
    if is_concrete(x):
        return jnp.asarray(np.asarray(x, dtype=np.float64))
    return jnp.asarray(x, dtype=jnp.result_type(float))


def validate_worker(w: Worker) -> Worker:
    """Check a worker's concrete values (ValueError naming the parameter); tracers pass."""
    for l in (1, 2):
        check_choice(f"profile{l}", getattr(w, f"profile{l}"), PROFILES)
        check_choice(f"law{l}", getattr(w, f"law{l}"), LAWS)
        a, c = getattr(w, f"a{l}"), getattr(w, f"c{l}")
        check_range(f"a{l}", a, 0.0, 1.0)
        check_range(f"c{l}", c, 0.0, 1.0)
        if is_concrete(a) and is_concrete(c):
            total = np.asarray(a, dtype=np.float64) + np.asarray(c, dtype=np.float64)
            # ERRATA Inputs 1: a + c < 1 takes E(1) below 0; reject instead of clipping.
            check_range(f"a{l} + c{l}", total, 1.0 - _AC_SLACK, None)
        check_range(f"beta{l}", getattr(w, f"beta{l}"), 0.0, None)
        check_range(f"sigma{l}", getattr(w, f"sigma{l}"), 0.0, 1.0)
    return w


def worker(
    *,
    a1=1.0,
    a2=1.0,
    c1=1.0,
    c2=1.0,
    beta1=1.0,
    beta2=1.0,
    sigma=0.1,
    sigma1=None,
    sigma2=None,
    profile1: str = "linear",
    profile2: str = "linear",
    law: str = "uniform",
    law1: str | None = None,
    law2: str | None = None,
) -> Worker:
    """General worker constructor; ``sigma``/``law`` set both levels unless overridden per level.

    Every numeric argument is a float64 scalar (or a traced value under jit/vmap). Raises
    ValueError for a, c outside [0, 1], a + c < 1, beta < 0, sigma outside [0, 1], an unknown
    profile or law.
    """
    return validate_worker(
        Worker(
            a1=_as_float(a1),
            a2=_as_float(a2),
            c1=_as_float(c1),
            c2=_as_float(c2),
            beta1=_as_float(beta1),
            beta2=_as_float(beta2),
            sigma1=_as_float(sigma if sigma1 is None else sigma1),
            sigma2=_as_float(sigma if sigma2 is None else sigma2),
            profile1=profile1,
            profile2=profile2,
            law1=law if law1 is None else law1,
            law2=law if law2 is None else law2,
        )
    )


def linear_worker(a1, a2, sigma=0.1, *, c1=1.0, c2=1.0, sigma2=None, law="uniform") -> Worker:
    """Linear profiles E_l(s) = c_l - (1 - a_l) s at both levels [P]; c = 1 by default [R].

    ``sigma`` is the noise of both levels unless ``sigma2`` is given.
    """
    return worker(a1=a1, a2=a2, c1=c1, c2=c2, sigma1=sigma, sigma2=sigma if sigma2 is None else sigma2, law=law)


def polynomial_worker(beta1, beta2, sigma=0.1, *, law="uniform") -> Worker:
    """Polynomial profiles E_l(s) = 1 - s**beta_l at both levels [P]."""
    return worker(beta1=beta1, beta2=beta2, sigma=sigma, profile1="polynomial", profile2="polynomial", law=law)


def validate_job(job: Job) -> Job:
    """Check a job's concrete values (shapes, ranges, non-empty tasks, aggregator names)."""
    check_choice("h", job.h, H_CHOICES)
    check_choice("g", job.g, G_CHOICES)
    check_choice("f", job.f, F_CHOICES)
    n = np.shape(job.s)[-1] if np.ndim(job.s) == 2 else None
    check_shape("s", job.s, (2, None))
    check_shape("A", job.A, (None, n))
    m = np.shape(job.A)[0]
    if m < 1 or n < 1:
        raise ValueError(f"A has shape {np.shape(job.A)}: need at least one task and one skill")
    check_shape("lam", job.lam, (n,))
    check_shape("task_weights", job.task_weights, (m,))
    check_shape("tau", job.tau, ())
    check_range("s", job.s, 0.0, 1.0)
    check_range("A", job.A, 0.0, None)
    check_range("lam", job.lam, 0.0, 1.0)
    check_range("task_weights", job.task_weights, 0.0, None)
    check_range("tau", job.tau, 0.0, 1.0)
    if is_concrete(job.A):
        empty = np.flatnonzero(np.asarray(job.A).sum(axis=1) <= 0)
        if empty.size:
            raise ValueError(f"A: task {int(empty[0])} is empty (row sum 0); every task needs at least one skill")
    if is_concrete(job.task_weights) and float(np.asarray(job.task_weights).sum()) <= 0:
        raise ValueError("task_weights: sum is 0; need a positive total weight")
    return job


def make_job(s, A=None, *, tau=0.25, h="mean", g="mean", f="mean", lam=None, task_weights=None) -> Job:
    """Build a job from difficulties ``s`` (2, n) and a graph ``A`` (m, n) (complete if None).

    ``lam`` (n,) defaults to 1/2 (only used by h = "lambda"); ``task_weights`` (m,) default to 1.
    """
    s = _as_float(s)
    if np.ndim(s) != 2:
        check_shape("s", s, (2, None))
    n = s.shape[-1]
    A = jnp.ones((n, n)) if A is None else _as_float(A)
    m = A.shape[0] if A.ndim == 2 else 0
    lam = jnp.full((n,), 0.5) if lam is None else _as_float(lam)
    tw = jnp.ones((m,)) if task_weights is None else _as_float(task_weights)
    return validate_job(Job(A=A, s=s, lam=lam, task_weights=tw, tau=_as_float(tau), h=h, g=g, f=f))


def default_job(n: int = 20, m: int = 20, tau: float = 0.25, *, seed: int = 42, graph: str = "complete",
                h: str = "mean", g: str = "mean", f: str = "mean") -> Job:
    """The default synthetic job of spec §4.1 [R]: n = m = 20, tau = 0.25, h = g = f = mean.

    Difficulties ``S = RandomState(seed).uniform(0, 1, size=(2, n))`` (row 0 decision level).
    ``graph="complete"`` (every task uses every skill) or ``"random"`` (A_ij ~ Bernoulli(0.5) from
    RandomState(seed + 1), an empty task gets one random skill).
    """
    check_range("n", n, 1, None)
    check_range("m", m, 1, None)
    check_choice("graph", graph, ("complete", "random"))
    s = np.random.RandomState(seed).uniform(0, 1, size=(2, n))
    if graph == "complete":
        A = np.ones((m, n))
    else:
        rng = np.random.RandomState(seed + 1)
        A = (rng.uniform(size=(m, n)) < 0.5).astype(float)
        for i in np.flatnonzero(A.sum(axis=1) == 0):
            A[i, rng.randint(n)] = 1.0
    return make_job(s, A, tau=tau, h=h, g=g, f=f)
