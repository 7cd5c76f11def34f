"""Capability vectors for human–AI collaboration (Jie, "Learning to Collaborate", seed 003).

Tags: [P] paper, [D] derived, [R] our reconstruction, [X] our extension (spec
``shared/spec/capability.md`` and its ERRATA).

Contract::

    cap.sigma_from_acc(acc, n, method="paper")              # Sigma(sigma_D, sigma)
    cap.ai_accuracy(sigma_D, n, method="paper")              # P0
    cap.human_accuracy(n, K, p=0.0, expert="paper41")        # H
    cap.team_accuracy(alpha, n, H, sigma_D, method="paper")  # P1(alpha)
    cap.team_accuracy_mc(key, alpha, n, K, p, sigma_D, *, expert="paper41", n_samples=2**20)  # Estimate
    cap.optimal_alpha(n, H, sigma_D, method="paper", *, grid=10001, refine=True)            # Optimum
    cap.global_baseline(ai_acc, n, K, p=0.0, expert="paper41", method="paper")              # Baseline
    cap.phase_grid(n, ai_acc, H, method="paper")             # Dataset: alpha, acc, gain, value, approx_error
    cfg = cap.config("offline_cpu", **overrides)             # Config
    model = cap.CapabilityModel(cfg, n_agents=M, n_classes=n, d_task=d_x, rngs=nnx.Rngs(0))
    out = model(task, agent_ids, agent_mask, scores)         # Fusion(w, s_f)
    sc = cap.ai_expert_scenario(seed=0, n=10, k=5, ...)      # Scenario (or data="digits")
    sc = cap.expert_pool_scenario(seed=0, pool=100, m=2)     # a pool of M experts, m per instance
    fit = cap.train(cfg, sc, seed=0)                         # Fit(model, history)
    tr = cap.train_trials(cfg, sc, seed=0)                   # Trials(acc, median, fit): cfg.trials runs
    ev = cap.evaluate(fit.model, sc, split="test")           # Evaluation
    cap.save_model(fit.model, path); cap.load_model(path)
    cap.lce_loss(logits, human_pred, y, alpha=1.0)           # L_CE^alpha, 0-d
    cap.consistent(sc)  # and confidence, oracle_reject, mpz18, model_only, ...: Deferral(acc, coverage, defer)
    cap.pooled_weights(fit.model, sc)  # and equal_weights, flexible_weights: Weighting(acc, w_human)
"""

from .baselines import (
    Deferral,
    Weighting,
    confidence,
    consistent,
    consistent_impute,
    consistent_two_step,
    equal_weights,
    expert_only,
    flexible_weights,
    global_weights,
    model_only,
    mpz18,
    oracle_reject,
    pooled_weights,
)
from .data import (
    Scenario,
    Split,
    VOTE_EXPERTS,
    ai_expert_scenario,
    crowd_probs,
    expert_votes,
    gaussian_task_world,
    load_cifar10_batches,
    load_cifar10h_probs,
    load_features,
)
from .fit import (
    Evaluation,
    Fit,
    Trials,
    evaluate,
    global_empirical,
    lce_loss,
    load_model,
    save_model,
    train,
    train_trials,
)
from .model import CapabilityModel, Fusion
from .montecarlo import team_accuracy_mc
from .pool import capability_drift, draw_pool, expert_pool_scenario, pool_inputs, pool_votes, random_vocabulary, sample_agents
from .params import PRESETS, Config, config
from .phase import phase_grid
from .theory import (
    EXPERTS,
    METHODS,
    Baseline,
    Optimum,
    Sigma,
    ai_accuracy,
    global_baseline,
    human_accuracy,
    optimal_alpha,
    sigma_from_acc,
    team_accuracy,
)

__all__ = [
    # Global baseline in closed form (spec §2.5, §3, §6)
    "EXPERTS", "METHODS", "Baseline", "Optimum", "Sigma", "ai_accuracy", "global_baseline",
    "human_accuracy", "optimal_alpha", "phase_grid", "sigma_from_acc", "team_accuracy", "team_accuracy_mc",
    # the capability-vector transformer, its data and training (spec §1-2)
    "PRESETS", "VOTE_EXPERTS", "CapabilityModel", "Config", "Evaluation", "Fit", "Fusion", "Scenario", "Split",
    "Trials", "ai_expert_scenario", "config", "crowd_probs", "evaluate", "expert_votes", "gaussian_task_world",
    "global_empirical",
    "lce_loss", "load_cifar10_batches", "load_cifar10h_probs", "load_features", "load_model", "save_model",
    "train", "train_trials",
    # expert pools: vocabularies of M experts, m per instance (Tables 3-4, Figs 5-6 analogs)
    "capability_drift", "draw_pool", "expert_pool_scenario", "pool_inputs", "pool_votes", "random_vocabulary", "sample_agents",
    # baselines of spec §1.5 and Table 8 (stand-in choices [R] in baselines.py)
    "Deferral", "Weighting", "confidence", "consistent", "consistent_impute", "consistent_two_step",
    "equal_weights", "expert_only", "flexible_weights", "global_weights", "model_only", "mpz18", "oracle_reject", "pooled_weights",
]
