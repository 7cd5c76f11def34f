"""The numbers the capability experiments compare with (paper, spec [V] derivations, ERRATA).

Tags: P printed in the paper; D derived from it (the spec's independent checks, ERRATA);
R our reconstruction; X our extension. Accuracies are in percent, as the paper prints them.
"""

from __future__ import annotations

from hai_sim.engine.experiment import Reference

_E1 = ("ERRATA 1: the paper's sigma comes from a fitted AI accuracy (0.9454 / 0.7333, never "
       "stated; spec A10), so its printed values are matched to {tol} and no tighter")


def _printed(values: list[str], source: str, *, tag: str = "P") -> list[Reference]:
    return [Reference.printed(v, source, tag=tag) for v in values]


def _fitted(values: list[float], source: str, tol: float, *, tag: str = "P", unit: str = "") -> list[Reference]:
    return [Reference(v, tag, source, tol=tol, reason=_E1.format(tol=f"{tol:g}{unit}")) for v in values]


# Table 2 (n = 10): sigma_D and sigma from eq 9, as printed.
TABLE2_ACC = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
TABLE2_SIGMA_D = _printed(["0.692", "0.658", "0.626", "0.596", "0.567", "0.538", "0.508", "0.476", "0.441", "0.395"],
                          "Table 2")
TABLE2_SIGMA = _printed(["0.489", "0.465", "0.443", "0.422", "0.401", "0.380", "0.359", "0.337", "0.312", "0.279"],
                        "Table 2")
# Spec §3.4 [V]: the true accuracy of the noise model at the Table-2 sigma, and the exact sigma.
TABLE2_TRUE_ACC = _printed(["0.687", "0.718", "0.748", "0.778", "0.808", "0.838", "0.868", "0.898", "0.929", "0.962"],
                           "spec §3.4 (exact quadrature)", tag="D")
TABLE2_EXACT_SIGMA = _printed(["0.678", "0.617", "0.565", "0.520", "0.479", "0.442", "0.406", "0.372", "0.335",
                               "0.293"], "spec §3.4 (exact inversion)", tag="D")

# Table 5 (n = 10, AI accuracy 0.9454 [spec A10], paper41 expert, p = 0), k = 1..10.
TABLE5_K = list(range(1, 11))
TABLE5_GLOBAL = _fitted([94.68, 94.99, 95.40, 95.89, 96.46, 97.11, 97.85, 98.71, 100.0, 100.0], "Table 5 Global",
                        0.02, unit=" pp")
TABLE5_ALPHA = _fitted([0.938, 0.901, 0.873, 0.8483, 0.8254, 0.802, 0.775, 0.738, 0.0, 0.0],
                       "spec §4.5 and ERRATA 1 (alpha* of the Global row)", 2e-3, tag="D")
TABLE5_GLOBAL_MS = _printed(["94.65", "94.91", "95.26", "95.69", "96.17", "96.71", "97.32", "98.01", "98.82", "100"],
                            "ERRATA 3 (Global with the ms expert)", tag="D")
TABLE5_OURS = [95.53, 95.85, 96.16, 97.21, 97.66, 98.47, 98.96, 99.25, 99.66, 100.0]  # paper, CIFAR-10 [P]
TABLE5_REALISED_K1 = Reference.printed("94.66", "spec §3.4 (k = 1, exact-calibrated sigma, ERRATA 2)", tag="D")

# Table 7 (hate speech, n = 3, group expert, median of 5 trials) [P]: (p, q) columns and rows (%).
TABLE7_PQ = [(0.75, 0.9), (0.9, 0.75), (0.9, 0.9)]
TABLE7 = {"Ours": [94.96, 94.62, 95.88], "Expert": [88.11, 89.14, 93.95], "Model": [92.73, 92.79, 92.81]}

# Table 6 (n = 20, AI accuracy 0.7333, paper41 expert, p = 0), k = 0, 2, ..., 20.
TABLE6_K = list(range(0, 21, 2))
TABLE6_GLOBAL = _fitted([73.33, 74.30, 76.17, 78.45, 81.02, 83.81, 86.83, 90.06, 93.56, 97.51, 100.0],
                        "Table 6 Global", 0.02, unit=" pp")
TABLE6_ALPHA = _fitted([1.0, 0.869, 0.8163, 0.781, 0.7534, 0.729, 0.705, 0.6793, 0.6484, 0.597, 0.0],
                       "spec §4.6 and ERRATA 1 (alpha* of the Global row)", 2e-3, tag="D")
# Spec §4.6 / §3.4 [V]: what the paper-form alpha* really achieves (exact-calibrated sigma).
TABLE6_REALISED = {k: Reference.printed(v, "spec §4.6 (exact model at the paper's alpha*, ERRATA 2)", tag="D")
                   for k, v in zip((2, 6, 10, 14, 18), ("74.07", "77.51", "82.30", "88.30", "96.38"))}

# Figure 4: Global against p (k = 5, paper41), spec §4.7 [V] derived values.
FIG4_P = [round(0.1 * i, 1) for i in range(11)]
FIG4_GLOBAL = {
    "a": _fitted([96.46, 96.71, 96.98, 97.25, 97.54, 97.85, 98.18, 98.53, 98.92, 99.36, 100.0],
                 "spec §4.7 panel (a), n = 10, Acc 0.9454", 0.02, tag="D", unit=" pp"),
    "b": _fitted([77.28, 78.96, 80.76, 82.68, 84.71, 86.83, 89.07, 91.43, 93.94, 96.67, 100.0],
                 "spec §4.7 panel (b), n = 20, Acc 0.7333", 0.02, tag="D", unit=" pp"),
}

# Figure 3 reference points (spec §4.2 [V]): (K, sigma_D, p) -> alpha* (3 dp), max P1 (4 dp).
FIG3_POINTS = {
    (1, 0.441, 0.0): ("0.924", "0.9023"), (1, 0.441, 0.5): ("0.793", "0.9357"), (1, 0.441, 0.9): ("0.685", "0.9809"),
    (3, 0.441, 0.0): ("0.847", "0.9158"), (3, 0.441, 0.5): ("0.767", "0.9477"), (3, 0.441, 0.9): ("0.671", "0.9848"),
    (5, 0.441, 0.0): ("0.793", "0.9357"), (5, 0.441, 0.5): ("0.737", "0.9614"), (5, 0.441, 0.9): ("0.653", "0.9889"),
    (5, 0.8, 0.0): ("0.474", "0.6507"), (5, 0.8, 0.5): ("0.412", "0.8156"), (5, 0.8, 0.9): ("0.333", "0.9610"),
    (1, 1.0, 0.0): ("0.499", "0.2630"), (1, 1.0, 0.5): ("0.335", "0.6087"), (1, 1.0, 0.9): ("0.249", "0.9202"),
    (7, 1.0, 0.0): ("0.287", "0.8017"), (7, 1.0, 0.5): ("0.257", "0.9003"), (7, 1.0, 0.9): ("0.211", "0.9800"),
}
FIG3_P0 = {0.3: "0.9961", 0.441: "0.8997", 0.6: "0.6436", 0.8: "0.3661", 1.0: "0.2112"}
FIG3_CLAIMS = {
    "heights rise with K at every alpha (T8.1, T4)": Reference("yes", "P", "Sec 4.2, Fig 3 remarks"),
    "alpha* falls as sigma_D grows (T8.2)": Reference("yes", "P", "Sec 4.2, Fig 3 remarks"),
    "alpha* -> 0 for large K and sigma_D (T8.3)": Reference("yes", "P", "Sec 4.2, Fig 3 remarks"),
    "low-alpha accuracy rises with p (T8.4)": Reference("yes", "P", "Sec 4.2, Fig 3 remarks"),
}

# §6 reference slice (n = 10, K = 3, product form): (p, AI acc) -> alpha* (2 dp), G in pp (1 dp).
PHASE_SLICE = {
    (0.0, 0.3): ("0.49", "6.6"), (0.0, 0.7): ("0.75", "5.2"), (0.0, 0.95): ("0.88", "0.8"),
    (0.5, 0.5): ("0.54", "7.2"), (0.5, 0.7): ("0.65", "15.2"), (0.5, 0.9): ("0.77", "4.8"),
    (0.9, 0.5): ("0.43", "0.7"), (0.9, 0.9): ("0.67", "4.5"), (0.9, 0.99): ("0.79", "0.8"),
}
# Spec §3.4 [V]: the product form's spurious gain with an uninformative expert (n = 10, sigma_D = 2).
SPURIOUS = {"alpha*": Reference.printed("0.145", "spec §3.4", tag="D"),
            "predicted gain (pp)": Reference.printed("6.4", "spec §3.4", tag="D"),
            "realised accuracy at alpha* (%)": Reference.printed("10.6", "spec §3.4 (simulation)", tag="D"),
            "AI-only accuracy (%)": Reference.printed("25.3", "spec §3.4 (simulation)", tag="D")}

# Table 5 / 6 / 8 baseline rows as printed [P] (CIFAR-10, CIFAR-100 super-classes, CIFAR-10H,
# GalaxyZoo). Our synthetic stand-ins cannot be compared number for number; the experiments show
# these beside ours and take the orderings as targets.
TABLE5_BASELINES = {
    "Consistent": [94.63, 95.26, 95.53, 95.89, 96.31, 98.08, 98.71, 99.14, 99.42, 100.0],
    "Confidence": [90.47, 90.56, 90.71, 91.41, 92.52, 94.15, 95.5, 97.35, 98.05, 100.0],
    "OracleReject": [89.54, 89.51, 89.48, 90.75, 90.64, 93.25, 95.28, 96.52, 98.16, 100.0],
    "MPZ18": [90.4, 90.4, 90.4, 90.4, 90.4, 90.4, 90.4, 94.48, 95.09, 100.0],
}
TABLE6_CONSISTENT = [73.33, 76.99, 78.61, 79.65, 82.25, 81.43, 86.06, 83.1, 89.37, 94.36, 100.0]
TABLE6_OURS = [73.33, 78.95, 79.68, 81.2, 82.99, 85.19, 87.01, 91.06, 94.39, 97.43, 100.0]
# Table 8: method -> (CIFAR-10H mean, s.e., GalaxyZoo mean, s.e.); None where not printed.
# DiffTriage is quoted only (the spec does not reproduce it).
TABLE8 = {
    "Confidence": (95.09, 0.40, 81.83, 0.20),
    "Consistent (Impute)": (96.03, 0.21, 83.40, 0.19),
    "Consistent (2-step)": (96.29, 0.25, 81.97, 0.23),
    "DiffTriage": (None, None, 83.80, 0.35),
    "Equal Weights": (94.70, 0.00, 80.19, 0.48),
    "Pooled Weights": (96.20, 0.31, 83.13, 0.12),
    "Flexible Weights": (96.53, 0.32, 84.46, 0.18),
}
# The orderings the paper's baseline rows show, taken as the stand-ins' targets.
ORDER_TABLE5 = Reference("yes", "P", "Table 5 (Consistent above Confidence, OracleReject and MPZ18 at every k < 10)")
ORDER_TABLE5_OURS = Reference("yes", "P", "Table 5 (Ours above Consistent at every k < 10)")
ORDER_TABLE6_AI = Reference("yes", "P", "Table 6 (Consistent above the AI's 73.33 % at every k > 0)")
ORDER_TABLE6_OURS = Reference("yes", "P", "Table 6 (Ours above Consistent at every 0 < k < 20)")
ORDER_TABLE8 = Reference("yes", "P", "Table 8 (Flexible >= Pooled >= Equal; Flexible above every deferral method)")

# Table 3 (two fixed experts, CIFAR-10, no AI) [P]; the expertise sets of Sec 5.3.1 [P]; the exact
# best of constant weights with ms experts (spec §4.3, A14) [D].
TABLE3 = {"No task embedding": 81.83, "Fixed task embedding": 93.10, "Full version": 97.82}
TABLE3_ANIMALS = (2, 3, 4, 5, 6, 7)
TABLE3_VEHICLES = (0, 1, 8, 9)
TABLE3_CONSTANT_BOUND_MS = 64.0
# Table 4 (random vocabularies, 2 experts per instance) [P]: model size -> setting -> values over M.
TABLE4_M = [10, 30, 100, 300, 1000]
TABLE4_SETTINGS = ("learnable", "fixed", "none")
TABLE4 = {
    "Small": {"learnable": [71.34, 70.12, 71.18, 70.89, 71.83], "fixed": [71.18, 69.72, 70.64, 69.16, 69.25],
              "none": [66.01, 66.08, 67.52, 67.7, 68.21]},
    "Large": {"learnable": [73.04, 73.36, 74.91, 74.53, 73.16], "fixed": [73.15, 73.32, 74.84, 74.22, 71.39],
              "none": [65.85, 66.07, 67.66, 67.93, 68.39]},
}
# Figure 6 (b): the only printed values, D_corr for M = 300 from the first to the last step [P].
FIG6_DCORR_300_START = Reference.printed("0.334", "Sec 6.1 (Fig 6 b, M = 300, first step)")
FIG6_DCORR_300_END = Reference.printed("0.339", "Sec 6.1 (Fig 6 b, M = 300, last step)")

# Unreproducible numbers (spec §7 A13, A14): the paper's value against the exact best under the
# stated setup (percent).
TABLE3_NO_TASK = Reference.printed("81.83", "Table 3, no task embedding")
TABLE4_NONE_SMALL_M10 = Reference.printed("66.01", "Table 4, Small / None, M = 10")

EXPECTED_MISMATCHES: dict[tuple[str, str], str] = {
    ("capability.unreproducible", "Table 3 no task embedding: best constant weights (ms experts)"):
        "spec A14: with constant weights, one-hot experts and ms guesses no weighting exceeds 64 %; "
        "the paper's 81.83 cannot come from the stated setup",
    ("capability.unreproducible", "Table 3 no task embedding: best constant weights (paper41 experts)"):
        "spec A14: even with guesses restricted to non-expertise classes the best is 70 %",
    ("capability.unreproducible", "Table 4 Small/None M=10: best task-and-slot weights"):
        "spec A13: exchangeable random experts make every slot-only weighting worth one expert (55 %); "
        "the paper's 66.01 implies an unstated asymmetry",
    ("capability.table5-baselines", "k=5: Consistent above Confidence"):
        "stand-in [R]: every deferral method keeps the same AI here, and L_CE and Confidence's e(x) >= max f "
        "aim at the same Bayes rule; the paper's 3-5 pp gaps come from Mozannar-Sontag's own, weaker "
        "classifiers (90.4 % vs the re-run Consistent's 94.6 %), which the stand-in holds fixed. Ours: within "
        "2 s.e., Consistent slightly below (L_CE's small defer margin with a confident AI)",
    ("capability.table5-baselines", "k=5: Consistent above OracleReject"):
        "stand-in [R]: same AI for every method, and with an ms expert at p = 0 recognising y in E is nearly "
        "the Bayes deferral rule; the paper's gap is a classifier gap (see Confidence). Ours: within 2 s.e.",
    # Expert-pool analogs (vocab_experiments): the quick mode trains a 1-layer d=8 model for 2 epochs on
    # 1,024 instances, too little to learn the routing the orderings need; the full mode's results are
    # in each experiment's caption and the helper report.
    ("capability.table4-analog", "M=10: Fixed above None (by > 2 s.e.)"):
        "quick stand-in [R]: 2 epochs of a d=8 model barely move the weights off 1/2 (expert weight 0.51 on "
        "its set), so Fixed is above None (+3.5 pp) but within 2 s.e. on 1,024 test draws",
    ("capability.table4-analog", "M=100: Fixed above None (by > 2 s.e.)"):
        "quick stand-in [R]: as at M=10 (+1.5 pp, within 2 s.e.); 2 epochs cannot identify 100 experts",
    ("capability.table4-analog", "Learnable - Fixed gap larger at M=100 than at M=10"):
        "quick stand-in [R]: one seed, 2 epochs; both gaps (+1.95, +1.07 pp) are inside 2 s.e. (2.2 pp)",
    ("capability.figure6-analog", "M=30: D_corr falls during training"):
        "quick stand-in [R]: 2 epochs of 8 steps move the N(0, 0.02^2) table too little (0.380 -> 0.386)",
    ("capability.figure6-analog", "M=30: mean |rho_cap| rises during training"):
        "quick stand-in [R]: 16 steps; 0.312 -> 0.307 is within the noise of a random start",
    ("capability.figure5-analog", "(a) AI+experts: s=4 above s=1 (by > 2 s.e.)"):
        "quick stand-in [R]: with a 94.5 % AI, three more singleton experts are worth at most 1.2 pp (oracle "
        "95.5 -> 96.7 %), below 2 s.e. on 1,024 draws; the 2-epoch model gains +0.3 pp",
    ("capability.figure5-analog", "(a) experts only: s=4 above s=1 (by > 2 s.e.)"):
        "quick stand-in [R]: 2 epochs of a d=8 model do not learn to find the one expert who knows y "
        "(21.9 % vs the 44.1 % oracle); +2.6 pp is within 2 s.e.",
    ("capability.table8-baselines", "Flexible Weights above Confidence"):
        "quick stand-in [R]: one seed, a 1-layer d=16 model trained 4 epochs; Flexible is above Confidence but "
        "by less than two paired standard errors (the paper: 96.53 vs 95.09 on CIFAR-10H, 5 seeds)",
}
