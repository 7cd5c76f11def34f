"""Bad input is a ValueError naming the parameter (issue 4, ERRATA Inputs 1-2); traced values pass."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import integration as I


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(a1=0.5, a2=0.4, sigma=1.5), "sigma1"),
        (dict(a1=0.5, a2=0.4, sigma=-0.1), "sigma1"),
        (dict(a1=0.5, a2=0.4, sigma=0.1, c1=0.4), "a1 + c1"),
        (dict(a1=1.2, a2=0.4, sigma=0.1), "a1"),
        (dict(a1=0.5, a2=0.4, sigma=0.1, c2=1.1), "c2"),
        (dict(a1=np.nan, a2=0.4, sigma=0.1), "a1"),
    ],
)
def test_bad_worker(kw, name):
    with pytest.raises(ValueError, match=name.replace("+", r"\+")):
        I.linear_worker(**kw)


def test_bad_worker_messages_name_range():
    with pytest.raises(ValueError, match=r"sigma1=.*1\.5.* is outside the allowed range \[0, 1\]"):
        I.linear_worker(0.5, 0.4, 1.5)
    with pytest.raises(ValueError, match="beta1"):
        I.polynomial_worker(-1.0, 2.0)
    with pytest.raises(ValueError, match="law1"):
        I.worker(law="gaussian")
    with pytest.raises(ValueError, match="profile1"):
        I.worker(profile1="cubic")


def test_bad_job():
    s = np.full((2, 3), 0.5)
    with pytest.raises(ValueError, match="tau"):
        I.make_job(s, tau=1.5)
    with pytest.raises(ValueError, match="task 1 is empty"):
        I.make_job(s, np.array([[1.0, 0, 1], [0, 0, 0]]))
    with pytest.raises(ValueError, match="A has shape"):
        I.make_job(s, np.ones((2, 4)))
    with pytest.raises(ValueError, match="s has shape"):
        I.make_job(np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="s="):
        I.make_job(np.full((2, 3), 1.5))
    with pytest.raises(ValueError, match="h='median'"):
        I.make_job(s, h="median")
    with pytest.raises(ValueError, match="g="):
        I.make_job(s, g="min")
    with pytest.raises(ValueError, match="lam"):
        I.make_job(s, h="lambda", lam=np.array([0.5, 1.5, 0.2]))


def test_unknown_method_and_unsupported_combinations():
    job = I.default_job()
    w = I.linear_worker(0.5, 0.4, 0.1)
    with pytest.raises(ValueError, match="method='newton'"):
        I.success_probability(job, w, method="newton")
    wt = I.linear_worker(0.5, 0.4, 0.1, law="truncnorm")
    with pytest.raises(ValueError, match="method='exact'.*uniform"):
        I.success_probability(job, wt, method="exact")
    for h, g, f in [("max", "mean", "mean"), ("mean", "max", "mean"), ("mean", "mean", "max"), ("either", "mean", "mean")]:
        jm = I.default_job(h=h, g=g, f=f)
        for method in ("exact", "clt", "edgeworth"):
            with pytest.raises(ValueError, match=f"method='{method}'"):
                I.success_probability(jm, w, method=method)
    for h, g, f in [("mean", "max", "mean"), ("mean", "mean", "max"), ("either", "mean", "mean")]:
        with pytest.raises(ValueError, match="method='fft'"):
            I.success_probability(I.default_job(h=h, g=g, f=f), w, method="fft")
    with pytest.raises(ValueError, match="key"):
        I.success_probability(job, w, method="mc")
    # The same combinations are supported where the spec says so.
    assert 0 <= float(I.success_probability(I.default_job(h="max"), w, method="fft")) <= 1
    assert 0 <= float(I.success_probability(job, wt, method="edgeworth")) <= 1


def test_constructors_skip_tracers_under_jit_and_vmap():
    job = I.default_job()

    @jax.jit
    def p(a1, sigma):
        return I.success_probability(job, I.linear_worker(a1, 0.4, sigma), method="clt")

    # Out-of-range traced values are not checked (they cannot be), so no error here...
    assert np.isfinite(float(p(0.5, 0.1)))
    out = jax.vmap(p)(jnp.linspace(0.4, 0.6, 5), jnp.full(5, 0.1))
    assert out.shape == (5,)
    # ...while the same values given concretely are rejected before compilation.
    with pytest.raises(ValueError):
        I.success_probability(job, I.linear_worker(0.5, 0.4, 2.0), method="clt")


def test_default_job_matches_spec():
    job = I.default_job()
    np.testing.assert_allclose(np.asarray(job.s)[0, :5], [0.374540, 0.950714, 0.731994, 0.598658, 0.156019], atol=1e-6)
    np.testing.assert_allclose(np.asarray(job.s)[1, :5], [0.611853, 0.139494, 0.292145, 0.366362, 0.456070], atol=1e-6)
    assert job.A.shape == (20, 20) and float(job.tau) == 0.25
    rnd = I.default_job(graph="random")
    assert np.all(np.asarray(rnd.A).sum(axis=1) >= 1) and np.asarray(rnd.A).sum() < 400


def test_replace_validates():
    w = I.linear_worker(0.5, 0.4, 0.1)
    assert float(w.replace(sigma=0.2).sigma2) == 0.2
    with pytest.raises(ValueError, match="a2"):
        w.replace(a2=-0.1)
    with pytest.raises(ValueError, match="tau"):
        I.default_job().replace(tau=-1.0)
