"""Comparing output tables between two builds (incremental vs full refresh, DuckDB vs Postgres)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")

OUTPUT_TABLES = {
    # table -> grain used to align rows
    "reference_bins": ["model_name", "feature_name", "bin_index"],
    "feature_bin_counts": [
        "model_name",
        "window_start",
        "feature_name",
        "segment_key",
        "segment_value",
        "bin_index",
    ],
    "feature_drift": ["model_name", "window_start", "feature_name", "segment_key", "segment_value"],
    "dataset_drift": ["model_name", "window_start"],
    "prior_drift": ["model_name", "window_start", "prior_name"],
    "feature_quality": ["model_name", "window_start", "feature_name"],
    "quarantined_feature_values": ["prediction_id", "feature_name"],
    "score_distribution": ["model_name", "model_version", "window_start"],
    "input_quality": ["model_name", "window_start"],
    "model_performance": [
        "model_name",
        "model_version",
        "window_start",
        "slice_key",
        "slice_value",
    ],
    "calibration_bins": ["model_name", "model_version", "window_start", "bin_index"],
    "performance_baseline": ["model_name"],
    "operational_metrics": ["model_name", "model_version", "window_start"],
    "model_comparison": ["model_name", "window_start", "baseline_version", "candidate_version"],
    "canary_verdicts": ["model_name", "window_start", "canary_version"],
    "alerts": ["alert_id"],
    "alert_incidents": ["incident_id"],
    "feed_health": ["model_name", "window_start"],
    "retraining_recommendations": ["model_name", "window_start"],
    "fairness_metrics": ["model_name", "window_start", "attribute_name", "group_value"],
    "fairness_parity": ["model_name", "window_start", "attribute_name"],
    "confusion_matrix": [
        "model_name", "model_version", "window_start", "label_class", "predicted_class",
    ],
    "class_performance": ["model_name", "model_version", "window_start", "class_value"],
    "class_distribution": ["model_name", "window_start", "distribution", "class_value"],
    "class_drift": ["model_name", "window_start", "distribution"],
    "custom_metrics": [
        "model_name", "model_version", "window_start", "slice_key", "slice_value", "metric_name",
    ],
}  # fmt: skip

# row-level tables (no key): rows are aligned by sorting on these columns
ROW_TABLES = {
    "quarantined_predictions": [
        "quarantine_reason", "model_name", "window_start", "prediction_id", "predicted_at",
        "id_occurrence", "model_version", "score",
    ],
    "quarantined_labels": [
        "quarantine_reason", "model_name", "window_start", "prediction_id", "labeled_at",
        "raw_label",
    ],
}  # fmt: skip


def normalise(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            converted = pd.to_numeric(out[column], errors="coerce")
            if converted.notna().sum() == out[column].notna().sum() and out[column].notna().any():
                out[column] = converted.astype("float64")
        if str(out[column].dtype).startswith("datetime64"):
            out[column] = out[column].astype("datetime64[us]")
    return out.sort_values(keys, na_position="last").reset_index(drop=True)


def assert_tables_equal(
    left: pd.DataFrame,
    right: pd.DataFrame,
    keys: list[str],
    rtol: float = 1e-12,
    skip: tuple[str, ...] = (),
) -> None:
    """Same rows (by key), same values: exact for text and integers, rtol for floats."""
    a, b = normalise(left, keys), normalise(right, keys)
    assert list(a.columns) == list(b.columns), (list(a.columns), list(b.columns))
    assert len(a) == len(b), (len(a), len(b))
    for column in a.columns:
        if column in skip:
            continue
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            xa, ya = x.astype("float64").to_numpy(), y.astype("float64").to_numpy()
            same_null = np.isnan(xa) == np.isnan(ya)
            assert same_null.all(), column
            np.testing.assert_allclose(
                xa[~np.isnan(xa)], ya[~np.isnan(ya)], rtol=rtol, atol=1e-12, err_msg=column
            )
        elif column == "evidence":
            # JSON text: the same document, numbers within rtol (engines format floats apart)
            for u, v in zip(x.tolist(), y.tolist(), strict=True):
                assert_json_close(json.loads(u), json.loads(v), rtol, column)
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), column


def assert_json_close(u, v, rtol: float, where: str) -> None:
    if isinstance(u, dict):
        assert isinstance(v, dict) and list(u) == list(v), (where, u, v)
        for key in u:
            assert_json_close(u[key], v[key], rtol, f"{where}.{key}")
    elif isinstance(u, list):
        assert isinstance(v, list) and len(u) == len(v), (where, u, v)
        for i, (a, b) in enumerate(zip(u, v, strict=True)):
            assert_json_close(a, b, rtol, f"{where}[{i}]")
    elif isinstance(u, str) and isinstance(v, str):
        # bin labels such as "[68680.00000000001, 70000)": the engines' edges differ in the
        # last ulp, so the numbers inside compare within rtol and the rest exactly
        assert NUMBER.split(u) == NUMBER.split(v), (where, u, v)
        for a, b in zip(NUMBER.findall(u), NUMBER.findall(v), strict=True):
            assert np.isclose(float(a), float(b), rtol=rtol, atol=1e-12), (where, u, v)
    elif isinstance(u, bool) or u is None or isinstance(u, str):
        assert u == v, (where, u, v)
    else:
        assert isinstance(v, int | float) and np.isclose(u, v, rtol=rtol, atol=1e-12), (where, u, v)
