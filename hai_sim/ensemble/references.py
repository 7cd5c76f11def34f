"""The numbers the ensemble experiments compare with (spec/ensemble.md, ERRATA), one table.

The paper prints numbers only for Table 1 (WoofNette, real data, not reproducible offline); every
simulation figure is a plot. So the admissions targets are the spec's reconstruction [R]
(30-seed means, n_train = 1000, n_test = 5000, scikit-learn-convention fits) and the paper's
qualitative claims [P]. Seed-averaged rows are compared within k standard errors of the
difference of two independent seed means (ours and the reconstruction's), with the s.e. taken
from our own seeds; the experiments pass that tolerance to ``Reference.row``.
"""

from __future__ import annotations

from hai_sim.engine.experiment import Reference

SPEC = "spec/ensemble.md"
K_SE = 3.0  # standard errors of a difference of two seed means allowed before a MISMATCH

# Fig. 3 (§4.3), region-target gain in points [R], 30 seeds.
FIG3_DELTA = {0.0: -0.76, 0.1: 6.07, 0.2: 12.13, 0.25: 14.77, 0.3: 17.12, 0.4: 21.03, 0.5: 23.90}
FIG3_DIVERGENCE = {0.0: 2.71, 0.1: 4.90, 0.2: 7.30, 0.25: 8.36, 0.3: 9.18, 0.4: 10.48, 0.5: 11.51}
FIG3_ALPHA = {0.5: 0.51, 0.6: 3.00, 0.7: 7.04, 0.8: 10.19, 0.9: 12.85, 1.0: 14.77}
FIG3_P = {0.05: 0.75, 0.1: 3.01, 0.25: 9.62, 0.4: 13.75, 0.5: 14.77, 0.6: 13.91, 0.75: 9.94, 0.9: 3.24, 0.95: 0.70}
FIG3_Q = {0.0: 14.77, 0.05: 13.15, 0.1: 11.52, 0.2: 8.29, 0.3: 4.98, 0.4: 1.66, 0.5: -1.58}
# Secondary curve: CGPR team-accuracy gain [R].
FIG3_TEAM_DELTA = {0.0: -0.60, 0.1: 4.09, 0.2: 7.94, 0.25: 9.60, 0.3: 10.95, 0.4: 13.18, 0.5: 14.69}
FIG3_TEAM_ALPHA = {0.5: 0.25, 0.6: 1.47, 0.7: 3.62, 0.8: 5.64, 0.9: 7.70, 1.0: 9.60}
FIG3_TEAM_P = {0.05: 11.6, 0.1: 12.3, 0.25: 11.4, 0.4: 10.3, 0.5: 9.6, 0.6: 8.7, 0.75: 6.4, 0.9: 2.7, 0.95: 1.0}
FIG3_SOURCE = f"{SPEC} §4.3 (30-seed reconstruction)"

# Fig. 2 (ERRATA 1): the paper's protocol, medians over 20 seeds at p = 0.95 [R].
FIG2_SKLEARN_P95 = {0.6: 19.7, 0.8: 19.0, 0.9: 17.1, 1.0: 10.2}
FIG2_SKLEARN_SOURCE = "ERRATA ensemble 1 (medians over 20 seeds, p = 0.95)"
FIG2_SKLEARN_ALPHA1 = {0.5: 0.96, 0.6: 1.41, 0.7: 2.13, 0.8: 3.43, 0.9: 6.44, 0.95: 10.21, 0.99: 18.47}
FIG2_SKLEARN_ALPHA1_SOURCE = f"{SPEC} §4.2 (un-penalised region losses, α = 1, toward θ_ma*)"
SPLIT_IDENTITY = Reference(0.0, "D", f"{SPEC} §1.12: T(θ_single*) = p̂/(1 − p̂)", tol=1e-6,
                           reason="relative error allowed by the issue for a Newton-converged optimum")
PAPER_BLOWUP = Reference("yes", "P", "paper §5 Fig. 2: the tradeoff grows sharply as p → 1")

# Fig. A2 decision boundaries x_S = c0 + c1 x_G of 10-seed mean fits [R], ±10 % [R].
A2_BOUNDARIES = {"standard": (1.00, -1.01), "aligned": (0.64, -0.28), "complementary": (2.42, -3.83)}
A2_SOURCE = f"{SPEC} §4.4 Fig. A2 (mean of 10 seeds; tolerance ±10 % of the value, as the spec states)"

# Fig. A4 [R], 30 seeds: region-target gain over the single model (points) of w = 0, 1 and adaptive.
A4_ACC = {
    0.10: {"w=0": 0.29, "w=1": -26.47, "adaptive": 3.01},
    0.25: {"w=0": 2.07, "w=1": -14.59, "adaptive": 9.90},
    0.50: {"w=0": -1.22, "w=1": -0.95, "adaptive": 15.12},
    0.75: {"w=0": -14.67, "w=1": 2.37, "adaptive": 10.27},
    0.90: {"w=0": -26.58, "w=1": 0.67, "adaptive": 3.64},
}
A4_LL_ADAPTIVE = {0.10: 0.022, 0.25: 0.088, 0.50: 0.130, 0.75: 0.104, 0.90: 0.050}
A4_SOURCE = f"{SPEC} §4.4 Fig. A4 table (30-seed reconstruction)"
A4_CLAIM_ADAPTIVE = Reference("yes", "P", "paper App. C Fig. A4: adaptive beats every fixed-weight single model")
A4_CLAIM_PURE = Reference("yes", "P", "paper App. C Fig. A4: at p = 0.75, w = 1 beats w = 0.75 in accuracy")

# §6 grid 1, (α, τ) → CGPR team-accuracy gain of the oracle over the standard AI [R], 20 seeds.
GRID1_TAUS = (0.30, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95)
GRID1 = {
    0.5: (0.00, 0.00, 0.11, 0.01, 0.01, 0.01, 0.01),
    0.6: (0.00, 0.88, 1.78, 0.21, 0.00, 0.00, 0.00),
    0.7: (0.00, 1.05, 3.96, 4.40, 1.15, -0.01, -0.01),
    0.8: (0.00, 1.21, 4.69, 6.98, 5.61, 1.90, -0.13),
    0.9: (0.00, 1.39, 5.47, 8.32, 8.32, 6.74, 2.73),
    1.0: (0.00, 1.55, 6.21, 9.64, 9.64, 9.64, 7.41),
}
GRID1_SOURCE = f"{SPEC} §6 grid 1 (20-seed reconstruction)"

# Paper claims about Fig. 3 [P], checked as shapes.
CLAIM_DIVERGENCE = Reference("yes", "P", "paper §5 Fig. 3(i): gain increases with specialist divergence")
CLAIM_ALPHA = Reference("yes", "P", "paper §5 Fig. 3(ii): gain increases monotonically with α")
CLAIM_P = Reference("yes", "P", "paper §5 Fig. 3(iii): gain unimodal, peak at p ≈ 0.5")
CLAIM_Q = Reference("yes", "P", "paper §5 Fig. 3(iv): gain increases linearly with group certainty")
CLAIM_TEAM_P = Reference("yes", "P", "paper §5 Fig. 3(iii) read with CGPR team accuracy: peak at p ≈ 0.5")


# Table 1 / Fig. 1 [P] (WoofNette, real images and pilot annotations; not reproducible offline):
# AI and CGPR team accuracy in %, (mean, ±) with ± read as the std of 5 runs (A22).
TABLE1_AI = {"standard": (69.87, 0.44), "aligned": (61.71, 0.56), "complementary": (61.01, 0.77),
             "behaviour": (64.99, 0.97), "oracle": (80.37, 0.31), "rrs": (82.64, 0.35)}
TABLE1_TEAM = {"standard": (69.13, 0.28), "aligned": (60.73, 0.24), "complementary": (69.96, 0.50),
               "behaviour": (70.90, 0.36), "oracle": (74.75, 0.34), "rrs": (75.13, 0.32)}
TABLE1_HUMAN = (65.10, 0.27)
TABLE1_SOURCE = "paper Table 1 (WoofNette; the stand-in is synthetic, spec §4.5: values are not targets)"
# The paper's qualitative orderings (§5 text on Table 1 / Fig. 1, spec §4.1) [P]: the targets of the
# stand-in. (metric, a, b, relation of a to b); "≈" = within APPROX_PTS points.
TABLE1_ORDER = (
    ("team", "oracle", "behaviour", ">"),
    ("team", "behaviour", "complementary", ">"),
    ("team", "complementary", "standard", "≈"),
    ("team", "behaviour", "standard", ">"),
    ("team", "standard", "human", ">"),
    ("team", "human", "aligned", ">"),
    ("team", "rrs", "oracle", "≈"),
    ("ai", "aligned", "standard", "<"),
    ("ai", "complementary", "standard", "<"),
    ("ai", "oracle", "standard", ">"),
    ("ai", "rrs", "standard", ">"),
)
APPROX_PTS = 1.0  # the paper's "≈" pairs differ by 0.83 and 0.38 points
TABLE1_ORDER_SOURCE = ("paper §5 / spec §4.1: adaptive > behaviour-aware > complementary ≈ standard > human > "
                       "aligned (team); specialists less accurate than standard, routed ensembles the most accurate AI")
STANDIN_HUMAN = Reference(65.0, "R", f"{SPEC} §5.2 stand-in acceptance: human accuracy within 65 ± 2 %", tol=2.0,
                          reason="the spec's acceptance band (confusion matrix built for 0.65 overall)")
# Spec §5.2 reference behaviour of the stand-in [R] (5 seeds, 60 Adam steps, softmax regression):
# (AI %, team %) per paradigm and the RRS route agreement, at sigma_off = 1.6 and 0.6.
STANDIN_REF = {
    1.6: {"standard": (61.7, 72.3), "aligned": (36.6, 53.4), "complementary": (40.6, 66.0),
          "behaviour": (60.0, 72.2), "oracle": (71.8, 77.1), "rrs": (57.9, 71.5), "agree": 0.71},
    0.6: {"standard": (72.6, 77.3), "aligned": (47.4, 60.6), "complementary": (65.2, 74.7),
          "behaviour": (72.1, 77.1), "oracle": (72.5, 77.5), "rrs": (71.5, 76.9), "agree": 0.81},
}
STANDIN_REF_SOURCE = f"{SPEC} §5.2 stand-in reference behaviour (5-seed reconstruction, full sizes)"


def seed_row(ref_value, quantity, ours, se, source, *, n_seeds, note=""):
    """A row for a seed mean: tolerance K_SE·√2·se (two independent means of equal spread)."""
    tol = K_SE * 2**0.5 * float(se)
    reason = (f"{K_SE:g} standard errors of the difference of two independent {n_seeds}-seed means "
              f"(s.e. {float(se):.3g} from our seeds)")
    return Reference(ref_value, "R", source).row(quantity, float(ours), tol=tol, reason=reason, note=note)


# Rows that do not reproduce the paper, with the reason (checked by tests/test_registry.py).
EXPECTED_MISMATCHES: dict[tuple[str, str], str] = {
    ("ensemble.fig2-tradeoff", "T(α)/T(α=1) = 1/κ at p = 0.95 (within 20 %)"):
        "ERRATA 1: measured with the paper's protocol the tradeoff grows faster for smaller α but by far "
        "less than 1/κ (about ×1.9 at α = 0.6 where 1/κ = 5)",
    ("ensemble.fig3-gain", "(iv) gain linear in certainty 1 − H/2log2"):
        "A10: the gain is exactly linear in q (eq. 44), hence not linear in the certainty axis; the "
        "paper's caption says linear in certainty",
    ("ensemble.fig3-gain", "(iii) team-accuracy gain peaks near p = 0.5"):
        "A8: the CGPR team-accuracy gain peaks near p ≈ 0.1 in this generator; only the region-target "
        "gain reproduces the paper's unimodal p(1 − p) shape",
    ("ensemble.table1-standin", "team accuracy: complementary vs standard"):
        "spec §5.2: in the synthetic stand-in the complementary specialist (trained on D_c only) is far weaker than "
        "the standard AI on D_c, so its team accuracy is lower; the paper's WoofNette models are ≈",
    ("ensemble.table1-standin", "team accuracy: behaviour vs standard"):
        "spec §5.2 reference: behaviour-aware ≈ standard in the stand-in (72.2 vs 72.3); the surrogate started "
        "from the standard AI moves little in 200 Adam steps",
    ("ensemble.table1-standin", "team accuracy: rrs vs oracle"):
        "spec §5.2 / Theorem 3 (ii): the linear specialists are over-confident off their region, so RRS misroutes "
        "(route agreement ≈ 0.7) and falls to about standard-AI level",
    ("ensemble.table1-standin", "ai accuracy: rrs vs standard"):
        "same cause as 'rrs vs oracle': RRS misroutes in the stand-in, so it is not the most accurate AI",
    **{("ensemble.table1-standin", f"{metric} accuracy of {x} (%)"):
       "synthetic stand-in vs the paper's WoofNette numbers (spec §4.5): shown beside ours without a tolerance; "
       "only the orderings are targets"
       for metric in ("ai", "team") for x in ("standard", "aligned", "complementary", "behaviour", "oracle", "rrs")},
}
