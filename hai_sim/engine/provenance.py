"""Provenance of a result: package version, git revision, and a fingerprint of a sweep call.

The fingerprint identifies a computation so that a results store can refuse to mix two different
ones. One rule, whatever the import style of the kernel's module:

* the kernel: its qualified name, its own source (and bytecode), and its captured values:
  closure cells, defaults, ``functools.partial`` arguments and the values of the module-level
  names it uses when they are plain data (numbers, strings, arrays, containers and pytrees of
  them). Functions defined in the kernel's own module that it uses or captures are its own code
  and follow the same rule; a function from any other module (``I.success_probability`` or
  ``from hai_sim.integration import success_probability`` alike) counts by its qualified name and
  captured values, not by the transitive source of everything it calls: the hai_sim version and
  git revision stand for the library's code;
* the axes, the seed, the metadata and the outputs (names, dtypes, trailing shapes and dims);
* the hai_sim version and git revision.

The chunk layout is not part of it: a resumed store keeps the layout it was created with.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
import subprocess
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@functools.lru_cache(maxsize=1)
def git_revision() -> str | None:
    """The git commit of the package checkout (with ``-dirty`` when modified), or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _code_digest(h, code) -> None:
    # Bytecode and constants tell apart functions that share a source line (two lambdas).
    h.update(code.co_code)
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _code_digest(h, const)
        else:
            h.update(repr(const).encode())


def _same_module(fn, kernel_module: str | None) -> bool:
    return kernel_module is not None and (getattr(fn, "__module__", None) or "") == kernel_module


def _is_plain(obj: Any) -> bool:
    """Plain data: numbers, strings, arrays, and containers or pytrees of them (not callables)."""
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes, np.ndarray, np.generic, jax.Array)):
        return True
    if isinstance(obj, (list, tuple, set, frozenset)):
        return all(_is_plain(v) for v in obj)
    if isinstance(obj, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in obj.items())
    if callable(obj) or isinstance(obj, (types.ModuleType, type)):
        return False
    leaves = jax.tree_util.tree_leaves(obj)
    return not (len(leaves) == 1 and leaves[0] is obj) and all(_is_plain(v) for v in leaves)


def _update(h, obj: Any, active: set[int] | None = None, module: str | None = None) -> None:
    """Feed ``obj`` into the hash ``h``; ``active`` guards against cycles (not against depth).

    ``module`` is the module of the kernel being hashed: functions defined there are its own code
    (their source, captured values and plain-data globals are hashed); a function from any other
    module is identified by its qualified name and its captured values only.
    """
    active = set() if active is None else active
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        h.update(repr((type(obj).__name__, obj)).encode())
        return
    if isinstance(obj, types.ModuleType):
        h.update(f"module:{obj.__name__}".encode())
        return
    if isinstance(obj, type):
        h.update(f"type:{obj.__module__}.{obj.__qualname__}".encode())
        return
    if id(obj) in active:
        h.update(b"<cycle>")
        return
    active = active | {id(obj)}
    if isinstance(obj, jax.Array) and jax.dtypes.issubdtype(obj.dtype, jax.dtypes.prng_key):
        h.update(b"prng_key" + str(obj.dtype).encode())
        _update(h, np.asarray(jax.random.key_data(obj)), active, module)
    elif isinstance(obj, (np.ndarray, np.generic, jax.Array)):
        arr = np.asarray(obj)
        if arr.dtype == object:
            h.update(b"object-array")
            _update(h, arr.tolist(), active, module)
        else:
            h.update(str(arr.dtype).encode() + str(arr.shape).encode() + np.ascontiguousarray(arr).tobytes())
    elif isinstance(obj, dict):
        h.update(b"dict")
        for k in sorted(obj, key=repr):
            _update(h, k, active, module)
            _update(h, obj[k], active, module)
    elif isinstance(obj, (set, frozenset)):
        # Element digests, sorted: independent of insertion order and of PYTHONHASHSEED.
        h.update(type(obj).__name__.encode())
        for digest in sorted(fingerprint(v) for v in obj):
            h.update(digest.encode())
    elif isinstance(obj, (list, tuple)):
        h.update(f"{type(obj).__name__}:{len(obj)}".encode())
        for v in obj:
            _update(h, v, active, module)
    elif isinstance(obj, functools.partial):
        h.update(b"partial")
        _update(h, obj.func, active, module)
        _update(h, obj.args, active, module)
        _update(h, obj.keywords, active, module)
    elif callable(obj) and not hasattr(obj, "__code__") and hasattr(obj, "__wrapped__"):
        # jax.jit and functools.wraps wrappers: what they compute is the wrapped function.
        h.update(f"wrapper:{type(obj).__name__}".encode())
        _update(h, obj.__wrapped__, active, module)
    elif callable(obj) and hasattr(obj, "__code__"):
        module = getattr(obj, "__module__", None) if module is None else module
        own = _same_module(obj, module)
        h.update(f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".encode())
        # Captured values are part of what any function computes, wherever it is defined.
        _update(h, obj.__defaults__, active, module)
        _update(h, obj.__kwdefaults__, active, module)
        for cell in obj.__closure__ or ():
            try:
                _update(h, cell.cell_contents, active, module)
            except ValueError:  # empty cell
                h.update(b"<empty>")
        if not own:
            return  # code of another module (hai_sim: its version and git revision) is named only
        try:
            h.update(inspect.getsource(obj).encode())
        except (OSError, TypeError):
            pass
        _code_digest(h, obj.__code__)
        for name in _global_names(obj.__code__):
            # Module-level names the kernel uses: plain data by value, this module's own
            # functions by the same rule, anything else (modules, imported functions) by name.
            if name not in obj.__globals__:
                continue
            value = obj.__globals__[name]
            h.update(f"global:{name}".encode())
            if _is_plain(value) or (callable(value) and _same_module(value, module)):
                _update(h, value, active, module)
            elif isinstance(value, (types.ModuleType, type)):
                _update(h, value, active, module)
            else:
                h.update(_label(value).encode())
    else:
        leaves, treedef = jax.tree_util.tree_flatten(obj)
        if len(leaves) == 1 and leaves[0] is obj:
            h.update(_ADDRESS.sub("", repr(obj)).encode())
        else:
            h.update(str(treedef).encode())
            for leaf in leaves:
                _update(h, leaf, active, module)


def _global_names(code) -> list[str]:
    """Global names used by ``code`` and the code objects nested in it (comprehensions, lambdas)."""
    names = list(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names.extend(_global_names(const))
    return list(dict.fromkeys(names))


def fingerprint(*parts: Any) -> str:
    """A stable hex digest of any nesting of numbers, strings, arrays, pytrees and functions."""
    h = hashlib.sha256()
    for p in parts:
        _update(h, p)
    return h.hexdigest()


def plain_attrs(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Metadata as netCDF/zarr-safe attributes: scalars and strings as they are, everything else
    as JSON; the whole mapping is also kept as ``metadata_json``."""
    if not metadata:
        return {}
    out: dict[str, Any] = {}
    for k, v in metadata.items():
        if isinstance(v, (bool, np.bool_)):
            out[str(k)] = int(v)
        elif isinstance(v, (int, float, str, np.integer, np.floating)):
            out[str(k)] = v.item() if isinstance(v, np.generic) else v
        else:
            out[str(k)] = json.dumps(_jsonable(v))
    out["metadata_json"] = json.dumps(_jsonable(metadata), sort_keys=True)
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.ndarray, jax.Array)):
        return np.asarray(v).tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return repr(v)


def _short(v: Any) -> str:
    """A value as it reads in a kernel label: scalars and strings as written, arrays by shape."""
    if isinstance(v, (bool, int, str)) or v is None:
        return repr(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, np.generic):
        return repr(v.item())
    if isinstance(v, (np.ndarray, jax.Array)):
        return f"array(shape={tuple(v.shape)}, dtype={v.dtype})"
    if callable(v) or isinstance(v, (types.ModuleType, type)):
        return _label(v)
    return type(v).__qualname__ + "(...)"


def _label(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(obj, functools.partial):
        args = [_label(obj.func), *(_short(a) for a in obj.args),
                *(f"{k}={_short(v)}" for k, v in sorted(obj.keywords.items()))]
        return f"functools.partial({', '.join(args)})"
    if not hasattr(obj, "__code__") and hasattr(obj, "__wrapped__"):
        return _label(obj.__wrapped__)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    module = getattr(obj, "__module__", None)
    if isinstance(name, str) and not isinstance(obj, functools.partial):
        return f"{module}.{name}" if module else name
    return f"{type(obj).__module__}.{type(obj).__qualname__} instance"


def kernel_label(fn: Callable) -> str:
    """A readable and reproducible name of a kernel: ``module.qualname`` for a function,
    ``functools.partial(module.qualname, 0.5, w=0.0)`` for a partial (arrays by shape and dtype),
    never a memory address."""
    return _label(fn)


def _num(v) -> str:
    return f"{float(v):.6g}" if np.asarray(v).dtype.kind == "f" else str(int(v))


def _axes_text(names: Sequence[str], values: Sequence[Any]) -> str:
    parts = []
    for name, vals in zip(names, values):
        if isinstance(vals, tuple):
            parts.append(f"{name}[{', '.join(vals)}]")
        else:
            arr = np.asarray(vals)
            parts.append(f"{name}[{arr.size} values, {_num(arr[0])} .. {_num(arr[-1])}]")
    return ", ".join(parts)


def call_fields(
    fn: Callable,
    names: Sequence[str],
    values: Sequence[Any],
    seed: int,
    metadata: dict[str, Any],
    outputs: dict[str, Any],
) -> dict[str, dict[str, str]]:
    """The parts of a sweep call's fingerprint, each as ``{"digest": hex, "text": readable}``:
    ``kernel``, ``axes``, ``seed``, ``metadata``, ``outputs`` and ``version`` (hai_sim version and
    git revision). A refused store names the parts that differ with both texts."""
    from .. import __version__

    meta_json = json.dumps(_jsonable(metadata), sort_keys=True)
    version = f"hai_sim {__version__}, git {git_revision() or 'unknown'}"
    outputs_text = "; ".join(
        f"{k} {np.dtype(dt).name}{list(shape) if shape else ''}{' ' + str(list(dims)) if dims else ''}"
        for k, (dt, shape, dims) in outputs.items()
    )
    raw = {
        "kernel": (kernel_label(fn), fingerprint(fn)),
        "axes": (_axes_text(names, values), fingerprint(tuple(names), list(values))),
        "seed": (str(int(seed)), fingerprint(int(seed))),
        "metadata": (meta_json, fingerprint(metadata)),
        "outputs": (outputs_text, fingerprint(outputs_text)),
        "version": (version, fingerprint(version)),
    }
    return {k: {"text": text, "digest": digest} for k, (text, digest) in raw.items()}


def combine(fields: dict[str, dict[str, str]]) -> str:
    """One digest of the parts returned by :func:`call_fields`."""
    return hashlib.sha256(";".join(f"{k}={fields[k]['digest']}" for k in sorted(fields)).encode()).hexdigest()
