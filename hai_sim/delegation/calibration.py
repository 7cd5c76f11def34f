"""Collab-CXR calibration of one clinician (paper Section 4, Appendix A; spec §5, ERRATA 9).

Pipeline [P, with the [R] details of spec §7.16]: case successes -> cleaning (alone time within
one SD of the clinician's mean; drop "false corrections", AI right but clinician-with-AI wrong)
-> p_w, p_a, p_wa, mean times -> D(v*) and kappa(v*) from eqs (5)-(6) at d = 1 -> normalised
v*, theta (kappa = T_v v, c_w = T_w (1 - theta)) -> beta from D = 1 - exp(-beta v) -> s_w from
the first-order condition -> regime, quality and the minimal levers for Q >= tau.

The raw data are not shipped. :func:`synthetic_clinician` is the labelled offline default (spec
§5.2 [R]); :func:`load_collab_cxr` reads the public file format (OSF z7apq ``data_public.txt.gz``)
when the user supplies it. A case table is a ``pandas.DataFrame`` (or dict of equal-length
columns) with the columns of :data:`CASE_COLUMNS`.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from hai_sim.engine import Estimate, InputError, jit_core, named_result
from hai_sim.engine.validate import check_range

from . import _math as m
from . import solve, theory
from .params import DelegationParams, make_params

CASE_COLUMNS = {
    "case_id": "any",
    "alone_success": "binary",
    "ai_success": "binary",
    "with_ai_success": "binary",
    "alone_time": "time",
    "with_ai_time": "time",
}
READ_COLUMNS = ("patient_id", "pathology", "probability", "experiment_id", "active_time")
# The published reads table (data descriptor, Scientific Data 2025, Table 1) codes the information
# environment as tokens of ``treatment``: AI / NAI (AI predictions shown or not), IN / NIN (clinical
# history shown or not); ``warmup`` marks the practice image.
TREATMENT_TOKENS = {"AI": ("with_ai", 1), "NAI": ("with_ai", 0), "IN": ("with_ch", 1), "NIN": ("with_ch", 0)}

# Spec §5.2 [R]: the synthetic clinician's inputs and its institution.
SYNTHETIC = dict(n=38, alone=23, ai=15, with_ai=21, c_w=90.0, t_wa=110.0, t_0=40.0, T_v=120.0, T_w=150.0)


def _as_frame(cases):
    import pandas as pd

    if isinstance(cases, pd.DataFrame):
        return cases.reset_index(drop=True)
    if isinstance(cases, dict):
        lengths = {k: len(v) for k, v in cases.items()}
        if len(set(lengths.values())) > 1:
            raise InputError(f"case table columns have different lengths: {lengths}")
        return pd.DataFrame(cases)
    raise InputError(f"case table of type {type(cases).__name__}: expected a pandas DataFrame or a dict of columns")


def validate_cases(cases):
    """Check a case table; returns it as a DataFrame. InputError names the column and the row."""
    df = _as_frame(cases)
    missing = [c for c in CASE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"case table is missing column(s) {missing}; required: {list(CASE_COLUMNS)}")
    if len(df) == 0:
        raise InputError("case table has no rows")
    for col, kind in CASE_COLUMNS.items():
        if kind == "any":
            continue
        vals = df[col].to_numpy()
        num = np.array([_to_float(x) for x in vals])
        bad = np.isnan(num)
        if kind == "binary":
            bad |= ~np.isin(num, (0.0, 1.0))
            rule = "0/1 (or True/False)"
        else:
            bad |= ~(num >= 0) | ~np.isfinite(num)
            rule = "a finite number of seconds >= 0"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"case table row {i}: column {col!r} has value {vals[i]!r}; expected {rule}")
    return df


def _to_float(x) -> float:
    if isinstance(x, (bool, np.bool_)):
        return float(x)
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    return float("nan")


def synthetic_clinician() -> "Any":
    """The deterministic synthetic clinician of spec §5.2 [R] (38 cleaned cases), as a case table.

    Successes alone / AI / with AI = 23 / 15 / 21 with no false corrections; alone times alternate
    80 / 100 s (mean 90, all within one SD), with-AI times 100 / 120 s (mean 110).
    """
    import pandas as pd

    n = SYNTHETIC["n"]
    idx = np.arange(n)
    return pd.DataFrame({
        "case_id": [f"synthetic-{i:02d}" for i in idx],
        "alone_success": (idx < SYNTHETIC["alone"]).astype(int),
        "ai_success": (idx < SYNTHETIC["ai"]).astype(int),
        "with_ai_success": (idx < SYNTHETIC["with_ai"]).astype(int),
        "alone_time": np.where(idx % 2 == 0, 80.0, 100.0),
        "with_ai_time": np.where(idx % 2 == 0, 100.0, 120.0),
    })


def simulate_clinician(key, n_cases: int, *, p_w=23 / 38, p_a=15 / 38, detection=None, c_w=90.0, t_wa=110.0,
                       time_sd=0.1):
    """A stochastic clinician drawn from the model itself [R] (for convergence tests).

    Alone successes ~ Bernoulli(p_w); the AI is right w.p. p_a; with AI the case succeeds if the AI
    is right, or it is wrong, the error is detected (prob ``detection``, default the synthetic
    clinician's D(v*) = 0.4310) and the redo succeeds (p_w). Times are log-normal with means
    c_w / t_wa and log-sd ``time_sd``.
    """
    import pandas as pd

    check_range("n_cases", n_cases, 1)
    if detection is None:
        detection = (SYNTHETIC["with_ai"] - SYNTHETIC["ai"]) / ((SYNTHETIC["n"] - SYNTHETIC["ai"]) * SYNTHETIC["alone"] / SYNTHETIC["n"])
    k = jax.random.split(key, 6)
    u = [np.asarray(jax.random.uniform(ki, (n_cases,))) for ki in k[:4]]
    alone = u[0] < p_w
    ai = u[1] < p_a
    with_ai = ai | ((u[2] < detection) & (u[3] < p_w))
    z = np.asarray(jax.random.normal(k[4], (2, n_cases)))
    mu = np.log(np.array([c_w, t_wa]))[:, None] - 0.5 * time_sd**2
    times = np.exp(mu + time_sd * z)
    return pd.DataFrame({"case_id": np.arange(n_cases), "alone_success": alone.astype(int),
                         "ai_success": ai.astype(int), "with_ai_success": with_ai.astype(int),
                         "alone_time": times[0], "with_ai_time": times[1]})


def clean_cases(cases):
    """Cleaning step [R band]: keep alone time within one sample SD of the mean; drop false corrections."""
    df = validate_cases(cases)
    t = df["alone_time"].to_numpy(float)
    sd = t.std(ddof=1) if len(t) > 1 else 0.0
    in_band = np.abs(t - t.mean()) <= sd * (1 + 1e-12)
    false_correction = (df["ai_success"].to_numpy() == 1) & (df["with_ai_success"].to_numpy() == 0)
    return df[in_band & ~false_correction].reset_index(drop=True)


@named_result
class Identification(NamedTuple):
    """What spec §5.1 steps 4-8 identify (arrays of the inputs' shape): detection ``D_star`` =
    D(v*), ``kappa_star`` = kappa(v*) [s], ``v_star``, ``theta``, ``beta``, ``s_w`` (worker stakes),
    ``B_w``, ``G`` (eq 7) and ``M`` = max_v Delta_w."""

    D_star: Any
    kappa_star: Any
    v_star: Any
    theta: Any
    beta: Any
    s_w: Any
    B_w: Any
    G: Any
    M: Any


def _identify(p_w, p_a, p_wa, c_w, t_wa, *, t_0, T_v, T_w, c_a=0.0) -> Identification:
    """The identification equations of spec §5.1 steps 4-8 (jnp; vmap-able over posterior draws).

    No checks (the inputs are success rates and mean times already checked by the callers);
    returns :class:`Identification`.
    """
    D_star = (p_wa - p_a) / ((1.0 - p_a) * p_w)
    kappa_star = t_wa - t_0 - c_a - (1.0 - p_a) * D_star * c_w
    v_star = kappa_star / T_v
    theta = 1.0 - c_w / T_w
    beta = -jnp.log1p(-D_star) / v_star
    s_w = (T_v * jnp.exp(beta * v_star) / ((1.0 - p_a) * beta) + c_w) / p_w
    B_w = (1.0 - p_a) * (s_w * p_w - c_w)
    G = s_w * (p_a - p_w) + c_w - c_a
    M = G + B_w * D_star - kappa_star
    return Identification(D_star=D_star, kappa_star=kappa_star, v_star=v_star, theta=theta, beta=beta, s_w=s_w,
                          B_w=B_w, G=G, M=M)


def clinician_params(s_w, p_w, p_a, T_v, T_w, *, c_a=0.0, tau=None):
    """Model parameters of a calibrated clinician [R institution: b_w = l_w = s_w/2, b_I = 2 b_w,
    l_I = 2 l_w, rho = 0.5]; exponential D, linear kappa = T_v v, c_w = T_w (1 - theta)."""
    return make_params(b_w=s_w / 2, l_w=s_w / 2, b_I=s_w, l_I=s_w, rho=0.5, p_w=p_w, p_a=p_a, c_a=c_a, K=T_w,
                       c_v=T_v, V=float("inf"), tau=0.0 if tau is None else tau, detection="exponential")


# brentq's tolerance on a lever value (beta, theta or p_a): far below the 1e-4 the spec prints.
LEVER_XTOL = 1e-13


def _first_crossing(f, lo, hi, n=4001):
    """Smallest x in [lo, hi] with f(x) >= 0: a grid scan finds the first sign change, brentq
    refines it between the grid neighbours (Q may jump there, when the regime switches)."""
    xs = np.linspace(lo, hi, n)
    vals = np.asarray(f(jnp.asarray(xs)))
    ok = np.flatnonzero(vals >= 0)
    if ok.size == 0:
        return float("nan")
    if ok[0] == 0:
        return float(xs[0])

    def g(x):
        # a strict sign on both sides: brentq then converges to the first x with f(x) >= 0
        return 1.0 if float(np.asarray(f(jnp.asarray([x])))[0]) >= 0 else -1.0

    x = float(brentq(g, xs[ok[0] - 1], xs[ok[0]], xtol=LEVER_XTOL))
    return x if g(x) > 0 else x + LEVER_XTOL


@named_result
class Calibration(NamedTuple):
    """One calibrated clinician (Python floats unless stated).

    Data: ``n_cases`` (int), ``p_w``, ``p_a``, ``p_wa`` success rates, ``c_w``, ``t_wa`` mean
    times [s]; identified (:class:`Identification`): ``D_star``, ``kappa_star``, ``v_star``,
    ``theta``, ``beta``, ``s_w``, ``B_w``, ``G``, ``M``; model: ``theta_0``, ``beta_1`` (at the
    clinician's theta), ``regime`` (int: 0 manual, 1 pure, 2 verified), ``regime_name`` (str),
    ``Q``, ``Q0``, ``tau``; levers (the value each must reach alone for Q >= tau, NaN if none):
    ``lever_beta``, ``lever_beta_v_star``, ``lever_theta``, ``lever_p_a``, ``lever_p_a_v_star``;
    and ``params`` (:class:`DelegationParams`).
    """

    n_cases: int
    p_w: float
    p_a: float
    p_wa: float
    c_w: float
    t_wa: float
    D_star: float
    kappa_star: float
    v_star: float
    theta: float
    beta: float
    s_w: float
    B_w: float
    G: float
    M: float
    theta_0: float
    beta_1: float
    regime: int
    regime_name: str
    Q: float
    Q0: float
    tau: float
    lever_beta: float
    lever_beta_v_star: float
    lever_theta: float
    lever_p_a: float
    lever_p_a_v_star: float
    params: DelegationParams


def _lever_gap(p, x, beta, theta, tau, lever):
    """Q - tau with one lever set to each value of ``x`` (the other abilities fixed)."""
    it, method = solve.BISECTION_ITERS, solve._resolve_method(p, "auto")
    if lever == "beta":
        return solve._quality(p, x, theta, tau, method, it).Q - tau
    if lever == "theta":
        return solve._quality(p, beta, x, tau, method, it).Q - tau
    return jax.vmap(lambda pa: solve._quality(p.replace(p_a=pa), beta, theta, tau, method, it).Q)(x) - tau


_lever_gap_core = jit_core(_lever_gap, static_argnames=("lever",))


def calibrate_clinician(cases, *, t_0: float = 40.0, T_v: float | None = None, T_w: float | None = None,
                        c_a: float = 0.0, tau_offset: float = 10.0, clean: bool = True) -> Calibration:
    """Calibrate the model to one clinician's cases (paper Section 4; spec §5.1) [P pipeline, R details].

    Args:
        cases: case table (see :data:`CASE_COLUMNS`; one row per case).
        t_0: fixed interface/entry time subtracted from the with-AI time (s) [R].
        T_v, T_w: normalising verification / execution times (s); default: the largest observed
            with-AI time minus t_0, and the largest observed alone time.
        c_a: AI execution cost (0 in the paper). tau_offset: tau = Q0 + offset [R].
        clean: apply the cleaning step (:func:`clean_cases`).
    Returns:
        :class:`Calibration`.
    Raises:
        InputError for a malformed table (column and row named) or data outside the model
        (p_wa <= p_a, D* >= 1, kappa* <= 0).
    """
    df = clean_cases(cases) if clean else validate_cases(cases)
    check_range("t_0", t_0, 0.0)
    n = len(df)
    if n < 2:
        raise InputError(f"case table has {n} usable case(s) after cleaning; need at least 2")
    p_w = float(df["alone_success"].mean())
    p_a = float(df["ai_success"].mean())
    p_wa = float(df["with_ai_success"].mean())
    c_w = float(df["alone_time"].mean())
    t_wa = float(df["with_ai_time"].mean())
    T_v = float(df["with_ai_time"].max() - t_0) if T_v is None else float(T_v)
    T_w = float(df["alone_time"].max()) if T_w is None else float(T_w)
    check_range("T_v", T_v, 0.0, lo_open=True)
    check_range("T_w", T_w, 0.0, lo_open=True)
    if not (0 < p_w and p_a < 1 and p_wa > p_a):
        raise InputError(f"cases give p_w={p_w:.4f}, p_a={p_a:.4f}, p_wa={p_wa:.4f}: the model needs p_w > 0, "
                         "p_a < 1 and p_wa > p_a (AI help must come from detected errors)")
    ident = Identification(*(float(v) for v in _identify(p_w, p_a, p_wa, c_w, t_wa, t_0=t_0, T_v=T_v, T_w=T_w,
                                                         c_a=c_a)))
    if not (0 < ident.D_star < 1):
        raise InputError(f"D(v*) = {ident.D_star:.4f} is outside (0, 1): p_wa too high for p_w and p_a")
    if not ident.kappa_star > 0:
        raise InputError(f"kappa(v*) = {ident.kappa_star:.3f} s <= 0: t_0 = {t_0} s is too large for "
                         f"the with-AI time {t_wa:.1f} s")
    theta, beta = ident.theta, ident.beta
    p0 = clinician_params(ident.s_w, p_w, p_a, T_v, T_w, c_a=c_a)
    Q0 = float(m.coeffs(p0, beta, theta).Q0)
    tau = Q0 + tau_offset
    p = p0.replace(tau=tau)
    q = solve.quality(p, beta, theta)
    s = theory.separatrices(p, jnp.array([theta]))

    def crossing(lever, lo, hi):
        return _first_crossing(lambda x: _lever_gap_core(p, x, beta, theta, tau, lever=lever), lo, hi)

    lever_beta = crossing("beta", beta, max(20 * beta, 10.0))
    lever_theta = crossing("theta", theta, 1.0)
    lever_pa = crossing("p_a", p_a, 1.0)
    v_beta = float(solve.vstar(p, lever_beta + 1e-12, theta)) if math.isfinite(lever_beta) else float("nan")
    v_pa = (float(solve.vstar(p.replace(p_a=min(lever_pa + 1e-12, 1.0)), beta, theta)) if math.isfinite(lever_pa)
            else float("nan"))
    regime = int(q.regime)
    return Calibration(
        n_cases=n, p_w=p_w, p_a=p_a, p_wa=p_wa, c_w=c_w, t_wa=t_wa, **ident._asdict(),
        theta_0=float(theory.theta_zero(p)), beta_1=float(s.beta_1[0]), regime=regime,
        regime_name=solve.REGIMES[regime], Q=float(q.Q), Q0=Q0, tau=tau, lever_beta=lever_beta,
        lever_beta_v_star=v_beta, lever_theta=lever_theta, lever_p_a=lever_pa, lever_p_a_v_star=v_pa, params=p,
    )


# ---------------------------------------------------------------- Collab-CXR file format (ERRATA 9)


def _read_table(source, what: str):
    """A DataFrame from a DataFrame or a delimited text file (gzip allowed; separator sniffed from the header)."""
    import gzip

    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source.copy()
    opener = gzip.open if str(source).endswith(".gz") else open
    try:
        with opener(source, "rt") as f:
            header = f.readline()
    except OSError as e:
        raise InputError(f"{what}={str(source)!r}: cannot read it ({e.strerror or e})") from None
    sep = max(("\t", ",", ";", "|"), key=header.count)
    return pd.read_csv(source, sep=sep)


def _environment_from_treatment(df, path):
    """with_ai / with_ch columns from the ``treatment`` tokens (any separator); warmup rows dropped."""
    import re

    treatment = df["treatment"].astype(str)
    keep = ~treatment.str.strip().str.lower().eq("warmup")
    df, treatment = df[keep], treatment[keep]
    codes = {"with_ai": [], "with_ch": []}
    for row, text in zip(df.index, treatment):
        found = {}
        for token in (t for t in re.split(r"[^A-Za-z]+", text) if t):
            if token.upper() not in TREATMENT_TOKENS:
                raise InputError(f"{path}: row {row}: treatment={text!r} has the unknown token {token!r}; "
                                 f"expected AI or NAI, IN or NIN (or 'warmup')")
            column, value = TREATMENT_TOKENS[token.upper()]
            found[column] = value
        if set(found) != set(codes):
            raise InputError(f"{path}: row {row}: treatment={text!r} must name both environments "
                             "(AI or NAI, and IN or NIN)")
        for column, value in found.items():
            codes[column].append(value)
    return df.assign(**codes)


def _join_case_table(df, table, column: str, what: str, path):
    """Bring ``column`` into the reads from a table keyed by (patient_id, pathology)."""
    if column in df.columns:
        return df
    if table is None:
        raise InputError(f"{path}: the reads have no column {column!r}; pass {what}= (a path or DataFrame with "
                         f"patient_id, pathology and {column!r}), as in the published layout")
    t = _read_table(table, what)
    missing = [c for c in ("patient_id", "pathology", column) if c not in t.columns]
    if missing:
        raise InputError(f"{what}: missing column(s) {missing}; it needs patient_id, pathology and {column!r}")
    t = t[["patient_id", "pathology", column]].drop_duplicates(["patient_id", "pathology"])
    for key in ("patient_id", "pathology"):
        df = df.assign(**{key: df[key].astype(str)})
        t = t.assign(**{key: t[key].astype(str)})
    return df.merge(t, on=["patient_id", "pathology"], how="left")


def load_collab_cxr(path, clinician: str, *, ai=None, truth=None, ai_column: str = "ai_probability",
                    truth_column: str = "gt_binary_simple_all", design: int | None = 2,
                    threshold: float | None = None):
    """Read Collab-CXR reads and build one clinician's case table [R rules].

    Two layouts are read (any separator, gzip allowed; ``path`` may also be a DataFrame):

    * the OSF z7apq ``data_public.txt.gz`` layout: one row per (radiologist, case, pathology,
      environment) with :data:`READ_COLUMNS`, ``with_ai``, ``with_ch``, the AI probability
      (``ai_column``) and the expert label (``truth_column``);
    * the published data-descriptor layout (one row per read): the environment comes from the
      ``treatment`` tokens (AI / NAI, IN / NIN, whatever the separator; ``warmup`` rows are
      dropped, an unknown token is refused), and the AI's predictions and the expert reference
      come as separate tables ``ai`` and ``truth`` (paths or DataFrames keyed by
      (patient_id, pathology)), joined when the reads lack those columns.

    Environment "X-ray only" is ``with_ai == 0, with_ch == 0``; "X-ray + AI" is ``with_ai == 1,
    with_ch == 0``. A read is positive when ``probability`` >= threshold (default 50 on a 0-100
    scale, 0.5 on a 0-1 scale; spec §7.16 [R]); a case succeeds iff every pathology matches the
    expert label. The AI's own call uses the same threshold. Case time = the read's
    ``active_time`` summed over its pathology rows' unique values.

    Returns:
        the case table of :data:`CASE_COLUMNS` (a DataFrame, one row per case).
    Raises:
        InputError naming a missing column, the first row with a malformed value, an unknown
        treatment token, or a clinician with no usable cases.
    """
    import pandas as pd

    df = _read_table(path, "path")
    missing = [c for c in READ_COLUMNS if c not in df.columns]
    if not {"with_ai", "with_ch"} <= set(df.columns) and "treatment" not in df.columns:
        missing += ["with_ai and with_ch (or treatment)"]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; the Collab-CXR reads need {list(READ_COLUMNS)} "
                         "and the environment (with_ai/with_ch or treatment)")
    if not {"with_ai", "with_ch"} <= set(df.columns):
        df = _environment_from_treatment(df, path)
    df = _join_case_table(df, ai, ai_column, "ai", path)
    df = _join_case_table(df, truth, truth_column, "truth", path)
    for col in ("probability", ai_column, "with_ai", "with_ch", truth_column, "active_time"):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{path}: row {i} (data row {i + 2} of the file): column {col!r} has value "
                             f"{df[col].iloc[i]!r}; expected a number")
        df[col] = num
    if design is not None and "design" in df.columns:
        df = df[pd.to_numeric(df["design"], errors="coerce") == design]
    df = df[(df["experiment_id"].astype(str) == str(clinician)) & (df["with_ch"] == 0)]
    if df.empty:
        raise InputError(f"{path}: no X-ray-only / X-ray+AI reads for clinician {clinician!r}")
    if threshold is None:
        threshold = 50.0 if df["probability"].max() > 1.0 else 0.5
    df = df.assign(call=(df["probability"] >= threshold).astype(int),
                   ai_call=(df[ai_column] >= threshold).astype(int),
                   truth=df[truth_column].astype(int))
    rows = []
    for case, g in df.groupby("patient_id"):
        alone, with_ai = g[g["with_ai"] == 0], g[g["with_ai"] == 1]
        if alone.empty or with_ai.empty:
            continue
        ref = g.drop_duplicates("pathology").set_index("pathology")["truth"]
        ai_calls = g.drop_duplicates("pathology").set_index("pathology")["ai_call"]
        rows.append({
            "case_id": case,
            "alone_success": int((alone.set_index("pathology")["call"].reindex(ref.index) == ref).all()),
            "ai_success": int((ai_calls.reindex(ref.index) == ref).all()),
            "with_ai_success": int((with_ai.set_index("pathology")["call"].reindex(ref.index) == ref).all()),
            "alone_time": float(alone["active_time"].drop_duplicates().sum()),
            "with_ai_time": float(with_ai["active_time"].drop_duplicates().sum()),
        })
    if not rows:
        raise InputError(f"{path}: clinician {clinician!r} has no case read in both environments")
    return validate_cases(pd.DataFrame(rows))


# ---------------------------------------------------------------- posterior over (beta, theta) with numpyro


@named_result
class ClinicianPosterior(NamedTuple):
    """Posterior of one clinician's calibration (numpyro NUTS).

    ``samples``: dict of draws (data keyed by name: p_w, p_a, D_star, c_w, t_wa, beta, theta, s_w,
    regime; regime -1 where a draw is outside the model); ``regime_probability``:
    :class:`Estimate` of shape (3,) (manual, pure, verified) over the valid draws; ``beta``,
    ``theta``: :class:`Estimate` of the posterior means (se = Monte Carlo standard error, sd /
    sqrt(effective sample size)); ``beta_ci``, ``theta_ci``: 90 % intervals (2 floats each).
    """

    samples: dict
    regime_probability: Estimate
    beta: Estimate
    theta: Estimate
    beta_ci: tuple
    theta_ci: tuple


def _posterior_mean(x: np.ndarray) -> Estimate:
    """Posterior mean with its Monte Carlo standard error (one chain: sd / sqrt(ESS))."""
    from numpyro.diagnostics import effective_sample_size

    x = np.asarray(x, dtype=float)
    sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    ess = float(effective_sample_size(x[None, :])) if sd > 0 and x.size > 3 else float(x.size)
    if not math.isfinite(ess) or ess <= 0:
        ess = float(x.size)
    return Estimate(float(x.mean()), sd / math.sqrt(ess))


def clinician_posterior(cases, key, *, t_0: float = 40.0, T_v: float = 120.0, T_w: float = 150.0,
                        num_warmup: int = 500, num_samples: int = 1000, clean: bool = True) -> ClinicianPosterior:
    """Posterior over the clinician's (beta, theta) and regime probabilities (numpyro NUTS) [X].

    Model: alone / AI successes ~ Binomial(n, p_w) / Binomial(n, p_a); with-AI successes ~
    Binomial(n, p_a + (1 - p_a) D p_w) (eq 5 at d = 1); mean times ~ Normal(c_w, sd/sqrt(n)) and
    Normal(t_wa, sd/sqrt(n)); flat Beta(1, 1) priors on p_w, p_a, D and flat positive priors on
    the times. Each draw is pushed through :func:`_identify`, and the regime is the model's
    prediction at the identified parameters. Runs under the standard dtype promotion (numpyro).

    Returns:
        :class:`ClinicianPosterior`.
    """
    check_range("num_warmup", num_warmup, 1)
    check_range("num_samples", num_samples, 2)
    import numpyro
    import numpyro.distributions as dist
    from numpyro.infer import MCMC, NUTS

    df = clean_cases(cases) if clean else validate_cases(cases)
    n = len(df)
    k_w, k_a, k_wa = (int(df[c].sum()) for c in ("alone_success", "ai_success", "with_ai_success"))
    ta, tw = df["alone_time"].to_numpy(float), df["with_ai_time"].to_numpy(float)
    se_a = max(ta.std(ddof=1), 1e-3) / math.sqrt(n)
    se_w = max(tw.std(ddof=1), 1e-3) / math.sqrt(n)

    def model():
        p_w = numpyro.sample("p_w", dist.Beta(1.0, 1.0))
        p_a = numpyro.sample("p_a", dist.Beta(1.0, 1.0))
        D_star = numpyro.sample("D_star", dist.Beta(1.0, 1.0))
        c_w = numpyro.sample("c_w", dist.Uniform(0.0, 10.0 * T_w))
        t_wa = numpyro.sample("t_wa", dist.Uniform(t_0, t_0 + 10.0 * (T_v + T_w)))
        numpyro.sample("k_w", dist.Binomial(n, p_w), obs=k_w)
        numpyro.sample("k_a", dist.Binomial(n, p_a), obs=k_a)
        numpyro.sample("k_wa", dist.Binomial(n, p_a + (1 - p_a) * D_star * p_w), obs=k_wa)
        numpyro.sample("mean_alone", dist.Normal(c_w, se_a), obs=ta.mean())
        numpyro.sample("mean_with_ai", dist.Normal(t_wa, se_w), obs=tw.mean())

    mcmc = MCMC(NUTS(model), num_warmup=num_warmup, num_samples=num_samples, progress_bar=False)
    mcmc.run(key)
    post = mcmc.get_samples()
    p_w, p_a, D_star, c_w, t_wa = (post[k] for k in ("p_w", "p_a", "D_star", "c_w", "t_wa"))
    p_wa = p_a + (1 - p_a) * D_star * p_w
    ident = _identify(p_w, p_a, p_wa, c_w, t_wa, t_0=t_0, T_v=T_v, T_w=T_w)

    def regime_of(s_w, pw, pa, beta, theta):
        p = clinician_params(s_w, pw, pa, T_v, T_w)
        return solve._worker_action(p, beta, theta, "closed", solve.BISECTION_ITERS).regime

    valid = (ident.v_star > 0) & jnp.isfinite(ident.beta) & (ident.beta > 0)
    safe = lambda x, fill: jnp.where(valid, x, fill)  # noqa: E731
    regime = jax.vmap(regime_of)(safe(ident.s_w, 1.0), p_w, p_a, safe(ident.beta, 1.0), safe(ident.theta, 0.5))
    r = np.asarray(jnp.where(valid, regime, -1))
    ok = r >= 0
    beta, theta = np.asarray(ident.beta)[ok], np.asarray(ident.theta)[ok]
    probs = [_posterior_mean((r[ok] == k).astype(float)) for k in range(3)]
    return ClinicianPosterior(
        samples={"p_w": np.asarray(p_w), "p_a": np.asarray(p_a), "D_star": np.asarray(D_star),
                 "c_w": np.asarray(c_w), "t_wa": np.asarray(t_wa), "beta": np.asarray(ident.beta),
                 "theta": np.asarray(ident.theta), "s_w": np.asarray(ident.s_w), "regime": r},
        regime_probability=Estimate(np.array([e.mean for e in probs]), np.array([e.se for e in probs])),
        beta=_posterior_mean(beta), theta=_posterior_mean(theta),
        beta_ci=tuple(float(x) for x in np.quantile(beta, [0.05, 0.95])),
        theta_ci=tuple(float(x) for x in np.quantile(theta, [0.05, 0.95])),
    )
