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

# check -> (table, column, subject columns)
CHECKS = {
    "psi": ("feature_drift", "psi"),
    "js_distance": ("feature_drift", "js_distance"),
    "ks_statistic": ("feature_drift", "ks_statistic"),
    "null_rate_increase": ("feature_drift", "null_rate_increase"),
    "quarantine_rate": ("input_quality", "quarantine_rate"),
    "score_saturation_share": ("score_distribution", "saturation_share"),
}


def make_tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_ref, n_day = 3000, 1500
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, n_ref),
            "color": rng.choice(["red", "green", "blue"], n_ref, p=[0.5, 0.3, 0.2]),
            "score": rng.beta(2, 5, n_ref),
        }
    )
    days = []
    for day, (shift, mix, null_share, saturated) in enumerate(
        [(0.0, [0.5, 0.3, 0.2], 0.0, 0.0), (1.0, [0.2, 0.3, 0.5], 0.3, 0.2)]
    ):
        x = rng.normal(shift, 1, n_day)
        x[rng.random(n_day) < null_share] = np.nan
        score = rng.beta(2, 5, n_day)
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
                    "x": x,
                    "color": rng.choice(["red", "green", "blue"], n_day, p=mix),
                }
            )
        )
    predictions = pd.concat(days, ignore_index=True)
    # quarantine on day 1 only: out-of-range scores
    predictions.loc[predictions.index[-60:], "score"] = 1.5
    labels = pd.DataFrame(
        {
            "prediction_id": pd.Series([], dtype="string"),
            "label": pd.Series([], dtype="int64"),
            "labeled_at": pd.Series([], dtype="datetime64[us]"),
        }
    )
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


BASE_CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "models": [{"name": "m", "features": {"numeric": ["x"], "categorical": ["color"]}}],
}


@pytest.fixture(scope="module")
def built(builder):
    return builder(make_tables(), BASE_CONFIG, "thresholds")


@pytest.fixture(scope="module")
def observed(built) -> dict[str, pd.Series]:
    out = {}
    for check, (table, column) in CHECKS.items():
        out[check] = built.df(f"select {column} from modelwatch.{table}")[column].dropna()
    return out


def thresholds(observed, position: str) -> dict[str, dict[str, float]]:
    """Thresholds around each check's largest observed value (all values are positive)."""
    checks = {}
    for check, values in observed.items():
        top = float(values.max())
        assert top > 0, check
        if position == "quiet":
            checks[check] = {"warn": top * 1.5, "error": top * 2}
        elif position == "warn":
            checks[check] = {"warn": top * 0.99, "error": top * 1.5}
        else:
            checks[check] = {"warn": top * 0.5, "error": top * 0.99}
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


def expected_failures(observed, check, lower, upper=None) -> int:
    values = observed[check]
    hit = values >= lower
    if upper is not None:
        hit &= values < upper
    return int(hit.sum())


def test_quiet_thresholds_raise_nothing(built, observed):
    results = evaluate(built, thresholds(observed, "quiet"))
    assert len(results) == 2 * len(CHECKS)
    assert all(status == "pass" for status, _ in results.values()), results


def test_warn_thresholds_warn(built, observed):
    checks = thresholds(observed, "warn")
    results = evaluate(built, checks)
    for check, (table, _) in CHECKS.items():
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
    for check, (table, _) in CHECKS.items():
        name = f"{table}_{check}"
        status, failures = results[f"{name}_error"]
        assert status == "fail", (check, results[f"{name}_error"])
        assert failures == expected_failures(observed, check, checks[check]["error"]), check
        # rows at error level are not double-counted at warn level
        assert results[f"{name}_warn"][1] == expected_failures(
            observed, check, checks[check]["warn"], checks[check]["error"]
        ), check
