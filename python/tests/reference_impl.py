"""The drift metrics recomputed from raw rows with numpy/scipy, as the contract defines them.

Independent of the SQL: it reads the raw input tables, applies the validation rules, bins with
numpy and scores with scipy. Tests compare the warehouse's tables with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp

EPSILON = 1e-4


def valid_predictions(raw: pd.DataFrame, model_names: list[str]) -> pd.DataFrame:
    """Rows that pass validation: id, model, timestamp and a finite score in [0, 1], first
    arrival of each prediction_id (ordered by predicted_at)."""
    frame = raw.copy()
    frame["_order"] = np.arange(len(frame))
    first = (
        frame[frame["prediction_id"].notna()]
        .sort_values(["predicted_at", "_order"], na_position="last")
        .drop_duplicates("prediction_id", keep="first")["_order"]
    )
    score = frame["score"].astype("float64")
    ok = (
        frame["prediction_id"].notna()
        & frame["model_name"].isin(model_names)
        & frame["model_version"].notna()
        & frame["predicted_at"].notna()
        & score.notna()
        & np.isfinite(score.fillna(0.0))
        & (score >= 0)
        & (score <= 1)
        & frame["_order"].isin(first)
    )
    return frame[ok].drop(columns="_order")


def numeric_edges(reference: pd.Series, bins: int = 10) -> np.ndarray:
    values = reference.dropna().to_numpy(dtype="float64")
    if len(values) == 0:
        return np.array([])
    return np.unique(np.percentile(values, [100.0 * k / bins for k in range(1, bins)]))


def numeric_bin_counts(values: pd.Series, edges: np.ndarray) -> np.ndarray:
    """Counts per bin: value bins 0..len(edges) ([e_i, e_i+1)), then the null bin."""
    x = values.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    index = np.searchsorted(edges, x[~missing], side="right")
    counts = np.bincount(index, minlength=len(edges) + 1).astype("int64")
    return np.append(counts, missing.sum())


def categorical_bins(reference: pd.Series, max_categories: int = 50) -> list[str]:
    counts = reference.dropna().astype(str).value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [category for category, _ in ordered[:max_categories]]


def categorical_bin_counts(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Counts per bin: the categories, then __other__, then the null bin."""
    missing = values.isna()
    text = values[~missing].astype(str)
    known = text.isin(categories)
    counts = [int((text == c).sum()) for c in categories]
    return np.array([*counts, int((~known).sum()), int(missing.sum())], dtype="int64")


def psi(current: np.ndarray, reference: np.ndarray, epsilon: float = EPSILON) -> float:
    c = np.where(current == 0, epsilon, current)
    r = np.where(reference == 0, epsilon, reference)
    return float(np.sum((c - r) * np.log(c / r)))


@dataclass
class Expected:
    feature_type: str
    bin_counts_reference: np.ndarray
    bin_counts_current: np.ndarray
    psi: float
    js_distance: float
    null_rate_reference: float
    null_rate_current: float
    ks_statistic: float | None = None
    ks_p_value: float | None = None
    chi2_statistic: float | None = None
    chi2_p_value: float | None = None
    chi2_dof: int | None = None


def expected_drift(
    reference: pd.Series, current: pd.Series, feature_type: str, bins: int = 10
) -> Expected:
    if feature_type == "numeric":
        ref = reference.astype("float64")
        cur = current.astype("float64")
        edges = numeric_edges(ref, bins)
        ref_counts = numeric_bin_counts(ref, edges)
        cur_counts = numeric_bin_counts(cur, edges)
    else:
        categories = categorical_bins(reference)
        ref_counts = categorical_bin_counts(reference, categories)
        cur_counts = categorical_bin_counts(current, categories)
    r = ref_counts / ref_counts.sum()
    c = cur_counts / cur_counts.sum()
    out = Expected(
        feature_type=feature_type,
        bin_counts_reference=ref_counts,
        bin_counts_current=cur_counts,
        psi=psi(c, r),
        js_distance=float(jensenshannon(r, c, base=2)),
        null_rate_reference=float(r[-1]),
        null_rate_current=float(c[-1]),
    )
    if feature_type == "numeric":
        a = reference.dropna().to_numpy(dtype="float64")
        b = current.dropna().to_numpy(dtype="float64")
        if len(a) and len(b):
            result = ks_2samp(a, b)
            out.ks_statistic = float(result.statistic)
            out.ks_p_value = float(result.pvalue)
    else:
        table = np.vstack([ref_counts, cur_counts])
        table = table[:, table.sum(axis=0) > 0]
        chi2 = chi2_contingency(table, correction=False)
        out.chi2_statistic = float(chi2.statistic)
        out.chi2_p_value = float(chi2.pvalue)
        out.chi2_dof = int(chi2.dof)
    return out
