"""Registered experiments that train the capability model (synthetic stand-ins, spec §4).

Every number here is ours [R/X] on synthetic data; the paper's CIFAR numbers are shown beside
them for reference, and only orderings are targets. Imported at the end of
:mod:`.experiments`; importing it computes nothing.
"""

from __future__ import annotations

import numpy as np

from hai_sim.engine.experiment import Result, Row, experiment

from . import references as ref

# Baselines of the Table 5 analog: Evaluation field -> label.
BASELINES = {"acc_ai": "AI-only", "acc_human": "expert-only", "acc_global": "Global (empirical)"}


def _xr():
    import xarray as xr

    return xr


def paired_margin(ours, base) -> tuple[float, float]:
    """Mean of the paired differences ``ours − base`` over seeds and its standard error
    (sample sd / √S). ``ours``, ``base``: (S,) accuracies of the same S seeds."""
    d = np.asarray(ours, np.float64) - np.asarray(base, np.float64)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")


def table5_runs(ks, seeds, cfg, sizes) -> "xr.Dataset":  # noqa: F821
    """Train one model per (k, seed) on the Table 5 analog and evaluate it on its test split.

    Seed s draws the scenario (``ai_expert_scenario(seed=s)``: world, AI noise, expert votes) and
    trains with ``seed=s``, so the spread over seeds includes the data draw. Returns a Dataset
    with dims (k, seed) holding every :class:`~hai_sim.capability.Evaluation` field (fractions).
    """
    from . import ai_expert_scenario, evaluate, train
    from .fit import Evaluation

    out = {f: np.zeros((len(ks), len(seeds))) for f in Evaluation._fields}
    for i, k in enumerate(ks):
        for j, s in enumerate(seeds):
            sc = ai_expert_scenario(seed=s, n=10, k=k, p=0.0, expert="ms", **sizes)
            ev = evaluate(train(cfg, sc, seed=s).model, sc)
            for f in Evaluation._fields:
                out[f][i, j] = getattr(ev, f)
    return _xr().Dataset({f: (("k", "seed"), v) for f, v in out.items()}, coords={"k": list(ks), "seed": list(seeds)})


# Full size: 20k/4k/10k draws (spec §2.2), offline_cpu with 10 epochs (30 in the preset: the
# min-val-loss model of a 10-epoch run is within a few tenths of a point, at a third of the time).
TABLE5_FULL = dict(ks=[3, 5, 7], seeds=[0, 1, 2, 3, 4], sizes=dict(n_train=20_000, n_val=4_000, n_test=10_000),
                   cfg=dict(epochs=10))
TABLE5_QUICK = dict(ks=[5], seeds=[0], sizes=dict(n_train=2048, n_val=512, n_test=2048),
                    cfg=dict(d=16, d_cap=16, heads=2, d_ff=32, layers=1, batch=128, epochs=4))


@experiment("capability.table5-analog", title="Table 5 analog: learned weights vs Global, AI and expert (synthetic)",
            tag="R", heavy=True)
def table5_analog(quick: bool = False) -> Result:
    """Ours on the synthetic Table 5 analog [R]: one AI at 94.54 % (σ calibrated exactly), one
    ``ms`` expert perfect on the first k classes; the learned model (learnable output scale,
    temperature-scaled start) against the AI alone, the expert alone and empirical Global (α
    picked on validation), over 5 seeds. Target [P ordering]: Ours beats each baseline by more
    than two standard errors of the paired difference over seeds."""
    from . import config

    setup = TABLE5_QUICK if quick else TABLE5_FULL
    ks, seeds, sizes = setup["ks"], setup["seeds"], setup["sizes"]
    cfg = config("offline_cpu", **setup["cfg"])
    ds = table5_runs(ks, seeds, cfg, sizes)
    ds.attrs.update(provenance="R (synthetic analog)", n_test=sizes["n_test"], epochs=cfg.epochs,
                    logit_scale="learnable, temperature-scaled start")
    rows = []
    for i, k in enumerate(ks):
        e = ds.isel(k=i)
        paper = ref.TABLE5_OURS[ref.TABLE5_K.index(k)]
        rows.append(Row(f"k={k}: Ours, mean of {len(seeds)} seeds (%)", 100 * float(e.acc.mean()), None, tag="R",
                        note=f"synthetic; the paper's CIFAR-10 'Ours' is {paper} [P], not a target"))
        rows.append(Row(f"k={k}: oracle routing (%)", 100 * float(e.acc_oracle.mean()), None, tag="R",
                        note="upper reference: the expert iff y in E"))
        for f, label in BASELINES.items():
            mean, se = paired_margin(e.acc, e[f])
            rows.append(Row(f"k={k}: {label} (%)", 100 * float(e[f].mean()), None, tag="R"))
            if len(seeds) > 1:
                ok = mean > 2 * se
                rows.append(Row(f"k={k}: Ours beats {label} by > 2 s.e. of the paired difference",
                                "yes" if ok else "no", "yes", tag="P", source="Table 5 ordering (issue 12 claim)",
                                note=f"margin {100 * mean:.2f} pp, s.e. {100 * se:.2f} pp over {len(seeds)} seeds "
                                     f"(t = {mean / se:.1f})"))
            else:
                ok = mean > 0
                rows.append(Row(f"k={k}: Ours > {label}", "yes" if ok else "no", "yes", tag="P",
                                source="Table 5 ordering", note=f"margin {100 * mean:.2f} pp, one seed"))
    # Ablation [R]: the spec's start λ = 0 (softmax of s_f ∈ [0, 1] nearly uniform at first).
    k_ab = ks[len(ks) // 2]
    ab = table5_runs([k_ab], seeds[:1], cfg.replace(scale_init=0.0), sizes).isel(k=0, seed=0)
    main = ds.sel(k=k_ab).isel(seed=0)
    for label, e in (("temperature-scaled start", main), ("lambda from 0", ab)):
        rows.append(Row(f"k={k_ab} seed {seeds[0]}, {label}: Ours (%)", 100 * float(e.acc), None, tag="R",
                        note=f"expert weight {float(e.w_human_in):.3f} on E, {float(e.w_human_out):.3f} off E; "
                             f"AI-only {100 * float(e.acc_ai):.2f} %"))
    ds.attrs.update(ablation_lambda0_acc=float(ab.acc), ablation_lambda0_w_human_in=float(ab.w_human_in))
    from hai_sim import plot

    fig, (ax,) = plot.new_figure(1, width=5.2)
    kk = np.asarray(ks)
    for f, style, label in (("acc", "o-", "ours (learned) [R]"), ("acc_global", "s--", "Global, empirical [R]"),
                            ("acc_ai", "^:", "AI-only"), ("acc_oracle", "k.", "oracle routing")):
        m = 100 * ds[f].mean("seed")
        se = 100 * ds[f].std("seed", ddof=1) / np.sqrt(len(seeds)) if len(seeds) > 1 else 0 * m
        ax.errorbar(kk, m, yerr=se, fmt=style, label=label, capsize=2)
    ax.plot(kk, [ref.TABLE5_OURS[ref.TABLE5_K.index(k)] for k in ks], "rx", label="paper 'Ours', CIFAR-10 [P]")
    ax.set_xlabel("expert competence k")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=7)
    plot.provenance_note(fig, f"[R] synthetic analog (Gaussian task world, noisy AI, ms expert); mean ± s.e. over "
                              f"{len(seeds)} seeds; [P] paper's CIFAR numbers for reference.")
    caption = (f"Table 5 analog [R]: the capability-vector model (offline_cpu, {cfg.epochs} epochs, learnable output "
               f"scale from its temperature-scaled value) against the AI, the expert, empirical Global and oracle "
               f"routing, {len(seeds)} seed(s) (each seed draws the data and the training). Target: Ours beats each "
               f"baseline by more than two standard errors of the paired difference; the CIFAR numbers are not "
               f"targets. Ablation: from the spec's start lambda = 0 the weights collapse to the AI.")
    return Result(ds, fig, caption, rows)


# Full size: the 24,783 tweets split 80/10/10 [P]; offline_cpu at 10 epochs as Table 5's analog.
TABLE7_FULL = dict(seeds=[0, 1, 2, 3, 4], sizes=dict(n_train=19_826, n_val=2_478, n_test=2_479), cfg=dict(epochs=10))
TABLE7_QUICK = dict(seeds=[0], sizes=dict(n_train=2048, n_val=512, n_test=2048), cfg=TABLE5_QUICK["cfg"])
TABLE7_AI_ACC = 0.928  # Table 7's Model row (92.73-92.81 %)


@experiment("capability.table7-analog", title="Table 7 analog: group expert (hate-speech stand-in, n = 3, synthetic)",
            tag="R", heavy=True)
def table7_analog(quick: bool = False) -> Result:
    """Ours on a synthetic Table 7 [R]: n = 3, an AI at 92.8 % (σ calibrated exactly), a
    ``group`` expert (accuracy parameter p on the 55 % AAE group, q elsewhere; the group flag is a
    task feature), columns (p, q) as the paper's. Target [P ordering]: Ours beats Expert and
    Model in every column (median of the seeds, and by > 2 s.e. of the paired difference).
    The Consistent row needs the Consistent baseline and is not shown here."""
    from . import ai_expert_scenario, config, evaluate, train

    setup = TABLE7_QUICK if quick else TABLE7_FULL
    seeds, sizes = setup["seeds"], setup["sizes"]
    cfg = config("offline_cpu", **setup["cfg"])
    fields = ("acc", "acc_ai", "acc_human", "w_human_in", "w_human_out")
    out = {f: np.zeros((len(ref.TABLE7_PQ), len(seeds))) for f in fields}
    w_group = np.zeros((len(ref.TABLE7_PQ), len(seeds), 2))
    for i, (p, q) in enumerate(ref.TABLE7_PQ):
        for j, s in enumerate(seeds):
            sc = ai_expert_scenario(seed=s, n=3, k=0, p=p, q=q, expert="group", ai_acc=TABLE7_AI_ACC, **sizes)
            model = train(cfg, sc, seed=s).model
            ev = evaluate(model, sc)
            for f in fields:
                out[f][i, j] = getattr(ev, f)
            w = _expert_weight(model, sc.test)
            w_group[i, j] = w[sc.test.group].mean(), w[~sc.test.group].mean()
    col = [f"p={p}, q={q}" for p, q in ref.TABLE7_PQ]
    ds = _xr().Dataset({**{f: (("column", "seed"), v) for f, v in out.items()},
                        "w_expert_group": (("column", "seed", "in_group"), w_group)},
                       coords={"column": col, "seed": seeds, "in_group": [True, False]},
                       attrs={"provenance": "R (synthetic analog)", "n": 3, "ai_acc": TABLE7_AI_ACC,
                              "group_frac": 0.55, "epochs": cfg.epochs})
    rows = []
    for i, c in enumerate(col):
        e = ds.isel(column=i)
        for name, f in (("Ours", "acc"), ("Expert", "acc_human"), ("Model", "acc_ai")):
            rows.append(Row(f"{c}: {name}, median of {len(seeds)} seed(s) (%)", 100 * float(np.median(e[f])), None,
                            tag="R", note=f"synthetic; the paper's hate-speech value is {ref.TABLE7[name][i]} [P], "
                                          f"not a target"))
        for name, f in (("Expert", "acc_human"), ("Model", "acc_ai")):
            mean, se = paired_margin(e.acc, e[f])
            ok = mean > 2 * se if len(seeds) > 1 else mean > 0
            what = "by > 2 s.e. of the paired difference" if len(seeds) > 1 else "(one seed)"
            se_note = f", s.e. {100 * se:.2f} pp" if len(seeds) > 1 else ""
            rows.append(Row(f"{c}: Ours beats {name} {what}", "yes" if ok else "no", "yes", tag="P",
                            source="Table 7 ordering (spec §4.8)", note=f"margin {100 * mean:.2f} pp{se_note}"))
    from hai_sim import plot

    fig, (ax,) = plot.new_figure(1, width=5.2)
    x = np.arange(len(col))
    for j, (name, f) in enumerate((("Ours", "acc"), ("Expert", "acc_human"), ("Model", "acc_ai"))):
        ax.bar(x + 0.27 * (j - 1), 100 * np.median(ds[f], axis=1), width=0.25, label=f"{name} (synthetic) [R]")
        ax.plot(x + 0.27 * (j - 1), ref.TABLE7[name], "kx")
    ax.set_xticks(x, col, fontsize=8)
    ax.set_ylim(80, 100)
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=7)
    plot.provenance_note(fig, "[R] synthetic n = 3 world, group expert; x: the paper's hate-speech numbers [P].")
    caption = (f"Table 7 analog [R]: median over {len(seeds)} seed(s) of the learned weights, the group expert and the "
               f"AI (92.8 %) on synthetic data; crosses are the paper's numbers [P], shown beside, not targets. "
               f"Target: Ours beats Expert and Model in every column. w_expert_group holds the mean expert weight "
               f"inside and outside the group.")
    return Result(ds, fig, caption, rows)


def _expert_weight(model, sp) -> np.ndarray:
    """(N,) the model's weight on the expert (agent 1) over a split's fixed draws."""
    ids = np.tile(np.arange(2, dtype=np.int32), (len(sp.y), 1))
    scores = np.stack([sp.ai_scores, np.eye(sp.ai_scores.shape[1], dtype=np.float32)[sp.votes]], axis=1)
    return np.asarray(model(sp.task, ids, np.ones_like(ids, bool), scores).w)[:, 1]
