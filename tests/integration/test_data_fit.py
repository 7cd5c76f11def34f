"""Data loaders, stand-ins and profile fitting (spec §4.6-4.7, §5)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hai_sim import integration as I


def test_synthetic_bbl_fit_regression_values_and_recovery():
    d = I.synthetic_bbl()
    assert d["synthetic"] and len(d["tasks"]) == 24 and d["tasks"][0] == "auto_debugging"
    for w, (a, c, r2) in {"human": (0.5174, 0.9503, 0.871), "llm": (0.2401, 0.9630, 0.920)}.items():
        fit = I.fit_linear_profile(d["s"], d["scores"][w])
        assert abs(float(fit.a) - a) < 1e-4 and abs(float(fit.c) - c) < 1e-4 and abs(float(fit.r2) - r2) < 1e-3
        # Recovery of the generator's truth within 3 standard errors of the least-squares fit
        # (NumPy's regression standard errors: about 0.03 for a, 0.02 for c with 24 tasks).
        ta, tc = d["truth"][w]
        s, x = np.asarray(d["s"]), np.asarray(d["scores"][w])
        (slope, icpt), cov = np.polyfit(s, x, 1, cov="unscaled")
        resid = x - (icpt + slope * s)
        se_a, se_c = np.sqrt(np.diag(cov) * (resid @ resid) / (s.size - 2))
        assert se_a < 0.05 and se_c < 0.05
        assert abs(float(fit.a) - ta) < 3 * se_a and abs(float(fit.c) - tc) < 3 * se_c


def test_fit_matches_numpy_polyfit_and_recovers_truth_with_many_points():
    rng = np.random.default_rng(0)
    s = rng.uniform(0, 1, 2000)
    E = 0.9 - (1 - 0.4) * s
    x = E + np.minimum(E, 1 - E) * 0.3 * rng.uniform(-1, 1, s.size)
    fit = I.fit_linear_profile(s, x)
    slope, icpt = np.polyfit(s, x, 1)
    assert abs(float(fit.a) - (1 + slope)) < 1e-12 and abs(float(fit.c) - icpt) < 1e-12
    assert abs(float(fit.a) - 0.4) < 0.01 and abs(float(fit.c) - 0.9) < 0.01
    # jit and vmap over many synthetic score vectors.
    X = jnp.asarray(np.stack([x, x[::-1]]))
    out = jax.jit(jax.vmap(lambda xx: I.fit_linear_profile(jnp.asarray(s), xx)))(X)
    assert out.a.shape == (2,) and abs(float(out.a[0]) - float(fit.a)) < 1e-12


def test_fit_validation():
    with pytest.raises(ValueError, match="scores has shape"):
        I.fit_linear_profile(np.array([0.1, 0.2]), np.array([0.5]))
    with pytest.raises(ValueError, match="not identified"):
        I.fit_linear_profile(np.array([0.3, 0.3]), np.array([0.5, 0.6]))
    with pytest.raises(ValueError, match="scores"):
        I.fit_linear_profile(np.array([0.1, 0.2]), np.array([0.5, 1.5]))


@pytest.mark.slow
def test_posterior_recovers_truth():
    d = I.synthetic_bbl()
    post = I.posterior_linear_profile(d["s"], d["scores"]["llm"], key=jax.random.key(0), num_warmup=150, num_samples=150)
    assert abs(float(np.mean(post["a"])) - 0.25) < 0.1 and abs(float(np.mean(post["c"])) - 0.95) < 0.05
    assert np.all(np.asarray(post["a"] + post["c"]) >= 1 - 1e-12)
    both = I.posterior_linear_profile(d["s"], np.stack([d["scores"]["human"], d["scores"]["llm"]]), key=jax.random.key(1),
                                      num_warmup=150, num_samples=150)
    assert both["a"].shape == (150, 2)
    assert abs(float(np.mean(both["a"][:, 0])) - 0.55) < 0.1 and abs(float(np.mean(both["a"][:, 1])) - 0.25) < 0.1


def test_programmer_job_structure_and_splits():
    info = I.programmer_job()
    job = info.job
    assert (job.n, job.m) == (18, 17) and info.synthetic
    A = np.asarray(job.A)
    assert np.all(A.sum(axis=0) >= 1)  # every skill used
    assert A[0, [0, 1, 2, 12, 10, 16]].sum() == 6 and A[0].sum() == 6  # T1 = {1,2,3,13,11,17}
    lam, lv = info["lam"], info["levels"] / 7
    np.testing.assert_allclose(np.asarray(job.s), np.stack([lam * lv, (1 - lam) * lv]), atol=1e-15)
    lit = I.programmer_job(split="seed-literal").job
    np.testing.assert_allclose(np.asarray(lit.s)[1], 1 - (1 - lam) * lv, atol=1e-15)
    lh = I.programmer_job(split="lambda-h").job
    assert lh.h == "lambda"
    np.testing.assert_allclose(np.asarray(lh.lam), lam)
    # Skill weights from the graph: w_j = (1/m) sum_i A_ij / |T_i|, computed here by loops.
    w = np.zeros(18)
    for row in A:
        w += row / row.sum() / 17
    np.testing.assert_allclose(np.asarray(I.skill_weights(job)), w, atol=1e-15)
    with pytest.raises(ValueError, match="split"):
        I.programmer_job(split="half")


def test_loaders_roundtrip(tmp_path):
    skills = tmp_path / "skills.csv"
    skills.write_text("skill,level,importance,lambda\nA,3.5,4,0.5\nB,7,2,0.2\nC,1.4,3.5,0.9\n")
    graph = tmp_path / "graph.csv"
    graph.write_text("task,skill\nt1,A\nt1,C\nt2,C\nt2,B\n")
    info = I.load_job_csv(skills, graph, min_importance=3)
    job = info.job
    assert info["skills"] == ["A", "C"] and (job.m, job.n) == (2, 2)
    np.testing.assert_allclose(np.asarray(job.s)[0], [0.5 * 0.5, 0.9 * 0.2])
    graph.write_text("task,skill\nt1,A\nt2,B\n")
    with pytest.raises(ValueError, match="task 1 is empty"):
        I.load_job_csv(skills, graph, min_importance=3)
    onet = tmp_path / "Skills.txt"
    onet.write_text("O*NET-SOC Code\tElement Name\tScale ID\tData Value\n15-1251.00\tProgramming\tIM\t4.5\n"
                    "15-1251.00\tProgramming\tLV\t5.1\n11-1011.00\tProgramming\tLV\t2.0\n")
    assert I.load_onet_skills(onet) == {"Programming": {"IM": 4.5, "LV": 5.1}}
    with pytest.raises(ValueError, match="no IM/LV rows"):
        I.load_onet_skills(onet, soc="99-9999.00")
    bbl = tmp_path / "bbl.csv"
    bbl.write_text("task,worker,score\nt1,human_best,0.9\nt1,palm,0.5\nt2,human_best,0.6\nt2,palm,0.2\n")
    d = I.load_bbl_csv(bbl)
    np.testing.assert_allclose(d["s"], [0.1, 0.4])
    np.testing.assert_allclose(d["scores"]["palm"], [0.5, 0.2])
