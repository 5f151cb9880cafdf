"""The label-joined metrics recomputed from raw rows with scikit-learn and numpy.

Independent of the SQL: raw predictions pass the same validation rules as in reference_impl,
raw labels are joined in pandas (valid 0/1 rows, not before the prediction; the latest
labeled_at wins, then the larger label), and every metric comes from sklearn.metrics /
sklearn.calibration.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from reference_impl import valid_predictions
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

LABEL_TEXT = {"1": 1, "1.0": 1, "true": 1, "0": 0, "0.0": 0, "false": 0}


def labeled_predictions(
    predictions: pd.DataFrame, labels: pd.DataFrame, model_names: list[str], threshold: float
) -> pd.DataFrame:
    """Valid predictions with their winning label (NaN when unlabeled) and decision."""
    frame = valid_predictions(predictions, model_names).copy()
    frame["window_start"] = frame["predicted_at"].dt.floor("D")
    lab = labels.copy()
    text = lab["label"].astype("string").str.lower()
    lab["value"] = text.map(LABEL_TEXT)
    lab = lab[lab["prediction_id"].notna() & lab["value"].notna() & lab["labeled_at"].notna()]
    lab = lab.merge(frame[["prediction_id", "predicted_at"]], on="prediction_id")
    lab = lab[lab["labeled_at"] >= lab["predicted_at"]]
    first = lab.groupby("prediction_id")["labeled_at"].min().rename("first_labeled_at")
    # valid label rows received per prediction, corrections included
    received = lab.groupby("prediction_id").size().rename("label_rows")
    winner = (
        lab.sort_values(["labeled_at", "value"])
        .drop_duplicates("prediction_id", keep="last")
        .set_index("prediction_id")[["value", "labeled_at"]]
        .rename(columns={"value": "label"})
    )
    frame = frame.join(winner, on="prediction_id").join(first, on="prediction_id")
    frame = frame.join(received, on="prediction_id")
    frame["label_rows"] = frame["label_rows"].fillna(0).astype(int)
    frame["label_lag_days"] = (
        frame["first_labeled_at"] - frame["predicted_at"]
    ).dt.total_seconds() / 86400.0
    frame["decision"] = (frame["score"] >= threshold).astype(int)
    return frame


def _nan_if_undefined(f, *args, **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = f(*args, **kwargs, zero_division=np.nan)
    return float(value)


def ece(score: np.ndarray, label: np.ndarray, n_bins: int = 10) -> float:
    """ECE from sklearn.calibration.calibration_curve's non-empty uniform bins."""
    prob_true, prob_pred = calibration_curve(label, score, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], score), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts / len(score) * np.abs(prob_pred - prob_true)))


def window_metrics(rows: pd.DataFrame) -> dict[str, float | int | None]:
    """Every realized metric of model_performance for one group of rows."""
    labeled = rows[rows["label"].notna()]
    y = labeled["label"].to_numpy(dtype=int)
    s = labeled["score"].to_numpy(dtype=float)
    d = labeled["decision"].to_numpy(dtype=int)
    out: dict[str, float | int | None] = {
        "prediction_count": len(rows),
        "labeled_count": len(labeled),
        "predicted_positive_rate": float(rows["decision"].mean()),
        # counts are 0, not undefined, when nothing is labeled
        "true_positives": int(((y == 1) & (d == 1)).sum()),
        "false_positives": int(((y == 0) & (d == 1)).sum()),
        "true_negatives": int(((y == 0) & (d == 0)).sum()),
        "false_negatives": int(((y == 1) & (d == 0)).sum()),
    }
    if len(labeled) == 0:
        return out
    out.update(
        positive_rate=float(y.mean()),
        roc_auc=float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else None,
        log_loss=float(log_loss(y, s, labels=[0, 1])),
        brier_score=float(brier_score_loss(y, s, labels=[0, 1])),
        accuracy=float(accuracy_score(y, d)),
        precision=_nan_if_undefined(precision_score, y, d),
        recall=_nan_if_undefined(recall_score, y, d),
        f1=_nan_if_undefined(f1_score, y, d),
        ece=ece(s, y),
        label_lag_p50_days=float(np.percentile(labeled["label_lag_days"], 50)),
        label_lag_p90_days=float(np.percentile(labeled["label_lag_days"], 90)),
        label_lag_max_days=float(labeled["label_lag_days"].max()),
    )
    return out


def histogram_map(score: np.ndarray, label: np.ndarray, bins: int = 20):
    """CBPE's calibration map: linear k/bins quantile edges of the baseline score, deduplicated,
    and the positive rate of each bin (bin = number of edges <= score)."""
    edges = np.unique(np.percentile(score, [100.0 * k / bins for k in range(1, bins)]))
    index = np.searchsorted(edges, score, side="right")
    rates = {int(b): float(label[index == b].mean()) for b in np.unique(index)}

    def apply(x: np.ndarray) -> np.ndarray:
        i = np.searchsorted(edges, x, side="right")
        return np.array([rates.get(int(b), v) for b, v in zip(i, x, strict=True)])

    return apply


def estimated_metrics(score: np.ndarray, decision: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """CBPE: expected confusion matrix from calibrated probabilities p, and the expected ROC
    AUC as roc_auc_score on each row counted once as positive (weight p) and once as negative
    (weight 1 - p)."""
    tp = float(np.sum(p[decision == 1]))
    fp = float(np.sum(1 - p[decision == 1]))
    fn = float(np.sum(p[decision == 0]))
    tn = float(np.sum(1 - p[decision == 0]))
    auc = roc_auc_score(
        np.r_[np.ones(len(score)), np.zeros(len(score))],
        np.r_[score, score],
        sample_weight=np.r_[p, 1 - p],
    )
    return {
        "estimated_roc_auc": float(auc),
        "estimated_accuracy": (tp + tn) / len(score),
        "estimated_precision": tp / (tp + fp) if tp + fp > 0 else math.nan,
        "estimated_recall": tp / (tp + fn) if tp + fn > 0 else math.nan,
        "estimated_f1": 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else math.nan,
    }
