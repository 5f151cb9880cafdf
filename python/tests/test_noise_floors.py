"""Noise floors of the label checks (roc_auc_drop, brier_score_increase, ece,
estimated_roc_auc_drop): the sampling spread model_performance stores for each window agrees with
simulation, and the floor keeps small stationary windows quiet while a real shift alerts.

Fixture: one calibrated model, 110 labeled predictions a day (performance.min_labeled_count is
100) against a 20,000-row labeled reference. Days 0-39 are stationary; days 40-42 outcomes run
far above the scores (calibration); days 43-45 the score stops ranking (performance); days
46-48 every score falls into one estimation bin (the estimated AUC has nothing to rank on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

START = pd.Timestamp("2026-01-05")
N_PER_DAY = 110
STATIONARY_DAYS = 40
SHIFTS = {"calibration": range(40, 43), "ranking": range(43, 46), "compressed": range(46, 49)}
DAYS = 49
LABEL_CHECKS = ("roc_auc_drop", "brier_score_increase", "ece", "estimated_roc_auc_drop")
ALPHA = 0.001  # alerts.noise_floor_alpha's default
SIMULATIONS = 4000


def risk_scores(rng: np.random.Generator, n: int) -> np.ndarray:
    return 1 / (1 + np.exp(-(rng.normal(-1.2, 1.1, n))))


def make_tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref_score = risk_scores(rng, 20_000)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 20_000),
            "score": ref_score,
            "label": (rng.random(20_000) < ref_score).astype(int),
        }
    )
    frames, label_frames = [], []
    for day in range(DAYS):
        risk = risk_scores(rng, N_PER_DAY)
        truth = rng.random(N_PER_DAY) < risk
        score = risk.copy()
        if day in SHIFTS["calibration"]:
            truth = rng.random(N_PER_DAY) < np.clip(risk + 0.35, 0, 1)
        if day in SHIFTS["ranking"]:
            score = rng.permutation(risk)
        if day in SHIFTS["compressed"]:
            score = 0.205 + 0.04 * rng.random(N_PER_DAY)
        ids = [f"d{day}-{i}" for i in range(N_PER_DAY)]
        at = (
            START
            + pd.Timedelta(days=day)
            + pd.to_timedelta(np.sort(rng.uniform(0, 80_000, N_PER_DAY)), unit="s")
        )
        frames.append(
            pd.DataFrame(
                {
                    "prediction_id": ids,
                    "model_name": "m",
                    "model_version": "v1",
                    "predicted_at": at,
                    "score": score,
                    "x": rng.normal(0, 1, N_PER_DAY),
                }
            )
        )
        label_frames.append(
            pd.DataFrame(
                {
                    "prediction_id": ids,
                    "label": truth.astype("int64"),
                    "labeled_at": at + pd.Timedelta(minutes=30),
                }
            )
        )
    return {
        "predictions": pd.concat(frames, ignore_index=True),
        "labels": pd.concat(label_frames, ignore_index=True),
        "training_reference": reference,
    }


CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"reference": {"label": "label"}},
    "models": [{"name": "m", "features": {"numeric": ["x"]}, "monitor_score": False}],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


@pytest.fixture(scope="module")
def built(builder, tables):
    return builder(tables, CONFIG, "noise_floors")


@pytest.fixture(scope="module")
def evaluated(built) -> pd.DataFrame:
    frame = built.df(
        "select check_name, window_start, observed_value, warn_threshold, noise_floor, severity "
        "from modelwatch.alert_evaluations where check_name in "
        f"({', '.join(repr(c) for c in LABEL_CHECKS)})"
    )
    frame["day"] = ((frame.window_start - START) / pd.Timedelta(days=1)).astype(int)
    return frame


@pytest.fixture(scope="module")
def performance(built) -> pd.DataFrame:
    frame = built.df(
        "select * from modelwatch.model_performance "
        "where slice_key = '__all__' order by window_start"
    )
    frame["day"] = ((frame.window_start - START) / pd.Timedelta(days=1)).astype(int)
    return frame.set_index("day")


def ece(scores: np.ndarray, labels: np.ndarray, bins: int = 10) -> np.ndarray:
    """ECE of each row of `labels` (simulations x n) for fixed scores (sklearn's uniform bins)."""
    index = np.minimum((scores * bins).astype(int), bins - 1)
    total = np.zeros(labels.shape[0])
    for b in np.unique(index):
        mask = index == b
        gap = np.abs(scores[mask].mean() - labels[:, mask].mean(axis=1))
        total += mask.sum() * gap
    return total / len(scores)


def window(tables, day: int) -> pd.DataFrame:
    p, lab = tables["predictions"], tables["labels"]
    rows = p[p.prediction_id.str.startswith(f"d{day}-")].merge(lab, on="prediction_id")
    return rows


@pytest.mark.parametrize("day", [0, 13, 27])
def test_ece_sampling_distribution_matches_simulation(tables, performance, evaluated, day):
    """ECE of a perfectly calibrated window of these scores: mean and sd within 5% and 8% of
    10,000 simulations, and the floor (the gamma approximation's 1 - alpha quantile) exceeded
    no more often than alpha allows."""
    scores = window(tables, day).score.to_numpy()
    rng = np.random.default_rng(day)
    simulated = ece(scores, rng.random((10_000, len(scores))) < scores)
    row = performance.loc[day]
    assert row.ece_noise_mean == pytest.approx(simulated.mean(), rel=0.05)
    assert row.ece_noise_sd == pytest.approx(simulated.std(), rel=0.08)
    floor = evaluated[(evaluated.check_name == "ece") & (evaluated.day == day)].noise_floor.iloc[0]
    exceed = (simulated > floor).mean()
    # binomial upper 99.9% bound on 10,000 draws at alpha: about 2.1 alpha
    assert exceed <= stats.binom.ppf(0.999, 10_000, ALPHA) / 10_000, (floor, exceed)
    assert floor < np.quantile(simulated, 0.9999)  # and not absurdly conservative


@pytest.mark.parametrize("day", [0, 13, 27])
def test_auc_and_brier_noise_match_simulation(tables, performance, day):
    """Hanley-McNeil's AUC sd and the Brier sd against labels simulated from the window's own
    calibrated scores (the baseline's share, 20,000 rows, is small and checked separately)."""
    scores = window(tables, day).score.to_numpy()
    rng = np.random.default_rng(100 + day)
    labels = rng.random((SIMULATIONS, len(scores))) < scores
    aucs = np.array([roc_auc_score(y, scores) for y in labels if 0 < y.sum() < len(y)])
    briers = ((scores - labels) ** 2).mean(axis=1)
    row = performance.loc[day]
    ref = tables["training_reference"]
    baseline_auc = roc_auc_score(ref.label, ref.score)
    n1, n0 = ref.label.sum(), len(ref) - ref.label.sum()

    def hm_var(a, p, q):
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        return (a * (1 - a) + (p - 1) * (q1 - a * a) + (q - 1) * (q2 - a * a)) / (p * q)

    window_sd = np.sqrt(row.roc_auc_drop_noise_sd**2 - hm_var(baseline_auc, n1, n0))
    assert window_sd == pytest.approx(aucs.std(), rel=0.15)
    brier_terms = (ref.score - ref.label) ** 2
    window_brier_sd = np.sqrt(
        row.brier_score_increase_noise_sd**2 - brier_terms.var(ddof=1) / len(ref)
    )
    assert window_brier_sd == pytest.approx(briers.std(), rel=0.15)
    # the estimated AUC's bound is at least the realized AUC's spread at these counts
    assert row.estimated_roc_auc_drop_noise_sd >= 0.8 * row.roc_auc_drop_noise_sd


def test_stationary_small_windows_stay_quiet(evaluated):
    """<= 1% of stationary window-checks alert (here: none of 160), although without the floor
    several would: each floor is what keeps them quiet."""
    quiet = evaluated[evaluated.day < STATIONARY_DAYS]
    assert len(quiet) == STATIONARY_DAYS * len(LABEL_CHECKS)
    alerts = quiet[quiet.severity != "ok"]
    assert len(alerts) <= 0.01 * len(quiet), alerts
    # what the static thresholds alone would have said
    static = quiet[
        quiet.observed_value
        >= quiet.warn_threshold.where(quiet.warn_threshold > quiet.noise_floor, np.nan).fillna(
            np.inf
        )
    ]
    assert static.empty  # the floor is above the static threshold wherever it applied
    unfloored = {
        "roc_auc_drop": 0.05,
        "brier_score_increase": 0.02,
        "ece": 0.05,
        "estimated_roc_auc_drop": 0.05,
    }
    would_alert = {
        check: int((quiet[quiet.check_name == check].observed_value >= warn).sum())
        for check, warn in unfloored.items()
    }
    # ECE (median 0.08 at 110 rows), AUC and Brier would page on noise without their floor
    for check in ("ece", "roc_auc_drop", "brier_score_increase"):
        assert would_alert[check] >= 3, would_alert


@pytest.mark.parametrize(
    ("shift", "checks"),
    [
        ("calibration", ("ece", "brier_score_increase")),
        ("ranking", ("roc_auc_drop",)),
        ("compressed", ("estimated_roc_auc_drop",)),
    ],
)
def test_a_real_shift_goes_through_the_floor(evaluated, shift, checks):
    for check in checks:
        rows = evaluated[(evaluated.check_name == check) & evaluated.day.isin(SHIFTS[shift])]
        assert len(rows) == 3
        assert (rows.severity != "ok").all(), rows
        assert (rows.observed_value > rows.noise_floor).all()


def test_alerts_store_their_noise_floor(built):
    alerts = built.df(
        "select check_name, noise_floor, threshold from modelwatch.alerts where check_name in "
        f"({', '.join(repr(c) for c in LABEL_CHECKS)})"
    )
    assert not alerts.empty and alerts.noise_floor.notna().all()
    assert (alerts.threshold >= alerts.noise_floor - 1e-12).all()
