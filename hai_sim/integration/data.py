"""Data: O*NET and BIG-bench-Lite loaders and the offline stand-ins of spec §5.

Neither the O*NET database nor the paper's GPT-4o annotations nor the BIG-bench result files are
available offline. The loaders read the formats of spec §5.1-5.2 when a user has the files; the
stand-ins (:func:`programmer_job`, :func:`synthetic_bbl`) are deterministic and SYNTHETIC [R]:
their levels, lambdas and scores are illustrative placeholders, not O*NET or BIG-bench values.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from hai_sim.engine import InputError, named_result
from hai_sim.engine.validate import check_choice, check_range
from hai_sim.integration.params import Job, make_job


@named_result
class JobData(NamedTuple):
    """A job built from skill data, with the data behind it.

    job: the :class:`Job`; skills: skill names (n,); levels: O*NET levels 0-7 (n,); lam: decision
    shares lambda_j (n,); tasks: task labels (m,); synthetic: True for the offline stand-in.
    """

    job: Job
    skills: list
    levels: np.ndarray
    lam: np.ndarray
    tasks: list
    synthetic: bool


@named_result
class ScoreData(NamedTuple):
    """Per-task scores of several workers (BIG-bench-Lite style).

    tasks: task names (k,); s: difficulty per task (k,); lam: decision share per task (k,) or None;
    scores: {worker: (k,) scores} (keyed by data: the worker names); truth: {worker: (a, c)} for
    synthetic data, else None; sigma: the synthetic noise level or None; synthetic: bool.
    """

    tasks: list
    s: np.ndarray
    lam: np.ndarray | None
    scores: Mapping[str, np.ndarray]
    truth: Mapping[str, tuple[float, float]] | None
    sigma: float | None
    synthetic: bool

SPLITS = ("proportional", "seed-literal", "lambda-h")

BBL_TASKS = (
    "auto_debugging", "bbq_lite_json", "code_line_description", "conceptual_combinations", "conlang_translation",
    "emoji_movie", "formal_fallacies_syllogisms_negation", "hindu_knowledge", "known_unknowns",
    "language_identification", "linguistics_puzzles", "logic_grid_puzzle", "logical_deduction",
    "misconceptions_russian", "novel_concepts", "operators", "parsinlu_reading_comprehension",
    "play_dialog_same_or_different", "repeat_copy_logic", "strange_stories", "strategyqa", "symbol_interpretation",
    "vitaminc_fact_verification", "winowhy",
)

# spec §5.3: skill names from O*NET's taxonomy; levels (0-7) and lambdas are ILLUSTRATIVE [R].
PROGRAMMER_SKILLS = (
    ("Programming", 5.0, 0.3), ("Complex Problem Solving", 4.4, 0.8), ("Critical Thinking", 4.3, 0.85),
    ("Reading Comprehension", 4.3, 0.5), ("Active Listening", 4.0, 0.5), ("Writing", 4.0, 0.3),
    ("Judgment and Decision Making", 4.0, 0.9), ("Systems Analysis", 4.1, 0.7), ("Systems Evaluation", 4.0, 0.7),
    ("Troubleshooting", 3.9, 0.6), ("Quality Control Analysis", 3.9, 0.5), ("Operations Analysis", 3.9, 0.7),
    ("Technology Design", 4.0, 0.6), ("Active Learning", 3.9, 0.6), ("Monitoring", 3.8, 0.5), ("Speaking", 3.9, 0.4),
    ("Time Management", 3.5, 0.6), ("Mathematics", 3.6, 0.4),
)
PROGRAMMER_TASKS = (
    ("write/update/maintain programs", (1, 2, 3, 13, 11, 17)), ("correct errors and recheck", (1, 10, 3, 11, 15)),
    ("revise/expand existing programs", (1, 2, 8, 13, 4)), ("rewrite programs from flow charts", (1, 8, 3, 4, 18)),
    ("trial runs to verify output", (11, 10, 15, 1, 9)), ("consult staff on program intent", (5, 16, 4, 7, 12)),
    ("prepare workflow charts", (8, 13, 6, 12)), ("write program documentation", (6, 4, 1)),
    ("write user manuals", (6, 16, 4)), ("check hardware/network fit", (8, 9, 10, 14)),
    ("assist operators with problems", (10, 5, 16, 7)), ("systems analysis and system programming", (8, 1, 9, 2, 18)),
    ("train subordinates in programming", (16, 1, 14, 15)), ("assign and review programming work", (7, 17, 15, 16, 3)),
    ("develop web sites", (1, 13, 11, 14)), ("develop new programming methods", (2, 14, 13, 3, 16)),
    ("train users", (16, 5, 6)),
)


def split_difficulties(s, lam, split: str = "proportional"):
    """(2, n) subskill difficulties from skill difficulties s_j and decision shares lambda_j.

    "proportional" (default [R]): s_j1 = lambda_j s_j, s_j2 = (1 - lambda_j) s_j;
    "seed-literal": s_j1 = lambda_j s_j, s_j2 = 1 - (1 - lambda_j) s_j (the seed's formula, ambiguity 13);
    "lambda-h": s_j1 = s_j2 = s_j (pair with h = "lambda").
    """
    check_choice("split", split, SPLITS)
    s, lam = np.asarray(s, dtype=float), np.asarray(lam, dtype=float)
    check_range("s", s, 0.0, 1.0)
    check_range("lambda", lam, 0.0, 1.0)
    if split == "proportional":
        return np.stack([lam * s, (1 - lam) * s])
    if split == "seed-literal":
        return np.stack([lam * s, 1 - (1 - lam) * s])
    return np.stack([s, s])


def _job_from(levels, lam, tasks, n, split, tau) -> Job:
    A = np.zeros((len(tasks), n))
    for i, skills in enumerate(tasks):
        A[i, np.asarray(skills, dtype=int) - 1] = 1.0
    s = split_difficulties(np.asarray(levels) / 7.0, lam, split)
    h = "lambda" if split == "lambda-h" else "mean"
    return make_job(s, A, tau=tau, h=h, lam=np.asarray(lam))


def programmer_job(split: str = "proportional", tau: float = 0.25) -> JobData:
    """SYNTHETIC stand-in for O*NET "Computer Programmers" (spec §5.3): 18 skills x 17 tasks.

    Returns :class:`JobData` (job, skills, levels, lam, tasks, synthetic=True).
    s_j = level / 7 [R]; subskills by :func:`split_difficulties`.
    """
    names, levels, lam = zip(*PROGRAMMER_SKILLS)
    job = _job_from(levels, lam, [t for _, t in PROGRAMMER_TASKS], len(names), split, tau)
    return JobData(job, list(names), np.asarray(levels), np.asarray(lam), [t for t, _ in PROGRAMMER_TASKS], True)


def load_onet_skills(path: str | Path, soc: str = "15-1251.00") -> dict[str, dict[str, float]]:
    """Read O*NET ``Skills.txt`` (tab-separated: O*NET-SOC Code, Element Name, Scale ID, Data Value,
    ...) and return {skill: {"IM": importance 1-5, "LV": level 0-7}} for occupation ``soc``."""
    out: dict[str, dict[str, float]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["O*NET-SOC Code"] != soc or row["Scale ID"] not in ("IM", "LV"):
                continue
            out.setdefault(row["Element Name"], {})[row["Scale ID"]] = float(row["Data Value"])
    if not out:
        raise InputError(f"path={str(path)!r}: no IM/LV rows for soc={soc!r}")
    return out


def load_job_csv(skills_csv: str | Path, graph_csv: str | Path, *, split: str = "proportional",
                 tau: float = 0.25, min_importance: float | None = None) -> JobData:
    """A job from the project CSVs of spec §5.1: ``skills.csv`` (skill, level, importance, lambda)
    and ``graph.csv`` (task, skill). Skills below ``min_importance`` are dropped; a task left empty
    is an InputError (from the Job constructor). Returns :class:`JobData`."""
    with open(skills_csv, newline="", encoding="utf-8") as fh:
        skills = [r for r in csv.DictReader(fh)
                  if min_importance is None or float(r["importance"]) >= min_importance]
    index = {r["skill"]: j + 1 for j, r in enumerate(skills)}
    tasks: dict[str, list[int]] = {}
    with open(graph_csv, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            tasks.setdefault(r["task"], [])
            if r["skill"] in index:
                tasks[r["task"]].append(index[r["skill"]])
    levels = [float(r["level"]) for r in skills]
    check_range("level", np.asarray(levels), 0.0, 7.0)
    lam = [float(r["lambda"]) for r in skills]
    job = _job_from(levels, lam, list(tasks.values()), len(skills), split, tau)
    return JobData(job, [r["skill"] for r in skills], np.asarray(levels), np.asarray(lam), list(tasks), False)


def load_bbl_csv(path: str | Path) -> ScoreData:
    """Read a BIG-bench-Lite-style CSV (task, worker, score in [0, 1], optional difficulty, lambda).

    Returns :class:`ScoreData` (tasks, s, lam or None, scores {worker: array}; truth and sigma None).
    Difficulty when not given [R]: 1 - the human_best score of the task if a "human_best" worker
    exists, else 1 - the mean score over workers.
    """
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    tasks = sorted({r["task"] for r in rows})
    workers = sorted({r["worker"] for r in rows})
    scores = {w: np.full(len(tasks), np.nan) for w in workers}
    diff, lam = np.full(len(tasks), np.nan), np.full(len(tasks), np.nan)
    for r in rows:
        t = tasks.index(r["task"])
        scores[r["worker"]][t] = float(r["score"])
        if r.get("difficulty"):
            diff[t] = float(r["difficulty"])
        if r.get("lambda"):
            lam[t] = float(r["lambda"])
    for w, v in scores.items():
        check_range(f"score ({w})", v[np.isfinite(v)], 0.0, 1.0)
    if np.isnan(diff).any():
        base = scores["human_best"] if "human_best" in scores else np.nanmean(np.stack(list(scores.values())), axis=0)
        diff = np.where(np.isnan(diff), 1.0 - base, diff)
    return ScoreData(tasks, diff, None if np.isnan(lam).all() else lam, scores, None, None, False)


def synthetic_bbl() -> ScoreData:
    """SYNTHETIC BIG-bench-Lite scores of spec §5.3 [R] (not BIG-bench data).

    24 tasks, difficulty s_t = (r_t + 0.5)/24 with r = RandomState(24).permutation(24),
    lambda_t = RandomState(7).uniform(0.2, 0.8, 24); workers "human" (a = 0.55, c = 0.95) and
    "llm" (a = 0.25, c = 0.95) with uniform noise sigma = 0.3 drawn by one RandomState(1).
    """
    r = np.random.RandomState(24).permutation(24)
    s = (r + 0.5) / 24
    lam = np.random.RandomState(7).uniform(0.2, 0.8, 24)
    rng = np.random.RandomState(1)
    truth = {"human": (0.55, 0.95), "llm": (0.25, 0.95)}
    scores = {}
    for name, (a, c) in truth.items():
        E = c - (1 - a) * s
        scores[name] = E + np.minimum(E, 1 - E) * 0.3 * rng.uniform(-1, 1, 24)
    return ScoreData(list(BBL_TASKS), s, lam, scores, truth, 0.3, True)
