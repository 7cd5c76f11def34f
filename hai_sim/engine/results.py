"""Named results: one NamedTuple base for what public functions return.

A result is a tuple with named fields, so ``cost, modes, cuts = long_run(...)`` keeps working,
and it also reads like a record: ``r.cost``, ``r["cost"]``, ``r.keys()``, ``r.items()``,
``r._asdict()``. **Iteration and ``in`` keep their tuple meaning** (they run over the *values*,
as for any tuple; use ``r.keys()`` for the names). Results are pytrees (JAX treats every
NamedTuple as one), so they pass through ``jit``, ``vmap`` and ``sweep``, which stores one
variable per field.

Declare a result with the :func:`named_result` decorator on a ``typing.NamedTuple``::

    @named_result
    class Estimate(NamedTuple):
        mean: jax.Array
        se: jax.Array
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax


class NamedResult(tuple):
    """Mixin base of every named result (see the module docstring)."""

    __slots__ = ()
    _fields: tuple[str, ...]

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._fields:
                raise KeyError(f"{type(self).__name__} has no field {key!r}; fields: {', '.join(self._fields)}")
            return getattr(self, key)
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self._fields

    def values(self) -> tuple:
        return tuple(self)

    def items(self) -> tuple[tuple[str, Any], ...]:
        return tuple(zip(self._fields, self))


def named_result(cls: type) -> type:
    """Make a ``typing.NamedTuple`` class a :class:`NamedResult` (same name, fields and doc)."""
    if not (issubclass(cls, tuple) and hasattr(cls, "_fields")):
        raise TypeError(f"named_result expects a typing.NamedTuple class, got {cls!r}")
    namespace = {"__slots__": (), "__doc__": cls.__doc__, "__module__": cls.__module__, "__qualname__": cls.__qualname__}
    return type(cls.__name__, (cls, NamedResult), namespace)


def is_named_tuple(x: Any) -> bool:
    """True for any NamedTuple instance (ours or a user's)."""
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


@named_result
class Estimate(NamedTuple):
    """A Monte Carlo estimate: ``mean`` and its standard error ``se`` (same shapes).

    Unpacks as ``mean, se = estimate``.
    """

    mean: jax.Array
    se: jax.Array
