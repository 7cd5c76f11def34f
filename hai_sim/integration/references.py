"""Every number the integration experiments compare with, in one table (issue 10).

Each entry is a :class:`hai_sim.engine.experiment.Reference`: the value, whose number it is
(P: printed by the paper, quoted through the seed's summary; D: derived, from ERRATA's
independent re-implementation or forced by the definitions; R: the spec's reconstruction; X: our
extension), where it comes from, and the tolerance with its reason. A printed number is matched
to half a unit of its last printed digit (:meth:`Reference.printed`). The experiments read their
reference values from here; none is computed by the code under test.

``EXPECTED_MISMATCHES`` lists every row that does not reproduce its reference, with the reason;
``tests/test_registry.py`` fails on any other MISMATCH and on an expected one that disappears.
"""

from __future__ import annotations

from hai_sim.engine.experiment import Reference

P = Reference.printed

SEED = "seed's table of §3 (quoting the paper's Fig. 2), via spec §4.2"
SEED_GAIN = "seed's integration-gain table, via spec §4.3"

# ----------------------------------------------------------------------------- phase-transition-a1
#: The seed's windows in a_1 (P rising from 0.2 to 0.8) and its "delta a_1" read as a relative
#: increase (spec §4.2 reading [D/R]); keyed by sigma.
SEED_WINDOW = {
    0.3: (P("0.44", SEED), P("0.57", SEED)),
    0.1: (P("0.492", SEED), P("0.513", SEED)),
    0.01: (P("0.499", SEED), P("0.502", SEED)),
}
SEED_RELATIVE_INCREASE = {
    0.3: P("0.13", SEED, reason="the seed's 13 % as a fraction"),
    0.1: P("0.043", SEED, reason="the seed's 4.3 % as a fraction"),
    0.01: P("0.006", SEED, reason="the seed's 0.6 % as a fraction"),
}
#: spec §4.2's exact reconstruction on the RandomState(42) job (printed to 4 decimals).
RECON_WINDOW = {
    0.3: (P("0.4743", "spec §4.2 table", tag="R"), P("0.5319", "spec §4.2 table", tag="R")),
    0.1: (P("0.4941", "spec §4.2 table", tag="R"), P("0.5134", "spec §4.2 table", tag="R")),
    0.01: (P("0.5029", "spec §4.2 table", tag="R"), P("0.5048", "spec §4.2 table", tag="R")),
}
RECON_P_HALF = {
    0.3: P("0.4559", "spec §4.2 regression targets", tag="R"),
    0.1: P("0.36969", "spec §4.2 regression targets", tag="R"),
    0.01: P("0.0003", "spec §4.2 regression targets", tag="R"),
}
A1_CRITICAL = P("0.503820", "spec §4.1 (closed form on the RandomState(42) job)", tag="R")
THM32_BAND = {  # theta = 0.2, in a_1
    0.3: (P("0.318", "spec §4.2 (Thm 3.2 band)", tag="D"), P("0.690", "spec §4.2 (Thm 3.2 band)", tag="D")),
    0.1: (P("0.442", "spec §4.2 (Thm 3.2 band)", tag="D"), P("0.566", "spec §4.2 (Thm 3.2 band)", tag="D")),
    0.01: (P("0.498", "spec §4.2 (Thm 3.2 band)", tag="D"), P("0.510", "spec §4.2 (Thm 3.2 band)", tag="D")),
}

# ----------------------------------------------------------------------------- wedge-a1-sigma
WIDTH_RATIO_03_01 = Reference(3.00, "D", "spec §3.2 check 3 (width linear in sigma)", tol=0.05,
                              reason="spec §3.6 tolerance; r = min(E, 1 - E) varies across the window, so the "
                                     "ratio is not exactly 3; a sqrt(sigma) law would give 1.73")
WIDTH_RATIO_01_001 = Reference(10.0, "D", "spec §3.2 check 3 (width linear in sigma)", tol=0.2,
                               reason="spec §3.6 tolerance (2 %); a sqrt(sigma) law would give 3.16")

# ----------------------------------------------------------------------------- scaling-collapse
COLLAPSED_WIDTH = Reference(0.385, "R", "spec §3.2 check 2 (median over random jobs)", tol=0.0385,
                            reason="spec's ±10 % across n; the 5-95 % band of single jobs at n = 5 is "
                                   "[0.36, 0.42], and quick mode uses 12 jobs per n")

# ----------------------------------------------------------------------------- integration-gain-maps
GAIN_P1_ROW1 = P("0.370", "spec §4.3 row 1", tag="R")
GAIN_THRESHOLD_ROW1 = P("0.43", SEED_GAIN + " row 1 (W2 needs a_2 > 0.43)",
                        reason="the seed does not say which P the threshold refers to")
GAIN_MAX_ROW1 = P("0.6", SEED_GAIN + " row 1 (gain +0.6)")
GAIN_THRESHOLD_ROW2 = P("0.3", SEED_GAIN + " row 2 (W2 needs a_2 > 0.3)")
GAIN_MAX_ROW2 = P("0.8", SEED_GAIN + " row 2 (gain +0.8)")
GAIN_THRESHOLD_ROW3 = P("0.52", SEED_GAIN + " row 3 (W2 needs a_1 > 0.52)")
GAIN_MAX_ROW3 = P("0.6", SEED_GAIN + " row 3 (gain +0.6)")

# ----------------------------------------------------------------------------- productivity-compression
PC_P2_A055 = Reference.printed("2.3e-7", "ERRATA integration 1 (exact P_2 at shared a_1 = 0.55)", tag="D")
PC_P2_A055_SPEC = Reference.printed("8.9e-7", "spec §3.4 worked example (a CLT tail, ERRATA 1)", tag="R")
PC_A055 = P("0.999999", "spec §3.4 worked example", tag="R")
PC_AI_ALONE = Reference(0.0, "D", "ERRATA integration 1 (Err has bounded support; spec's 1e-39 is a CLT tail)")
PC_P2_A06 = P("0.3832", "ERRATA integration 1 (a_1 = 0.6)", tag="D")
PC_A06 = P("0.6168", "ERRATA integration 1 (a_1 = 0.6)", tag="D")

# ----------------------------------------------------------------------------- universality
BETA_WINDOW_EXACT = {
    0.3: (P("2.7879", "ERRATA integration 2 (exact)", tag="D"), P("3.2258", "ERRATA integration 2 (exact)", tag="D")),
    0.1: (P("2.9242", "ERRATA integration 2 (exact)", tag="D"), P("3.0697", "ERRATA integration 2 (exact)", tag="D")),
    0.01: (P("2.9884", "ERRATA integration 2 (exact)", tag="D"), P("3.0030", "ERRATA integration 2 (exact)", tag="D")),
}
BETA_WINDOW_END_SPEC = {  # spec §4.5, CLT values (ERRATA 2)
    0.3: P("3.224", "spec §4.5 (a CLT value, ERRATA 2)", tag="R"),
    0.1: P("3.069", "spec §4.5 (a CLT value, ERRATA 2)", tag="R"),
    0.01: P("3.003", "spec §4.5 (a CLT value, ERRATA 2)", tag="R"),
}
TRUNCNORM_WINDOW = (P("0.5202", "spec §4.2 'ruled out' (truncated normal, sigma = 0.1)", tag="R"),
                    P("0.6357", "spec §4.2 'ruled out' (truncated normal, sigma = 0.1)", tag="R"))
TRUNCNORM_MAX_P_03 = P("0.038", "ERRATA integration 8 (Monte Carlo max P over a_1 < 1, sigma = 0.3)", tag="D",
                       reason="our value is the FFT maximum over the quick grid of a_1")

# ----------------------------------------------------------------------------- bbl-fit
BBL_FIT = {  # spec §5.3 regression values of the synthetic recipe
    "human": (P("0.5174", "spec §5.3", tag="R"), P("0.9503", "spec §5.3", tag="R"), P("0.871", "spec §5.3", tag="R")),
    "llm": (P("0.2401", "spec §5.3", tag="R"), P("0.9630", "spec §5.3", tag="R"), P("0.920", "spec §5.3", tag="R")),
}
BBL_TRUTH = {"human": Reference(0.55, "R", "spec §5.3 (the synthetic generator's a)"),
             "llm": Reference(0.25, "R", "spec §5.3 (the synthetic generator's a)")}
BBL_SIGMA = Reference(0.3, "R", "spec §5.3 (the synthetic generator's sigma)")

# ----------------------------------------------------------------------------- phase-variants
WIDTH_UNCHANGED_IN_TAU = Reference(1.0, "R", "spec §6.6 ('critical line shifts, width unchanged')", tol=0.01,
                                   reason="windows are bisected to 1e-12; 1 % is far below the ~20 % effect")

# ----------------------------------------------------------------------------- expected mismatches
_DRAW = ("the window centre depends on the paper's unknown difficulty draw (spec ambiguity 6): ours is the "
         "RandomState(42) job")
EXPECTED_MISMATCHES: dict[tuple[str, str], str] = {
    ("integration.phase-transition-a1", "window start (P=0.2) at sigma=0.3"): "ERRATA 4: the seed's 0.44 -> 0.57 "
        "is not reproduced (the model gives 0.474 -> 0.532)",
    ("integration.phase-transition-a1", "window end (P=0.8) at sigma=0.3"): "ERRATA 4",
    ("integration.phase-transition-a1", "relative increase of a_1 at sigma=0.3"): "ERRATA 4: 12.2 % is not the "
        "seed's 13 % at half a unit of its last digit",
    ("integration.phase-transition-a1", "window start (P=0.2) at sigma=0.1"): _DRAW + " (0.4941 vs 0.492)",
    ("integration.phase-transition-a1", "relative increase of a_1 at sigma=0.1"): "ours 3.9 % vs the seed's 4.3 %: "
        "the windows have different widths (0.0193 vs 0.021); no setting fixed by the caption gives both "
        "the sigma = 0.1 and 0.3 widths (spec §4.2)",
    ("integration.phase-transition-a1", "window start (P=0.2) at sigma=0.01"): _DRAW + "; the windows do not "
        "even overlap (0.5029-0.5048 vs 0.499-0.502)",
    ("integration.phase-transition-a1", "window end (P=0.8) at sigma=0.01"): _DRAW + "; no overlap",
    ("integration.phase-transition-a1", "relative increase of a_1 at sigma=0.01"): "ours 0.38 % vs the seed's "
        "0.6 %: our window is 37 % narrower than the seed's (0.0019 vs 0.003)",
    ("integration.integration-gain-maps", "row 1: W2's a_2 threshold, reading P_12 >= 0.5"): "with the "
        "threshold read at P_12 = 0.5 the merged worker crosses at a_2 = 0.404, not 0.43",
    ("integration.integration-gain-maps", "row 2: W2's a_2 threshold (P_12 >= 0.95)"): "ERRATA 5: the merged "
        "(0.5, a_2') needs a_2' >= 0.43, not 0.3",
    ("integration.integration-gain-maps", "row 2: max gain Delta"): "ERRATA 5: ours is 1.0 (W1 alone fails), "
        "not 0.8",
    ("integration.integration-gain-maps", "row 3: max gain Delta"): "ERRATA 5: ours is 1.0, not 0.6",
    ("integration.productivity-compression", "P_2, a_1 = 0.55: spec's value"): "ERRATA 1: the spec's 8.9e-7 is "
        "a CLT tail; the exact value is 2.3e-7",
    ("integration.productivity-compression", "PC, a_1 = 0.55"): "the spec's 0.999999 is 1 - 8.9e-7 with the CLT "
        "tail of P_2 (ERRATA 1); the exact PC = 1 - 2.3e-7 = 0.99999977 rounds to 1.000000",
    ("integration.integration-gain-maps", "row 1: W2's a_2 threshold (P_12 >= 0.95)"): "ours 0.4225 is not the "
        "seed's 0.43 to half a unit (the spec's 'crosses 0.95 at 0.43' rounds up); neither reading of the "
        "threshold (P_12 = 0.95 [R] or 0.5) reproduces 0.43 at the printed precision",
    ("integration.universality", "truncated normal, sigma=0.1: window start"): "the spec's 0.5202 -> 0.6357 are "
        "CLT values (CLT: 0.52019 -> 0.63568); FFT and Edgeworth agree on 0.52008 -> 0.63558 to 3e-6",
    ("integration.universality", "truncated normal, sigma=0.1: window end"): "as for the window start: the spec's "
        "value is a CLT value",
    ("integration.universality", "beta_1 window end, sigma=0.3, spec §4.5"): "ERRATA 2: the spec's numbers are "
        "CLT values; the exact end is 3.2258",
    ("integration.universality", "beta_1 window end, sigma=0.1, spec §4.5"): "ERRATA 2: CLT value; exact 3.0697",
    ("integration.phase-variants", "a_1 window width at tau=0.2 / width at tau=0.25"): "spec §6.6 says the width "
        "is unchanged as tau moves the critical line; the bounded noise sigma min(E, 1 - E) depends on where "
        "the critical line sits, so the width changes",
    ("integration.phase-variants", "a_1 window width at tau=0.3 / width at tau=0.25"): "as for tau = 0.2",
}
