"""Collab-CXR calibration pipeline (spec §5; ERRATA 5, 9) on the synthetic clinician and simulations."""

import gzip

import jax
import numpy as np
import pandas as pd
import pytest

from hai_sim.delegation import calibration as C


@pytest.fixture(scope="module")
def synthetic():
    return C.calibrate_clinician(C.synthetic_clinician(), T_v=120.0, T_w=150.0)


def test_synthetic_clinician_regression_targets(synthetic):
    r = synthetic
    expected = dict(n_cases=38, p_w=0.6053, p_a=0.3947, p_wa=0.5526, D_star=0.4310, kappa_star=46.52,
                    v_star=0.3877, theta=0.400, beta=1.4545, B_w=145.0, s_w=544.5, G=-24.63, theta_0=0.2358,
                    M=-8.66, beta_1=1.7348, Q=69.63, Q0=69.63, tau=79.63, lever_beta=2.0384,
                    lever_beta_v_star=0.442, lever_theta=0.5333, lever_p_a=0.4990, lever_p_a_v_star=0.258)
    for k, v in expected.items():
        digits = len(str(v).split(".")[1]) if "." in str(v) else 0
        assert r[k] == pytest.approx(v, abs=0.6 * 10.0**-digits), k
    assert r["regime"] == 0 and r["regime_name"] == "manual"  # the paper's qualitative finding


def test_identification_by_hand(synthetic):
    # eqs (5)-(6) at d = 1 and the FOC, evaluated here independently
    p_w, p_a, p_wa = 23 / 38, 15 / 38, 21 / 38
    D = (p_wa - p_a) / ((1 - p_a) * p_w)
    kappa = 110 - 40 - (1 - p_a) * D * 90
    v = kappa / 120
    beta = -np.log(1 - D) / v
    s_w = (120 * np.exp(beta * v) / ((1 - p_a) * beta) + 90) / p_w
    assert synthetic["beta"] == pytest.approx(beta, rel=1e-12)
    assert synthetic["s_w"] == pytest.approx(s_w, rel=1e-12)
    # the identified worker's own FOC holds at v*: (1 - p_a)(s_w p_w - c_w) beta exp(-beta v*) = T_v
    assert (1 - p_a) * (s_w * p_w - 90) * beta * np.exp(-beta * v) == pytest.approx(120.0, rel=1e-12)


def test_tie_rule_is_relative_at_clinician_scale(synthetic):
    # ERRATA 5: utilities are ~500 here. A clinician placed exactly on beta_1 delegates.
    from hai_sim import delegation as D

    p = synthetic["params"]
    b1 = synthetic["beta_1"]
    assert int(D.worker_action(p, b1, 0.4)["regime"]) == 2
    assert int(D.worker_action(p, b1 * (1 - 1e-9), 0.4)["regime"]) == 0


def test_cleaning_drops_false_corrections_and_outliers():
    df = C.synthetic_clinician()
    df.loc[0, "with_ai_success"] = 0  # AI right, clinician-with-AI wrong
    df.loc[1, "alone_time"] = 1000.0
    out = C.clean_cases(df)
    assert 0 not in out.index.tolist() or out["case_id"].iloc[0] != "synthetic-00"
    assert "synthetic-00" not in set(out["case_id"]) and "synthetic-01" not in set(out["case_id"])


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d.drop(columns=["ai_success"]), "missing column"),
        (lambda d: d.assign(alone_time=d["alone_time"].astype(object).where(d.index != 5, "slow")), "row 5"),
        (lambda d: d.assign(with_ai_success=d["with_ai_success"].where(d.index != 3, 2)), "row 3"),
        (lambda d: d.assign(alone_time=d["alone_time"].where(d.index != 7, -1.0)), "row 7"),
    ],
)
def test_malformed_case_table(mutate, words):
    with pytest.raises(ValueError, match=words):
        C.calibrate_clinician(mutate(C.synthetic_clinician()))


def test_data_outside_the_model():
    df = C.synthetic_clinician()
    df["with_ai_success"] = df["ai_success"]  # no help from verification: p_wa = p_a
    with pytest.raises(ValueError, match="p_wa"):
        C.calibrate_clinician(df)
    with pytest.raises(ValueError, match="t_0"):
        C.calibrate_clinician(C.synthetic_clinician(), t_0=109.0, T_v=120.0, T_w=150.0)


def test_simulated_clinician_estimates_converge():
    df = C.simulate_clinician(jax.random.key(3), 200_000)
    r = C.calibrate_clinician(df, T_v=120.0, T_w=150.0, clean=False)
    assert r["p_w"] == pytest.approx(23 / 38, abs=4e-3)
    assert r["p_a"] == pytest.approx(15 / 38, abs=4e-3)
    assert r["c_w"] == pytest.approx(90.0, rel=2e-3)
    assert r["D_star"] == pytest.approx(0.4310, abs=0.015)
    assert r["theta"] == pytest.approx(0.4, abs=3e-3)
    assert r["beta"] == pytest.approx(1.4545, rel=0.06)


def _write_reads(path, with_bad=False):
    rows = []
    for case in range(6):
        for pathology in ("a", "b"):
            truth = int((case + (pathology == "b")) % 2)
            ai = 90.0 if truth else 10.0
            if case >= 4:
                ai = 100.0 - ai  # AI wrong on cases 4, 5
            for with_ai in (0, 1):
                right = case != 5 or with_ai == 1  # clinician alone wrong on case 5, fixed with AI
                prob = (80.0 if truth else 20.0) if right else (20.0 if truth else 80.0)
                rows.append(dict(uid_clean=len(rows), patient_id=f"p{case}", pathology=pathology, probability=prob,
                                 with_ai=with_ai, with_ch=0, gt_binary_simple_all=truth, experiment_id="vn_exp_1",
                                 design=2, treatment="x", level=1, active_time=60.0 + 10 * with_ai + case,
                                 ai_probability=ai))
    df = pd.DataFrame(rows)
    if with_bad:
        df["active_time"] = df["active_time"].astype(object)
        df.loc[7, "active_time"] = "n/a"
    with gzip.open(path, "wt") as f:
        df.to_csv(f, sep="\t", index=False)


def test_collab_cxr_loader(tmp_path):
    path = tmp_path / "data_public.txt.gz"
    _write_reads(path)
    cases = C.load_collab_cxr(path, "vn_exp_1")
    assert len(cases) == 6
    assert cases["ai_success"].tolist() == [1, 1, 1, 1, 0, 0]
    assert cases["alone_success"].tolist() == [1, 1, 1, 1, 1, 0]
    assert cases["with_ai_success"].tolist() == [1] * 6
    assert cases["with_ai_time"].iloc[2] == 72.0
    with pytest.raises(ValueError, match="no X-ray"):
        C.load_collab_cxr(path, "someone_else")
    bad = tmp_path / "bad.txt.gz"
    _write_reads(bad, with_bad=True)
    with pytest.raises(ValueError, match="row 7.*active_time"):
        C.load_collab_cxr(bad, "vn_exp_1")
    missing = tmp_path / "missing.csv"
    pd.DataFrame({"patient_id": [1]}).to_csv(missing, index=False)
    with pytest.raises(ValueError, match="missing column"):
        C.load_collab_cxr(missing, "vn_exp_1")


@pytest.mark.slow  # ~25 s: numpyro initialises NUTS op by op
def test_posterior_over_beta_theta():
    post = C.clinician_posterior(C.synthetic_clinician(), jax.random.key(0), num_warmup=150, num_samples=200)
    probs = post["regime_probability"].mean
    assert sum(probs) == pytest.approx(1.0)
    assert probs[0] > probs[1]  # manual is the most likely regime (point estimate: manual)
    assert post.beta.se > 0 and post.beta.mean == pytest.approx(post.samples["beta"][post.samples["regime"] >= 0].mean())
    lo, hi = post["theta_ci"]
    assert lo < 0.4 < hi
    lo, hi = post["beta_ci"]
    assert lo < 1.4545 < hi


def _write_published(tmp_path, *, treatment_sep="_", extra_token=None):
    """The data-descriptor layout: one row per read, environment in ``treatment`` tokens, the AI's
    predictions and the expert labels in separate tables (same cases as :func:`_write_reads`)."""
    reads, ai_rows, truth_rows = [], [], []
    for case in range(6):
        for pathology in ("a", "b"):
            truth = int((case + (pathology == "b")) % 2)
            ai = 0.9 if truth else 0.1
            if case >= 4:
                ai = 1.0 - ai
            ai_rows.append(dict(patient_id=f"p{case}", pathology=pathology, ai_probability=ai))
            truth_rows.append(dict(patient_id=f"p{case}", pathology=pathology, gt_binary_simple_all=truth))
            for with_ai in (0, 1):
                right = case != 5 or with_ai == 1
                prob = (0.8 if truth else 0.2) if right else (0.2 if truth else 0.8)
                env = treatment_sep.join(["AI" if with_ai else "NAI", "NIN"])
                reads.append(dict(uid_clean=len(reads), experiment_id="vn_exp_1", experiment_session=1 + with_ai,
                                  design=2, patient_id=f"p{case}", pathology=pathology, round=1, treat=with_ai,
                                  treatment=env, probability=prob, active_time=60.0 + 10 * with_ai + case,
                                  raw_time=90.0, num_clicks=3))
                # the same case with clinical history: another environment, not used by the model
                reads.append(dict(reads[-1], uid_clean=len(reads), treatment=treatment_sep.join(
                    ["AI" if with_ai else "NAI", "IN"]), probability=0.5, active_time=500.0))
    reads.append(dict(reads[0], uid_clean=len(reads), patient_id="practice", treatment="warmup"))
    if extra_token:
        reads[3] = dict(reads[3], treatment=extra_token)
    path = tmp_path / "reads.csv.gz"
    with gzip.open(path, "wt") as f:
        pd.DataFrame(reads).to_csv(f, sep=";", index=False)
    pd.DataFrame(ai_rows).to_csv(tmp_path / "ai.csv", index=False)
    return path, tmp_path / "ai.csv", pd.DataFrame(truth_rows)


@pytest.mark.parametrize("sep", ["_", "-", " + "])
def test_collab_cxr_published_layout_gives_the_same_case_table(tmp_path, sep):
    old = tmp_path / "data_public.txt.gz"
    _write_reads(old)
    want = C.load_collab_cxr(old, "vn_exp_1")
    reads, ai, truth = _write_published(tmp_path, treatment_sep=sep)
    got = C.load_collab_cxr(reads, "vn_exp_1", ai=ai, truth=truth)
    pd.testing.assert_frame_equal(got, want)
    assert "practice" not in set(got["case_id"])  # warmup dropped


def test_collab_cxr_published_layout_refusals(tmp_path):
    reads, ai, truth = _write_published(tmp_path, extra_token="AI_XYZ")
    with pytest.raises(C.InputError, match="row 3.*unknown token 'XYZ'"):
        C.load_collab_cxr(reads, "vn_exp_1", ai=ai, truth=truth)
    reads, ai, truth = _write_published(tmp_path)
    with pytest.raises(C.InputError, match="ai_probability.*ai="):
        C.load_collab_cxr(reads, "vn_exp_1", truth=truth)
    with pytest.raises(C.InputError, match="gt_binary_simple_all.*truth="):
        C.load_collab_cxr(reads, "vn_exp_1", ai=ai)
    with pytest.raises(C.InputError, match="missing column"):
        C.load_collab_cxr(reads, "vn_exp_1", ai=truth, truth=truth)
