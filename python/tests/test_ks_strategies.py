"""Every exact KS strategy equals scipy.stats.ks_2samp on raw values (1e-12), ties included.

The demo build checks `asof` (many windows) and PostgreSQL checks `merge`; this file forces
each strategy on one small fixture with heavy ties and a few windows, and the `buckets` strategy
with few buckets (many values per bucket, most buckets evaluated value by value) on heavy tails,
infinities and a reference that is constant.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "models": [{"name": "m", "features": {"numeric": ["x", "k"], "categorical": []}}],
}


def tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_ref, n_day, days = 2500, 700, 3
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, n_ref),
            "k": rng.integers(0, 6, n_ref).astype(float),  # heavy ties
            "score": rng.uniform(0, 1, n_ref),
        }
    )
    frames = []
    for day in range(days):
        frames.append(
            pd.DataFrame(
                {
                    "prediction_id": [f"{day}-{i}" for i in range(n_day)],
                    "model_name": "m",
                    "model_version": "v1",
                    "predicted_at": pd.Timestamp("2026-05-04") + pd.Timedelta(days=day, hours=1),
                    "score": rng.uniform(0, 1, n_day),
                    "x": rng.normal(0.1 * day, 1, n_day),
                    "k": rng.integers(day % 2, 6, n_day).astype(float),
                }
            )
        )
    labels = pd.DataFrame(
        {
            "prediction_id": pd.Series([], dtype="string"),
            "label": pd.Series([], dtype="int64"),
            "labeled_at": pd.Series([], dtype="datetime64[us]"),
        }
    )
    return {
        "predictions": pd.concat(frames, ignore_index=True),
        "labels": labels,
        "training_reference": reference,
    }


@pytest.mark.parametrize("strategy", ["merge", "merge_rows", "asof", "buckets"])
def test_strategy_equals_scipy(builder, strategy):
    data = tables()
    config = copy.deepcopy(CONFIG)
    config["drift"] = {"ks_strategy": strategy}
    built = builder(data, config, f"ks_{strategy}")
    drift = built.df(
        "select window_start, feature_name, ks_statistic from modelwatch.feature_drift"
    )
    predictions = data["predictions"]
    checked = 0
    for row in drift.itertuples():
        current = predictions[predictions.predicted_at.dt.floor("D") == row.window_start]
        expected = ks_2samp(data["training_reference"][row.feature_name], current[row.feature_name])
        assert np.isclose(row.ks_statistic, expected.statistic, rtol=1e-12, atol=1e-12), row
        checked += 1
    assert checked == 3 * 3  # 3 windows x (x, k, score)


def edge_tables(seed: int = 5) -> dict[str, pd.DataFrame]:
    """tables() plus a heavy-tailed feature with infinities and one constant in the reference."""
    data = tables(seed)
    rng = np.random.default_rng(seed + 1)
    reference = data["training_reference"]
    tails = rng.standard_cauchy(len(reference))
    tails[:3] = [np.inf, -np.inf, 1e300]
    reference["t"] = tails
    reference["c"] = 2.5
    predictions = data["predictions"]
    current = rng.standard_cauchy(len(predictions)) * 1.3 + 0.2
    current[::97] = np.inf
    predictions["t"] = current
    predictions["c"] = np.where(
        rng.uniform(size=len(predictions)) < 0.5, 2.5, rng.normal(2.5, 1, len(predictions))
    )
    return data


@pytest.mark.parametrize("buckets", [1, 7, 500])
def test_buckets_equals_scipy_on_edge_cases(builder, buckets):
    data = edge_tables()
    config = copy.deepcopy(CONFIG)
    config["models"][0]["features"]["numeric"] = ["x", "k", "t", "c"]
    config["drift"] = {"ks_strategy": "buckets", "ks_buckets": buckets}
    built = builder(data, config, f"ks_buckets_{buckets}")
    drift = built.df(
        "select window_start, feature_name, ks_statistic, reference_non_null, current_non_null "
        "from modelwatch.int_modelwatch__feature_drift_ks"
    )
    predictions = data["predictions"]
    checked = 0
    for row in drift.itertuples():
        current = predictions[predictions.predicted_at.dt.floor("D") == row.window_start]
        reference = data["training_reference"][row.feature_name]
        expected = ks_2samp(reference, current[row.feature_name])
        assert np.isclose(row.ks_statistic, expected.statistic, rtol=1e-12, atol=1e-12), row
        assert row.reference_non_null == len(reference), row
        assert row.current_non_null == len(current), row
        checked += 1
    assert checked == 3 * 5  # 3 windows x (x, k, t, c, score)


@pytest.mark.parametrize(("buckets", "expected"), [(7, "buckets"), (65536, "asof")])
def test_auto_takes_buckets_when_the_windows_outgrow_its_grid(builder, buckets, expected):
    """auto (DuckDB) takes asof for many windows only while they hold fewer rows than the
    buckets grid (windows x ks_buckets): asof's memory grows with the rows (out of memory at 30
    windows of 1M rows, memory_limit 4GB), the buckets strategy's does not. Here 3 windows of
    700 rows, more than ks_merge_max_windows: 2,100 rows against a grid of 21 or 196,608."""
    data = tables()
    config = copy.deepcopy(CONFIG)
    config["drift"] = {"ks_merge_max_windows": 1, "ks_buckets": buckets}
    built = builder(data, config, f"ks_auto_{buckets}")
    compiled = next(built.project.target_path.glob("run/**/int_modelwatch__feature_drift_ks.sql"))
    assert ("ks_bounds as (" in compiled.read_text()) == (expected == "buckets")
    drift = built.df(
        "select window_start, feature_name, ks_statistic from modelwatch.feature_drift"
    )
    predictions = data["predictions"]
    for row in drift.itertuples():
        current = predictions[predictions.predicted_at.dt.floor("D") == row.window_start]
        expected_ks = ks_2samp(
            data["training_reference"][row.feature_name], current[row.feature_name]
        )
        assert np.isclose(row.ks_statistic, expected_ks.statistic, rtol=1e-12, atol=1e-12), row
    assert len(drift) == 3 * 3
