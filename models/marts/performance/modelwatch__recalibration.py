"""Refit the calibrator without retraining (the Python layer; DuckDB only).

Per model version: Platt and isotonic maps fitted on the labeled predictions of the latest
performance.recalibration_windows windows (a deterministic split holds out
performance.recalibration_holdout_share), with ECE and Brier score on the held-out rows before
and after. is_recommended marks the better map when calibration has degraded (ECE over those
windows at or above the ece warn threshold) and the map lowers the held-out ECE.
"""

import json

import pandas as pd

try:
    from modelwatch.calibration import ece, recalibrate
except ImportError as missing:  # opt-in Python models need the pip package where dbt runs
    raise ImportError(
        "modelwatch: python_models is on, but the modelwatch Python package is not installed "
        "in dbt's environment: pip install modelwatch, or set python_models: false"
    ) from missing

COLUMNS = [
    "model_name", "model_version", "method", "fit_window_start", "fit_window_end",
    "recent_ece", "ece_warn_threshold", "is_calibration_degraded", "fit_count",
    "holdout_count", "ece_before", "ece_after", "brier_before", "brier_after",
    "platt_slope", "platt_intercept", "is_recommended", "map_json", "note",
]


def model(dbt, session):
    dbt.config(materialized="table")
    rows = dbt.ref("int_modelwatch__performance_recalibration_rows").df()
    records = []
    for (model_name, version), group in rows.groupby(["model_name", "model_version"], sort=True):
        group = group.sort_values("prediction_id", kind="stable")
        first = group.iloc[0]
        bins = int(first["calibration_bins"])
        threshold = first["ece_warn_threshold"]
        recent = ece(group["score"], group["label"], bins)
        degraded = bool(pd.notna(threshold) and recent is not None and recent >= threshold)
        fits = recalibrate(
            group["prediction_id"], group["score"], group["label"],
            float(first["holdout_share"]), int(first["fit_row_cap"]), bins,
        )
        improving = [f for f in fits if f["ece_after"] is not None and f["ece_before"] is not None
                     and f["ece_after"] < f["ece_before"]]
        best = min(improving, key=lambda f: f["ece_after"])["method"] if improving else None
        for fit in fits:
            spec = fit["map"]
            records.append({
                "model_name": model_name,
                "model_version": version,
                "method": fit["method"],
                "fit_window_start": first["fit_window_start"],
                "fit_window_end": first["fit_window_end"],
                "recent_ece": recent,
                "ece_warn_threshold": threshold,
                "is_calibration_degraded": degraded,
                "fit_count": fit["fit_count"],
                "holdout_count": fit["holdout_count"],
                "ece_before": fit["ece_before"],
                "ece_after": fit["ece_after"],
                "brier_before": fit["brier_before"],
                "brier_after": fit["brier_after"],
                "platt_slope": spec["slope"] if spec and fit["method"] == "platt" else None,
                "platt_intercept": spec["intercept"] if spec and fit["method"] == "platt" else None,
                "is_recommended": degraded and fit["method"] == best,
                "map_json": json.dumps(spec) if spec else None,
                "note": fit["note"],
            })
    out = pd.DataFrame.from_records(records, columns=COLUMNS)
    for column in ("recent_ece", "ece_warn_threshold", "ece_before", "ece_after",
                   "brier_before", "brier_after", "platt_slope", "platt_intercept"):
        out[column] = out[column].astype("float64")
    for column in ("fit_count", "holdout_count"):
        out[column] = out[column].astype("int64")
    for column in ("is_calibration_degraded", "is_recommended"):
        out[column] = out[column].astype("bool")
    return out
