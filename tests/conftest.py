"""Strict test configuration: float64 on, implicit rank promotion is an error.

A test that needs several devices runs its code in a subprocess with
``XLA_FLAGS=--xla_force_host_platform_device_count=N`` (see ``tests/helpers.py``): the flag must
be set before JAX initialises its backend, which in this process has already happened.
"""

import os

os.environ.setdefault("HAI_SIM_X64", "1")

import jax  # noqa: E402

import hai_sim  # noqa: E402,F401  (turns on x64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

import pytest  # noqa: E402


@pytest.fixture
def key():
    return jax.random.key(0)
