"""Provenance of a result: package version, git revision, and a fingerprint of a sweep call.

The fingerprint identifies a computation so that a results store can refuse to mix two different
ones: it hashes the axes, the seed, the metadata, the chunk layout and the kernel (its qualified
name, its source, and the values it closes over, including ``functools.partial`` arguments).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
import subprocess
import types
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


def _is_own_code(fn, kernel_module: str | None) -> bool:
    module = getattr(fn, "__module__", "") or ""
    return module == kernel_module or module.startswith("hai_sim")


def _update(h, obj: Any, active: set[int] | None = None, module: str | None = None) -> None:
    """Feed ``obj`` into the hash ``h``; ``active`` guards against cycles (not against depth)."""
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
        h.update(f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".encode())
        if not _is_own_code(obj, module):
            return  # library code (jax, numpy, ...) is identified by its name
        try:
            h.update(inspect.getsource(obj).encode())
        except (OSError, TypeError):
            pass
        _code_digest(h, obj.__code__)
        _update(h, obj.__defaults__, active, module)
        _update(h, obj.__kwdefaults__, active, module)
        for cell in obj.__closure__ or ():
            try:
                _update(h, cell.cell_contents, active, module)
            except ValueError:  # empty cell
                h.update(b"<empty>")
        for name in obj.__code__.co_names:
            # Module-level names the kernel uses (constants, helper functions) are part of what
            # it computes; attribute names that are not globals are skipped.
            if name in obj.__globals__:
                h.update(f"global:{name}".encode())
                _update(h, obj.__globals__[name], active, module)
    else:
        leaves, treedef = jax.tree_util.tree_flatten(obj)
        if len(leaves) == 1 and leaves[0] is obj:
            h.update(_ADDRESS.sub("", repr(obj)).encode())
        else:
            h.update(str(treedef).encode())
            for leaf in leaves:
                _update(h, leaf, active, module)


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
