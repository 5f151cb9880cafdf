"""scikit-learn reference values for regression and multiclass rows (test_model_tasks.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
)


def joined(predictions: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Valid predictions (no `_expected` reason) with their valid label text, daily windows."""
    p = predictions[predictions._expected.isna()].copy()
    valid = labels[labels._expected.isna()].drop(columns="_expected")
    out = p.merge(valid, on="prediction_id", how="left")
    out["window_start"] = out.predicted_at.dt.floor("D")
    return out


def groups(rows: pd.DataFrame, slices: list[str]):
    """(slice_key, slice_value, model_version, window_start, rows), as model_performance groups."""
    keys = ["model_version", "window_start"]
    for (version, window), g in rows.groupby(keys):
        yield "__all__", "__all__", version, window, g
    for column in slices:
        values = rows[column].astype("string").fillna("__null__")
        for (version, window, value), g in rows.groupby([*keys, values]):
            yield column, str(value), version, window, g


def regression_metrics(g: pd.DataFrame) -> dict[str, float | None]:
    lab = g[g.label.notna()]
    y, p = lab.label.astype(float).to_numpy(), lab.score.to_numpy()
    out: dict[str, float | None] = {"labeled_count": len(lab)}
    fractions = [5, 25, 50, 75, 95]
    for q in fractions:
        out[f"prediction_p{q:02d}"] = float(np.percentile(g.score, q))
    if len(lab) == 0:
        return out
    out["mae"] = mean_absolute_error(y, p)
    out["mse"] = mean_squared_error(y, p)
    out["rmse"] = float(np.sqrt(mean_squared_error(y, p)))
    # MAPE is null where a label is 0 (sklearn divides by machine epsilon there)
    out["mape"] = None if (y == 0).any() else mean_absolute_percentage_error(y, p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["r2"] = None if len(y) < 2 else r2_score(y, p)
    out["mean_error"] = float(np.mean(p - y))
    for q in fractions:
        out[f"label_p{q:02d}"] = float(np.percentile(y, q))
    return out


def multiclass_metrics(g: pd.DataFrame, classes: list[str], columns: dict[str, str]) -> dict:
    lab = g[g.label.notna()]
    out: dict = {"labeled_count": len(lab)}
    if len(lab) == 0:
        return out
    y, pred = lab.label.to_numpy(), lab.predicted_class.to_numpy()
    out["accuracy"] = accuracy_score(y, pred)
    for average in ["macro", "weighted", "micro"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p, r, f, _ = precision_recall_fscore_support(y, pred, average=average, zero_division=0)
        out[f"{average}_precision"], out[f"{average}_recall"], out[f"{average}_f1"] = p, r, f
    proba = lab[[columns[c] for c in classes]].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["log_loss"] = log_loss(y, proba, labels=classes)
    per_class = class_roc_aucs(y, proba, classes)
    defined = [v for v in per_class.values() if v is not None]
    if set(y) == set(classes):
        out["roc_auc"] = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
        assert np.isclose(out["roc_auc"], np.mean(defined), rtol=1e-12)
    else:  # sklearn refuses a class absent from y_true: the mean over the defined classes
        out["roc_auc"] = float(np.mean(defined)) if defined else None
    return out


def class_roc_aucs(y: np.ndarray, proba: np.ndarray, classes: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for k, c in enumerate(classes):
        positive = y == c
        out[c] = roc_auc_score(positive, proba[:, k]) if 0 < positive.sum() < len(y) else None
    return out
