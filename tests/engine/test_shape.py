"""The one shape: params helper, named results, jitted cores with a trace counter, InputError."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hai_sim
from hai_sim.engine import Estimate, InputError, NamedResult, Params, jit_core, named_result, static, trace_count
from hai_sim.engine.validate import check_range


class Level(Params):
    a: jax.Array
    sigma: jax.Array
    law: str = static(default="uniform")

    def _validate(self):
        check_range("a", self.a, 0.0, 1.0)
        return self


def test_params_are_frozen_pytrees_with_static_fields():
    p = Level(jnp.asarray(0.5), jnp.asarray(0.1), law="truncnorm")
    leaves, treedef = jax.tree_util.tree_flatten(p)
    assert [float(x) for x in leaves] == [0.5, 0.1]
    assert jax.tree_util.tree_unflatten(treedef, leaves).law == "truncnorm"
    with pytest.raises(Exception):
        p.a = 1.0  # frozen


def test_replace_validates_and_rejects_unknown_names():
    p = Level(jnp.asarray(0.5), jnp.asarray(0.1))
    assert float(p.replace(a=0.25).a) == 0.25
    with pytest.raises(InputError, match=r"a=2\.0 is outside the allowed range \[0, 1\]"):
        p.replace(a=2.0)
    with pytest.raises(InputError, match="unknown parameter.*'b'.*allowed: a, sigma, law"):
        p.replace(b=1.0)


def test_jax_rebuilds_do_not_validate():
    p = Level(jnp.asarray(0.5), jnp.asarray(0.1))
    # tree_map to out-of-range values, in_axes prefixes with None, jit and vmap all rebuild the class.
    assert float(jax.tree_util.tree_map(lambda x: x + 5.0, p).a) == 5.5
    prefix = Level(0, None)
    batch = Level(jnp.asarray([0.2, 3.0]), jnp.asarray(0.1))
    out = jax.vmap(lambda q: q.a * 2, in_axes=(prefix,))(batch)
    np.testing.assert_allclose(out, [0.4, 6.0])
    assert float(jax.jit(lambda q: q.a + q.sigma)(p)) == pytest.approx(0.6)


def test_params_repr_is_readable():
    assert repr(Level(jnp.asarray(0.5), jnp.asarray(0.1))) == "Level(a=0.5, sigma=0.1, law='uniform')"


@named_result
class Pair(NamedTuple):
    cost: jax.Array
    modes: jax.Array


def test_named_result_reads_as_tuple_and_record():
    r = Pair(1.5, 2)
    cost, modes = r
    assert (cost, modes) == (1.5, 2)
    assert r["cost"] == 1.5 and r[1] == 2 and r.modes == 2
    assert r.keys() == ("cost", "modes")
    assert r.items() == (("cost", 1.5), ("modes", 2))
    assert dict(r._asdict()) == {"cost": 1.5, "modes": 2}
    assert isinstance(r, NamedResult) and isinstance(r, tuple)
    assert 1.5 in r and "cost" not in r  # `in` keeps its tuple meaning: values, not names
    with pytest.raises(KeyError, match="no field 'x'"):
        r["x"]
    assert isinstance(r._replace(cost=3.0), Pair)


def test_named_result_is_a_pytree():
    out = jax.jit(lambda x: Pair(x * 2, x + 1))(jnp.arange(3.0))
    assert isinstance(out, Pair)
    np.testing.assert_array_equal(out.cost, [0.0, 2.0, 4.0])
    mapped = jax.tree_util.tree_map(lambda x: x * 0, out)
    assert isinstance(mapped, Pair)


def test_estimate_unpacks_as_mean_and_se():
    mean, se = Estimate(0.5, 0.01)
    assert (mean, se) == (0.5, 0.01)


def test_jit_core_counts_traces():
    @jit_core(static_argnames=("power",))
    def _core(x, power):
        return x**power

    before = trace_count(_core)
    _core(jnp.ones(3), power=2)
    _core(jnp.zeros(3), power=2)  # same shape, same static: no retrace
    assert trace_count(_core) == before + 1
    _core(jnp.ones(4), power=2)
    _core(jnp.ones(4), power=3)
    assert trace_count(_core) == before + 3


def test_every_user_facing_error_is_an_input_error():
    from hai_sim.engine import NonFiniteError, StoreMismatchError

    assert hai_sim.InputError is InputError
    assert issubclass(InputError, ValueError)
    assert issubclass(StoreMismatchError, InputError)
    assert issubclass(NonFiniteError, InputError)


def test_star_import_works():
    ns: dict = {}
    exec("from hai_sim import *", ns)
    assert "engine" in ns and "InputError" in ns


def test_jit_core_static_argument_by_position():
    @jit_core(static_argnames=("n",))
    def _ones(x, n):
        return jnp.ones(n) * x

    np.testing.assert_array_equal(_ones(2.0, 3), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(_ones(2.0, n=3), [2.0, 2.0, 2.0])
