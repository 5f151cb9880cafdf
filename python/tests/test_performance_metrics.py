"""Every label-joined metric of the demo warehouse equals scikit-learn on the raw rows.

model_performance (overall and per slice, every version and window), calibration_bins,
performance_baseline and the CBPE estimates are recomputed from the raw input tables.
Tolerance: 1e-9 relative (1e-12 absolute); counts exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_performance import (
    estimated_metrics,
    histogram_map,
    labeled_predictions,
    window_metrics,
)
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from modelwatch.demo import MODEL_NAME, SLICES, THRESHOLD

RTOL, ATOL = 1e-9, 1e-12
REALIZED = [
    "prediction_count", "labeled_count", "predicted_positive_rate", "positive_rate", "roc_auc",
    "log_loss", "brier_score", "accuracy", "precision", "recall", "f1", "true_positives",
    "false_positives", "true_negatives", "false_negatives", "ece", "label_lag_p50_days",
    "label_lag_p90_days", "label_lag_max_days",
]  # fmt: skip
ESTIMATED = [
    "estimated_roc_auc", "estimated_accuracy", "estimated_precision", "estimated_recall",
    "estimated_f1",
]  # fmt: skip


def assert_close(actual, expected, what: str) -> None:
    if expected is None or (isinstance(expected, float) and np.isnan(expected)):
        assert actual is None or pd.isna(actual), (what, actual)
    else:
        assert actual is not None and not pd.isna(actual), (what, expected)
        assert np.isclose(float(actual), float(expected), rtol=RTOL, atol=ATOL), (
            what,
            actual,
            expected,
        )


@pytest.fixture(scope="module")
def rows(demo_built) -> pd.DataFrame:
    predictions = demo_built.df("select * from main.predictions")
    labels = demo_built.df("select * from main.labels")
    return labeled_predictions(predictions, labels, [MODEL_NAME], THRESHOLD)


@pytest.fixture(scope="module")
def performance(demo_built) -> pd.DataFrame:
    # the demo's credit model (its regression and multiclass models: test_demo_tasks.py)
    return demo_built.df(
        f"select * from modelwatch.model_performance where model_name = '{MODEL_NAME}'"
    )


def groups(rows: pd.DataFrame):
    """(slice_key, slice_value, model_version, window_start, rows) for every group."""
    keys = ["model_version", "window_start"]
    for (version, window), g in rows.groupby(keys):
        yield "__all__", "__all__", version, window, g
    for column in SLICES:
        values = rows[column].astype("string").fillna("__null__")
        for (version, window, value), g in rows.groupby([*keys, values]):
            yield column, value, version, window, g


def test_every_group_is_present(rows, performance):
    expected = {(k, str(v), ver, w) for k, v, ver, w, _ in groups(rows)}
    actual = set(
        zip(
            performance.slice_key,
            performance.slice_value,
            performance.model_version,
            performance.window_start,
            strict=True,
        )
    )
    assert actual == expected


def test_realized_metrics_equal_sklearn(rows, performance):
    table = performance.set_index(["slice_key", "slice_value", "model_version", "window_start"])
    checked = 0
    for key, value, version, window, g in groups(rows):
        row = table.loc[(key, str(value), version, window)]
        expected = window_metrics(g)
        for metric in REALIZED:
            assert_close(row[metric], expected.get(metric), (metric, key, value, version, window))
        checked += 1
    assert checked == len(performance)
    # the windows at the end of the demo have no labels yet: their metrics are null, not errors
    unlabeled = performance[performance.labeled_count == 0]
    assert len(unlabeled) > 0 and unlabeled.roc_auc.isna().all() and unlabeled.ece.isna().all()


def test_label_rows_count_every_valid_label_row_corrections_included(rows, performance):
    """label_rows of a window: the valid label rows of its predictions, corrections included
    (the label join counts the label in use and the rows it superseded)."""
    overall = performance[performance.slice_key == "__all__"]
    expected = rows.groupby(["model_version", "window_start"]).label_rows.sum()
    actual = overall.set_index(["model_version", "window_start"]).label_rows
    assert (actual.sort_index() == expected.reindex(actual.index).sort_index()).all()
    # the demo's corrections: some predictions have more label rows than one
    assert (rows.label_rows > 1).sum() > 0 and actual.sum() > rows.label.notna().sum()


def test_label_coverage_and_finality(rows, performance):
    overall = performance[performance.slice_key == "__all__"]
    np.testing.assert_allclose(
        overall.label_coverage, overall.labeled_count / overall.prediction_count, rtol=RTOL
    )
    # the data's own clock: the latest valid prediction or winning label
    as_of = max(rows.predicted_at.max(), rows.labeled_at.max())
    old = overall.window_start + pd.Timedelta(days=1 + 30) <= as_of
    covered = overall.label_coverage >= 0.95
    assert (overall.is_final == (old | covered)).all()
    assert overall.is_final.any() and not overall.is_final.all()
    due = overall.window_start + pd.Timedelta(days=1 + 14) <= as_of
    assert (overall.is_label_coverage_due == due).all()


def test_calibration_bins_equal_calibration_curve(demo_built, rows):
    bins = demo_built.df(
        f"select * from modelwatch.calibration_bins where model_name = '{MODEL_NAME}'"
    )
    assert (bins.groupby(["model_version", "window_start"]).size() == 10).all()
    for (version, window), g in rows.groupby(["model_version", "window_start"]):
        table = bins[(bins.model_version == version) & (bins.window_start == window)]
        table = table.sort_values("bin_index")
        edges = np.linspace(0.0, 1.0, 11)
        np.testing.assert_array_equal(table.bin_lower, edges[:-1])
        np.testing.assert_array_equal(table.bin_upper, edges[1:])
        index = np.searchsorted(edges[1:-1], g.score.to_numpy())
        np.testing.assert_array_equal(table.prediction_count, np.bincount(index, minlength=10))
        labeled = g[g.label.notna()]
        if len(labeled) == 0:
            assert table.mean_score.isna().all()
            continue
        prob_true, prob_pred = calibration_curve(
            labeled.label.astype(int), labeled.score, n_bins=10, strategy="uniform"
        )
        filled = table[table.labeled_count > 0]
        np.testing.assert_allclose(filled.observed_rate, prob_true, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(filled.mean_score, prob_pred, rtol=RTOL, atol=ATOL)


@pytest.fixture(scope="module")
def reference(demo_built) -> pd.DataFrame:
    return demo_built.df(
        f"select score, label from main.training_reference where model_name = '{MODEL_NAME}'"
    )


def test_baseline_equals_sklearn_on_the_reference(demo_built, reference):
    baseline = demo_built.df(
        f"select * from modelwatch.performance_baseline where model_name = '{MODEL_NAME}'"
    ).iloc[0]
    y, s = reference.label.to_numpy(), reference.score.to_numpy()
    assert baseline.baseline_source == "reference" and baseline.labeled_count == len(reference)
    assert_close(baseline.roc_auc, roc_auc_score(y, s), "roc_auc")
    assert_close(baseline.log_loss, log_loss(y, s), "log_loss")
    assert_close(baseline.brier_score, brier_score_loss(y, s), "brier_score")


def test_estimates_equal_cbpe_on_the_reference_map(rows, performance, reference):
    calibrate = histogram_map(reference.score.to_numpy(), reference.label.to_numpy())
    table = performance.set_index(["slice_key", "slice_value", "model_version", "window_start"])
    for key, value, version, window, g in groups(rows):
        row = table.loc[(key, str(value), version, window)]
        s = g.score.to_numpy()
        expected = estimated_metrics(s, g.decision.to_numpy(), calibrate(s))
        for metric in ESTIMATED:
            assert_close(row[metric], expected[metric], (metric, key, value, version, window))
