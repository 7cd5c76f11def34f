"""Jobs and workers as pytrees (spec §1.2-1.4), with host-side validation in the factories.

A :class:`Job` carries the task-skill graph, the subskill difficulties, the error tolerance and the
aggregators h, g, f (static). A :class:`Worker` holds one :class:`Level` per subskill level
(``decision``, l = 1, and ``action``, l = 2): its ability profile and noise law (static) and the
numbers a, c, beta, sigma (leaves). The flat names of the paper keep working: ``w.a1 … w.sigma2``,
``worker(a1=…)``, ``linear_worker(a1, a2, sigma)``, ``w.replace(a1=…, sigma=…)``.

All three are :class:`hai_sim.engine.Params`: validation runs in the factories (:func:`worker`,
:func:`linear_worker`, :func:`polynomial_worker`, :func:`make_job`, :func:`default_job`) and in
``.replace``, never when JAX rebuilds a pytree (tree_map, jit, vmap, an ``in_axes`` prefix).
Errors name the argument the user passed (``sigma=-1.0 …``, not ``sigma1``).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, Params, static
from hai_sim.engine.validate import check_choice, check_range, check_shape, is_concrete

H_CHOICES = ("mean", "max", "lambda", "either")
G_CHOICES = ("mean", "max")
F_CHOICES = ("mean", "max")
PROFILES = ("linear", "polynomial")
LAWS = ("uniform", "truncnorm")
LEVEL_PARAMS = ("a", "c", "beta", "sigma")
WORKER_PARAMS = ("a1", "a2", "c1", "c2", "beta1", "beta2", "sigma1", "sigma2")

# Rounding slack for a + c >= 1 (a value such as 0.7 + 0.3 may land a few ulps below 1).
_AC_SLACK = 1e-12


def _as_float(x):
    if is_concrete(x):
        return jnp.asarray(np.asarray(x, dtype=np.float64))
    return jnp.asarray(x, dtype=jnp.result_type(float))


class Level(Params):
    """One subskill level of a worker: profile E(s) and noise law (static), numbers (leaves).

    Leaves (float64 scalars, or arrays under vmap):
        a, c: linear profile E(s) = c - (1 - a) s (used where profile = "linear") [P].
        beta: polynomial profile E(s) = 1 - s**beta (used where profile = "polynomial") [P].
        sigma: noise level in [0, 1].
    Static: profile in {"linear", "polynomial"}, law in {"uniform", "truncnorm"}.
    """

    a: jax.Array
    c: jax.Array
    beta: jax.Array
    sigma: jax.Array
    profile: str = static(default="linear")
    law: str = static(default="uniform")

    def _validate(self, suffix: str = "", names: dict | None = None) -> "Level":
        """Host checks; ``suffix`` ("1"/"2") and ``names`` (field -> the user's argument name)
        make the message name what the user passed."""
        names = names or {}
        nm = lambda f: names.get(f, f + suffix)  # noqa: E731
        check_choice(nm("profile"), self.profile, PROFILES)
        check_choice(nm("law"), self.law, LAWS)
        check_range(nm("a"), self.a, 0.0, 1.0)
        check_range(nm("c"), self.c, 0.0, 1.0)
        if is_concrete(self.a) and is_concrete(self.c):
            total = np.asarray(self.a, dtype=np.float64) + np.asarray(self.c, dtype=np.float64)
            # ERRATA Inputs 1: a + c < 1 takes E(1) below 0; reject instead of clipping.
            check_range(f"{nm('a')} + {nm('c')}", total, 1.0 - _AC_SLACK, None)
        check_range(nm("beta"), self.beta, 0.0, None)
        check_range(nm("sigma"), self.sigma, 0.0, 1.0)
        return self

    def replace(self, **changes) -> "Level":
        changes = {k: (_as_float(v) if k in LEVEL_PARAMS else v) for k, v in changes.items()}
        return super().replace(**changes)


def _level_field(name: str, l: int):
    return property(lambda self: getattr(self.level(l), name), doc=f"{name} of level {l} (flat name {name}{l}).")


class Worker(Params):
    """A worker (human, AI or team): its decision level (l = 1) and action level (l = 2).

    Fields: ``decision``, ``action`` (:class:`Level`). Flat read-only names ``a1, c1, beta1, sigma1,
    profile1, law1`` and their level-2 twins are properties; :meth:`replace` takes them too.
    """

    decision: Level
    action: Level

    def level(self, l: int) -> Level:
        """The :class:`Level` l (1 = decision, 2 = action)."""
        if l == 1:
            return self.decision
        if l == 2:
            return self.action
        raise InputError(f"level={l!r}: must be one of 1, 2")

    @property
    def levels(self) -> tuple[Level, Level]:
        return (self.decision, self.action)

    a1 = _level_field("a", 1)
    a2 = _level_field("a", 2)
    c1 = _level_field("c", 1)
    c2 = _level_field("c", 2)
    beta1 = _level_field("beta", 1)
    beta2 = _level_field("beta", 2)
    sigma1 = _level_field("sigma", 1)
    sigma2 = _level_field("sigma", 2)
    profile1 = _level_field("profile", 1)
    profile2 = _level_field("profile", 2)
    law1 = _level_field("law", 1)
    law2 = _level_field("law", 2)

    def _validate(self, names: tuple[dict, dict] = ({}, {})) -> "Worker":
        self.decision._validate("1", names[0])
        self.action._validate("2", names[1])
        return self

    def replace(self, **changes) -> "Worker":
        """A copy with some parameters changed, validated.

        Accepts ``decision=``/``action=`` (a :class:`Level`), the flat names (``a1``, ``sigma2``,
        ``profile1``, ``law2``, ...), ``sigma`` (both levels) and ``law`` (both levels).
        """
        out, names = _apply_flat(self, changes)
        return out._validate(names)


def _apply_flat(w: Worker, changes: dict):
    """``w`` with flat changes applied (no validation); also the user's name of each changed field."""
    allowed = ("decision", "action", "sigma", "law") + WORKER_PARAMS + ("profile1", "profile2", "law1", "law2")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InputError(f"Worker.replace: unknown parameter(s) {unknown}; allowed: {', '.join(allowed)}")
    levels = {1: changes.get("decision", w.decision), 2: changes.get("action", w.action)}
    per = {1: {}, 2: {}}
    names: tuple[dict, dict] = ({}, {})
    for both in ("sigma", "law"):
        if both in changes:
            for l in (1, 2):
                per[l][both] = changes[both]
                names[l - 1][both] = both
    for key, value in changes.items():
        if key in ("decision", "action", "sigma", "law"):
            continue
        field, l = key[:-1], int(key[-1])
        per[l][field] = value
        names[l - 1][field] = key
    new = []
    for l in (1, 2):
        kw = {k: (_as_float(v) if k in LEVEL_PARAMS else v) for k, v in per[l].items()}
        new.append(dataclasses.replace(levels[l], **kw) if kw else levels[l])
    return Worker(*new), names


def with_worker_param(w: Worker, name: str, x) -> Worker:
    """``w`` with one flat parameter (``a1`` … ``sigma2`` or ``sigma``) set to ``x``, unvalidated
    (``x`` may be traced)."""
    return _apply_flat(w, {name: x})[0]


def worker(*, a1=1.0, a2=1.0, c1=1.0, c2=1.0, beta1=1.0, beta2=1.0, sigma=0.1, sigma1=None, sigma2=None,
           profile1: str = "linear", profile2: str = "linear", law: str = "uniform", law1: str | None = None,
           law2: str | None = None) -> Worker:
    """General worker factory; ``sigma``/``law`` set both levels unless overridden per level.

    Every numeric argument is a float64 scalar (or a traced value under jit/vmap). Raises
    ``InputError`` naming the argument passed for a, c outside [0, 1], a + c < 1, beta < 0, sigma
    outside [0, 1], an unknown profile or law.
    """
    names = ({}, {})
    for l, (sig, lw) in enumerate(((sigma1, law1), (sigma2, law2))):
        if sig is None:
            names[l]["sigma"] = "sigma"
        if lw is None:
            names[l]["law"] = "law"
    dec = Level(_as_float(a1), _as_float(c1), _as_float(beta1), _as_float(sigma if sigma1 is None else sigma1),
                profile=profile1, law=law if law1 is None else law1)
    act = Level(_as_float(a2), _as_float(c2), _as_float(beta2), _as_float(sigma if sigma2 is None else sigma2),
                profile=profile2, law=law if law2 is None else law2)
    return Worker(dec, act)._validate(names)


def linear_worker(a1, a2, sigma=0.1, *, c1=1.0, c2=1.0, sigma2=None, law="uniform") -> Worker:
    """Linear profiles E_l(s) = c_l - (1 - a_l) s at both levels [P]; c = 1 by default [R].

    ``sigma`` is the noise of both levels unless ``sigma2`` is given (then ``sigma`` is level 1's).
    """
    if sigma2 is None:
        return worker(a1=a1, a2=a2, c1=c1, c2=c2, sigma=sigma, law=law)
    return worker(a1=a1, a2=a2, c1=c1, c2=c2, sigma1=sigma, sigma2=sigma2, law=law)


def polynomial_worker(beta1, beta2, sigma=0.1, *, law="uniform") -> Worker:
    """Polynomial profiles E_l(s) = 1 - s**beta_l at both levels [P]."""
    return worker(beta1=beta1, beta2=beta2, sigma=sigma, profile1="polynomial", profile2="polynomial", law=law)


class Job(Params):
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
    h: str = static(default="mean")
    g: str = static(default="mean")
    f: str = static(default="mean")

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

    def replace(self, **changes) -> "Job":
        changes = {k: (v if k in ("h", "g", "f") else _as_float(v)) for k, v in changes.items()}
        return super().replace(**changes)

    def _validate(self) -> "Job":
        """Check concrete values (shapes, ranges, non-empty tasks, aggregator names)."""
        check_choice("h", self.h, H_CHOICES)
        check_choice("g", self.g, G_CHOICES)
        check_choice("f", self.f, F_CHOICES)
        n = np.shape(self.s)[-1] if np.ndim(self.s) == 2 else None
        check_shape("s", self.s, (2, None))
        check_shape("A", self.A, (None, n))
        m = np.shape(self.A)[0]
        if m < 1 or n < 1:
            raise InputError(f"A has shape {np.shape(self.A)}: need at least one task and one skill")
        check_shape("lam", self.lam, (n,))
        check_shape("task_weights", self.task_weights, (m,))
        check_shape("tau", self.tau, ())
        check_range("s", self.s, 0.0, 1.0)
        check_range("A", self.A, 0.0, None)
        check_range("lam", self.lam, 0.0, 1.0)
        check_range("task_weights", self.task_weights, 0.0, None)
        check_range("tau", self.tau, 0.0, 1.0)
        if is_concrete(self.A):
            empty = np.flatnonzero(np.asarray(self.A).sum(axis=1) <= 0)
            if empty.size:
                raise InputError(f"A: task {int(empty[0])} is empty (row sum 0); every task needs at least one skill")
        if is_concrete(self.task_weights) and float(np.asarray(self.task_weights).sum()) <= 0:
            raise InputError("task_weights: sum is 0; need a positive total weight")
        return self


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
    return Job(A=A, s=s, lam=lam, task_weights=tw, tau=_as_float(tau), h=h, g=g, f=f)._validate()


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
