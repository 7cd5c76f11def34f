"""Registered experiments: the reproduction targets of spec §4 and the phase diagrams of spec §6.

The default setting (n = m = 20, tau = 0.25, a_2 = 0.4, RandomState(42) difficulties, c = 1,
uniform noise, h = g = f = mean) is our reconstruction [R] (ERRATA 8). Every reference number in
the tables comes from :mod:`hai_sim.integration.references` (value, tag, source, tolerance and
its reason); none is computed here. Mismatches are shown, never hidden; the expected ones are
listed with their reasons in ``references.EXPECTED_MISMATCHES``. Importing this module computes
nothing.
"""

from __future__ import annotations

import functools

import numpy as np

from hai_sim.engine.experiment import Result, Row, experiment
from hai_sim.integration import references as ref

SIGMAS = (0.3, 0.1, 0.01)


def _setup():
    import jax
    import jax.numpy as jnp
    import xarray as xr

    from hai_sim import integration as I

    return jax, jnp, xr, I


def _fig(n, **kw):
    from hai_sim.plot import new_figure

    return new_figure(n, **kw)


def _note(fig, text):
    from hai_sim.plot import provenance_note

    provenance_note(fig, text)


@functools.cache
def _batched_p():
    """One jitted P over a batch of workers, shared by every experiment (compiled per job shape,
    method, profile and law; not per call)."""
    import jax

    from hai_sim import integration as I

    def p(job, kw, method, profile1, law):
        return jax.vmap(lambda k: I.success_probability(job, I.worker(**k, profile1=profile1, law=law), method))(kw)

    return jax.jit(p, static_argnames=("method", "profile1", "law"))


def _p(job, method="exact", profile1="linear", law="uniform", **params):
    """P for arrays of worker parameters (broadcast together), as a NumPy array."""
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in params.values()])
    kw = {k: a.reshape(-1) for k, a in zip(params, arrays)}
    out = _batched_p()(job, kw, method=method, profile1=profile1, law=law)
    return np.asarray(out).reshape(arrays[0].shape)


@experiment("integration.phase-transition-a1", title="Phase transition of job success in a_1 (Theorem 3.2)", tag="P")
def phase_transition_a1(quick: bool = False) -> Result:
    """P against the decision-level ability a_1 for sigma = 0.3, 0.1, 0.01 with the Theorem 3.2 band.

    Exact Gil-Pelaez P on the default job (a_2 = 0.4); vertical lines at the closed-form a_1^c,
    shaded band mu_1^c +- gamma_1 (theta = 0.2), dots at the 0.2/0.8 window found by bisection.
    The table compares the windows with the seed's table (ERRATA 4: its sigma = 0.3 row is not
    reproduced) and with the spec's reconstruction."""
    jax, jnp, xr, I = _setup()
    from hai_sim.engine import sweep

    job = I.default_job()
    a1 = np.linspace(0.3, 0.7, 201 if quick else 2001)
    wins, bands, crit = {}, {}, {}
    sb1 = float(I.mean_difficulty(job)[0])
    for s in SIGMAS:
        w = I.linear_worker(0.5, 0.4, s)
        wins[s] = tuple(float(v) for v in I.transition_window(job, w, "a1"))
        crit[s] = float(I.a1_critical(job, w))
        g = float(I.gamma(job, w, 0.2)) / sb1
        bands[s] = (crit[s] - g, crit[s] + g)

    def P(sigma, a1):
        return I.success_probability(job, I.linear_worker(a1, 0.4, sigma), method="exact")

    ds = sweep(P, {"sigma": list(SIGMAS), "a1": a1}, progress=False,
               metadata=dict(method="exact", theta=0.2, a2=0.4, tau=0.25, n=20, m=20))
    P = list(ds["P"].values)
    for name, values in (("window_lo", [wins[s][0] for s in SIGMAS]), ("window_hi", [wins[s][1] for s in SIGMAS]),
                         ("a1_critical", [crit[s] for s in SIGMAS]), ("band_lo", [bands[s][0] for s in SIGMAS]),
                         ("band_hi", [bands[s][1] for s in SIGMAS])):
        ds[name] = ("sigma", values)
    ds.attrs["provenance"] = "R setting, P claim"
    fig, axes = _fig(3, width=3.6, height=3.0)
    for ax, s, p in zip(axes, SIGMAS, P):
        ax.axvspan(*bands[s], color="0.88", label="Thm 3.2 band (theta=0.2)")
        ax.plot(a1, p, color="C0", lw=1.6, label="P (exact)")
        ax.axvline(crit[s], color="C3", ls="--", lw=1, label=f"a1^c = {crit[s]:.4f}")
        ax.plot(wins[s], (0.2, 0.8), "ko", ms=4, label=f"window {wins[s][0]:.4f}-{wins[s][1]:.4f}")
        lo, hi = (r.value for r in ref.SEED_WINDOW[s])
        ax.plot((lo, hi), (0.2, 0.8), "x", color="C1", ms=6, label="seed's window [P]")
        span = max(4 * (wins[s][1] - wins[s][0]), 0.02)
        ax.set_xlim(crit[s] - span, crit[s] + span)
        ax.set_title(f"sigma = {s}", fontsize=9)
        ax.set_xlabel("a_1 (decision-level ability)")
        # Lower right stays empty: P is ~1 there in every panel.
        ax.legend(fontsize=6, loc="lower right")
    axes[0].set_ylabel("job success probability P")
    _note(fig, "Curves, band and windows: ours (exact inversion, reconstructed setting [R]). Crosses: the seed's "
               "windows (quoting the paper); sigma = 0.3 does not reproduce (ERRATA 4).")
    table = []
    for s in SIGMAS:
        lo_ref, hi_ref = ref.SEED_WINDOW[s]
        rel = (wins[s][1] - wins[s][0]) / wins[s][0]
        table += [
            lo_ref.row(f"window start (P=0.2) at sigma={s}", wins[s][0], note="exact; seed quoting the paper"),
            hi_ref.row(f"window end (P=0.8) at sigma={s}", wins[s][1], note="exact; seed quoting the paper"),
            ref.SEED_RELATIVE_INCREASE[s].row(f"relative increase of a_1 at sigma={s}", rel,
                                              note="seed's 'delta a_1' read as a relative increase [D/R]"),
            ref.RECON_WINDOW[s][0].row(f"window start, reconstruction, sigma={s}", wins[s][0], note="exact"),
            ref.RECON_WINDOW[s][1].row(f"window end, reconstruction, sigma={s}", wins[s][1], note="exact"),
            ref.RECON_P_HALF[s].row(f"P(a_1=0.5) at sigma={s}",
                                    float(I.success_probability(job, I.linear_worker(0.5, 0.4, s))), note="exact"),
        ]
    table.append(ref.A1_CRITICAL.row("a_1^c (a_2 = 0.4)", crit[0.1], note="closed form"))
    for s in SIGMAS:
        table.append(ref.THM32_BAND[s][0].row(f"Thm 3.2 band start, sigma={s}", bands[s][0],
                                              note="gamma_1 with Hoeffding's constant [D]"))
        table.append(ref.THM32_BAND[s][1].row(f"Thm 3.2 band end, sigma={s}", bands[s][1],
                                              note="gamma_1 with Hoeffding's constant [D]"))
    return Result(ds, fig, "P(a_1) for three noise levels: the transition sharpens linearly in sigma (ours, exact "
                  "method, reconstructed default job [R]). Compared at half a unit of their last printed digit, the "
                  "seed's windows [P] do not reproduce: at sigma = 0.1 and 0.01 the centres differ by the "
                  "draw-dependent shift (0.002-0.004; at sigma = 0.01 the windows do not overlap) and our windows "
                  "are narrower (3.9 % vs 4.3 %, 0.38 % vs 0.6 %); sigma = 0.3 is not reproduced (ERRATA 4). The "
                  "spec's reconstruction [R] is reproduced.", table)


@experiment("integration.wedge-a1-sigma", title="Wedge of the transition in the (a_1, sigma) plane", tag="P")
def wedge_a1_sigma(quick: bool = False) -> Result:
    """Heat map of P over a_1 x sigma (a_2 = 0.4): a wedge opening linearly in sigma around a_1^c.

    Computed with hai_sim.engine.sweep (exact method); overlaid: the 0.2/0.8 window edges by
    bisection and the Theorem 3.2 band (theta = 0.2). The table checks the linear width scaling."""
    jax, jnp, xr, I = _setup()
    from hai_sim.engine import sweep
    from hai_sim.plot import heatmap, overlay_curve

    job = I.default_job()
    a1 = np.linspace(0.3, 0.7, 81 if quick else 401)
    sig = np.linspace(0.005, 0.5, 41 if quick else 200)

    def P(a1, sigma):
        return I.success_probability(job, I.linear_worker(a1, 0.4, sigma), method="exact")

    ds = sweep(P, {"a1": a1, "sigma": sig}, progress=False,
               metadata=dict(method="exact", a2=0.4, tau=0.25, n=20, m=20))
    win = jax.jit(jax.vmap(lambda s: jnp.stack(I.transition_window(job, I.linear_worker(0.5, 0.4, s), "a1"))))
    w = np.asarray(win(jnp.asarray(sig)))
    a1c = float(I.a1_critical(job, I.linear_worker(0.5, 0.4, 0.1)))
    gam = np.asarray(jax.vmap(lambda s: I.gamma(job, I.linear_worker(0.5, 0.4, s), 0.2))(jnp.asarray(sig)))
    gam = gam / float(I.mean_difficulty(job)[0])
    ds["window_lo"] = ("sigma", w[:, 0])
    ds["window_hi"] = ("sigma", w[:, 1])
    ds.attrs["method"] = "exact"
    fig, axes = _fig(1, width=5.5, height=4.2)
    ax = axes[0]
    heatmap(ax, ds["P"].values, a1, sig, xlabel="a_1", ylabel="sigma", label="P (exact)")
    overlay_curve(ax, w[:, 0], sig, "P = 0.2", color="white", ls="--")
    overlay_curve(ax, w[:, 1], sig, "P = 0.8", color="white")
    overlay_curve(ax, a1c - gam, sig, "Thm 3.2 band", color="C1", lw=1)
    overlay_curve(ax, a1c + gam, sig, "", color="C1", lw=1)
    ax.set_xlim(a1[0], a1[-1])
    ax.legend(fontsize=7, loc="lower left")
    _note(fig, "Ours (exact inversion, reconstructed setting [R]); the paper's figure plots P over a_1 and sigma.")
    triple = np.asarray(win(jnp.asarray([0.3, 0.1, 0.01])))
    width = triple[:, 1] - triple[:, 0]
    table = [
        ref.WIDTH_RATIO_03_01.row("width ratio sigma 0.3 / 0.1", width[0] / width[1], note="exact windows"),
        ref.WIDTH_RATIO_01_001.row("width ratio sigma 0.1 / 0.01", width[1] / width[2], note="exact windows"),
    ]
    return Result(ds, fig, "P over (a_1, sigma): the transition region is a wedge whose width grows linearly in "
                  "sigma; the Theorem 3.2 band (orange) contains the 0.2-0.8 window (white) with ~6x slack. Ours.", table)


@experiment("integration.phase-a1-a2", title="Phase diagram in the (a_1, a_2) plane", tag="X")
def phase_a1_a2(quick: bool = False) -> Result:
    """Success and failure phases over (a_1, a_2) for sigma = 0.3, 0.1, 0.01 (spec §6.1).

    Exact P evaluated only inside the band |z| <= 12 (elsewhere 0 or 1, ERRATA 3), with the
    critical line (1 - a_1) sbar_1 + (1 - a_2) sbar_2 = 2 tau and the Theorem 3.2 band."""
    jax, jnp, xr, I = _setup()
    from hai_sim.plot import heatmap, overlay_curve

    job = I.default_job()
    g = np.linspace(0.0, 1.0, 101 if quick else 501)
    sb = np.asarray(I.mean_difficulty(job))
    fig, axes = _fig(3, width=3.8, height=3.3)
    maps, band_frac = [], []
    for ax, s in zip(axes, SIGMAS):
        w = I.linear_worker(0.5, 0.4, s)
        P = I.phase_diagram(job, w, "a1", g, "a2", g, method="exact")
        maps.append(P)
        # Points strictly between 0 and 1 are those the band evaluation sent to the inversion.
        band_frac.append(float(np.mean((P > 0) & (P < 1))))
        heatmap(ax, P, g, g, xlabel="a_1", ylabel="a_2", label="P (exact)", colorbar=s == SIGMAS[-1])
        a1_line = 1 - (0.5 - (1 - g) * sb[1]) / sb[0]
        # Drawn last and on top: at small sigma the band lines and the transition sit on it.
        overlay_curve(ax, a1_line, g, "critical line", color="white", ls="--", lw=1.2, zorder=4)
        gam = float(I.gamma(job, w, 0.2)) / sb[0]
        overlay_curve(ax, a1_line - gam, g, "Thm 3.2 band", color="C1", lw=0.8)
        overlay_curve(ax, a1_line + gam, g, "", color="C1", lw=0.8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(f"sigma = {s}", fontsize=9)
    axes[0].legend(fontsize=6.5, loc="lower left")
    ds = xr.Dataset({"P": (("sigma", "a1", "a2"), np.stack(maps)), "band_fraction": ("sigma", band_frac)},
                    coords={"sigma": list(SIGMAS), "a1": g, "a2": g},
                    attrs=dict(method="exact", evaluation="band only (|z| <= 12)", tau=0.25, n=20))
    _note(fig, "Our extension [X]: the paper draws P against a_1 only. Exact inversion inside the band, 0/1 outside.")
    table = [Row(f"fraction of the plane with 0 < P < 1, sigma={s}", f, None, None, "X", "points the inversion decides")
             for s, f in zip(SIGMAS, band_frac)]
    table.append(ref.A1_CRITICAL.row("critical a_1 at a_2 = 0.4", float(I.a1_critical(job, I.linear_worker(0.5, 0.4))),
                                     note="closed form"))
    return Result(ds, fig, "The (a_1, a_2) plane splits into a failure phase (P ~ 0) and a success phase (P ~ 1) along "
                  "the critical line; the transition band has width ~ sigma/sqrt(n). Ours.", table)


@experiment("integration.scaling-collapse", title="Scaling collapse of the transition over n and sigma", tag="R",
            heavy=True)
def scaling_collapse(quick: bool = False) -> Result:
    """P against (mu_1 - mu_1^c) sqrt(n)/sigma collapses onto one curve (spec §3.2 check 2, §6.3).

    Left: curves for n in {5, 20, 100, 400} x sigma in {0.05, 0.1, 0.3} (CLT-free: exact method).
    Right: the 0.2->0.8 width in mu_1 units times sqrt(n)/sigma, median over random jobs."""
    jax, jnp, xr, I = _setup()
    import dataclasses

    ns = (5, 20, 100) if quick else (5, 10, 20, 50, 100, 400)
    n_jobs = 12 if quick else 200
    x = np.linspace(-1.5, 1.5, 121)
    fig, axes = _fig(2, width=4.8, height=3.8)
    curves = {}
    n_curves = (5, 20, 100) if quick else (5, 20, 100, 400)
    for n in n_curves:
        job = I.default_job(n=n, m=n)
        sb1 = float(I.mean_difficulty(job)[0])
        for s in (0.05, 0.1, 0.3):
            w = I.linear_worker(0.5, 0.4, s)
            a1c = float(I.a1_critical(job, w))
            a1 = a1c + x * s / np.sqrt(n) / sb1
            ok = (a1 >= 0) & (a1 <= 1)
            p = np.full(x.size, np.nan)
            p[ok] = _p(job, a1=a1[ok], a2=0.4, sigma=s)
            curves[(n, s)] = p
            axes[0].plot(x, p, lw=1, alpha=0.8, label=f"n={n}, sigma={s}" if s == 0.1 else None)
    axes[0].set_xlabel("(mu_1 - mu_1^c) sqrt(n) / sigma")
    axes[0].set_ylabel("P (exact)")
    axes[0].legend(fontsize=6.5)
    medians, spreads = [], []
    rng = np.random.RandomState(2025)
    for n in ns:
        base = I.default_job(n=n, m=1)
        S = jnp.asarray(rng.uniform(0, 1, size=(n_jobs, 2, n)))

        def width(s_draw):
            job = dataclasses.replace(base, s=s_draw)
            lo, hi = I.transition_window(job, I.linear_worker(0.5, 0.4, 0.1), "a1")
            sb1 = I.mean_difficulty(job)[0]
            return (hi - lo) * sb1 * jnp.sqrt(n) / 0.1

        wd = np.asarray(jax.jit(jax.vmap(width))(S))
        wd = wd[np.isfinite(wd)]
        medians.append(float(np.median(wd)))
        spreads.append(np.percentile(wd, [5, 95]))
    spreads = np.asarray(spreads)
    axes[1].plot(ns, medians, "o-", label="median over random jobs")
    axes[1].fill_between(ns, spreads[:, 0], spreads[:, 1], alpha=0.3, label="5-95 %")
    axes[1].axhline(0.385, color="C3", ls="--", lw=1, label="spec: 0.385")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("n (skills)")
    axes[1].set_ylabel("width x sqrt(n)/sigma (mu_1 units)")
    axes[1].legend(fontsize=7)
    _note(fig, f"Ours (exact). Random jobs: s ~ U[0,1], a_2 = 0.4, tau = 0.25, sigma = 0.1, {n_jobs} per n; jobs "
               "whose window leaves a_1 in [0, 1] are skipped.")
    ds = xr.Dataset({"P": (("n", "sigma", "x"), np.stack([[curves[(n, s)] for s in (0.05, 0.1, 0.3)]
                                                          for n in n_curves])),
                     "median_width": ("n_random", medians)},
                    coords={"n": list(n_curves), "sigma": [0.05, 0.1, 0.3], "x": x, "n_random": list(ns)},
                    attrs=dict(method="exact", jobs_per_n=n_jobs))
    table = [ref.COLLAPSED_WIDTH.row(f"collapsed width, median over jobs, n={n}", m, note=f"exact, {n_jobs} jobs")
             for n, m in zip(ns, medians)]
    return Result(ds, fig, "Scaling collapse: the transition width is sigma/sqrt(n) times a constant (~0.385 in "
                  "mu_1 units), the same for every job size. Ours.", table)


@experiment("integration.integration-gain-maps", title="Integration-gain heat maps (Theorem 3.3)", tag="P",
            heavy=True)
def integration_gain_maps(quick: bool = False) -> Result:
    """Delta = P_12 - max(P_1, P_2) over W2's (a_1, a_2) for three fixed W1 (spec §4.3).

    Best-of-both merge, sigma = 0.1, exact P. Top: Delta with the Theorem 3.3 location condition
    (W1 decides, W2 executes) outlined; bottom: P_12 - P_2. ERRATA 5: rows 2 and 3 of the seed's
    table do not reproduce, and the table says so."""
    jax, jnp, xr, I = _setup()
    from hai_sim.plot import heatmap

    from hai_sim.engine import sweep

    job = I.default_job()
    g = np.linspace(0, 1, 51 if quick else 101)
    w1s = [(0.5, 0.4), (0.5, 0.2), (0.3, 0.4)]
    w1_table = jnp.asarray(w1s)

    def gain(w1, w2_a1, w2_a2):
        # W1 is a numeric axis indexing a fixed table: one compilation for the three maps.
        a = w1_table[w1.astype(jnp.int32)]
        w1_ = I.linear_worker(a[0], a[1], 0.1)
        w2_ = I.linear_worker(w2_a1, w2_a2, 0.1)
        out = dict(I.integration_gain(job, w1_, w2_, method="exact")._asdict())
        out["thm33"] = I.thm33_hypothesis(job, w1_, w2_, 0.05).astype(jnp.float64)
        return out

    ds = sweep(gain, {"w1": np.arange(len(w1s)), "w2_a1": g, "w2_a2": g}, progress=False,
               metadata=dict(method="exact", merge="best-of-both", sigma=0.1, theta=0.05))
    ds = ds.assign_coords(w1=[f"({a},{b})" for a, b in w1s])
    fig, axes = _fig(6, width=3.5, height=3.0, ncols=3)
    p1s = [float(ds["p1"].values[i, 0, 0]) for i in range(len(w1s))]
    for i, (a1, a2) in enumerate(w1s):
        hyp = ds["thm33"].values[i] > 0.5
        heatmap(axes[i], ds["delta"].values[i], g, g, xlabel="W2's a_1", ylabel="W2's a_2", cmap="RdBu_r",
                vmin=-1, vmax=1, label="Delta", colorbar=i == 2)
        if hyp.any():
            axes[i].contour(g, g, hyp.T.astype(float), levels=[0.5], colors="k", linewidths=0.8)
        axes[i].plot([a1], [a2], "k*", ms=8)
        axes[i].set_title(f"W1 = ({a1}, {a2}): Delta", fontsize=9)
        heatmap(axes[i + 3], ds["over_w2"].values[i], g, g, xlabel="W2's a_1", ylabel="W2's a_2", cmap="RdBu_r",
                vmin=-1, vmax=1, label="P_12 - P_2", colorbar=i == 2)
        axes[i + 3].set_title("P_12 - P_2", fontsize=9)
    _note(fig, "Ours (exact, sigma = 0.1, best-of-both merge [R]). Black outline: Theorem 3.3's location condition "
               "(theta = 0.05). Seed's thresholds/gains in the table; rows 2-3 mismatch (ERRATA 5).")
    # Thresholds: where the merged worker (W1's decisions, W2's actions or the reverse) reaches a
    # level of P_12. The seed does not say which level: P_12 >= 0.95 is our reading [R]; the
    # P_12 = 0.5 reading is shown beside it.
    merged_a2 = I.linear_worker(0.5, 0.4, 0.1)
    thr_a2 = float(I.transition_window(job, merged_a2, "a2", levels=(0.95,))[0])
    thr_a2_half = float(I.transition_window(job, merged_a2, "a2", levels=(0.5,))[0])
    thr_a1 = float(I.transition_window(job, I.linear_worker(0.5, 0.4, 0.1), "a1", levels=(0.95,))[0])
    dmax = [float(np.max(d)) for d in ds["delta"].values]
    r95 = "reading of the seed's threshold as P_12 >= 0.95 [R]"
    table = [
        ref.GAIN_P1_ROW1.row("row 1: P_1 of W1 = (0.5, 0.4)", p1s[0], note="exact"),
        Row("row 1: W2's a_2 threshold (P_12 >= 0.95)", thr_a2, ref.GAIN_THRESHOLD_ROW1.value,
            ref.GAIN_THRESHOLD_ROW1.tol, "R", r95 + "; seed's number [P]", ref.GAIN_THRESHOLD_ROW1.source,
            ref.GAIN_THRESHOLD_ROW1.reason),
        ref.GAIN_THRESHOLD_ROW1.row("row 1: W2's a_2 threshold, reading P_12 >= 0.5", thr_a2_half,
                                    note="the other reading of the seed's threshold"),
        ref.GAIN_MAX_ROW1.row("row 1: max gain Delta", dmax[0], note="spec reconstruction 0.631"),
        Row("row 2: W2's a_2 threshold (P_12 >= 0.95)", thr_a2, ref.GAIN_THRESHOLD_ROW2.value,
            ref.GAIN_THRESHOLD_ROW2.tol, "R", r95 + "; ERRATA 5", ref.GAIN_THRESHOLD_ROW2.source,
            ref.GAIN_THRESHOLD_ROW2.reason),
        ref.GAIN_MAX_ROW2.row("row 2: max gain Delta", dmax[1], note="ERRATA 5"),
        Row("row 3: W2's a_1 threshold (P_12 >= 0.95)", thr_a1, ref.GAIN_THRESHOLD_ROW3.value,
            ref.GAIN_THRESHOLD_ROW3.tol, "R", r95 + "; ERRATA 5: reproduces", ref.GAIN_THRESHOLD_ROW3.source,
            ref.GAIN_THRESHOLD_ROW3.reason),
        ref.GAIN_MAX_ROW3.row("row 3: max gain Delta", dmax[2], note="ERRATA 5: ours is 1.0"),
    ]
    return Result(ds, fig, "Integration gain of merging W1 with every W2: gains appear where W2 supplies the level W1 "
                  "lacks, and Theorem 3.3's sufficient region sits inside the empirical gain region. Row 1 of the "
                  "seed's table: the gain (0.63 vs +0.6) reproduces; its threshold a_2 > 0.43 is read as "
                  "P_12 >= 0.95 (our reading [R]: 0.4225) and as P_12 = 0.5 (0.404), neither equal to 0.43 at the "
                  "printed precision. Rows 2-3 only partly (ERRATA 5).", table)


@experiment("integration.productivity-compression", title="Productivity compression with AI assistance (Cor. 3.4)",
            tag="R")
def productivity_compression_map(quick: bool = False) -> Result:
    """PC = |P_2 - P_1| - |P_2' - P_1'| over the low-skilled worker's a_2 and the AI's a_2 (spec §4.4).

    Shared a_1 = 0.55, W1's a_2 = 0.5, sigma = 0.1, exact P. Left: decision-action assistance
    (Cor. 3.4 as reconstructed); right: best-of-both assistance with W2's a_1 = 0.53 (extension)."""
    jax, jnp, xr, I = _setup()
    from hai_sim.plot import heatmap, overlay_curve

    job = I.default_job()
    g = np.linspace(0, 1, 51 if quick else 201)
    hi = I.linear_worker(0.55, 0.5, 0.1)
    fig, axes = _fig(2, width=4.4, height=3.6)
    maps = []
    from hai_sim.engine import sweep

    for ax, (rule, a1_low, title) in zip(axes, [("decision-action", 0.55, "shared a_1 = 0.55"),
                                                ("best-of-both", 0.53, "W2 a_1 = 0.53, best-of-both")]):
        def PC(low_a2, ai_a2, rule=rule, a1_low=a1_low):
            return I.productivity_compression(job, hi, I.linear_worker(a1_low, low_a2, 0.1),
                                              I.linear_worker(0.0, ai_a2, 0.1), rule=rule).pc

        m = sweep(PC, {"low_a2": g, "ai_a2": g}, progress=False)["PC"].values
        maps.append(m)
        heatmap(ax, m, g, g, xlabel="low-skilled worker's a_2", ylabel="AI's a_2", cmap="RdBu_r", vmin=-1,
                      vmax=1, label="PC")
        a2c = float(I.a2_critical(job, hi))
        overlay_curve(ax, g, np.full_like(g, a2c), "a_2^c", color="k", ls="--", lw=1)
        ax.set_title(title, fontsize=9)
    axes[0].legend(fontsize=7)
    ai = I.linear_worker(0.0, 0.8, 0.1)
    ex55 = I.productivity_compression(job, hi, I.linear_worker(0.55, 0.3, 0.1), ai)
    ex60 = I.productivity_compression(job, I.linear_worker(0.6, 0.5, 0.1), I.linear_worker(0.6, 0.3, 0.1), ai)
    table = [
        ref.PC_P2_A055.row("P_2, a_1 = 0.55 (exact)", float(ex55.p2), note="exact"),
        ref.PC_P2_A055_SPEC.row("P_2, a_1 = 0.55: spec's value", float(ex55.p2), note="exact; ERRATA 1"),
        ref.PC_A055.row("PC, a_1 = 0.55", float(ex55.pc), note="exact"),
        ref.PC_AI_ALONE.row("P of the AI alone", float(I.success_probability(job, ai)), note="exact"),
        ref.PC_P2_A06.row("P_2, a_1 = 0.6", float(ex60.p2), note="exact"),
        ref.PC_A06.row("PC, a_1 = 0.6", float(ex60.pc), note="exact"),
    ]
    _note(fig, "Ours (exact, reconstructed Corollary 3.4 setting [R]); no numbers of the paper survive.")
    ds = xr.Dataset({"PC": (("rule", "low_a2", "ai_a2"), np.stack(maps))},
                    coords={"rule": ["decision-action", "best-of-both"], "low_a2": g, "ai_a2": g},
                    attrs=dict(method="exact", sigma=0.1, high_a1=0.55, high_a2=0.5))
    return Result(ds, fig, "AI assistance closes the gap between a high- and a low-skilled worker (PC ~ 1) once the "
                  "AI's action ability exceeds the low-skilled worker's past the critical point. Ours.", table)


@experiment("integration.universality", title="Universality: polynomial profiles, truncated-normal noise, max "
                                              "aggregators", tag="R", heavy=True)
def universality(quick: bool = False) -> Result:
    """Sharp transitions for other profiles, noise laws and aggregators (spec §4.5).

    (a) polynomial decision level E_1 = 1 - s^beta_1 (exact), (b) truncated-normal noise in a_1
    (FFT), (c) h = max and f = max on a random graph (Monte Carlo, 2e4 samples with common
    random numbers)."""
    jax, jnp, xr, I = _setup()

    job = I.default_job()
    fig, axes = _fig(3, width=3.8, height=3.2)
    beta = np.linspace(2.0, 4.0, 101 if quick else 401)
    a1 = np.linspace(0.3, 1.0, 36 if quick else 351)
    Pb, Pt, Pm = [], [], []
    bw = {}
    for s in SIGMAS:
        mk = lambda b, s=s: I.worker(beta1=b, a2=0.4, sigma=s, profile1="polynomial")
        Pb.append(_p(job, profile1="polynomial", beta1=beta, a2=0.4, sigma=s))
        axes[0].plot(beta, Pb[-1], label=f"sigma={s}")
        bw[s] = tuple(float(v) for v in I.transition_window(job, mk(3.0), "beta1", lo=0.5, hi=10.0))
    axes[0].set_xlabel("beta_1 (polynomial decision profile)")
    axes[0].set_ylabel("P")
    for s in SIGMAS:
        Pt.append(_p(job, "fft", law="truncnorm", a1=a1, a2=0.4, sigma=s))
        axes[1].plot(a1, Pt[-1], label=f"sigma={s}")
    axes[1].set_xlabel("a_1 (truncated-normal noise, FFT)")
    axes[1].set_ylabel("P (FFT convolution)")
    key = jax.random.key(7)
    ns = 10_000 if quick else 100_000
    variants = [("h=max", I.default_job(h="max", tau=0.3)), ("f=max, random graph", I.default_job(f="max", graph="random"))]
    for name, jb in variants:
        f = jax.jit(jax.vmap(lambda v, jb=jb: I.success_probability(jb, I.linear_worker(v, 0.7, 0.3), "mc", key=key,
                                                                     n_samples=ns).mean))
        Pm.append(np.asarray(f(jnp.asarray(a1))))
        axes[2].plot(a1, Pm[-1], label=name)
    axes[2].set_xlabel("a_1 (Monte Carlo, sigma = 0.3, a_2 = 0.7)")
    axes[2].set_ylabel(f"P (Monte Carlo, {ns} samples)")
    for ax in axes:
        ax.legend(fontsize=7)
    # 40 halvings of [0, 1] reach 1e-12, well below the FFT's own error (~1e-6).
    tw = tuple(float(v) for v in I.transition_window(job, I.linear_worker(0.5, 0.4, 0.1, law="truncnorm"), "a1",
                                                       method="fft", iters=40))
    pt03 = float(np.max(Pt[0]))
    table = []
    for s in SIGMAS:
        lo_ref, hi_ref = ref.BETA_WINDOW_EXACT[s]
        table += [lo_ref.row(f"beta_1 window start, sigma={s}", bw[s][0], note="exact"),
                  hi_ref.row(f"beta_1 window end, sigma={s}", bw[s][1], note="exact"),
                  ref.BETA_WINDOW_END_SPEC[s].row(f"beta_1 window end, sigma={s}, spec §4.5", bw[s][1], note="exact")]
    table += [ref.TRUNCNORM_WINDOW[0].row("truncated normal, sigma=0.1: window start", tw[0], note="fft"),
              ref.TRUNCNORM_WINDOW[1].row("truncated normal, sigma=0.1: window end", tw[1], note="fft"),
              ref.TRUNCNORM_MAX_P_03.row("truncated normal, sigma=0.3: max P over a_1 < 1", pt03,
                                         note=f"fft, max over {a1.size} values of a_1")]
    _note(fig, "Ours. The seed reports sharp transitions for linear and polynomial profiles [P, qualitative]; the "
               "settings here are reconstructions [R].")
    ds = xr.Dataset({"P_polynomial": (("sigma", "beta1"), np.stack(Pb)),
                     "P_truncnorm": (("sigma", "a1"), np.stack(Pt)),
                     "P_max_aggregators": (("variant", "a1"), np.stack(Pm))},
                    coords={"sigma": list(SIGMAS), "beta1": beta, "a1": a1, "variant": [v[0] for v in variants]},
                    attrs=dict(method="exact (polynomial), fft (truncnorm), mc (max aggregators)", mc_samples=ns))
    return Result(ds, fig, "The phase transition is universal: polynomial profiles, truncated-normal noise and max "
                  "aggregators all show a sharp rise of P in the decision-level ability. Ours.", table)


@experiment("integration.onet-standin", title="O*NET 'Computer Programmers' stand-in job (synthetic)", tag="R")
def onet_standin(quick: bool = False) -> Result:
    """The pipeline on the programmer-like stand-in job (18 skills x 17 tasks; SYNTHETIC levels and
    lambdas, spec §5.3): skill weights, the phase transition in a_1, and a human/AI pair.

    tau = 0.1 [R] (with tau = 0.25 every worker below succeeds on this easy stand-in). The human
    decides well (a = 0.8, 0.3), the AI executes well (0.3, 0.9); merged they succeed where each
    fails (exact method)."""
    jax, jnp, xr, I = _setup()

    info = I.programmer_job(tau=0.1)
    job = info.job
    human, ai = I.linear_worker(0.8, 0.3, 0.1), I.linear_worker(0.3, 0.9, 0.1)
    team = I.merge(human, ai)
    p = {name: float(I.success_probability(job, w)) for name, w in (("human", human), ("AI", ai), ("human+AI", team))}
    a1 = np.linspace(0.5, 1.0, 101 if quick else 501)
    curves = [_p(job, a1=a1, a2=0.3, sigma=s) for s in SIGMAS]
    w = np.asarray(I.skill_weights(job))
    fig, axes = _fig(2, width=4.6, height=3.8)
    order = np.argsort(w)
    axes[0].barh(np.arange(len(w)), w[order], color="C0")
    axes[0].set_yticks(np.arange(len(w)), [info["skills"][i] for i in order], fontsize=6)
    axes[0].set_xlabel("skill weight w_j in Err (from the task graph)")
    for s, c in zip(SIGMAS, curves):
        axes[1].plot(a1, c, label=f"sigma={s}")
    axes[1].set_xlabel("human's a_1 (a_2 = 0.3)")
    axes[1].set_ylabel("P (exact)")
    axes[1].legend(fontsize=7)
    axes[1].set_title(" | ".join(f"P({k}) = {v:.3g}" for k, v in p.items()), fontsize=7)
    _note(fig, "SYNTHETIC stand-in [R]: O*NET skill names, illustrative levels and lambdas (not O*NET values); the "
               "paper's GPT-4o annotations are not available offline.")
    win = [float(v) for v in I.transition_window(job, human, "a1")]
    table = [Row("skills x tasks", f"{job.n} x {job.m}", None, None, "R",
                 "the stand-in is built with the seed's 18 skills x 17 tasks (spec §5.3): equal by construction, "
                 "so not a comparison"),
             Row("P of the human (0.8, 0.3)", p["human"], None, None, "R", "exact, tau = 0.1"),
             Row("P of the AI (0.3, 0.9)", p["AI"], None, None, "R", "exact"),
             Row("P of the merged human+AI", p["human+AI"], None, None, "R", "exact"),
             Row("P_12 - max(P_human, P_AI)", p["human+AI"] - max(p["human"], p["AI"]), None, None, "R",
                 "our pair on our stand-in; the paper states 'both fail alone, the pair succeeds' only in "
                 "general (Thm 3.3), not for O*NET"),
             Row("human's a_1 window (P 0.2 -> 0.8), sigma=0.1", f"{win[0]:.4f} -> {win[1]:.4f}", None, None, "R")]
    table += [Row(f"skill: {n}", f"level {lv:.1f}, lambda {lm:.2f}, weight {wj:.4f}", None, None, "R", "synthetic")
              for n, lv, lm, wj in zip(info["skills"], info["levels"], info["lam"], w)]
    ds = xr.Dataset({"P": (("sigma", "a1"), np.stack(curves)), "skill_weight": ("skill", w),
                     "s": (("level", "skill"), np.asarray(job.s))},
                    coords={"sigma": list(SIGMAS), "a1": a1, "skill": info["skills"], "level": ["decision", "action"]},
                    attrs=dict(method="exact", tau=0.1, synthetic=1, split="proportional"))
    return Result(ds, fig, "On the (synthetic) programmer job the transition in a_1 is as sharp as on the default job, "
                  "and a decision-strong human merged with an execution-strong AI succeeds where each fails. Ours.",
                  table)


@experiment("integration.bbl-fit", title="Linear ability profiles fitted to (synthetic) BIG-bench Lite scores",
            tag="R", heavy=True)
def bbl_fit(quick: bool = False) -> Result:
    """Least-squares and Bayesian (numpyro NUTS) fits of E(s) = c - (1 - a) s to synthetic BBL scores
    (spec §5.3), and the success probability of the fitted human-decides / LLM-executes worker with
    a 90 % credible band over tau (default job, exact method)."""
    jax, jnp, xr, I = _setup()

    d = I.synthetic_bbl()
    fits = {w: I.fit_linear_profile(d["s"], d["scores"][w]) for w in ("human", "llm")}
    n_draw = 80 if quick else 1000
    joint = I.posterior_linear_profile(d["s"], np.stack([d["scores"]["human"], d["scores"]["llm"]]),
                                       key=jax.random.key(0), num_warmup=n_draw, num_samples=n_draw)
    posts = {w: {k: v[:, i] for k, v in joint.items()} for i, w in enumerate(("human", "llm"))}
    job = I.default_job()
    taus = np.linspace(0.1, 0.5, 41 if quick else 161)

    def p_tau(h_a, h_c, h_s, l_a, l_c, l_s):
        w = I.worker(a1=h_a, c1=h_c, sigma1=h_s, a2=l_a, c2=l_c, sigma2=l_s)
        return jax.vmap(lambda t: I.success_probability(job.replace(tau=t), w))(jnp.asarray(taus))

    P = np.asarray(jax.jit(jax.vmap(p_tau))(posts["human"]["a"], posts["human"]["c"], posts["human"]["sigma"],
                                            posts["llm"]["a"], posts["llm"]["c"], posts["llm"]["sigma"]))
    lo, med, hi = np.percentile(P, [5, 50, 95], axis=0)
    fig, axes = _fig(2, width=4.4, height=3.6)
    sg = np.linspace(0, 1, 50)
    for i, w in enumerate(("human", "llm")):
        axes[0].plot(d["s"], d["scores"][w], "o", ms=3, color=f"C{i}", label=f"{w} (synthetic scores)")
        axes[0].plot(sg, float(fits[w].c) - (1 - float(fits[w].a)) * sg, color=f"C{i}",
                     label=f"LS a={float(fits[w].a):.3f}, c={float(fits[w].c):.3f}, R2={float(fits[w].r2):.3f}")
        curves = np.asarray(posts[w]["c"])[:, None] - (1 - np.asarray(posts[w]["a"]))[:, None] * sg[None, :]
        axes[0].fill_between(sg, *np.percentile(curves, [5, 95], axis=0), color=f"C{i}", alpha=0.2)
    axes[0].set_xlabel("task difficulty s")
    axes[0].set_ylabel("score")
    axes[0].legend(fontsize=6.5)
    axes[1].fill_between(taus, lo, hi, alpha=0.3, label="90 % credible band")
    axes[1].plot(taus, med, label="posterior median")
    axes[1].set_xlabel("error tolerance tau (default job)")
    axes[1].set_ylabel("P of human decides + LLM executes")
    axes[1].legend(fontsize=7)
    _note(fig, "SYNTHETIC BBL scores [R] (24 task names of BBL v1; scores drawn from known profiles). Fits and band: "
               "ours. The paper reports only that humans and PaLM fit the linear model well.")
    table = []
    for w in ("human", "llm"):
        a_ref, c_ref, r2_ref = ref.BBL_FIT[w]
        pa, ps = np.asarray(posts[w]["a"]), np.asarray(posts[w]["sigma"])
        table += [a_ref.row(f"{w}: least-squares a", float(fits[w].a)),
                  c_ref.row(f"{w}: least-squares c", float(fits[w].c)),
                  r2_ref.row(f"{w}: R^2", float(fits[w].r2)),
                  ref.BBL_TRUTH[w].row(f"{w}: posterior mean a", float(np.mean(pa)), tol=3 * float(np.std(pa)),
                                       reason="3 posterior standard deviations (24 tasks)"),
                  ref.BBL_SIGMA.row(f"{w}: posterior mean sigma", float(np.mean(ps)), tol=3 * float(np.std(ps)),
                                    reason="3 posterior standard deviations; normal moment-matched likelihood")]
    ds = xr.Dataset({"P_median": ("tau", med), "P_lo": ("tau", lo), "P_hi": ("tau", hi),
                     "score_human": ("task", d["scores"]["human"]), "score_llm": ("task", d["scores"]["llm"]),
                     "s": ("task", d["s"])},
                    coords={"tau": taus, "task": d["tasks"]},
                    attrs=dict(method="exact", fit="least squares + numpyro NUTS", posterior_samples=n_draw, synthetic=1))
    return Result(ds, fig, "Linear profiles fit the synthetic BBL scores (R^2 0.87 / 0.92) and the posterior carries "
                  "through to a credible band on the success probability. Synthetic data, our fits.", table)


@experiment("integration.phase-variants", title="Phase diagrams: polynomial profiles and the (a_1, tau) plane", tag="X",
            heavy=True)
def phase_variants(quick: bool = False) -> Result:
    """Variants of spec §6.6: the (beta_1, beta_2) plane for polynomial profiles and the (a_1, tau)
    plane for linear ones (sigma = 0.1, exact P inside the band |z| <= 12, 0/1 outside).

    In (a_1, tau) the critical line a_1^c(tau) moves; the width in a_1 changes with it (by ~20 %
    between tau = 0.2 and 0.3), contrary to spec §6.6's "width unchanged": the table shows it."""
    jax, jnp, xr, I = _setup()
    from hai_sim.plot import heatmap, overlay_curve

    job = I.default_job()
    k = 81 if quick else 301
    beta = np.linspace(0.0, 8.0, k)
    a1 = np.linspace(0.0, 1.0, k)
    tau = np.linspace(0.05, 0.5, k)
    Pb = I.phase_diagram(job, I.polynomial_worker(1.0, 1.0, 0.1), "beta1", beta, "beta2", beta, method="exact")
    Pt = I.phase_diagram(job, I.linear_worker(0.5, 0.4, 0.1), "a1", a1, "tau", tau, method="exact")
    crit = np.asarray(jax.vmap(lambda t: I.a1_critical(job.replace(tau=t), I.linear_worker(0.5, 0.4, 0.1)))(
        jnp.asarray(tau)))
    fig, axes = _fig(2, width=4.4, height=3.6)
    heatmap(axes[0], Pb, beta, beta, xlabel="beta_1", ylabel="beta_2", label="P (exact)")
    axes[0].set_title("polynomial profiles E = 1 - s^beta", fontsize=9)
    heatmap(axes[1], Pt, a1, tau, xlabel="a_1", ylabel="tau", label="P (exact)")
    overlay_curve(axes[1], crit, tau, "a_1^c(tau)", color="C3", ls="--", lw=1)
    axes[1].set_xlim(0, 1)
    axes[1].legend(fontsize=7)
    _note(fig, "Our extension [X] (sigma = 0.1, a_2 = 0.4 in the right panel); not drawn in the paper.")
    w = I.linear_worker(0.5, 0.4, 0.1)
    widths = [float(np.subtract(*reversed([float(v) for v in I.transition_window(job.replace(tau=jnp.asarray(t)), w,
                                                                                     "a1")]))) for t in (0.2, 0.25, 0.3)]
    # spec §6.6 says the width is unchanged as tau moves the critical line; with bounded uniform noise
    # the noise amplitude sigma * min(E, 1 - E) depends on where the critical line sits, so it is not.
    table = [ref.WIDTH_UNCHANGED_IN_TAU.row(f"a_1 window width at tau={t} / width at tau=0.25", wd / widths[1],
                                            note="exact; the noise scales with min(E, 1 - E) at a_1^c")
             for t, wd in zip((0.2, 0.3), (widths[0], widths[2]))]
    ds = xr.Dataset({"P_beta": (("beta1", "beta2"), Pb), "P_a1_tau": (("a1", "tau"), Pt), "a1_critical": ("tau", crit)},
                    coords={"beta1": beta, "beta2": beta, "a1": a1, "tau": tau},
                    attrs=dict(method="exact", evaluation="band only (|z| <= 12)", sigma=0.1))
    return Result(ds, fig, "Polynomial profiles show the same two phases as linear ones; raising tau moves the critical "
                  "a_1 down and, because the bounded noise scales with min(E, 1 - E), also changes the transition "
                  "width (spec §6.6 says it does not). Ours.", table)
