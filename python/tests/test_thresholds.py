"""Every threshold check shown quiet, at warn and at error, on a fixture built to breach it.

One small warehouse is built once; the alert tests are then re-evaluated under three configs
whose thresholds sit above, between and below the observed values.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from modelwatch.runner import ALERT_TAG

# check -> (table, column, rows the check judges, bad side)
OVERALL = "slice_key = '__all__'"
CHECKS = {
    "psi": ("feature_drift", "psi", "true", "above"),
    "js_distance": ("feature_drift", "js_distance", "true", "above"),
    "ks_statistic": ("feature_drift", "ks_statistic", "true", "above"),
    "null_rate_increase": ("feature_drift", "null_rate_increase", "true", "above"),
    "quarantine_rate": ("input_quality", "quarantine_rate", "true", "above"),
    "score_saturation_share": ("score_distribution", "saturation_share", "true", "above"),
    "roc_auc_drop": ("model_performance", "roc_auc_drop", OVERALL, "above"),
    "brier_score_increase": ("model_performance", "brier_score_increase", OVERALL, "above"),
    "ece": ("model_performance", "ece", OVERALL, "above"),
    "estimated_roc_auc_drop": ("model_performance", "estimated_roc_auc_drop", OVERALL, "above"),
    "label_coverage": ("model_performance", "label_coverage", OVERALL, "below"),
    "latency_p95_ms": ("operational_metrics", "latency_p95_ms", "true", "above"),
    "latency_p99_ms": ("operational_metrics", "latency_p99_ms", "true", "above"),
    "error_rate": ("operational_metrics", "error_rate", "true", "above"),
    "cost_per_1k_usd": ("operational_metrics", "cost_per_1k_usd", "true", "above"),
    # fairness checks judge the noise-aware bounds (README: Alerts)
    "demographic_parity_ratio": (
        "fairness_parity",
        "demographic_parity_ratio_bound",
        "true",
        "below",
    ),
    "equalized_odds_difference": (
        "fairness_parity",
        "equalized_odds_difference_bound",
        "true",
        "above",
    ),
    "calibration_gap": ("fairness_parity", "calibration_gap_bound", "true", "above"),
    "out_of_range_share": ("feature_quality", "out_of_range_share", "true", "above"),
    # the prior checks' noise floor is off here (test_feature_quality.py shows it working)
    "label_prior_shift": ("prior_drift", "abs_rate_difference", "prior_name = 'label'", "above"),
    "prediction_prior_shift": (
        "prior_drift",
        "abs_rate_difference",
        "prior_name = 'prediction'",
        "above",
    ),
    "drifted_feature_share": ("dataset_drift", "drifted_feature_share", "true", "above"),
    # the labels arrive two days after the last prediction: those windows miss predictions
    "missing_window": (
        "feed_health",
        "case when is_missing_window then 1.0 else 0.0 end",
        "true",
        "above",
    ),
    "label_freshness_days": ("feed_health", "label_staleness_days", "true", "above"),
}
NO_FLOOR = ("label_prior_shift", "prediction_prior_shift")
# alert tests with nothing to breach in this fixture (default thresholds): canary and shadow
# rows (test_canary.py, test_model_comparison.py), request volume (dynamic: a week of history,
# test_feed_health.py), drift segments, text features, new categories, value rules and custom
# metrics (test_feature_quality.py)
NOTHING_TO_JUDGE = (
    "canary_rollback",
    "disagreement_rate",
    "request_volume_drop",
    "request_volume_spike",
    "segment_psi",
    "type_error_rate",
    "unseen_category_share",
    "rule_violation_share",
    "custom_metrics",
    "rmse_increase",
    "mae_increase",
    "bias",
    "macro_f1_drop",
    "class_prior_shift",
)


NOISE_FLOOR_LABEL_CHECKS = ("roc_auc_drop", "brier_score_increase", "ece", "estimated_roc_auc_drop")


def make_tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_ref, n_day = 3000, 1500
    reference_score = rng.beta(2, 5, n_ref)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, n_ref),
            "color": rng.choice(["red", "green", "blue"], n_ref, p=[0.5, 0.3, 0.2]),
            "score": reference_score,
            # calibrated on the reference; the live windows rank and calibrate worse
            "label": (rng.random(n_ref) < reference_score).astype(int),
        }
    )
    days = []
    for day, (shift, mix, null_share, saturated) in enumerate(
        [(0.0, [0.5, 0.3, 0.2], 0.0, 0.0), (1.0, [0.2, 0.3, 0.5], 0.3, 0.2)]
    ):
        x = rng.normal(shift, 1, n_day)
        x[rng.random(n_day) < null_share] = np.nan
        score = rng.beta(4, 10, n_day)
        score[rng.random(n_day) < saturated] = 0.001
        days.append(
            pd.DataFrame(
                {
                    "prediction_id": [f"d{day}-{i}" for i in range(n_day)],
                    "model_name": "m",
                    "model_version": "v1",
                    "predicted_at": pd.Timestamp("2026-03-02")
                    + pd.Timedelta(days=day)
                    + pd.to_timedelta(rng.uniform(0, 86_000, n_day), unit="s"),
                    "score": score,
                    # serving: slower, more errors and dearer on day 1
                    "latency_ms": rng.lognormal(np.log(40 * (1 + 2 * day)), 0.3, n_day),
                    "status_code": np.where(rng.random(n_day) < 0.01 + 0.04 * day, 503, 200),
                    "cost_usd": rng.uniform(0.0003, 0.0005, n_day) * (1 + day),
                    "x": x,
                    "color": rng.choice(["red", "green", "blue"], n_day, p=mix),
                    "grp": rng.choice(["a", "b"], n_day),
                }
            )
        )
    predictions = pd.concat(days, ignore_index=True)
    # quarantine on day 1 only: out-of-range scores
    predictions.loc[predictions.index[-60:], "score"] = 1.5
    # labels for 80% (day 0) and 60% (day 1) of the predictions, weakly tied to the score
    coverage = np.where(predictions.prediction_id.str.startswith("d0-"), 0.8, 0.6)
    labeled = predictions[rng.random(len(predictions)) < coverage]
    truth = rng.random(len(labeled)) < 0.4 * labeled.score.clip(0, 1) + 0.2
    labels = pd.DataFrame(
        {
            "prediction_id": labeled.prediction_id.to_numpy(),
            "label": truth.astype("int64"),
            "labeled_at": (labeled.predicted_at + pd.Timedelta(days=2)).to_numpy(),
        }
    )
    # fairness on day 1: a release scales group b's (valid) scores down after the outcomes
    # were drawn, so its selection rate, true positive rate and calibration fall apart
    unfair = (
        predictions.prediction_id.str.startswith("d1-")
        & (predictions.grp == "b")
        & (predictions.score <= 1)
    )
    predictions.loc[unfair, "score"] *= 0.3
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


BASE_CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {
        "reference": {"label": "label"},
        "predictions": {
            "latency_ms": "latency_ms",
            "status_code": "status_code",
            "cost_usd": "cost_usd",
        },
    },
    # every window is past its label grace period, so label coverage is judged
    "performance": {"label_coverage_grace_days": 0},
    "models": [
        {
            "name": "m",
            "threshold": 0.3,
            "features": {"numeric": ["x"], "categorical": ["color"]},
            "protected_attributes": ["grp"],
        }
    ],
}


@pytest.fixture(scope="module")
def built(builder):
    return builder(make_tables(), BASE_CONFIG, "thresholds")


@pytest.fixture(scope="module")
def observed(built) -> dict[str, pd.Series]:
    out = {}
    for check, (table, column, where, _) in CHECKS.items():
        frame = built.df(f"select {column} as observed from modelwatch.{table} where {where}")
        out[check] = frame["observed"].dropna()
    return out


def thresholds(observed, position: str) -> dict[str, dict[str, float]]:
    """Thresholds around each check's worst observed value (which is positive): short of it
    (quiet), between warn and error, or past both."""
    checks = {}
    for check, values in observed.items():
        worst = values.max() if CHECKS[check][3] == "above" else values.min()
        assert len(values) > 0 and worst > 0, (check, values)
        if CHECKS[check][3] == "above":
            top = float(values.max())
            factors = {"quiet": (1.5, 2), "warn": (0.99, 1.5), "error": (0.5, 0.99)}[position]
        else:
            top = float(values.min())
            factors = {"quiet": (0.5, 0.25), "warn": (1.01, 0.5), "error": (2, 1.01)}[position]
        checks[check] = {"warn": top * factors[0], "error": top * factors[1]}
        if check in NO_FLOOR or check in NOISE_FLOOR_LABEL_CHECKS:
            # thresholds around one window's value, below what its sampling noise reaches:
            # this file shows the threshold mechanics; test_noise_floors.py and
            # test_feature_quality.py the floors
            checks[check]["noise_floor"] = False
    return checks


def evaluate(built, checks, per_model: bool = False) -> dict[str, tuple[str, int]]:
    """Re-run only the alert tests under these thresholds; {test name: (status, failures)}."""
    from modelwatch.runner import DbtProject

    config = copy.deepcopy(built.config)
    if per_model:
        # a model's own thresholds win over global ones (which are set to never fire here)
        config["checks"] = {c: {"warn": 1e9, "error": 1e9} for c in checks}
        config["models"][0]["checks"] = checks
    else:
        config["checks"] = checks
    project = DbtProject(config, built.project.env, target_path=built.project.target_path)
    result = project.invoke(["test", "--select", f"tag:{ALERT_TAG}"])
    return {r.node.name: (str(r.status), int(r.failures or 0)) for r in result.result.results}


def expected_failures(observed, check, level, beyond=None) -> int:
    """Values at or beyond `level` (and short of `beyond`, the next level, when given)."""
    values = observed[check]
    above = CHECKS[check][3] == "above"
    hit = values >= level if above else values <= level
    if beyond is not None:
        hit &= values < beyond if above else values > beyond
    return int(hit.sum())


def test_quiet_thresholds_raise_nothing(built, observed):
    results = evaluate(built, thresholds(observed, "quiet"))
    # canary_rollback and disagreement_rate need canary / shadow rows: test_canary.py and
    # test_model_comparison.py show them firing; the request volume checks (dynamic) need a
    # week of history (test_feed_health.py); the regression and multiclass checks need models of
    # those tasks (test_model_tasks.py); the data-quality checks have their own tests; here
    # they have nothing to judge
    assert len(results) == 2 * len(CHECKS) + 2 * len(NOTHING_TO_JUDGE)
    assert all(status == "pass" for status, _ in results.values()), results


def test_warn_thresholds_warn(built, observed):
    checks = thresholds(observed, "warn")
    results = evaluate(built, checks)
    for check, (table, *_) in CHECKS.items():
        name = f"{table}_{check}"
        assert results[f"{name}_warn"] == (
            "warn",
            expected_failures(observed, check, checks[check]["warn"], checks[check]["error"]),
        ), check
        assert results[f"{name}_error"] == ("pass", 0), check


@pytest.mark.parametrize("per_model", [False, True], ids=["global", "model_override"])
def test_error_thresholds_page(built, observed, per_model):
    checks = thresholds(observed, "error")
    results = evaluate(built, checks, per_model=per_model)
    for check, (table, *_) in CHECKS.items():
        name = f"{table}_{check}"
        status, failures = results[f"{name}_error"]
        assert status == "fail", (check, results[f"{name}_error"])
        assert failures == expected_failures(observed, check, checks[check]["error"]), check
        # rows at error level are not double-counted at warn level
        assert results[f"{name}_warn"][1] == expected_failures(
            observed, check, checks[check]["warn"], checks[check]["error"]
        ), check
