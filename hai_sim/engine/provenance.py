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


def _update(h, obj: Any, depth: int = 0) -> None:
    if depth > 6:
        h.update(b"<deep>")
        return
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        h.update(repr((type(obj).__name__, obj)).encode())
    elif isinstance(obj, (np.ndarray, np.generic, jax.Array)):
        arr = np.asarray(obj)
        if arr.dtype == object:
            h.update(repr(arr.tolist()).encode())
        elif jax.dtypes.issubdtype(arr.dtype, jax.dtypes.prng_key):
            h.update(np.asarray(jax.random.key_data(obj)).tobytes())
        else:
            h.update(str(arr.dtype).encode() + str(arr.shape).encode() + arr.tobytes())
    elif isinstance(obj, dict):
        for k in sorted(obj, key=repr):
            _update(h, k, depth + 1)
            _update(h, obj[k], depth + 1)
    elif isinstance(obj, (list, tuple)):
        h.update(type(obj).__name__.encode())
        for v in obj:
            _update(h, v, depth + 1)
    elif isinstance(obj, functools.partial):
        h.update(b"partial")
        _update(h, obj.func, depth + 1)
        _update(h, obj.args, depth + 1)
        _update(h, obj.keywords, depth + 1)
    elif callable(obj) and hasattr(obj, "__code__"):
        h.update(f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".encode())
        try:
            h.update(inspect.getsource(obj).encode())
        except (OSError, TypeError):
            h.update(obj.__code__.co_code)
        for cell in obj.__closure__ or ():
            try:
                _update(h, cell.cell_contents, depth + 1)
            except ValueError:  # empty cell
                h.update(b"<empty>")
        for name in obj.__code__.co_names:
            # Module-level globals used by the kernel (e.g. constants) are part of what it computes.
            val = obj.__globals__.get(name)
            if isinstance(val, (int, float, str, np.ndarray, tuple)):
                _update(h, (name, val), depth + 1)
    else:
        leaves, treedef = jax.tree_util.tree_flatten(obj)
        if len(leaves) == 1 and leaves[0] is obj:
            h.update(_ADDRESS.sub("", repr(obj)).encode())
        else:
            h.update(str(treedef).encode())
            for leaf in leaves:
                _update(h, leaf, depth + 1)


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
