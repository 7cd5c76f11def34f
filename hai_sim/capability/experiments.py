"""Registered experiments: the paper's exact (closed-form) targets and the §6 phase diagrams.

Exact reproductions: Table 2, Figure 3, the Global rows of Tables 5 and 6 and of Figure 4 (each
beside its ``ms``-expert variant, ERRATA 3, and the accuracy its α* really achieves with an
exactly calibrated σ, ERRATA 2). Reference numbers live in :mod:`.references`. Importing this
module computes nothing.
"""

from __future__ import annotations

import numpy as np

from hai_sim.engine.experiment import Result, Row, experiment

from . import references as ref

_PAPER_NOTE = "paper form, eq-9 sigma, paper41 expert"


def _xr():
    import xarray as xr

    return xr


def _plt():
    from hai_sim import plot

    return plot


def _global_pair(n: int, ai_acc: float, K, p):
    """Paper-form Global for the paper41 and the ms expert in one optimisation (one compile)."""
    from . import human_accuracy, optimal_alpha, sigma_from_acc

    sigma_D = sigma_from_acc(ai_acc, n).sigma_D
    H = np.stack([np.asarray(human_accuracy(n, K, p, e)) for e in ("paper41", "ms")])
    opt = optimal_alpha(n, H, sigma_D)
    return np.asarray(opt.alpha), np.asarray(opt.acc), H


def _global_table(n: int, ai_acc: float, ks: list[int], quick: bool):
    """Paper-form Global (paper41 and ms) and the exact accuracy of the paper's α*."""
    from . import global_baseline, sigma_from_acc, team_accuracy

    K = np.asarray(ks)
    alpha, acc, H = _global_pair(n, ai_acc, K, 0.0)
    exact_sigma = sigma_from_acc(ai_acc, n, "exact").sigma_D
    realised = team_accuracy(alpha[0], n, H[0], exact_sigma, "exact")
    ds = _xr().Dataset(
        {
            "global_paper41": ("k", 100 * acc[0]),
            "alpha_paper41": ("k", alpha[0]),
            "global_ms": ("k", 100 * acc[1]),
            "alpha_ms": ("k", alpha[1]),
            "realised_exact": ("k", 100 * np.asarray(realised)),
        },
        coords={"k": K},
        attrs={"n": n, "ai_acc": ai_acc, "p": 0.0, "provenance": "D (closed forms of the paper, Sec 4)"},
    )
    if not quick:  # the optimum of the exact model itself (what Global could achieve), [X]
        exact_opt = global_baseline(ai_acc, n, K, 0.0, method="exact", grid=2001)
        ds["exact_optimum"] = ("k", 100 * np.asarray(exact_opt.acc))
    return ds


def _global_figure(ds, title: str, paper_ours: list[float] | None = None):
    plot = _plt()
    fig, (ax,) = plot.new_figure(1, width=5.2)
    k = ds.k.values
    ax.plot(k, ds.global_paper41, "o-", label="Global, paper41 (paper form) [D]")
    ax.plot(k, ds.global_ms, "s--", label="Global, ms expert [D, ERRATA 3]")
    ax.plot(k, ds.realised_exact, "^:", label="realised, exact sigma [D, ERRATA 2]")
    if paper_ours is not None:
        ax.plot(k, paper_ours, "k.", label="paper's 'Ours' (CIFAR) [P]")
    ax.set_xlabel("expert competence k")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.legend(fontsize=7)
    plot.provenance_note(fig, "[P] paper, [D] derived from the paper's closed form; CIFAR rows need data.")
    return fig


@experiment("capability.table2", title="Table 2: AI noise sigma from accuracy (eq 9)", tag="P")
def table2(quick: bool = False) -> Result:
    """σ_D and σ from eq 9 at n = 10 (Table 2), with the true accuracy of the noise model at that
    σ and the σ that truly gives each accuracy (spec §3.4: eq 9 is a lower bound)."""
    from . import ai_accuracy, sigma_from_acc

    acc = np.asarray(ref.TABLE2_ACC)
    paper = sigma_from_acc(acc, 10)
    exact = sigma_from_acc(acc, 10, "exact")
    true_acc = ai_accuracy(paper.sigma_D, 10, "exact")
    ds = _xr().Dataset(
        {"sigma_D": ("acc", np.asarray(paper.sigma_D)), "sigma": ("acc", np.asarray(paper.sigma)),
         "true_acc_at_eq9_sigma": ("acc", np.asarray(true_acc)), "exact_sigma": ("acc", np.asarray(exact.sigma))},
        coords={"acc": acc}, attrs={"n": 10},
    )
    rows = []
    for i, a in enumerate(acc):
        rows.append(ref.TABLE2_SIGMA_D[i].row(f"sigma_D at Acc={a:g}", float(paper.sigma_D[i]), note="eq 9"))
        rows.append(ref.TABLE2_SIGMA[i].row(f"sigma at Acc={a:g}", float(paper.sigma[i]), note="eq 9"))
    for i in (0, 4, 8, 9):
        rows.append(ref.TABLE2_TRUE_ACC[i].row(f"true accuracy at eq-9 sigma, Acc={acc[i]:g}", float(true_acc[i]),
                                               note="exact quadrature"))
        rows.append(ref.TABLE2_EXACT_SIGMA[i].row(f"exact sigma for Acc={acc[i]:g}", float(exact.sigma[i]),
                                                  note="bisection on the exact accuracy"))
    plot = _plt()
    fig, (ax,) = plot.new_figure(1, width=5)
    ax.plot(acc, paper.sigma, "o-", label="sigma, eq 9 [P]")
    ax.plot(acc, exact.sigma, "s--", label="sigma, exact [D]")
    ax.set_xlabel("AI accuracy")
    ax.set_ylabel("sigma")
    ax.legend(fontsize=8)
    plot.provenance_note(fig, "[P] Table 2 reproduced from eq 9; [D] the exact inversion (spec §3.4).")
    caption = ("Table 2 [P] reproduced from eq 9 (all 20 entries to the printed digit). Eq 9 treats the n-1 "
               "comparisons as independent; the noise model is more accurate than eq 9 says (true accuracy at the "
               "Table-2 sigma), and the exact sigma [D] is smaller.")
    return Result(ds, fig, caption, rows)


@experiment("capability.figure3", title="Figure 3: team accuracy P1(alpha) over K, sigma_D and p", tag="R", heavy=True)
def figure3(quick: bool = False) -> Result:
    """P1(α) curves at n = 10 (product form), panels over K and σ_D, colours over p (the panel
    values are not in the text; grids as spec §4.2 [R]); α* and P1* at the spec's reference
    points, and the four claims of T8."""
    from . import ai_accuracy, human_accuracy, optimal_alpha, team_accuracy

    Ks, sDs, ps = [1, 3, 5, 7], [0.3, 0.441, 0.6, 0.8, 1.0], [0.0, 0.25, 0.5, 0.75, 0.9]
    alpha = np.linspace(0.0, 1.0, 101 if quick else 401)
    H = np.asarray(human_accuracy(10, np.asarray(Ks)[:, None], np.asarray(ps)[None, :]))  # (K, p)
    P1 = np.asarray(team_accuracy(alpha[None, None, None, :], 10, H[:, None, :, None],
                                  np.asarray(sDs)[None, :, None, None]))
    opt = optimal_alpha(10, H[:, None, :], np.asarray(sDs)[None, :, None])
    ds = _xr().Dataset(
        {"P1": (("K", "sigma_D", "p", "alpha"), P1), "alpha_star": (("K", "sigma_D", "p"), np.asarray(opt.alpha)),
         "P1_star": (("K", "sigma_D", "p"), np.asarray(opt.acc))},
        coords={"K": Ks, "sigma_D": sDs, "p": ps, "alpha": alpha}, attrs={"n": 10, "method": "paper"},
    )
    rows = []
    pts = list(ref.FIG3_POINTS.items())
    K_pts = np.array([k for (k, _, _), _ in pts])
    s_pts = np.array([s for (_, s, _), _ in pts])
    p_pts = np.array([p for (_, _, p), _ in pts])
    o = optimal_alpha(10, human_accuracy(10, K_pts, p_pts), s_pts)
    for i, ((K, s, p), (a_txt, acc_txt)) in enumerate(pts):
        rows.append(Row(f"alpha* K={K} sigma_D={s} p={p}", float(o.alpha[i]), float(a_txt),
                        tol=0.5e-3, tag="D", source="spec §4.2", reason="half a unit of the last printed digit"))
        rows.append(Row(f"max P1 K={K} sigma_D={s} p={p}", float(o.acc[i]), float(acc_txt),
                        tol=0.5e-4, tag="D", source="spec §4.2", reason="half a unit of the last printed digit"))
    p0 = ai_accuracy(np.asarray(list(ref.FIG3_P0)), 10)
    for (s, txt), v in zip(ref.FIG3_P0.items(), np.asarray(p0)):
        rows.append(_derived(txt, "spec §4.2 (P0 at sigma_D)").row(f"P0 at sigma_D={s}", float(v)))
    heights = bool(np.all(np.diff(P1, axis=0) >= -1e-12))
    a_star = np.asarray(opt.alpha)
    falls = bool(np.all(np.diff(a_star, axis=1) <= 1e-12))
    to_zero = bool(a_star[-1, -1, :].max() < a_star[0, 0, :].min() and a_star[-1, -1, 0] < 0.3)
    low = bool(np.all(np.diff(P1[..., 1], axis=2) > 0))
    for (claim, r), ok in zip(ref.FIG3_CLAIMS.items(), (heights, falls, to_zero, low)):
        rows.append(r.row(claim, "yes" if ok else "no", note="checked on this grid"))
    plot = _plt()
    fig, axes = plot.new_figure(len(sDs) * 2, ncols=len(sDs), width=3.0, height=2.5)
    for j, s in enumerate(sDs):
        for r, Ki in enumerate((0, 3)):
            ax = axes[r * len(sDs) + j]
            for c, p in enumerate(ps):
                ax.plot(alpha, P1[Ki, j, c], lw=1, label=f"p={p}")
                ax.plot(a_star[Ki, j, c], opt.acc[Ki, j, c], "k.", ms=3)
            ax.set_title(f"K={Ks[Ki]}, sigma_D={s}", fontsize=8)
            ax.set_xlabel("alpha", fontsize=7)
    axes[0].legend(fontsize=6)
    plot.provenance_note(fig, "[R] panel grid (spec §4.2); curves from eq 8 (product form) [P]; dots: alpha* [D].")
    caption = ("Figure 3 reconstructed [R]: eq 8's P1(alpha) at n = 10 for K in {1, 7} (rows) and five sigma_D "
               "(columns), colours over p; dots mark alpha*. Reference alpha*/P1* are the spec's [D] values; the four "
               "claims of the paper are checked on the grid.")
    return Result(ds, fig, caption, rows)


def _derived(text: str, source: str):
    """A number the spec derived from the paper [D], matched to its printed digits."""
    return ref.Reference.printed(text, source, tag="D")


def _global_rows(name: str, ds, acc_refs, alpha_refs, ms_refs=None):
    rows = []
    for i, k in enumerate(ds.k.values):
        rows.append(acc_refs[i].row(f"{name} Global k={k} (%)", float(ds.global_paper41[i]), note=_PAPER_NOTE))
        rows.append(alpha_refs[i].row(f"{name} alpha* k={k}", float(ds.alpha_paper41[i]), note=_PAPER_NOTE))
        if ms_refs is not None:
            rows.append(ms_refs[i].row(f"{name} Global with ms expert k={k} (%)", float(ds.global_ms[i]),
                                       note="paper form, ms expert (ERRATA 3)"))
    return rows


@experiment("capability.table5-global", title="Table 5: Global row (n = 10, Acc 0.9454)", tag="P", heavy=True)
def table5_global(quick: bool = False) -> Result:
    """Table 5's Global row from the closed form (AI accuracy 0.9454, paper41 expert, p = 0),
    beside the ms-expert variant and what its α* truly achieves with the exact σ."""
    ds = _global_table(10, 0.9454, ref.TABLE5_K, quick)
    rows = _global_rows("Table 5", ds, ref.TABLE5_GLOBAL, ref.TABLE5_ALPHA, ref.TABLE5_GLOBAL_MS)
    rows.append(ref.TABLE5_REALISED_K1.row("Table 5 realised accuracy of alpha* k=1 (%)", float(ds.realised_exact[0]),
                                           note="exact model, exact-calibrated sigma (ERRATA 2)"))
    fig = _global_figure(ds, "Table 5 Global (n=10, Acc=0.9454)", ref.TABLE5_OURS)
    caption = ("Table 5 Global [P] reproduced by the product-form optimum (AI accuracy 0.9454 fitted, spec A10; "
               "paper41 expert). The ms-expert variant [D] is the like-for-like comparison with the learned rows "
               "(ERRATA 3); 'realised' is the exact accuracy of the paper's alpha* with the exactly calibrated sigma "
               "[D, ERRATA 2]. The paper's 'Ours' needs CIFAR-10 and is shown for reference only.")
    return Result(ds, fig, caption, rows)


@experiment("capability.table6-global", title="Table 6: Global row (n = 20, Acc 0.7333)", tag="P", heavy=True)
def table6_global(quick: bool = False) -> Result:
    """Table 6's Global row (20 super-classes, AI 73.33 %), the ms variant, and the realised
    accuracy of α* under the exact model (the product form over-predicts by up to 1.8 pp)."""
    ds = _global_table(20, 0.7333, ref.TABLE6_K, quick)
    rows = _global_rows("Table 6", ds, ref.TABLE6_GLOBAL, ref.TABLE6_ALPHA)
    for k, r in ref.TABLE6_REALISED.items():
        i = ref.TABLE6_K.index(k)
        rows.append(r.row(f"Table 6 realised accuracy of alpha* k={k} (%)", float(ds.realised_exact[i]),
                          note="exact model, exact-calibrated sigma (ERRATA 2)"))
    fig = _global_figure(ds, "Table 6 Global (n=20, Acc=0.7333)")
    caption = ("Table 6 Global [P] from the product-form optimum (n = 20, AI 0.7333, paper41). The realised "
               "accuracies [D] show the closed form's optimism with many classes and a weak AI (ERRATA 2).")
    return Result(ds, fig, caption, rows)


@experiment("capability.figure4-global", title="Figure 4: Global against p (k = 5)", tag="D", heavy=True)
def figure4_global(quick: bool = False) -> Result:
    """Global accuracy against the non-expertise level p at k = 5 (Figure 4's Global curve,
    numbers derived in spec §4.7), panels (a) n = 10 and (b) n = 20; ms variant beside it."""
    p = np.asarray(ref.FIG4_P)
    data, rows = {}, []
    for panel, (n, acc) in {"a": (10, 0.9454), "b": (20, 0.7333)}.items():
        alpha, acc_, _ = _global_pair(n, acc, 5, p)
        data[f"global_{panel}"] = ("p", 100 * acc_[0])
        data[f"alpha_{panel}"] = ("p", alpha[0])
        data[f"global_ms_{panel}"] = ("p", 100 * acc_[1])
        for i, pi in enumerate(p):
            rows.append(ref.FIG4_GLOBAL[panel][i].row(f"Fig 4{panel} Global p={pi:g} (%)", 100 * float(acc_[0, i]),
                                                      note=_PAPER_NOTE))
    ds = _xr().Dataset(data, coords={"p": p}, attrs={"k": 5})
    plot = _plt()
    fig, axes = plot.new_figure(2, width=4.2)
    for ax, panel, title in zip(axes, "ab", ("(a) n=10, Acc 0.9454", "(b) n=20, Acc 0.7333")):
        ax.plot(p, ds[f"global_{panel}"], "o-", label="Global, paper41 [D]")
        ax.plot(p, ds[f"global_ms_{panel}"], "s--", label="Global, ms [D]")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("p")
        ax.set_ylabel("accuracy (%)")
        ax.legend(fontsize=7)
    plot.provenance_note(fig, "[D] closed-form Global; the learned curves of Fig 4 need CIFAR.")
    caption = "Figure 4's Global curves [D] (the plotted numbers are not printed; spec §4.7 derives them)."
    return Result(ds, fig, caption, rows)


@experiment("capability.phase-alpha", title="Phase diagram: alpha*, value of collaboration, approximation error",
            tag="X", heavy=True)
def phase_alpha(quick: bool = False) -> Result:
    """α*(Acc, H), the value P1* − max(P0, H) and the product form's over-prediction at n = 10
    (spec §6) [X], with the spec's reference slice (K = 3) and the spurious-gain regime."""
    from . import human_accuracy, optimal_alpha, phase_grid, sigma_from_acc, team_accuracy

    m = 21 if quick else 81
    accs = np.linspace(0.15, 0.99, m)
    Hs = np.linspace(0.0, 1.0, m)
    ds = phase_grid([10], accs, Hs, grid=1001 if quick else 10001)
    rows = []
    sl = list(ref.PHASE_SLICE.items())
    p_s = np.array([p for (p, _), _ in sl])
    a_s = np.array([a for (_, a), _ in sl])
    H_s = np.asarray(human_accuracy(10, 3, p_s))
    b = optimal_alpha(10, H_s, sigma_from_acc(a_s, 10).sigma_D)
    for i, ((p, a), (a_txt, g_txt)) in enumerate(sl):
        rows.append(_derived(a_txt, "spec §6 reference slice").row(f"alpha* K=3 p={p} Acc={a}",
                                                                             float(b.alpha[i])))
        value = float(b.acc[i]) - max(float(a), float(H_s[i]))  # G = P1* - max(P0, H); P0 = Acc here
        rows.append(_derived(g_txt, "spec §6 reference slice").row(f"value G (pp) K=3 p={p} Acc={a}",
                                                                             100 * value))
    spur = optimal_alpha(10, 0.1, 2.0)
    real = team_accuracy(spur.alpha, 10, 0.1, 2.0, "exact")
    ai_only = team_accuracy(1.0, 10, 0.1, 2.0, "exact")
    rows += [ref.SPURIOUS["alpha*"].row("spurious alpha* (n=10, sigma_D=2, H=1/n)", float(spur.alpha)),
             ref.SPURIOUS["predicted gain (pp)"].row("spurious predicted gain (pp)", 100 * float(spur.gain)),
             ref.SPURIOUS["realised accuracy at alpha* (%)"].row("realised accuracy at spurious alpha* (%)",
                                                                100 * float(real), note="exact quadrature"),
             ref.SPURIOUS["AI-only accuracy (%)"].row("AI-only accuracy at sigma_D=2 (%)", 100 * float(ai_only),
                                                     note="exact quadrature")]
    plot = _plt()
    fig, axes = plot.new_figure(3, width=4.0)
    a, v, e = (ds[name].isel(n=0).values for name in ("alpha", "value", "approx_error"))
    plot.heatmap(axes[0], a, accs, Hs, xlabel="AI accuracy", ylabel="expert accuracy H", label="alpha*")
    plot.heatmap(axes[1], 100 * v, accs, Hs, xlabel="AI accuracy", ylabel="H", label="value (pp)", cmap="magma")
    plot.heatmap(axes[2], 100 * e, accs, Hs, xlabel="AI accuracy", ylabel="H", label="over-prediction (pp)",
                 cmap="coolwarm")
    for ax in axes:
        ax.axhline(0.1, color="w", lw=0.6, ls=":")
    plot.provenance_note(fig, "[X] our extension (spec §6): paper-form alpha*, value P1*-max(P0,H), and "
                              "paper-form prediction minus exact realised accuracy; dotted: H = 1/n.")
    caption = ("Phase diagram at n = 10 [X]: AI-only (alpha* = 1) below H = 1/n, human-only on H = 1, complementary "
               "between; the value of collaboration peaks where the two accuracies are similar; the product form "
               "over-predicts for weak AIs, with spurious gains at H = 1/n (spec §3.4).")
    return Result(ds, fig, caption, rows)


@experiment("capability.unreproducible", title="Numbers the stated setup cannot produce (Tables 3, 4)", tag="D")
def unreproducible(quick: bool = False) -> Result:
    """Exact upper bounds under the stated setups against the paper's Table 3 'no task embedding'
    (spec A14) and Table 4 'None' (A13): both printed numbers exceed what is possible."""
    n = 10
    animals, vehicles = {2, 3, 4, 5, 6, 7}, {0, 1, 8, 9}

    def vote_dist(E, y, guess_over_all):
        d = np.zeros(n)
        if y in E:
            d[y] = 1.0
            return d
        pool = range(n) if guess_over_all else [c for c in range(n) if c not in E]
        for c in pool:
            d[c] += 1.0 / len(pool)
        return d

    def best_constant(guess_over_all):
        # Constant weights on two one-hot experts: only w > 1/2, w < 1/2 or the tie matter; a tie
        # between different votes goes to the lower class index (argmax).
        best = 0.0
        for rule in ("first", "second", "tie"):
            acc = 0.0
            for y in range(n):
                d1, d2 = vote_dist(animals, y, guess_over_all), vote_dist(vehicles, y, guess_over_all)
                if rule == "first":
                    acc += d1[y]
                elif rule == "second":
                    acc += d2[y]
                else:
                    acc += d1[y] * d2[y] + d1[y] * d2[y + 1:].sum() + d2[y] * d1[y + 1:].sum()
            best = max(best, acc / n)
        return 100 * best

    # Table 4 None: experts drawn from random expertise vectors (each class in E w.p. 1/2), ms
    # guesses, p = 0; weights may depend on the task and slot only, and the slots are
    # exchangeable, so the best is one expert's accuracy (or the tie rule, which is worth the same).
    q = 0.5 + 0.5 / n
    tie = np.mean([q * q + 2 * q * (0.5 / n) * (n - 1 - y) for y in range(n)])
    none_best = 100 * max(q, tie)
    rows = [
        ref.TABLE3_NO_TASK.row("Table 3 no task embedding: best constant weights (ms experts)", best_constant(True),
                               note="exact enumeration (spec A14)"),
        ref.TABLE3_NO_TASK.row("Table 3 no task embedding: best constant weights (paper41 experts)",
                               best_constant(False), note="exact enumeration (spec A14)"),
        ref.TABLE4_NONE_SMALL_M10.row("Table 4 Small/None M=10: best task-and-slot weights", none_best,
                                      note="exact, independent expertise draws (spec A13)"),
    ]
    ds = _xr().Dataset({"bound": ("row", [r.ours for r in rows]), "paper": ("row", [r.paper for r in rows])},
                       coords={"row": [r.quantity for r in rows]})
    caption = ("MISMATCH by design [D]: the best accuracies the stated setups allow are below the paper's printed "
               "Table 3 'no task embedding' (81.83) and Table 4 'None' (66.01); see spec §7 A13-A14.")
    return Result(ds, None, caption, rows)


# Trained-model experiments (registered on import).
from . import training_experiments  # noqa: E402, F401
from . import baseline_experiments  # noqa: E402, F401  (the Table 5/6/8 baseline experiments)
from . import vocab_experiments  # noqa: E402, F401  (Tables 3-4, Figures 5-6 analogs on expert pools)
