"""Kernels shared by the store tests and the subprocesses they start (importable by path)."""

import time

import jax
import jax.numpy as jnp
import numpy as np

AXES = {"a": np.linspace(0.0, 1.0, 24), "b": np.linspace(-2.0, 2.0, 10)}
CHUNK = 20  # 2 rows of `a` per chunk -> 12 chunks


def slow_host_sleep(x):
    time.sleep(0.15)
    return x


def kernel(a, b, key):
    # A host callback that sleeps once per chunk makes the run long enough to be killed midway.
    a_cb = jax.pure_callback(slow_host_sleep, jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), a,
                             vmap_method="expand_dims")
    return {"v": jnp.sin(a_cb) * b, "r": jax.random.normal(key, (2,)) + a}


def fast_kernel(a, b, key):
    return {"v": jnp.sin(a) * b, "r": jax.random.normal(key, (2,)) + a}


def scaled(a, b, scale):
    return a * b * scale
