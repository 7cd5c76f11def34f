"""Instance construction, validation (ERRATA Inputs 4), mode strings, design checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import chaining as C

BASE = dict(cM=[1.0, 2.0, 3.0], tM=[1.0, 1.0, 2.0], cA=[1.0, 1.0, 1.0], tA=[0.5, 0.5, 0.5], d=[1.0, 0.0, 2.0])


def make(**kw):
    p = {**BASE, "tH": [1.0, 2.0], **kw}
    tH = p.pop("tH")
    return C.make_instance(tH=tH, **p)


def test_tH_length_n_minus_1_or_n_with_last_zero():
    a = make(tH=[1.0, 2.0])
    b = make(tH=[1.0, 2.0, 0.0])
    np.testing.assert_array_equal(a.tH, b.tH)
    assert float(a.tH[-1]) == 0.0


@pytest.mark.parametrize("kw, word", [
    (dict(tH=[1.0, 2.0, 0.5]), "tH[2]"),
    (dict(tH=[1.0]), "tH has length"),
    (dict(cM=[1.0, 2.0]), "cM"),
    (dict(tM=[1.0, 0.0, 2.0]), "tM"),
    (dict(cA=[1.0, -1.0, 1.0]), "cA"),
    (dict(tA=[1.0, 1.0, np.nan]), "tA"),
    (dict(d=[1.0, -0.1, 1.0]), "d="),
    (dict(tH=[1.0, -2.0]), "tH="),
])
def test_bad_inputs_raise_naming_the_parameter(kw, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        make(**kw)


def test_n_pad_and_padding_values():
    inst = C.make_instance(**BASE, tH=[1.0, 2.0], n_pad=5)
    assert inst.cM.shape == (5,)
    np.testing.assert_array_equal(inst.mask, [True, True, True, False, False])
    assert float(inst.cM[3]) == 0.0 and float(inst.tM[4]) == 0.0 and float(inst.tH[4]) == 0.0
    with pytest.raises(ValueError, match="n_pad"):
        C.make_instance(**BASE, tH=[1.0, 2.0], n_pad=2)


@pytest.mark.parametrize("alpha", [0.0, -0.5, 1.5, np.nan])
def test_alpha_outside_unit_interval(alpha):
    inst = make()
    with pytest.raises(ValueError, match="alpha"):
        C.short_run(inst, alpha)
    with pytest.raises(ValueError, match="alpha"):
        C.long_run(inst, alpha)


def test_make_instance_under_jit_and_vmap_skips_checks():
    f = jax.jit(lambda x: C.make_instance(x, x, x, x, x, x[:-1]).cM.sum())
    assert float(f(jnp.array([1.0, 2.0]))) == 3.0
    batch = jax.vmap(lambda x: C.make_instance(x, x, x, x, x, x[:-1]).tH)(jnp.ones((4, 3)))
    assert batch.shape == (4, 3)


def test_mode_strings_round_trip():
    m = C.string_to_modes("MCCAM")
    np.testing.assert_array_equal(m, [0, 2, 2, 1, 0])
    assert C.modes_to_string(m) == "MCCAM"
    assert C.modes_to_string(C.string_to_modes("AMCA", n_pad=6), n=4) == "AMCA"
    with pytest.raises(ValueError, match="letter"):
        C.string_to_modes("MXA")
    with pytest.raises(ValueError, match="automated"):
        C.string_to_modes("MCM")
    with pytest.raises(ValueError, match="automated"):
        C.string_to_modes("MAC")


def test_invalid_designs_rejected():
    inst = C.make_instance(**BASE, tH=[1.0, 2.0], n_pad=4)
    ok = np.array([2, 1, 0, 0])
    C.design_cost(inst, 0.5, ok, np.array([0, 1, 0]))
    with pytest.raises(ValueError, match="cuts the AI chain"):
        C.design_cost(inst, 0.5, ok, np.array([1, 0, 0]))
    with pytest.raises(ValueError, match="padded"):
        C.design_cost(inst, 0.5, np.array([0, 0, 0, 1]), np.array([0, 0, 0]))
    with pytest.raises(ValueError, match="after the last real step"):
        C.design_cost(inst, 0.5, np.array([0, 0, 0, 0]), np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="must be 0"):
        C.design_cost(inst, 0.5, np.array([0, 3, 0, 0]), np.array([0, 0, 0]))
    with pytest.raises(ValueError, match="shape"):
        C.design_cost(inst, 0.5, np.array([0, 0, 0]), np.array([0, 0, 0]))
