"""Tests of hai_sim.engine.provenance: fingerprint stability/sensitivity, plain_attrs, git_revision."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from hai_sim.engine import provenance
from hai_sim.engine.provenance import fingerprint, plain_attrs

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def model(x, sigma, law="gauss"):
    return x * sigma


def make_kernel(c):
    def kernel(x):
        return x + c

    return kernel


def load_module(tmp_path: Path, filename: str, modname: str, source: str):
    path = tmp_path / filename
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.pop(modname, None)
    spec.loader.exec_module(mod)
    return mod


def test_fingerprint_is_hex_and_stable():
    parts = (("x", "y"), [np.linspace(0, 1, 5), np.arange(3)], 7, {"sigma": 0.3}, (0, 2), make_kernel(1.0))
    a = fingerprint(*parts)
    assert HEX64.match(a)
    assert fingerprint(*parts) == a
    # a fresh but equal set of parts (new objects, same content) gives the same digest
    parts2 = (("x", "y"), [np.linspace(0, 1, 5), np.arange(3)], 7, {"sigma": 0.3}, (0, 2), make_kernel(1.0))
    assert fingerprint(*parts2) == a


def test_fingerprint_stable_across_processes():
    code = (
        "import numpy as np; from hai_sim.engine.provenance import fingerprint; "
        "print(fingerprint(('x',), [np.arange(4.0)], 3, {'b': 2, 'a': [1, 'z']}, (0, 1)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == fingerprint(("x",), [np.arange(4.0)], 3, {"a": [1, "z"], "b": 2}, (0, 1))


def test_closed_over_value_changes_fingerprint():
    assert fingerprint(make_kernel(1.0)) == fingerprint(make_kernel(1.0))
    assert fingerprint(make_kernel(1.0)) != fingerprint(make_kernel(1.5))
    assert fingerprint(make_kernel(np.arange(3.0))) != fingerprint(make_kernel(np.arange(1.0, 4.0)))
    assert fingerprint(make_kernel({"s": 1})) != fingerprint(make_kernel({"s": 2}))


def test_partial_args_change_fingerprint():
    base = fingerprint(functools.partial(model, sigma=0.3))
    assert fingerprint(functools.partial(model, sigma=0.3)) == base
    assert fingerprint(functools.partial(model, sigma=0.4)) != base
    assert fingerprint(functools.partial(model, sigma=0.3, law="laplace")) != base
    assert fingerprint(functools.partial(model, 1.0)) != fingerprint(functools.partial(model, 2.0))
    assert fingerprint(functools.partial(model, sigma=jnp.asarray([1.0, 2.0]))) != fingerprint(
        functools.partial(model, sigma=jnp.asarray([1.0, 3.0]))
    )
    assert fingerprint(functools.partial(model, sigma=0.3)) != fingerprint(model)


def test_source_change_changes_fingerprint(tmp_path):
    # same module name and qualified name; only the body differs
    m1 = load_module(tmp_path, "k1.py", "hai_sim_fp_kmod", "def kernel(x):\n    return x + 1\n")
    m1b = load_module(tmp_path, "k1b.py", "hai_sim_fp_kmod", "def kernel(x):\n    return x + 1\n")
    m2 = load_module(tmp_path, "k2.py", "hai_sim_fp_kmod", "def kernel(x):\n    return x + 2\n")
    assert m1.kernel.__qualname__ == m2.kernel.__qualname__ and m1.kernel.__module__ == m2.kernel.__module__
    assert fingerprint(m1.kernel) == fingerprint(m1b.kernel)
    assert fingerprint(m1.kernel) != fingerprint(m2.kernel)


def test_global_constant_changes_fingerprint(tmp_path):
    src = "import numpy as np\nSCALE = {scale}\nOFFSET = np.arange({n})\n\ndef kernel(x):\n    return SCALE * x + OFFSET\n"
    a = load_module(tmp_path, "g1.py", "hai_sim_fp_gmod", src.format(scale=2.0, n=3))
    b = load_module(tmp_path, "g2.py", "hai_sim_fp_gmod", src.format(scale=2.0, n=3))
    c = load_module(tmp_path, "g3.py", "hai_sim_fp_gmod", src.format(scale=3.0, n=3))
    d = load_module(tmp_path, "g4.py", "hai_sim_fp_gmod", src.format(scale=2.0, n=4))
    assert fingerprint(a.kernel) == fingerprint(b.kernel)
    assert fingerprint(a.kernel) != fingerprint(c.kernel)
    assert fingerprint(a.kernel) != fingerprint(d.kernel)


def test_global_jax_array_changes_fingerprint(tmp_path):
    src = "import jax.numpy as jnp\nTABLE = jnp.asarray({v})\n\ndef kernel(x):\n    return TABLE * x\n"
    a = load_module(tmp_path, "j1.py", "hai_sim_fp_jmod", src.format(v="[1.0, 2.0]"))
    b = load_module(tmp_path, "j2.py", "hai_sim_fp_jmod", src.format(v="[1.0, 3.0]"))
    assert fingerprint(a.kernel) != fingerprint(b.kernel)


def test_global_helper_function_changes_fingerprint(tmp_path):
    src = "def helper(x):\n    return x * {k}\n\ndef kernel(x):\n    return helper(x) + 1\n"
    a = load_module(tmp_path, "h1.py", "hai_sim_fp_hmod", src.format(k=2))
    b = load_module(tmp_path, "h2.py", "hai_sim_fp_hmod", src.format(k=3))
    assert fingerprint(a.kernel) != fingerprint(b.kernel)


def test_jitted_kernel_closure_changes_fingerprint():
    assert fingerprint(jax.jit(make_kernel(1.0))) != fingerprint(jax.jit(make_kernel(2.0)))


def test_deep_nesting_changes_fingerprint():
    def nest(v, d):
        for _ in range(d):
            v = [v]
        return v

    assert fingerprint(nest(1.0, 7)) != fingerprint(nest(2.0, 7))
    # realistic: a kernel closing over a partial closing over nested parameters
    p1 = {"model": {"noise": {"law": {"sigma": [0.3]}}}}
    p2 = {"model": {"noise": {"law": {"sigma": [0.4]}}}}
    assert fingerprint(make_kernel(functools.partial(model, p1))) != fingerprint(
        make_kernel(functools.partial(model, p2))
    )


def test_lambdas_on_one_line_differ():
    f, g = (lambda x: x + 1), (lambda x: x + 2)
    assert fingerprint(f) != fingerprint(g)


def test_nesting_up_to_six_levels_is_hashed():
    def nest(v, d):
        for _ in range(d):
            v = [v]
        return v

    for d in range(7):
        assert fingerprint(nest(1.0, d)) != fingerprint(nest(2.0, d))


def test_array_content_dtype_and_shape():
    a = np.arange(6.0)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) == fingerprint(jnp.asarray(a))  # same content, numpy or jax
    b = a.copy()
    b[3] = np.nextafter(b[3], 10.0)
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a) != fingerprint(a.astype(np.float32))
    assert fingerprint(a) != fingerprint(a.reshape(2, 3))
    assert fingerprint(np.array(["a", "b"], dtype=object)) != fingerprint(np.array(["a", "c"], dtype=object))


def test_legacy_uint32_keys():
    assert fingerprint(jax.random.PRNGKey(0)) == fingerprint(jax.random.PRNGKey(0))
    assert fingerprint(jax.random.PRNGKey(0)) != fingerprint(jax.random.PRNGKey(1))


def test_typed_prng_keys():
    assert fingerprint(jax.random.key(0)) == fingerprint(jax.random.key(0))
    assert fingerprint(jax.random.key(0)) != fingerprint(jax.random.key(1))
    assert fingerprint(make_kernel(jax.random.key(0))) != fingerprint(make_kernel(jax.random.key(1)))


def test_scalars_containers_and_order():
    assert fingerprint(1) != fingerprint(1.0)  # type matters
    assert fingerprint(True) != fingerprint(1)
    assert fingerprint([1, 2]) != fingerprint((1, 2))
    assert fingerprint([1, 2]) != fingerprint([2, 1])
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})  # dict order does not matter
    assert fingerprint({"a": 1, "b": 2}) != fingerprint({"a": 2, "b": 1})
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert fingerprint(None) != fingerprint("None")
    assert fingerprint(0.1) != fingerprint(0.1 + 1e-17 * 10)


def test_pytrees_hash_their_leaves():
    Point = jax.tree_util.register_dataclass(
        __import__("dataclasses").dataclass(type("Point", (), {"__annotations__": {"x": float, "y": float}})),
        data_fields=["x", "y"],
        meta_fields=[],
    )
    assert fingerprint(Point(1.0, 2.0)) == fingerprint(Point(1.0, 2.0))
    assert fingerprint(Point(1.0, 2.0)) != fingerprint(Point(1.0, 2.5))


def test_objects_hashed_without_addresses():
    class Opaque:
        def __init__(self, v):
            self.v = v

        def __repr__(self):
            return f"<Opaque v={self.v} at 0x{id(self):x}>"

    assert fingerprint(Opaque(1)) == fingerprint(Opaque(1))
    assert fingerprint(Opaque(1)) != fingerprint(Opaque(2))


# ----------------------------------------------------------------------------- plain_attrs


def test_plain_attrs():
    assert plain_attrs(None) == {} and plain_attrs({}) == {}
    meta = {"sigma": 0.3, "n": np.int64(4), "flag": True, "npflag": np.bool_(False), "law": "gauss",
            "levels": (0.2, 0.8), "arr": np.arange(3), "nested": {"k": np.float32(0.5)}}
    out = plain_attrs(meta)
    assert out["sigma"] == 0.3 and out["law"] == "gauss"
    assert out["n"] == 4 and type(out["n"]) is int
    assert out["flag"] == 1 and type(out["flag"]) is int
    assert out["npflag"] == 0 and type(out["npflag"]) is int
    assert json.loads(out["levels"]) == [0.2, 0.8]
    assert json.loads(out["arr"]) == [0, 1, 2]
    assert json.loads(out["nested"]) == {"k": 0.5}
    back = json.loads(out["metadata_json"])
    assert back == {"sigma": 0.3, "n": 4, "flag": True, "npflag": False, "law": "gauss", "levels": [0.2, 0.8],
                    "arr": [0, 1, 2], "nested": {"k": 0.5}}
    for v in out.values():
        assert isinstance(v, (int, float, str))


def test_git_revision_matches_git():
    root = Path(provenance.__file__).resolve().parents[2]
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
    rev = provenance.git_revision()
    if head.returncode != 0:
        assert rev is None
    else:
        assert rev is not None
        assert rev.split("-")[0] == head.stdout.strip()
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", rev)


def test_equal_sets_same_fingerprint():
    a, b = set([1, 9]), set([9, 1])  # 1 and 9 collide in an 8-slot table: iteration order differs
    assert a == b
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint({"m": frozenset(a)}) == fingerprint({"m": frozenset(b)})


# ------------------------------------------------------------------ one rule for every import style

_HELPER_SRC = "def success_probability(x):\n    return x * {k}\n"
_ATTR_STYLE = ("import hai_sim_fp_lib as I\nSCALE = {c}\n\n"
               "def kernel(x):\n    return I.success_probability(x) * SCALE\n")
_FROM_STYLE = ("from hai_sim_fp_lib import success_probability\nSCALE = {c}\n\n"
               "def kernel(x):\n    return success_probability(x) * SCALE\n")


def _kernels(tmp_path, monkeypatch, k, c, tag):
    lib = load_module(tmp_path, f"lib_{tag}.py", "hai_sim_fp_lib", _HELPER_SRC.format(k=k))
    monkeypatch.setitem(sys.modules, "hai_sim_fp_lib", lib)
    attr = load_module(tmp_path, f"attr_{tag}.py", "hai_sim_fp_attr", _ATTR_STYLE.format(c=c))
    frm = load_module(tmp_path, f"from_{tag}.py", "hai_sim_fp_from", _FROM_STYLE.format(c=c))
    assert attr.kernel(1.0) == frm.kernel(1.0) == k * c  # both really call the library function
    return lib, attr.kernel, frm.kernel


def test_fingerprint_rule_is_the_same_for_module_attribute_and_from_import(tmp_path, monkeypatch):
    _, attr, frm = _kernels(tmp_path, monkeypatch, k=2, c=3.0, tag="a")
    base = fingerprint(attr), fingerprint(frm)
    # The called library function's source is not hashed, whichever way it is imported (the
    # library's version and git revision stand for it)...
    _, attr_k, frm_k = _kernels(tmp_path, monkeypatch, k=5, c=3.0, tag="b")
    assert (fingerprint(attr_k), fingerprint(frm_k)) == base
    # ...while the kernel's own plain-data globals are, in both styles.
    _, attr_c, frm_c = _kernels(tmp_path, monkeypatch, k=2, c=4.0, tag="c")
    assert fingerprint(attr_c) != base[0] and fingerprint(frm_c) != base[1]


def test_hai_sim_functions_are_named_not_hashed_transitively(monkeypatch):
    from hai_sim import demo

    def kernel(x, y):
        return demo.order_parameter(x, y)

    before = fingerprint(kernel)
    # Replacing a function that order_parameter's module defines changes nothing: only the name
    # of what the kernel calls counts, not the source of everything below it.
    monkeypatch.setattr(demo, "order_parameter", lambda x, y, w=0.05: x)
    assert fingerprint(kernel) == before


def test_kernel_label_is_readable_and_has_no_address():
    from hai_sim.demo import order_parameter
    from hai_sim.engine.provenance import kernel_label

    assert kernel_label(order_parameter) == "hai_sim.demo.order_parameter"
    assert kernel_label(functools.partial(order_parameter, w=0.0)) == \
        "functools.partial(hai_sim.demo.order_parameter, w=0.0)"
    assert kernel_label(functools.partial(model, np.arange(3.0), law="t")) == \
        f"functools.partial({__name__}.model, array(shape=(3,), dtype=float64), law='t')"
    assert kernel_label(jax.jit(order_parameter)) == "hai_sim.demo.order_parameter"
    assert kernel_label(make_kernel(1.0)) == f"{__name__}.make_kernel.<locals>.kernel"
    assert "0x" not in kernel_label(functools.partial(model, object()))
