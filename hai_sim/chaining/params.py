"""Instances of the chaining model: n production steps padded to a fixed length with a mask.

An instance holds, per step i, the manual skill and time ``cM, tM``, the AI-management skill and
time per attempt ``cA, tA``, the AI difficulty ``d`` (success probability per attempt
``q_i = alpha**d_i``) and the hand-off time ``tH`` paid when a job ends right after step i
(``tH`` of the last real step is 0) [P, spec §1.1].  Padded steps (``mask`` False) sit after the
real ones, cost nothing (``cM = tM = 0``) and can never be part of an AI chain, so firms of
different sizes batch together and every kernel returns the same value as on the unpadded firm.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import InputError, Params
from hai_sim.engine.validate import check_range, is_concrete

MANUAL, AUGMENTED, AUTOMATED = 0, 1, 2
_LETTERS = {MANUAL: "M", AUGMENTED: "A", AUTOMATED: "C"}


FIELDS = ("cM", "tM", "cA", "tA", "d", "tH", "mask")


class Instance(Params):
    """A firm's production process (a pytree: instances stack, vmap and pass through ``jit``).

    Every field has shape ``(N,)`` (N = padded length; a batch of firms adds leading axes);
    float64 except ``mask`` (bool, True on the real steps, which come first).

    Build one with :func:`make_instance` (validated) and change it with ``.replace(**changes)``
    (validated too: real steps need ``cM, tM, cA, tA > 0``, ``d >= 0``, ``tH >= 0`` with 0 after
    the last real step; padded steps are free, ``cM = tM = tH = 0``). When JAX rebuilds an
    instance (``tree_map``, ``jit``, ``vmap``, an ``in_axes`` prefix such as
    ``Instance(0, 0, 0, 0, 0, 0, 0)``) nothing is checked.
    """

    cM: jax.Array
    tM: jax.Array
    cA: jax.Array
    tA: jax.Array
    d: jax.Array
    tH: jax.Array
    mask: jax.Array

    @property
    def n_pad(self) -> int:
        return self.cM.shape[-1]

    def _validate(self):
        shape = np.shape(self.mask)
        if len(shape) == 0:
            raise InputError("mask has shape (): an instance needs fields of shape (N,) with N >= 1")
        for name in FIELDS:
            got = np.shape(getattr(self, name))
            if got != shape:
                raise InputError(f"{name} has shape {got}: expected {shape} (the shape of mask)")
        if not is_concrete(self.mask):
            return self
        mask = np.asarray(self.mask)
        if mask.dtype != bool:
            raise InputError(f"mask has dtype {mask.dtype}: expected bool (True on real steps)")
        if np.any(mask[..., 1:] & ~mask[..., :-1]):
            raise InputError("mask: real steps must come first (a True after a False)")
        if np.any(mask.sum(-1) < 1):
            raise InputError("mask has no True entry: an instance needs n >= 1 real steps")

        def real(name, fill):
            x = getattr(self, name)
            return np.where(mask, np.asarray(x), fill) if is_concrete(x) else None

        for name in ("cM", "tM", "cA", "tA"):
            check_range(name, real(name, 1.0), 0.0, None, lo_open=True)
        check_range("d", real("d", 0.0), 0.0, None)
        for name in ("cM", "tM", "tH"):
            x = getattr(self, name)
            if is_concrete(x) and np.any(np.where(mask, 0.0, np.asarray(x)) != 0.0):
                raise InputError(f"{name} is non-zero on a padded step: padded steps must be free (0)")
        if is_concrete(self.tH):
            tH = np.asarray(self.tH)
            check_range("tH", tH, 0.0, None)
            last = mask.sum(-1, keepdims=True) - 1
            end = np.take_along_axis(tH, last, axis=-1)
            if np.any(end != 0.0):
                i = int(last.reshape(-1)[np.flatnonzero(end.reshape(-1))[0]])
                raise InputError(f"tH[{i}]={float(end.reshape(-1)[np.flatnonzero(end.reshape(-1))[0]])!r}: the "
                                 "hand-off after the last real step must be 0")
        return self


def _vector(name, x):
    arr = jnp.asarray(x, dtype=jnp.result_type(float))
    if arr.ndim != 1:
        raise InputError(f"{name} has shape {tuple(arr.shape)}: expected a 1-D array of length n")
    return arr


def make_instance(cM, tM, cA, tA, d, tH, *, n_pad: int | None = None) -> Instance:
    """Build a (padded) instance from per-step parameters.

    Args:
        cM, tM, cA, tA, d: 1-D arrays of length n (> 0 each, ``d >= 0``).
        tH: hand-off times, length n - 1 (the last step's 0 is implied) or n with a last entry 0.
        n_pad: padded length N >= n (default n). Padded steps are free and never chained.
    Returns:
        :class:`Instance` with fields of shape ``(N,)``.
    Raises:
        InputError: mismatched lengths, non-positive skills or times, ``d < 0``, ``tH < 0``, a
        non-zero hand-off on the last step, or ``n_pad < n`` (ERRATA, Inputs 4). Checks run on
        concrete values only, so the constructor also works under ``jit``/``vmap``.
    """
    cM, tM, cA, tA, d, tH = (_vector(k, v) for k, v in zip(("cM", "tM", "cA", "tA", "d", "tH"), (cM, tM, cA, tA, d, tH)))
    n = cM.shape[0]
    if n < 1:
        raise InputError("cM has length 0: an instance needs n >= 1 steps")
    for name, arr in (("tM", tM), ("cA", cA), ("tA", tA), ("d", d)):
        if arr.shape[0] != n:
            raise InputError(f"{name} has length {arr.shape[0]}: expected n = {n} (the length of cM)")
    if tH.shape[0] == n - 1:
        tH = jnp.concatenate([tH, jnp.zeros((1,), tH.dtype)])
    elif tH.shape[0] == n:
        if is_concrete(tH) and float(tH[-1]) != 0.0:
            raise InputError(f"tH[{n - 1}]={float(tH[-1])!r}: the hand-off after the last step must be 0 "
                             f"(or give tH with length n - 1 = {n - 1})")
    else:
        raise InputError(f"tH has length {tH.shape[0]}: expected n - 1 = {n - 1} or n = {n}")
    for name, arr in (("cM", cM), ("tM", tM), ("cA", cA), ("tA", tA)):
        check_range(name, arr, 0.0, None, lo_open=True)
    check_range("d", d, 0.0, None)
    check_range("tH", tH, 0.0, None)
    N = n if n_pad is None else int(n_pad)
    if N < n:
        raise InputError(f"n_pad={N} is outside the allowed range [n, inf) = [{n}, inf)")
    pad = N - n

    def padded(x, value):
        return jnp.concatenate([x, jnp.full((pad,), value, x.dtype)]) if pad else x

    mask = jnp.arange(N) < n
    return Instance(padded(cM, 0.0), padded(tM, 0.0), padded(cA, 1.0), padded(tA, 1.0), padded(d, 0.0),
                    padded(tH, 0.0), mask)._validate()


def pad_instance(inst: Instance, n_pad: int) -> Instance:
    """Pad an instance further to length ``n_pad`` (>= its current length)."""
    N = inst.n_pad
    if n_pad < N:
        raise InputError(f"n_pad={n_pad} is outside the allowed range [{N}, inf)")
    extra = n_pad - N
    if extra == 0:
        return inst
    fill = dict(cM=0.0, tM=0.0, cA=1.0, tA=1.0, d=0.0, tH=0.0, mask=False)
    return Instance(*(jnp.concatenate([getattr(inst, f), jnp.full((extra,), fill[f], getattr(inst, f).dtype)])
                      for f in FIELDS))


def stack_instances(instances) -> Instance:
    """Stack instances of one padded length into a batch (leading axis = firm)."""
    return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *instances)


def n_steps(inst: Instance):
    """Number of real steps (int array; batched instances give one per firm)."""
    return jnp.sum(inst.mask, axis=-1)


def check_instance(inst) -> None:
    """InputError unless ``inst`` is an :class:`Instance` (its values were checked when it was built)."""
    if not isinstance(inst, Instance):
        raise InputError(f"inst={type(inst).__name__}: expected a chaining Instance (build one with make_instance)")


def check_alpha(alpha) -> None:
    """InputError unless every concrete alpha lies in (0, 1]."""
    check_range("alpha", alpha, 0.0, 1.0, lo_open=True)


def scale_handoffs(inst: Instance, h) -> Instance:
    """Instance with every hand-off time multiplied by ``h >= 0`` (the spec's hand-off axis)."""
    check_range("h", h, 0.0, None)
    return inst.replace(tH=inst.tH * h)


def modes_to_string(modes, n: int | None = None) -> str:
    """Mode array (0 manual, 1 augmented, 2 automated) -> string like "MCCAM" (M/A/C).

    ``n`` truncates to the real steps of a padded instance.
    """
    arr = np.asarray(modes).astype(int).reshape(-1)
    if n is not None:
        arr = arr[:n]
    bad = ~np.isin(arr, (0, 1, 2))
    if bad.any():
        raise InputError(f"modes={arr.tolist()!r}: every entry must be 0 (manual), 1 (augmented) or 2 (automated)")
    return "".join(_LETTERS[int(m)] for m in arr)


def string_to_modes(s: str, n_pad: int | None = None) -> np.ndarray:
    """String like "MCCAM" -> int array (M -> 0, A -> 1, C -> 2), zero-padded to ``n_pad``.

    Raises InputError on other letters or an automated step that does not feed an AI step.
    """
    codes = {"M": MANUAL, "A": AUGMENTED, "C": AUTOMATED}
    if not isinstance(s, str) or not s:
        raise InputError(f"modes string {s!r}: must be a non-empty string of the letters M, A, C")
    bad = [ch for ch in s.upper() if ch not in codes]
    if bad:
        raise InputError(f"modes string {s!r}: letter {bad[0]!r} is not one of M (manual), A (augmented), C (automated)")
    arr = np.array([codes[ch] for ch in s.upper()], dtype=np.int32)
    N = len(arr) if n_pad is None else int(n_pad)
    if N < len(arr):
        raise InputError(f"n_pad={N} is outside the allowed range [{len(arr)}, inf)")
    out = np.zeros(N, np.int32)
    out[: len(arr)] = arr
    _check_chain_structure(out, np.zeros(max(N - 1, 0), np.int32), np.arange(N) < len(arr))
    return out


def _check_chain_structure(modes: np.ndarray, cuts: np.ndarray, mask: np.ndarray) -> None:
    N = modes.shape[0]
    n = int(mask.sum())
    if np.any(~mask & (modes != MANUAL)):
        i = int(np.flatnonzero(~mask & (modes != MANUAL))[0])
        raise InputError(f"modes[{i}]={int(modes[i])}: padded steps must be manual (0)")
    for i in np.flatnonzero(modes == AUTOMATED):
        i = int(i)
        if i + 1 >= n:
            raise InputError(f"modes[{i}]=2 (automated) on the last step: an automated step must feed the next "
                             "AI step of its chain, which ends with an augmented (1) step")
        if modes[i + 1] == MANUAL:
            raise InputError(f"modes[{i}]=2 (automated) is followed by a manual step: a chain must end with an "
                             "augmented (1) goal step")
        if cuts[i] != 0:
            raise InputError(f"cuts[{i}]=1 cuts the AI chain through automated step {i}: a chain lies inside one job")
    if N > 1 and np.any(cuts[n - 1:] != 0):
        i = int(np.flatnonzero(cuts[n - 1:] != 0)[0]) + n - 1
        raise InputError(f"cuts[{i}]=1 lies after the last real step {n - 1}: cuts must be 0 there")


def check_design(inst: Instance, modes, cuts) -> None:
    """InputError unless (modes, cuts) is a valid design of ``inst`` (concrete values only).

    modes: ints of shape (N,) in {0, 1, 2}; cuts: 0/1 of shape (N - 1,). An automated step must be
    followed by an AI step (automated or augmented) of the same job; padded steps are manual; no
    cut after the last real step.
    """
    N = inst.n_pad
    if np.shape(modes)[-1:] != (N,):
        raise InputError(f"modes has shape {np.shape(modes)}: expected (N,) = ({N},)")
    if np.shape(cuts)[-1:] != (N - 1,):
        raise InputError(f"cuts has shape {np.shape(cuts)}: expected (N - 1,) = ({N - 1},)")
    if not (is_concrete(modes) and is_concrete(cuts) and is_concrete(inst.mask)):
        return
    m = np.asarray(modes)
    c = np.asarray(cuts)
    mask = np.asarray(inst.mask)
    if m.ndim != 1 or mask.ndim != 1:
        return  # batched: checked per firm by the caller's vmap-free path
    if not np.all(np.isin(m, (0, 1, 2))):
        raise InputError(f"modes={m.tolist()!r}: every entry must be 0 (manual), 1 (augmented) or 2 (automated)")
    if not np.all(np.isin(c, (0, 1))):
        raise InputError(f"cuts={c.tolist()!r}: every entry must be 0 or 1")
    _check_chain_structure(m.astype(int), c.astype(int), mask.astype(bool))


def cuts_to_jobs(cuts, n: int) -> list[list[int]]:
    """0/1 cuts (length >= n - 1) -> list of jobs as lists of 0-based step indices."""
    c = np.asarray(cuts).astype(int)
    jobs, cur = [], [0]
    for i in range(1, n):
        if c[i - 1]:
            jobs.append(cur)
            cur = []
        cur.append(i)
    jobs.append(cur)
    return jobs


def random_instance(key, n: int, *, n_pad: int | None = None, cost_range=(1.0, 10.0), d_range=(0.0, 3.0),
                    tH_range=(0.0, 5.0)) -> Instance:
    """A random firm [X]: skills and times uniform on ``cost_range``, difficulties on ``d_range``,
    hand-offs on ``tH_range``. Pure function of ``key`` (vmap over keys for a population)."""
    k = jax.random.split(key, 6)
    lo, hi = cost_range
    u = lambda kk: jax.random.uniform(kk, (n,), minval=lo, maxval=hi)  # noqa: E731
    d = jax.random.uniform(k[4], (n,), minval=d_range[0], maxval=d_range[1])
    tH = jax.random.uniform(k[5], (n - 1,), minval=tH_range[0], maxval=tH_range[1])
    return make_instance(u(k[0]), u(k[1]), u(k[2]), u(k[3]), d, tH, n_pad=n_pad)
