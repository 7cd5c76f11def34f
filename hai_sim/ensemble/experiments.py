"""Registered experiments: Figures 2, 3, A1, A2, A4 on the admissions generator and the §6 phase
grids. Reference numbers live in :mod:`hai_sim.ensemble.references`; importing this module
computes nothing.

Every simulated number is ours; the paper prints none for these figures, so the rows compare with
the spec's reconstruction [R] (seed means, compared within standard errors) and with the paper's
stated shapes [P] ("yes"/"no").
"""

from __future__ import annotations

import numpy as np

from hai_sim.engine.experiment import Reference, Result, Row, experiment

from . import references as R

N_TRAIN, N_TEST = 1000, 5000


def _fig(n=1, **kw):
    from hai_sim.plot import new_figure

    return new_figure(n, **kw)


def _note(fig, text):
    from hai_sim.plot import provenance_note

    provenance_note(fig, text)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _batch(points, n_seeds, seed=0, tau=None):
    """Metrics (P, S) at parameter points (dicts of p, delta, alpha, q), common seeds across points."""
    import jax
    import jax.numpy as jnp

    from .evaluate import _batch_core
    from .params import make_population

    P = len(points)
    pad = 32 * -(-P // 32)  # one compiled shape for every figure's batch
    pts = list(points) + [points[0]] * (pad - P)
    col = lambda k, default: np.array([pt.get(k, default) for pt in pts], dtype=float)  # noqa: E731
    pop = make_population(col("p", 0.5), col("delta", 0.25), col("alpha", 1.0), alpha_c=np.full(pad, 0.5),
                          conf_width=np.full(pad, 0.1))
    keys = jax.random.split(jax.random.key(seed), n_seeds)
    keys = jnp.broadcast_to(keys[None, :], (pad, n_seeds))
    m = _batch_core(keys, pop, jnp.asarray(col("q", 0.0)), jnp.asarray(col("tau", 0.0 if tau is None else tau)),
                    use_tau=tau is not None, n_train=N_TRAIN, n_test=N_TEST, C=1.0)
    return {k: np.asarray(v)[:P] for k, v in m.items()}


def _mean_se(x):
    x = np.asarray(x, dtype=float)
    return x.mean(axis=-1), x.std(axis=-1, ddof=1) / np.sqrt(x.shape[-1])


def _gains(m, metric="rt", a="adapt", b="single"):
    pre = "acc_rt_" if metric == "rt" else "team_acc_"
    return 100.0 * (m[pre + a] - m[pre + b])


# --------------------------------------------------------------------------------------------- Fig. 3
@experiment("ensemble.fig3-gain", title="Adaptive gain vs divergence, α, p and routing certainty (Fig. 3)",
            tag="R", heavy=True)
def fig3_gain(quick: bool = False) -> Result:
    """Fig. 3 (i)–(iv): region-target gain of the adaptive ensemble over the single model, team gain second."""
    import xarray as xr

    from .theory import binary_entropy

    S = 10 if quick else 30
    panels = {
        "delta": [dict(delta=v) for v in R.FIG3_DELTA],
        "alpha": [dict(alpha=v) for v in R.FIG3_ALPHA],
        "p": [dict(p=v) for v in R.FIG3_P],
        "q": [dict(q=v) for v in R.FIG3_Q],
    }
    flat = [pt for pts in panels.values() for pt in pts]
    m = _batch(flat, S)
    rt_mean, rt_se = _mean_se(_gains(m))
    tm_mean, tm_se = _mean_se(_gains(m, "team"))
    D_mean, D_se = _mean_se(m["D"])
    rows: list[Row] = []
    data = {}
    i = 0
    fig, axes = _fig(4, width=3.3, height=3.0)
    for (name, pts), refs, team_refs in zip(
        panels.items(), (R.FIG3_DELTA, R.FIG3_ALPHA, R.FIG3_P, R.FIG3_Q),
        (R.FIG3_TEAM_DELTA, R.FIG3_TEAM_ALPHA, R.FIG3_TEAM_P, None),
    ):
        sl = slice(i, i + len(pts))
        i += len(pts)
        xs = np.array(list(refs))
        data[f"gain_{name}"] = xr.DataArray(rt_mean[sl], dims=[name], coords={name: xs})
        data[f"gain_se_{name}"] = xr.DataArray(rt_se[sl], dims=[name], coords={name: xs})
        data[f"team_gain_{name}"] = xr.DataArray(tm_mean[sl], dims=[name], coords={name: xs})
        for x, ours, se in zip(xs, rt_mean[sl], rt_se[sl]):
            rows.append(R.seed_row(refs[x], f"({'i ii iii iv'.split()[list(panels).index(name)]}) gain at {name}={x:g}",
                                   ours, se, R.FIG3_SOURCE, n_seeds=S, note="region-target accuracy, points"))
        if team_refs is not None:
            for x, ours, se in zip(xs, tm_mean[sl], tm_se[sl]):
                rows.append(R.seed_row(team_refs[x], f"team-accuracy gain at {name}={x:g}", ours, se,
                                       R.FIG3_SOURCE, n_seeds=S, note="CGPR team accuracy (secondary curve)"))
        ax = axes[list(panels).index(name)]
        xplot = D_mean[sl] if name == "delta" else xs
        ax.errorbar(xplot, rt_mean[sl], yerr=2 * rt_se[sl], marker="o", ms=3, label="region-target (ours)")
        ax.plot(xplot, tm_mean[sl], "s--", ms=3, label="CGPR team (ours)")
        ax.plot(xplot, [refs[x] for x in xs], "k:", label="spec [R]")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.set_xlabel({"delta": "divergence D = ‖θ_ma* − θ_mc*‖", "alpha": "α", "p": "p", "q": "flip prob. q"}[name])
        ax.set_ylabel("gain (points)")
    axes[0].legend(fontsize=6)
    d_sl = slice(0, len(R.FIG3_DELTA))
    for x, ours, se in zip(R.FIG3_DIVERGENCE, D_mean[d_sl], D_se[d_sl]):
        rows.append(R.seed_row(R.FIG3_DIVERGENCE[x], f"(i) divergence D at delta={x:g}", ours, se,
                               R.FIG3_SOURCE, n_seeds=S))
    g_delta = rt_mean[d_sl]
    g_alpha = rt_mean[len(R.FIG3_DELTA):len(R.FIG3_DELTA) + len(R.FIG3_ALPHA)]
    off = len(R.FIG3_DELTA) + len(R.FIG3_ALPHA)
    ps = np.array(list(R.FIG3_P))
    g_p, t_p = rt_mean[off:off + len(ps)], tm_mean[off:off + len(ps)]
    qs = np.array(list(R.FIG3_Q))
    g_q = rt_mean[off + len(ps):]
    rows.append(R.CLAIM_DIVERGENCE.row("(i) gain increases with divergence", _yes(bool(np.all(np.diff(g_delta) > 0)))))
    rows.append(R.CLAIM_ALPHA.row("(ii) gain increases with α", _yes(bool(np.all(np.diff(g_alpha) > 0)))))
    rows.append(R.CLAIM_P.row("(iii) gain unimodal, peak at p in [0.4, 0.6]",
                              _yes(0.4 <= ps[np.argmax(g_p)] <= 0.6 and bool(np.all(np.diff(g_p[:np.argmax(g_p) + 1]) > 0))
                                   and bool(np.all(np.diff(g_p[np.argmax(g_p):]) < 0)))))
    rows.append(R.CLAIM_TEAM_P.row("(iii) team-accuracy gain peaks near p = 0.5", _yes(0.4 <= ps[np.argmax(t_p)] <= 0.6)))
    certainty = 1 - np.asarray(binary_entropy(qs)) / (2 * np.log(2))
    q_se = rt_se[off + len(ps):]

    def linear(x):
        coef = np.polyfit(x, g_q, 1)
        return bool(np.max(np.abs(np.polyval(coef, x) - g_q)) <= R.K_SE * np.sqrt(2) * q_se.max())

    rows.append(Row("(iv) gain linear in q (eq. 44)", _yes(linear(qs)), "yes", tag="D",
                    source=f"{R.SPEC} §4.3 / eq. 44", note="max residual of a line within 3√2 s.e."))
    rows.append(R.CLAIM_Q.row("(iv) gain linear in certainty 1 − H/2log2", _yes(linear(certainty)),
                              note="A10: linear in q, hence not in certainty"))
    ds = xr.Dataset(data, attrs={"n_seeds": S, "n_train": N_TRAIN, "n_test": N_TEST, "metric": "region-target (A8)",
                                 "provenance": "ours [R]; references spec §4.3 [R]; claims [P]"})
    _note(fig, f"Ours: {S} seeds, n_train={N_TRAIN}, n_test={N_TEST}, bars ±2 s.e.; dotted: spec's reconstruction [R]. "
               "The paper plots shapes only [P].")
    caption = (f"Fig. 3 [P shape; R numbers]: adaptive (oracle, known-group routing; (iv) labels flipped with prob. q) "
               f"minus single-model region-target accuracy, {S} seeds; CGPR team-accuracy gain as the secondary curve. "
               "Panel (i) is drawn against the divergence D.")
    return Result(ds, fig, caption, rows)


# --------------------------------------------------------------------------------------------- Fig. 2
def _tradeoffs(alphas, ps, n_seeds, protocol):
    import jax
    import jax.numpy as jnp

    from .params import make_population

    A, P = np.meshgrid(np.asarray(alphas, float), np.asarray(ps, float), indexing="ij")
    pop = make_population(P.ravel(), np.full(A.size, 0.25), A.ravel(),
                          alpha_c=np.full(A.size, 0.5), conf_width=np.full(A.size, 0.1))
    keys = jax.random.split(jax.random.key(0), n_seeds)
    f = _tradeoff_batch(protocol)
    out = f(keys, pop, jnp.asarray(1e-2), jnp.asarray(1e-5))
    return {k: np.asarray(v).reshape(A.shape + (n_seeds,)) for k, v in out.items()}


_TRADEOFF_BATCH = {}


def _tradeoff_batch(protocol):
    """One compiled vmap (points × seeds) of the tradeoff kernel per protocol."""
    if protocol not in _TRADEOFF_BATCH:
        import jax

        from hai_sim.engine import jit_core

        from .theory import _tradeoff

        def run(keys, pop, lam, eps):
            seeds = jax.vmap(lambda k, pp: _tradeoff(k, pp, 4000, lam, eps, 1.0, protocol), in_axes=(0, None))
            return jax.vmap(seeds, in_axes=(None, 0))(keys, pop)

        run.__name__ = run.__qualname__ = f"_tradeoff_batch_{protocol}"
        _TRADEOFF_BATCH[protocol] = jit_core(run)
    return _TRADEOFF_BATCH[protocol]


@experiment("ensemble.fig2-tradeoff", title="Complementarity–alignment tradeoff at the single optimum (Fig. 2)",
            tag="R", heavy=True)
def fig2_tradeoff(quick: bool = False) -> Result:
    """Fig. 2 with both protocols: the paper's (scikit-learn fits, un-penalised losses) and §1.12's split penalty."""
    import xarray as xr

    S = 6 if quick else 20
    alphas = (0.6, 0.8, 0.9, 1.0)
    ps = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
    sk = _tradeoffs(alphas, ps, S, "sklearn")
    sp = _tradeoffs(alphas, ps, 2, "split")
    med = np.median(sk["T_fd"], axis=-1)
    se_med = 1.2533 * sk["T_fd"].std(axis=-1, ddof=1) / np.sqrt(S)
    rows: list[Row] = []
    ip95 = ps.index(0.95)
    for j, a in enumerate(alphas):
        rows.append(Reference(R.FIG2_SKLEARN_P95[a], "R", R.FIG2_SKLEARN_SOURCE).row(
            f"paper protocol: median T at p=0.95, alpha={a:g}", float(med[j, ip95]),
            tol=R.K_SE * np.sqrt(2) * float(se_med[j, ip95]),
            reason=f"{R.K_SE:g}√2 s.e. of a {S}-seed median (s.e. ≈ 1.2533 sd/√S from our seeds)"))
    for i, p in enumerate(ps):
        rows.append(Reference(R.FIG2_SKLEARN_ALPHA1[p], "R", R.FIG2_SKLEARN_ALPHA1_SOURCE).row(
            f"paper protocol: median T at alpha=1, p={p:g}", float(med[-1, i]),
            tol=R.K_SE * np.sqrt(2) * float(se_med[-1, i]),
            reason=f"{R.K_SE:g}√2 s.e. of a {S}-seed median"))
    odds = sp["p_hat"] / (1 - sp["p_hat"])
    rel = float(np.max(np.abs(sp["T"] / odds - 1)))
    rows.append(R.SPLIT_IDENTITY.row("split protocol: max |T/(p̂/(1−p̂)) − 1|", rel, note="autodiff T, every α and p"))
    rows.append(R.PAPER_BLOWUP.row("tradeoff grows sharply toward p = 0.99", _yes(bool(np.all(med[:, -1] > 5 * med[:, 0])))))
    rows.append(Reference("yes", "P", "paper §5 Fig. 2: blow-up faster for smaller α").row(
        "larger T for smaller α at p = 0.95", _yes(bool(np.all(np.diff(med[:, ip95]) < 0)))))
    kappa = 2 * np.asarray(alphas) - 1
    ratio = med[:, ip95] / med[-1, ip95]
    rows.append(Reference("yes", "P", "paper §5 Fig. 2: 'confirming the 1/κ scaling'").row(
        "T(α)/T(α=1) = 1/κ at p = 0.95 (within 20 %)", _yes(bool(np.all(np.abs(ratio * kappa - 1) < 0.2))),
        note=f"ours: T(α)/T(1) = {np.round(ratio, 2).tolist()} vs 1/κ = {np.round(1 / kappa, 2).tolist()} (ERRATA 1)"))
    fig, axes = _fig(2, width=4.0, height=3.3)
    for j, a in enumerate(alphas):
        axes[0].plot(ps, med[j], "o-", ms=3, label=f"α={a:g}")
        axes[1].plot(ps, np.median(sp["T"][j], axis=-1), "o-", ms=3, label=f"α={a:g}")
    axes[1].plot(ps, np.asarray(ps) / (1 - np.asarray(ps)), "k:", label="p/(1−p) [D]")
    for ax, t in zip(axes, ("paper protocol (ERRATA 1) [R]", "split penalty §1.12 [D]")):
        ax.set_yscale("log")
        ax.set_xlabel("p")
        ax.set_ylabel("tradeoff T at θ_single*")
        ax.set_title(t, fontsize=8)
        ax.legend(fontsize=6)
    _note(fig, f"Ours: median over {S} seeds (paper protocol), n = 4000, δ = 0.25, ε = 1e-5, toward θ_ma*. "
               "Left is what the paper measured; right is the stationarity identity.")
    ds = xr.Dataset(
        {"T_paper_protocol": (("alpha", "p"), med), "T_paper_protocol_se": (("alpha", "p"), se_med),
         "T_split": (("alpha", "p"), np.median(sp["T"], axis=-1))},
        coords={"alpha": list(alphas), "p": list(ps)}, attrs={"n_seeds": S, "n": 4000})
    caption = ("Fig. 2 [P shape]: tradeoff ratio ΔL_c/(−ΔL_a) at the single-model optimum toward the aligned "
               "specialist. Left, the paper's protocol (scikit-learn fits, un-penalised region log-losses) [R]; right, "
               "the split-penalty protocol where T = p̂/(1 − p̂) exactly [D]. No 1/κ law appears (ERRATA 1).")
    return Result(ds, fig, caption, rows)


# --------------------------------------------------------------------------------------------- Fig. A1, A2
@experiment("ensemble.fig-a1-data", title="College-admissions samples (Fig. A1)", tag="P")
def fig_a1_data(quick: bool = False) -> Result:
    """Fig. A1: a sample of the admissions generator at p = 0.5, δ = 0.25 (colour: label, marker: group)."""
    import jax
    import xarray as xr

    from .data import make_admissions

    n = 4000
    d = make_admissions(jax.random.key(0), n, 0.5, 0.25, 1.0)
    X, y, h, a, c = (np.asarray(v) for v in d)
    fig, axes = _fig(2, width=3.6, height=3.3)
    for ax, mask, title, (c0, c1) in ((axes[0], a, "group a → D_a", ((2 / 3), -1 / 3)),
                                       (axes[1], ~a, "group c → D_c", (2.0, -3.0))):
        ax.scatter(X[mask, 0][:600], X[mask, 1][:600], c=y[mask][:600], s=4, cmap="coolwarm")
        g = np.linspace(0, 1, 50)
        ax.plot(g, c0 + c1 * g, "k--", lw=0.8, label="true boundary [P]")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("x_GPA")
        ax.set_ylabel("x_Score")
        ax.set_title(title, fontsize=8)
    _note(fig, "Synthetic admissions data (spec §2.6) [P]; 600 points per panel shown.")
    se = lambda q, m: R.K_SE * np.sqrt(q * (1 - q) / m)  # noqa: E731
    src = "paper App. C / spec §2.6 generator"
    rows = [
        Reference(0.5, "P", src).row("fraction in D_a (p = 0.5)", float(a.mean()), tol=se(0.5, n),
                                     reason=f"{R.K_SE:g} binomial s.e. at n = {n}"),
        Reference(1.0, "P", src).row("human accuracy on D_a (α = 1)", float((h == y)[a].mean())),
        Reference(0.5, "P", src).row("human accuracy on D_c", float((h == y)[~a].mean()), tol=se(0.5, (~a).sum()),
                                     reason=f"{R.K_SE:g} binomial s.e.", note="'random baseline' 0.5 is A2 [R]"),
    ]
    ds = xr.Dataset({"X": (("i", "feature"), X), "y": ("i", y), "h": ("i", h), "in_Da": ("i", a), "conf": ("i", c)},
                    coords={"feature": ["gpa", "score"]})
    return Result(ds, fig, "Fig. A1 [P]: admissions samples; dashed lines are the generator's true boundaries.", rows)


@experiment("ensemble.fig-a2-boundaries", title="Decision boundaries of standard and specialist models (Fig. A2)",
            tag="R")
def fig_a2_boundaries(quick: bool = False) -> Result:
    """Fig. A2: mean-over-seeds logistic boundaries of the standard, aligned and complementary models."""
    import jax
    import xarray as xr

    from .data import _admissions
    from .params import make_population
    from .train import _train

    S = 10
    pop = make_population(0.5, 0.25, 1.0)

    @jax.jit
    def fits(keys):
        def one(k):
            d = _admissions(k, pop, N_TRAIN)
            return _train(d.X, d.y.astype(d.X.dtype), d.h.astype(d.X.dtype), d.in_Da, d.conf, 1.0)

        return jax.vmap(one)(keys)

    th = fits(jax.random.split(jax.random.key(0), S))
    rows = []
    fig, axes = _fig(1, width=4.2, height=3.6)
    ax = axes[0]
    g = np.linspace(0, 1, 50)
    data = {}
    for name, (c0_ref, c1_ref) in R.A2_BOUNDARIES.items():
        b, wg, ws = np.asarray(getattr(th, name)).mean(axis=0)
        c0, c1 = -b / ws, -wg / ws
        data[name] = ("coef", [b, wg, ws])
        for q, ours, ref in (("intercept", c0, c0_ref), ("slope", c1, c1_ref)):
            rows.append(Reference(ref, "R", R.A2_SOURCE).row(
                f"{name} boundary {q}", float(ours), tol=0.1 * abs(ref), reason="±10 % of the value (spec §4.4)"))
        ax.plot(g, c0 + c1 * g, label=f"{name} (ours)")
    ax.plot(g, 2 / 3 - g / 3, "k--", lw=0.8, label="true D_a [P]")
    ax.plot(g, 2 - 3 * g, "k:", lw=0.8, label="true D_c [P]")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("x_GPA")
    ax.set_ylabel("x_Score")
    ax.legend(fontsize=6)
    _note(fig, f"Ours: mean θ over {S} seeds, n_train = {N_TRAIN}, scikit-learn-convention fits; spec values [R].")
    ds = xr.Dataset(data, coords={"coef": ["b", "w_gpa", "w_score"]}, attrs={"n_seeds": S})
    return Result(ds, fig, "Fig. A2 [P shape; R numbers]: boundaries x_S = c0 + c1 x_G of the mean fits.", rows)


# --------------------------------------------------------------------------------------------- Fig. A4
@experiment("ensemble.fig-a4-fixed-weights", title="Fixed-weight single models vs adaptive (Fig. A4)", tag="R",
            heavy=True)
def fig_a4_fixed_weights(quick: bool = False) -> Result:
    """Fig. A4: region-target accuracy gain and log-loss improvement of θ_w over the single model."""
    import jax
    import jax.numpy as jnp
    import xarray as xr

    from .evaluate import _fixed_weight_core
    from .params import make_population

    S = 10 if quick else 30
    ps = np.array(list(R.A4_ACC))
    ws = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    pop = make_population(ps, np.full(ps.size, 0.25), np.ones(ps.size), alpha_c=np.full(ps.size, 0.5),
                          conf_width=np.full(ps.size, 0.1))
    keys = jnp.broadcast_to(jax.random.split(jax.random.key(0), S)[None, :], (ps.size, S))
    acc_w, ll_w, acc_s, ll_s, acc_ad, ll_ad = (np.asarray(v) for v in _fixed_weight_core(
        keys, pop, jnp.asarray(ws), n_train=N_TRAIN, n_test=N_TEST, C=1.0))
    gain_w = 100 * (acc_w - acc_s[..., None])  # (P, S, k)
    gain_ad = 100 * (acc_ad - acc_s)
    llimp_w = ll_s[..., None] - ll_w
    llimp_ad = ll_s - ll_ad
    gw_m, gw_se = gain_w.mean(1), gain_w.std(1, ddof=1) / np.sqrt(S)
    ga_m, ga_se = _mean_se(gain_ad)
    la_m, la_se = _mean_se(llimp_ad)
    rows = []
    for i, p in enumerate(ps):
        ref = R.A4_ACC[p]
        rows.append(R.seed_row(ref["w=0"], f"gain of w=0 at p={p:g}", gw_m[i, 0], gw_se[i, 0], R.A4_SOURCE, n_seeds=S))
        rows.append(R.seed_row(ref["w=1"], f"gain of w=1 at p={p:g}", gw_m[i, -1], gw_se[i, -1], R.A4_SOURCE, n_seeds=S))
        rows.append(R.seed_row(ref["adaptive"], f"gain of adaptive at p={p:g}", ga_m[i], ga_se[i], R.A4_SOURCE, n_seeds=S))
        rows.append(R.seed_row(R.A4_LL_ADAPTIVE[p], f"log-loss improvement of adaptive at p={p:g}", la_m[i], la_se[i],
                               R.A4_SOURCE, n_seeds=S, note="nats"))
    rows.append(R.A4_CLAIM_ADAPTIVE.row("adaptive beats every θ_w in accuracy and log-loss, every p",
                                        _yes(bool(np.all(ga_m[:, None] > gw_m) and np.all(la_m[:, None] > llimp_w.mean(1))))))
    i75 = list(ps).index(0.75)
    rows.append(R.A4_CLAIM_PURE.row("at p = 0.75, w = 1 beats w = 0.75", _yes(bool(gw_m[i75, -1] > gw_m[i75, 3]))))
    fig, axes = _fig(2, width=4.0, height=3.3)
    for k, w in enumerate(ws):
        axes[0].plot(ps, gw_m[:, k], "o-", ms=3, label=f"w={w:g}")
        axes[1].plot(ps, llimp_w.mean(1)[:, k], "o-", ms=3, label=f"w={w:g}")
    axes[0].plot(ps, ga_m, "k*-", label="adaptive")
    axes[1].plot(ps, la_m, "k*-", label="adaptive")
    axes[0].set_ylabel("region-target accuracy gain (points)")
    axes[1].set_ylabel("log-loss improvement (nats)")
    for ax in axes:
        ax.set_xlabel("p")
        ax.legend(fontsize=6)
    _note(fig, f"Ours: {S} seeds; weights w/p̂ on D_a, (1−w)/(1−p̂) on D_c [R]; gains over the single model (w = p̂).")
    ds = xr.Dataset({"gain": (("p", "w"), gw_m), "gain_adaptive": ("p", ga_m), "logloss_impr": (("p", "w"), llimp_w.mean(1)),
                     "logloss_impr_adaptive": ("p", la_m)}, coords={"p": ps, "w": ws}, attrs={"n_seeds": S})
    return Result(ds, fig, "Fig. A4 [P shape; R numbers]: fixed-weight single models θ_w vs the adaptive ensemble.", rows)


# --------------------------------------------------------------------------------------------- §6 grids
def _seed_gain(key, p, delta, alpha, q, tau, n_seeds, metric, use_tau, pair):
    """Seed-mean gain (points), its s.e., D, Δ and Γ(0) at one grid point (fresh seeds per point)."""
    import jax
    import jax.numpy as jnp

    from .evaluate import _seed_runs
    from .params import Population

    a, b = pair.split("-")
    pre = "acc_rt_" if metric == "rt" else "team_acc_"
    pop = Population(p, delta, alpha, jnp.asarray(0.5), jnp.asarray(0.1))
    m = _seed_runs(jax.random.split(key, n_seeds), pop, q, tau, use_tau, N_TRAIN, N_TEST, 1.0)
    g = 100.0 * (m[pre + a] - m[pre + b])
    return {"gain": jnp.mean(g), "gain_se": jnp.std(g, ddof=1) / jnp.sqrt(float(n_seeds)),
            "D": jnp.mean(m.D), "Delta": jnp.mean(m.Delta), "gain0": 100.0 * jnp.mean(m.acc_rt_oracle - m.acc_rt_single)}


_SEED_GAIN = {}


def _grid_kernel(n_seeds, metric, use_tau, pair="adapt-single"):
    """A sweep kernel over named scalars. Its body is one compiled core shared by every grid, so the
    sweep's eager calls at the grid corners do not re-trace the pipeline op by op."""
    import jax.numpy as jnp

    from hai_sim.engine import jit_core

    if not _SEED_GAIN:
        _SEED_GAIN["core"] = jit_core(_seed_gain, static_argnames=("n_seeds", "metric", "use_tau", "pair"))
    core = _SEED_GAIN["core"]

    def gain(key, p=0.5, delta=0.25, alpha=1.0, q=0.0, tau=0.0):
        f = lambda v: jnp.asarray(v, dtype=float)  # noqa: E731
        return core(key, f(p), f(delta), f(alpha), f(q), f(tau), n_seeds=n_seeds, metric=metric, use_tau=use_tau,
                    pair=pair)

    return gain


def _grid(axes, n_seeds, metric="rt", use_tau=False, pair="adapt-single", seed=0):
    from hai_sim.engine import sweep

    fn = _grid_kernel(n_seeds, metric, use_tau, pair)
    return sweep(fn, axes, seed=seed, progress=False, metadata={"n_seeds": n_seeds, "metric": metric, "pair": pair})


def _heat(ds, xname, yname, title, zlabel="gain (points)"):
    from hai_sim.plot import heatmap

    fig, axes = _fig(1, width=4.4, height=3.6)
    ax = axes[0]
    v = ds["gain"].transpose(xname, yname).values
    heatmap(ax, v, ds[xname].values, ds[yname].values, xlabel=xname, ylabel=yname, cmap="RdBu_r", label=zlabel,
            vmin=-np.abs(v).max(), vmax=np.abs(v).max())
    if np.nanmin(v) < 0 < np.nanmax(v):
        ax.contour(ds[xname].values, ds[yname].values, v.T, levels=[0.0], colors="k", linewidths=0.9)
    ax.set_title(title, fontsize=8)
    return fig, ax


@experiment("ensemble.grid-alpha-tau", title="(α, τ) → CGPR team gain of the oracle over the standard AI (§6 grid 1)",
            tag="X", heavy=True)
def grid_alpha_tau(quick: bool = False) -> Result:
    """§6 grid 1: regions C^h > τ, oracle ensemble vs standard AI, CGPR team accuracy."""
    S = 5 if quick else 20
    alphas = [0.7, 0.8, 1.0] if quick else list(R.GRID1)
    taus = [0.30, 0.55, 0.65, 0.95] if quick else list(R.GRID1_TAUS)
    ds = _grid({"alpha": alphas, "tau": taus}, S, metric="team", use_tau=True, pair="oracle-standard")
    rows = []
    for a in alphas:
        for t in taus:
            ref = R.GRID1[a][R.GRID1_TAUS.index(t)]
            cell = ds.sel(alpha=a, tau=t)
            rows.append(R.seed_row(ref, f"gain at alpha={a:g}, tau={t:g}", float(cell["gain"]), float(cell["gain_se"]),
                                   R.GRID1_SOURCE, n_seeds=S, note="independent seeds per cell"))
    fig, ax = _heat(ds, "alpha", "tau", "oracle − standard, CGPR team accuracy; black: gain = 0")
    _note(fig, f"Ours [X]: {S} seeds per cell, regions C^h > τ, r_empty = 1; spec's table [R] in the rows.")
    return Result(ds, fig, "§6 grid 1 [X]: ridge where τ separates the confidence bands, rising with α.", rows)


@experiment("ensemble.grid-delta-alpha", title="(δ, α) → region-target gain (§6 grid 2)", tag="X", heavy=True)
def grid_delta_alpha(quick: bool = False) -> Result:
    """§6 grid 2: Fig. 3(i)×(ii) as a surface; rows check the δ = 0.25, α = 1 cell and monotonicity in α."""
    S = 5 if quick else 30
    deltas = [0.0, 0.25, 0.5] if quick else list(np.linspace(0, 0.5, 11))
    alphas = [0.5, 0.75, 1.0] if quick else list(np.linspace(0.5, 1.0, 11))
    ds = _grid({"delta": deltas, "alpha": alphas}, S)
    cell = ds.sel(delta=0.25, alpha=1.0)
    rows = [R.seed_row(R.FIG3_DELTA[0.25], "gain at delta=0.25, alpha=1", float(cell["gain"]), float(cell["gain_se"]),
                       R.FIG3_SOURCE, n_seeds=S),
            R.CLAIM_ALPHA.row("gain increases with α at δ = 0.5",
                              _yes(bool(np.all(np.diff(ds["gain"].sel(delta=0.5).values) > 0))))]
    fig, ax = _heat(ds, "delta", "alpha", "adaptive − single, region-target accuracy; black: gain = 0")
    _note(fig, f"Ours [X]: {S} seeds per cell (independent across cells).")
    return Result(ds, fig, "§6 grid 2 [X]: adaptive gain over (δ, α); gain = 0 contour in black.", rows)


@experiment("ensemble.grid-p-delta", title="(p, δ) → region-target gain (§6 grid 3)", tag="X", heavy=True)
def grid_p_delta(quick: bool = False) -> Result:
    """§6 grid 3: the p(1 − p) ridge at p ≈ 0.5, scaled by the divergence."""
    S = 5 if quick else 30
    ps = [0.1, 0.5, 0.9] if quick else list(np.round(np.linspace(0.05, 0.95, 10), 2))
    deltas = [0.0, 0.25, 0.5] if quick else list(np.linspace(0, 0.5, 11))
    ds = _grid({"p": ps, "delta": deltas}, S)
    g = ds["gain"].sel(delta=0.5).values
    rows = [R.CLAIM_P.row("peak of the gain over p at δ = 0.5 lies in [0.4, 0.6]",
                          _yes(0.4 <= float(ds["p"].values[np.argmax(g)]) <= 0.6))]
    fig, ax = _heat(ds, "p", "delta", "adaptive − single, region-target accuracy; black: gain = 0")
    _note(fig, f"Ours [X]: {S} seeds per cell.")
    return Result(ds, fig, "§6 grid 3 [X]: gain over (p, δ); the ridge sits at p ≈ 0.5.", rows)


@experiment("ensemble.grid-q-alpha", title="(q, α) → gain under noisy routing (§6 grid 4)", tag="X", heavy=True)
def grid_q_alpha(quick: bool = False) -> Result:
    """§6 grid 4: gain under noisy-group routing with the eq.-44 zero line q* = Γ(0)/Δ."""
    S = 5 if quick else 30
    qs = [0.0, 0.25, 0.5] if quick else list(np.linspace(0, 0.5, 11))
    alphas = [0.6, 0.8, 1.0] if quick else list(np.linspace(0.5, 1.0, 11))
    ds = _grid({"q": qs, "alpha": alphas}, S)
    fig, ax = _heat(ds, "q", "alpha", "adaptive − single under flips q; black: 0; dashed: Γ(0)/Δ (eq. 44)")
    q_star = (ds["gain0"] / (100 * ds["Delta"])).mean("q").values
    ax.plot(np.clip(q_star, 0, 0.5), ds["alpha"].values, "w--", lw=1.0)
    pred = ds["gain0"] - 100 * ds["q"] * ds["Delta"]
    err = float(np.max(np.abs(pred.values - ds["gain"].values) - R.K_SE * ds["gain_se"].values * np.sqrt(2)))
    rows = [Row("eq. 44: gain = Γ(0) − qΔ in every cell (within 3√2 s.e.)", _yes(err <= 0), "yes", tag="P",
                source="paper eq. 44 (Cor. 6 proof)", note="Γ(0), Δ from the same seeds")]
    _note(fig, f"Ours [X]: {S} seeds per cell; routing labels flipped at test time only (A10).")
    return Result(ds, fig, "§6 grid 4 [X]: gain under routing noise; linear in q (eq. 44).", rows)


@experiment("ensemble.grid-p-alpha", title="(p, α) → tradeoff at the single optimum (§6 grid 5)", tag="X", heavy=True)
def grid_p_alpha(quick: bool = False) -> Result:
    """§6 grid 5: Fig. 2 as a surface, the paper's protocol (median over seeds)."""
    import xarray as xr

    S = 6 if quick else 20  # quick: fig2-tradeoff's shapes, so its compiled tradeoff batch is reused
    ps = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
    alphas = (0.6, 0.8, 0.9, 1.0)
    sk = _tradeoffs(alphas, ps, S, "sklearn")
    med = np.median(sk["T_fd"], axis=-1)
    ds = xr.Dataset({"gain": (("alpha", "p"), np.log10(med))}, coords={"alpha": list(alphas), "p": list(ps)},
                    attrs={"n_seeds": S, "quantity": "log10 median tradeoff, paper protocol"})
    fig, ax = _heat(ds, "p", "alpha", "log10 T(θ_single*), paper protocol [R]", zlabel="log10 T")
    rows = [R.PAPER_BLOWUP.row("T rises with p at every α", _yes(bool(np.all(np.diff(med, axis=1) > 0))))]
    _note(fig, f"Ours [X]: median over {S} seeds, n = 4000, δ = 0.25.")
    return Result(ds, fig, "§6 grid 5 [X]: the tradeoff surface (the formula p/((1−p)κ) is not what is measured; "
                           "ERRATA 1).", rows)


# --------------------------------------------------------------------------------------------- Fig. A3
@experiment("ensemble.fig-a3-families", title="Adaptive gain vs prediction divergence across model families (Fig. A3)",
            tag="R", heavy=True)
def fig_a3_families(quick: bool = False) -> Result:
    """Fig. A3: Fig. 3(i) with logistic and RBF-feature logistic models (trees, forests, MLP not here)."""
    import jax
    import xarray as xr

    from .families import FAMILIES, _family_run
    from .params import make_population

    S = 5 if quick else 30
    deltas = np.array([0.0, 0.1, 0.25, 0.4, 0.5])
    pop = make_population(np.full(deltas.size, 0.5), deltas, np.ones(deltas.size), alpha_c=np.full(deltas.size, 0.5),
                          conf_width=np.full(deltas.size, 0.1))
    keys = jax.random.split(jax.random.key(0), S)
    out = {}
    for fam in FAMILIES:
        run = jax.jit(jax.vmap(jax.vmap(lambda k, pp: _family_run(k, pp, fam, N_TRAIN, N_TEST, 1.0),
                                        in_axes=(0, None)), in_axes=(None, 0)))
        g, dis = run(keys, pop)
        out[fam] = (np.asarray(g).mean(1), np.asarray(g).std(1, ddof=1) / np.sqrt(S), np.asarray(dis).mean(1))
    rows = []
    fig, axes = _fig(1, width=4.2, height=3.4)
    for fam, (g, se, dis) in out.items():
        axes[0].errorbar(dis, g, yerr=2 * se, marker="o", ms=3, label=fam)
        order = np.argsort(dis)
        rows.append(Reference("yes", "P", "paper App. C Fig. A3: gain grows with divergence for every family").row(
            f"{fam}: gain increases with prediction divergence", _yes(bool(np.all(np.diff(g[order]) > 0)))))
    axes[0].set_xlabel("divergence: share of test points where m_a ≠ m_c")
    axes[0].set_ylabel("region-target gain (points)")
    axes[0].legend(fontsize=7)
    _note(fig, f"Ours: {S} seeds, δ ∈ {deltas.tolist()}; RBF = logistic on 9 Gaussian features (width 0.35) [R]. "
               "Trees, forests and the MLP of the paper are not reproduced.")
    ds = xr.Dataset({f"{k}_{fam}": ("delta", v) for fam, vals in out.items()
                     for k, v in zip(("gain", "gain_se", "divergence"), vals)}, coords={"delta": deltas},
                    attrs={"n_seeds": S})
    return Result(ds, fig, "Fig. A3 [P shape]: adaptive gain against prediction divergence, logistic and RBF-feature "
                           "logistic specialists (our families [R]).", rows)


# --------------------------------------------------------------------------------------------- Table 1 (stand-in)
def _relation(d, approx=R.APPROX_PTS):
    return "≈" if abs(d) <= approx else (">" if d > 0 else "<")


@experiment("ensemble.table1-standin", title="Table 1 / Fig. 1 orderings on the SYNTHETIC WoofStandIn (not WoofNette)",
            tag="R", heavy=True)
def table1_standin(quick: bool = False) -> Result:
    """Table 1 / Fig. 1 as orderings (ERRATA 6) on the synthetic stand-in of spec §5.2; never WoofNette results."""
    import jax
    import xarray as xr

    from .standin import STANDIN_PARADIGMS, run_woof_standin

    S = 5  # A22: the paper's ± read as the std of 5 runs
    sizes = dict(n_train=3000, n_test=2000) if quick else dict(n_train=9446, n_test=4054)
    runs = {("softmax", 1.6): run_woof_standin(jax.random.key(0), S, **sizes)}
    if not quick:
        runs[("softmax", 0.6)] = run_woof_standin(jax.random.key(0), S, sigma_off=0.6, **sizes)
        runs[("mlp", 1.6)] = run_woof_standin(jax.random.key(0), S, family="mlp", **sizes)
    m = {k: 100.0 * np.asarray(v) for k, v in runs[("softmax", 1.6)]._asdict().items()}
    val = lambda metric, x: m["human_acc"] if x == "human" else m[f"{metric}_acc_{x}"]  # noqa: E731
    rows: list[Row] = []
    tag = "SYNTHETIC stand-in, softmax regression, σ_off = 1.6"
    # The spec's acceptance and the paper's orderings: the targets.
    rows.append(R.STANDIN_HUMAN.row("human accuracy (%)", float(m["human_acc"].mean()), note=tag))
    for metric, a, b, rel in R.TABLE1_ORDER:
        d = val(metric, a) - val(metric, b)
        se = d.std(ddof=1) / np.sqrt(S)
        rows.append(Reference(rel, "P", R.TABLE1_ORDER_SOURCE).row(
            f"{metric} accuracy: {a} vs {b}", _relation(d.mean()),
            note=f"{tag}: paired difference {d.mean():+.2f} ± {R.K_SE:g}·{se:.2f} points over {S} seeds; "
                 f"'≈' = within {R.APPROX_PTS:g} point"))
    # The paper's numbers beside ours: synthetic vs real data, shown, not targets.
    for metric, table in (("ai", R.TABLE1_AI), ("team", R.TABLE1_TEAM)):
        for x in STANDIN_PARADIGMS:
            ours = val(metric, x)
            ref, sd = table[x]
            # No tolerance: synthetic and real numbers are not comparable, so a chance overlap of
            # error bars must not read as a reproduction; every value row is a (listed) MISMATCH.
            rows.append(Reference(ref, "P", R.TABLE1_SOURCE).row(
                f"{metric} accuracy of {x} (%)", float(ours.mean()),
                note=f"{tag} (sd {ours.std(ddof=1):.2f}) vs WoofNette (± {sd}): shown beside, not a target"))
    # Theorem 3 with the measured ε and the measured violation rate of its condition (ii).
    gap = m["team_acc_oracle"] - m["team_acc_rrs"]
    rows += [
        Row("Thm 3 (ii): share of D_a where C^a < C^c (%)", float(m["viol_ii"].mean()), tag="X",
            note="the premise 'aligned specialist dominates on D_a' is broken this often"),
        Row("Thm 3 (iii): measured ε (points)", float(m["eps_iii"].mean()), tag="X"),
        Row("Thm 3: oracle − RRS team accuracy (points)", float(gap.mean()), tag="X",
            note=f"{'≤' if gap.mean() <= m['eps_iii'].mean() else '>'} ε: the bound needs (ii), which fails"),
        Row("RRS route agreement", float(m["route_agree_rrs"].mean() / 100), tag="X"),
    ]
    # Full mode: the spec's reconstruction of this stand-in [R] at both σ_off, and the MLP family.
    if not quick:
        for so in (1.6, 0.6):
            mm = {k: 100.0 * np.asarray(v) for k, v in runs[("softmax", so)]._asdict().items()}
            ref = R.STANDIN_REF[so]
            for x in STANDIN_PARADIGMS:
                for j, metric in enumerate(("ai", "team")):
                    v = mm[f"{metric}_acc_{x}"]
                    rows.append(R.seed_row(ref[x][j], f"σ_off={so:g}: {metric} accuracy of {x} (%)", v.mean(),
                                           v.std(ddof=1) / np.sqrt(S), R.STANDIN_REF_SOURCE, n_seeds=S))
            v = mm["route_agree_rrs"] / 100
            rows.append(R.seed_row(ref["agree"], f"σ_off={so:g}: RRS route agreement", v.mean(),
                                   v.std(ddof=1) / np.sqrt(S), R.STANDIN_REF_SOURCE, n_seeds=S))
        mlp = {k: 100.0 * np.asarray(v) for k, v in runs[("mlp", 1.6)]._asdict().items()}
        for x in STANDIN_PARADIGMS:
            rows.append(Row(f"MLP: team accuracy of {x} (%)", float(mlp[f"team_acc_{x}"].mean()), tag="X",
                            note="flax MLP (32 hidden units), same protocol; no reference"))
    labels = list(STANDIN_PARADIGMS) + ["human"]
    data = {}
    for (fam, so), run in runs.items():
        mm = {k: 100.0 * np.asarray(v) for k, v in run._asdict().items()}
        for metric in ("ai", "team"):
            vals = np.stack([mm["human_acc"] if x == "human" else mm[f"{metric}_acc_{x}"] for x in labels])
            data[f"{metric}_{fam}_{so:g}"] = xr.DataArray(vals.mean(1), dims=["paradigm"], coords={"paradigm": labels})
            data[f"{metric}_{fam}_{so:g}_sd"] = xr.DataArray(vals.std(1, ddof=1), dims=["paradigm"],
                                                             coords={"paradigm": labels})
    ds = xr.Dataset(data, attrs={"n_seeds": S, **sizes, "data": "SYNTHETIC WoofStandIn (spec §5.2), not WoofNette",
                                 "provenance": "ours [X/R]; paper Table 1 [P] in the rows"})
    fig, axes = _fig(2, width=4.4, height=3.4)
    xs = np.arange(len(labels))
    for ax, metric, table in ((axes[0], "ai", R.TABLE1_AI), (axes[1], "team", R.TABLE1_TEAM)):
        paper = [R.TABLE1_HUMAN[0] if x == "human" else table[x][0] for x in labels]
        ax.bar(xs - 0.2, ds[f"{metric}_softmax_1.6"].values, 0.4, yerr=ds[f"{metric}_softmax_1.6_sd"].values,
               label="SYNTHETIC stand-in (ours)")
        ax.bar(xs + 0.2, paper, 0.4, color="0.6", label="paper, WoofNette [P]")
        ax.set_xticks(xs, labels, rotation=45, fontsize=7)
        ax.set_ylim(30, 90)
        ax.set_ylabel(f"{'AI' if metric == 'ai' else 'CGPR team'} accuracy (%)")
        ax.legend(fontsize=6)
    _note(fig, f"Ours: SYNTHETIC WoofStandIn (spec §5.2 [R]), softmax regression, {S} seeds, "
               f"n_train={sizes['n_train']}, bars ±1 sd. Grey: the paper's WoofNette numbers [P]; only orderings compare.")
    caption = ("Table 1 / Fig. 1 as orderings on a SYNTHETIC stand-in (never WoofNette results): AI and CGPR team "
               "accuracy of each paradigm beside the paper's printed numbers [P]. The oracle ensemble is best and "
               "both specialists are weaker than the standard AI, as in the paper; RRS falls to about standard-AI "
               "level because the linear specialists' confidences do not separate the regions (Theorem 3's (ii) fails).")
    return Result(ds, fig, caption, rows)
