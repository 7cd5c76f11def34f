"""Jitted cores behind host-checking public functions, with a trace counter.

The pattern (dynamiqs): a public function validates its concrete arguments on the host, then
calls a core compiled once per shape, dtype and static choice::

    @jit_core(static_argnames=("method",))
    def _success_core(job, worker, method): ...

    def success_probability(job, worker, method="exact"):
        check_choice("method", method, METHODS)
        return _success_core(job, worker, method)

:func:`trace_count` tells tests how often a core was traced, so they can assert that a second
call with the same shapes does not recompile.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Sequence

import jax

_TRACES: collections.Counter[str] = collections.Counter()


def _key(fun: Callable) -> str:
    return f"{fun.__module__}.{fun.__qualname__}"


def jit_core(fun: Callable | None = None, *, static_argnames: Sequence[str] = (), static_argnums: Sequence[int] = ()):
    """``jax.jit`` that counts the traces of ``fun`` (read them with :func:`trace_count`)."""
    if fun is None:
        return functools.partial(jit_core, static_argnames=static_argnames, static_argnums=static_argnums)
    name = _key(fun)

    @functools.wraps(fun)
    def counted(*args, **kwargs):
        _TRACES[name] += 1
        return fun(*args, **kwargs)

    # jit maps static_argnames to positions through the signature only when static_argnums is
    # None: an explicit () would leave a static argument passed by position traced.
    return jax.jit(counted, static_argnames=tuple(static_argnames) or None,
                   static_argnums=tuple(static_argnums) or None)


def trace_count(core: Callable) -> int:
    """How many times the function behind ``core`` (a :func:`jit_core` result) has been traced."""
    fun = core
    while hasattr(fun, "__wrapped__"):
        fun = fun.__wrapped__
    return _TRACES[_key(fun)]
