"""hai_sim.ensemble: human-centred ensembles for adaptive human–AI collaboration.

Amin, Yin, Khanna, "Align When They Want, Complement When They Need!" (AAAI 2026; seed 004).
Confidence-gated probabilistic reliance (CGPR) and its team loss (eq. 3), the college-admissions
generator, aligned and complementary logistic specialists, routing (oracle, noisy groups, the
Rational Routing Shortcut), the adaptive gain and the tradeoff theorems, and WoofStandIn, a SYNTHETIC
stand-in for the paper's WoofNette image task (never WoofNette results). See spec/ensemble.md and
its ERRATA; numbers tagged [P] are the paper's, [D] derived, [R] the spec's reconstruction.
"""

from .behaviour import behaviour_aware_objective, fit_behaviour_aware
from .data import Admissions, make_admissions
from .evaluate import PREDICTORS, Gain, Metrics, adaptive_gain, run_admissions
from . import families
from .families import FAMILIES, rbf_features
from .fit import fit_wlr, wlr_objective
from .losses import RegionLosses, region_losses, team_loss, team_loss_mc, weights_from_FT
from .params import Population, make_population
from .route import binary_confidence, route_agreement, route_noisy, route_oracle, route_rrs
from .theory import (
    PROTOCOLS,
    Tradeoff,
    additive_cor6_bound,
    alignment_loss_lemma1,
    binary_entropy,
    dominance_gap,
    eq37_min,
    lemma8_bounds,
    logistic_c,
    misroute,
    region_logloss,
    thm4_bound,
    thm4_tight,
    tradeoff_T,
    tradeoff_at_single,
    tradeoff_fd,
)
from .standin import (
    STANDIN_FAMILIES,
    STANDIN_PARADIGMS,
    StandInMetrics,
    WoofLaw,
    WoofStandIn,
    WoofTask,
    fit_mlp,
    fit_softmax,
    human_confusion,
    make_woof_law,
    make_woof_standin,
    run_woof_standin,
)
from .train import Paradigms, fit_fixed_weight, train_paradigms

__all__ = [
    "FAMILIES",
    "PREDICTORS",
    "PROTOCOLS",
    "STANDIN_FAMILIES",
    "STANDIN_PARADIGMS",
    "Admissions",
    "Gain",
    "Metrics",
    "Paradigms",
    "Population",
    "RegionLosses",
    "StandInMetrics",
    "Tradeoff",
    "WoofLaw",
    "WoofStandIn",
    "WoofTask",
    "adaptive_gain",
    "additive_cor6_bound",
    "alignment_loss_lemma1",
    "behaviour_aware_objective",
    "binary_confidence",
    "binary_entropy",
    "dominance_gap",
    "eq37_min",
    "fit_behaviour_aware",
    "fit_fixed_weight",
    "fit_mlp",
    "fit_softmax",
    "fit_wlr",
    "human_confusion",
    "lemma8_bounds",
    "logistic_c",
    "make_admissions",
    "make_population",
    "make_woof_law",
    "make_woof_standin",
    "misroute",
    "rbf_features",
    "region_logloss",
    "region_losses",
    "route_agreement",
    "route_noisy",
    "route_oracle",
    "route_rrs",
    "run_admissions",
    "run_woof_standin",
    "team_loss",
    "team_loss_mc",
    "thm4_bound",
    "thm4_tight",
    "tradeoff_T",
    "tradeoff_at_single",
    "tradeoff_fd",
    "train_paradigms",
    "weights_from_FT",
    "wlr_objective",
]
