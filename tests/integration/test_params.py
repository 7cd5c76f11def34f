"""Bad input is a ValueError naming the parameter (issue 4, ERRATA Inputs 1-2); traced values pass."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import integration as I
from hai_sim.engine import InputError, trace_count


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(a1=0.5, a2=0.4, sigma=1.5), "sigma="),
        (dict(a1=0.5, a2=0.4, sigma=-0.1), "sigma="),
        (dict(a1=0.5, a2=0.4, sigma=0.1, sigma2=-0.1), "sigma2="),
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
    with pytest.raises(ValueError, match=r"^sigma=1\.5 is outside the allowed range \[0, 1\]"):
        I.linear_worker(0.5, 0.4, 1.5)
    # The error names the argument the user passed, not the internal level field.
    with pytest.raises(InputError, match=r"^sigma=-1\.0 is outside the allowed range \[0, 1\]"):
        I.linear_worker(a1=0.5, a2=0.4, sigma=-1)
    with pytest.raises(InputError, match=r"^sigma1=2\.0 "):
        I.worker(sigma1=2.0)
    with pytest.raises(ValueError, match="beta1"):
        I.polynomial_worker(-1.0, 2.0)
    with pytest.raises(ValueError, match="^law='gaussian'"):
        I.worker(law="gaussian")
    with pytest.raises(ValueError, match="law2"):
        I.worker(law2="gaussian")
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
    with pytest.raises(InputError, match=r"^sigma=1\.5 "):
        w.replace(sigma=1.5)
    with pytest.raises(InputError, match="unknown parameter.*'a3'"):
        w.replace(a3=0.5)
    with pytest.raises(InputError, match="unknown parameter.*'n'"):
        I.default_job().replace(n=3)


def test_worker_holds_two_levels_and_keeps_the_flat_names():
    w = I.linear_worker(a1=0.6, a2=0.3, sigma=0.1, c1=0.9, sigma2=0.2)
    assert isinstance(w.decision, I.Level) and isinstance(w.action, I.Level)
    assert (float(w.a1), float(w.c1), float(w.sigma1), w.profile1, w.law1) == (0.6, 0.9, 0.1, "linear", "uniform")
    assert (float(w.a2), float(w.c2), float(w.sigma2)) == (0.3, 1.0, 0.2)
    assert w.level(1) is w.decision and w.level(2) is w.action
    r = w.replace(a1=0.7, sigma=0.05)
    assert (float(r.a1), float(r.sigma1), float(r.sigma2), float(r.a2)) == (0.7, 0.05, 0.05, 0.3)
    r = w.replace(action=I.Level(*(np.float64(v) for v in (0.8, 1.0, 1.0, 0.3))))
    assert float(r.a2) == 0.8 and r.decision is w.decision
    p = I.polynomial_worker(2.0, 3.0)
    assert (p.profile1, float(p.beta2)) == ("polynomial", 3.0)
    lo, hi = I.transition_window(I.default_job(), w, param="a1")
    assert 0 < float(lo) < float(hi) < 1


def test_jax_rebuilds_do_not_validate():
    w = I.linear_worker(0.5, 0.4, 0.1)
    job = I.default_job()
    # tree_map to out-of-range values: no error (nothing validates a rebuild)...
    bad = jax.tree_util.tree_map(lambda x: x + 5.0, w)
    assert float(bad.a1) == 5.5
    assert float(jax.tree_util.tree_map(lambda x: x - 9.0, job).tau) == -8.75
    # ...jit and vmap rebuild both pytrees from tracers...
    assert float(jax.jit(lambda ww: ww.a1 + ww.sigma2)(w)) == pytest.approx(0.6)
    batch = jax.vmap(lambda a: I.linear_worker(a, 0.4, 0.1))(jnp.asarray([0.2, 0.8]))
    np.testing.assert_allclose(jax.vmap(lambda ww: ww.decision.a * 2)(batch), [0.4, 1.6])
    # ...and an in_axes prefix holds axis numbers and None where numbers belong.
    prefix = I.Worker(I.Level(0, None, None, None), None)
    out = jax.vmap(lambda ww: ww.a1 + ww.a2, in_axes=(prefix,))(batch.replace(action=w.action))
    np.testing.assert_allclose(out, [0.6, 1.2])
    jprefix = I.Job(None, None, None, None, 0, h="mean")
    taus = I.Job(job.A, job.s, job.lam, job.task_weights, jnp.asarray([0.2, 0.3]))
    assert jax.vmap(lambda j: j.tau * 2, in_axes=(jprefix,))(taus).shape == (2,)


def test_second_call_with_same_shapes_does_not_retrace():
    from hai_sim.integration.model import _success_core
    from hai_sim.integration.phase import _window_core

    job = I.default_job()
    I.success_probability(job, I.linear_worker(0.5, 0.4, 0.1), method="clt")
    before = trace_count(_success_core)
    I.success_probability(job, I.linear_worker(0.52, 0.3, 0.2), method="clt")
    I.success_probability(job.replace(tau=0.3), I.linear_worker(0.49, 0.35, 0.05), method="clt")
    assert trace_count(_success_core) == before
    I.transition_window(job, I.linear_worker(0.5, 0.4, 0.1), "a1", method="clt")
    before = trace_count(_window_core)
    I.transition_window(job, I.linear_worker(0.5, 0.3, 0.2), "a1", method="clt")
    assert trace_count(_window_core) == before


@pytest.mark.slow
def test_public_kernels_pass_under_strict_dtype_promotion(key):
    job = I.default_job()
    w = I.linear_worker(0.5, 0.4, 0.1)
    tn = I.linear_worker(0.5, 0.4, 0.1, law="truncnorm")
    pw = I.polynomial_worker(3.0, 1.0)
    with jax.numpy_dtype_promotion("strict"):
        for method in ("exact", "clt", "edgeworth", "fft"):
            assert 0 <= float(I.success_probability(job, w, method)) <= 1
        assert 0 <= float(I.success_probability(job, tn, "fft")) <= 1
        assert 0 <= float(I.success_probability(job, pw, "exact")) <= 1
        assert 0 <= float(I.success_probability(I.default_job(h="max", f="max"), w, "mc", key=key,
                                                n_samples=1000).mean) <= 1
        I.err_moments(job, tn)
        I.transition_window(job, w, "a1")
        I.transition_window(job, w, "sigma", method="clt")
        I.a1_critical(job, w), I.a2_critical(job, w), I.gamma(job, tn, 0.1), I.gamma(job, w, 0.1, sharp=True)
        I.thm32_holds(job, w), I.thm33_holds(job, w, w), I.upskilling_a1(job, w)
        I.cor34_holds(job, w, I.linear_worker(0.5, 0.2), I.linear_worker(0.0, 0.9))
        I.integration_gain(job, w, I.linear_worker(0.3, 0.7))
        I.phase_diagram(job, w, "a1", np.linspace(0.4, 0.6, 5), "a2", np.linspace(0.3, 0.5, 4))
        I.fit_linear_profile(np.linspace(0, 1, 5), np.linspace(0.9, 0.4, 5))
