"""One pytree-dataclass helper for every model's parameters.

Subclass :class:`Params` and annotate fields as in a dataclass: the subclass becomes a frozen
dataclass registered as a JAX pytree. Numeric fields are leaves (traced, vmapped, differentiated);
fields made with :func:`static` (a noise law, a solver, a domain) are metadata: changing one
recompiles, as a static choice should.

Validation is the subclass's ``_validate`` (host-side checks of concrete values, see
:mod:`hai_sim.engine.validate`). It runs in the model's public factories and in
:meth:`Params.replace`, never in ``__init__``: when JAX rebuilds a pytree (``tree_map``, ``jit``,
``vmap``, an ``in_axes`` prefix such as ``Instance(0, ...)``) the leaves may be tracers, ``None``
or axis numbers, and nothing is checked.

Example::

    class Level(Params):
        a: jax.Array
        sigma: jax.Array
        law: str = static(default="uniform")

        def _validate(self):
            check_range("a", self.a, 0.0, 1.0)
            return self
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

from .errors import InputError
from .validate import is_concrete


def static(**kwargs) -> Any:
    """A dataclass field that is pytree metadata (static under jit), not a leaf."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["static"] = True
    return dataclasses.field(metadata=metadata, **kwargs)


def _short(value: Any) -> str:
    """A readable repr of one field: plain numbers for concrete scalars, shape and dtype otherwise."""
    if isinstance(value, (jax.Array, np.ndarray)) and is_concrete(value):
        arr = np.asarray(value)
        if arr.ndim == 0:
            return repr(arr.item())
        if arr.size <= 6:
            return repr(arr.tolist())
        return f"{arr.dtype.name}{list(arr.shape)}"
    if isinstance(value, jax.core.Tracer):
        return f"<traced {value.aval.str_short()}>"
    return repr(value)


class Params:
    """Base of frozen pytree parameter dataclasses (see the module docstring)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, repr=False)(cls)
        jax.tree_util.register_dataclass(cls)

    def _validate(self):
        """Check concrete values; return ``self``. Subclasses override; tracers must pass."""
        return self

    def replace(self, **changes):
        """A copy with some fields changed, validated; unknown names raise ``InputError``."""
        names = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise InputError(
                f"{type(self).__name__}.replace: unknown parameter(s) {unknown}; allowed: {', '.join(names)}"
            )
        return dataclasses.replace(self, **changes)._validate()

    def __repr__(self) -> str:
        body = ", ".join(f"{f.name}={_short(getattr(self, f.name))}" for f in dataclasses.fields(self) if f.repr)
        return f"{type(self).__name__}({body})"
