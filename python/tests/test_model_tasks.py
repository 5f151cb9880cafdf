"""Regression and multiclass models: every metric equals scikit-learn per window and slice.

The fixture (python/tests/task_data.py) puts a binary, a regression and a multiclass model in one
prediction log with ties, a window without labels, constant labels, one class only, a missing
class and malformed rows of every task. Tolerance 1e-9 relative (1e-12 absolute); counts exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_tasks import class_roc_aucs, groups, joined, multiclass_metrics, regression_metrics
from sklearn.metrics import confusion_matrix
from task_data import CLASSES, PROBABILITY_COLUMNS, make_task_tables
from test_performance_metrics import assert_close

REGRESSION = [
    "labeled_count", "mae", "mse", "rmse", "mape", "r2", "mean_error", "label_p05", "label_p25",
    "label_p50", "label_p75", "label_p95", "prediction_p05", "prediction_p25", "prediction_p50",
    "prediction_p75", "prediction_p95",
]  # fmt: skip
MULTICLASS = [
    "labeled_count", "accuracy", "log_loss", "roc_auc", "macro_precision", "macro_recall",
    "macro_f1", "weighted_precision", "weighted_recall", "weighted_f1", "micro_precision",
    "micro_recall", "micro_f1",
]  # fmt: skip
BINARY_ONLY = [
    "precision", "recall", "f1", "brier_score", "ece", "true_positives", "positive_rate",
    "predicted_positive_rate", "estimated_roc_auc", "estimated_accuracy",
]  # fmt: skip


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_task_tables()


@pytest.fixture(scope="module")
def rows(tables) -> pd.DataFrame:
    return joined(tables["predictions"], tables["labels"])


@pytest.fixture(scope="module")
def performance(tasks_built) -> pd.DataFrame:
    frame = tasks_built.df("select * from modelwatch.model_performance")
    return frame.set_index(
        ["model_name", "slice_key", "slice_value", "model_version", "window_start"]
    )


def check_groups(rows, performance, model, expected_fn, metrics) -> int:
    checked = 0
    for key, value, version, window, g in groups(rows[rows.model_name == model], ["segment"]):
        row = performance.loc[(model, key, value, version, window)]
        expected = expected_fn(g)
        for metric in metrics:
            assert_close(
                row[metric], expected.get(metric), (model, metric, key, value, version, window)
            )
        for metric in BINARY_ONLY:
            assert pd.isna(row[metric]), (model, metric)
        checked += 1
    assert checked == (performance.reset_index().model_name == model).sum()
    return checked


def test_regression_metrics_equal_sklearn(rows, performance):
    assert check_groups(rows, performance, "r", regression_metrics, REGRESSION) > 30
    overall = performance.loc["r"].xs("__all__", level="slice_key")
    # the fixture reaches each edge case: zero labels (MAPE null), constant labels (r2 0 or 1),
    # a window without labels, a group with one label (r2 null)
    assert overall.mape.isna().any() and overall.mape.notna().any()
    assert overall.labeled_count.eq(0).any()
    assert (performance.loc["r"].labeled_count == 1).any()
    assert overall.r2.isin([0.0, 1.0]).any()


def test_multiclass_metrics_equal_sklearn(rows, performance):
    def expected(g):
        return multiclass_metrics(g, CLASSES, PROBABILITY_COLUMNS)

    assert check_groups(rows, performance, "c", expected, MULTICLASS) > 30
    overall = performance.loc["c"].xs("__all__", level="slice_key")
    assert overall.roc_auc.isna().any()  # the one-class window: no class has both sides


def test_binary_rows_unchanged_by_the_other_tasks(performance):
    b = performance.loc["b"]
    assert (b.task == "binary").all() and b.roc_auc.notna().any() and b.mae.isna().all()
    assert b.macro_f1.isna().all()


def test_confusion_matrix_and_class_metrics(tasks_built, rows):
    matrix = tasks_built.df("select * from modelwatch.confusion_matrix")
    classes = tasks_built.df("select * from modelwatch.class_performance")
    c = rows[(rows.model_name == "c") & rows.label.notna()]
    windows = 0
    for (version, window), g in c.groupby(["model_version", "window_start"]):
        m = matrix[(matrix.model_version == version) & (matrix.window_start == window)]
        table = (
            m.pivot_table(
                index="label_class",
                columns="predicted_class",
                values="prediction_count",
                aggfunc="sum",
            )
            .reindex(index=CLASSES, columns=CLASSES)
            .fillna(0)
        )
        expected = confusion_matrix(g.label, g.predicted_class, labels=CLASSES)
        np.testing.assert_array_equal(table.to_numpy(), expected)
        k = classes[(classes.model_version == version) & (classes.window_start == window)]
        k = k.set_index("class_value")
        aucs = class_roc_aucs(
            g.label.to_numpy(), g[[PROBABILITY_COLUMNS[x] for x in CLASSES]].to_numpy(), CLASSES
        )
        for name in CLASSES:
            assert_close(k.class_roc_auc.get(name), aucs[name], ("auc", name, window))
            support = int((g.label == name).sum())
            assert int(k.support.get(name, 0)) == support
        windows += 1
    assert windows >= 6


def test_quarantine_reasons_per_task(tasks_built, tables):
    predictions = tasks_built.df(
        "select prediction_id, quarantine_reason from modelwatch.quarantined_predictions"
    )
    expected = tables["predictions"].dropna(subset=["_expected"])
    got = dict(zip(predictions.prediction_id, predictions.quarantine_reason, strict=True))
    assert got == dict(zip(expected.prediction_id, expected._expected, strict=True))
    labels = tasks_built.df(
        "select prediction_id, raw_label, quarantine_reason from modelwatch.quarantined_labels"
    )
    bad = tables["labels"].dropna(subset=["_expected"])
    got = {
        (p, r): q
        for p, r, q in zip(
            labels.prediction_id, labels.raw_label, labels.quarantine_reason, strict=True
        )
    }
    assert got == {
        (p, str(r).lower()): q
        for p, r, q in zip(bad.prediction_id, bad.label, bad._expected, strict=True)
    }
    seed = tasks_built.df("select * from modelwatch.quarantine_reasons")
    assert set(seed.quarantine_reason) >= set(expected._expected) | set(bad._expected)


def test_class_drift_equals_scipy(tasks_built, tables, rows):
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency

    drift = tasks_built.df("select * from modelwatch.class_drift")
    ref = tables["reference"][tables["reference"].model_name == "c"]
    c = rows[rows.model_name == "c"]
    checked = 0
    for (window, distribution), d in drift.groupby(["window_start", "distribution"]):
        g = c[c.window_start == window]
        current = (
            g.label.dropna() if distribution == "label" else g.predicted_class
        ).value_counts()
        reference = (ref.label if distribution == "label" else ref.predicted_class).value_counts()
        cur = np.array([current.get(k, 0) for k in CLASSES], dtype=float)
        rf = np.array([reference.get(k, 0) for k in CLASSES], dtype=float)
        p, q = cur / cur.sum(), rf / rf.sum()
        pe, qe = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
        row = d.iloc[0]
        assert_close(row.psi, float(np.sum((pe - qe) * np.log(pe / qe))), ("psi", window))
        assert_close(row.js_distance, jensenshannon(q, p, base=2), ("js", window))
        keep = (cur + rf) > 0
        stat, _, dof, _ = chi2_contingency([rf[keep], cur[keep]], correction=False)
        assert_close(row.chi2_statistic, stat, ("chi2", window))
        assert row.chi2_dof == dof
        checked += 1
    assert checked == 9  # five windows of predictions, four with labels


def test_task_checks_fire_and_stay_quiet(tasks_built):
    alerts = tasks_built.df(
        "select check_name, model_name, strftime(window_start, '%Y-%m-%d') as day, subject,"
        " severity, noise_floor, observed_value from modelwatch.alerts"
    )
    fired = {(a.check_name, str(a.day), a.subject) for a in alerts.itertuples()}
    # day 4: outcomes 1.5x the predictions; day 1: one class only; day 2: classes a and b only
    assert {("rmse_increase", "2026-05-08", "v1"), ("mae_increase", "2026-05-08", "v1")} <= fired
    assert ("macro_f1_drop", "2026-05-05", "v1") in fired
    assert ("class_prior_shift", "2026-05-05", "label") in fired
    assert ("class_prior_shift", "2026-05-06", "predicted_class") in fired
    # the ordinary day raises no task check
    task_checks = ["rmse_increase", "mae_increase", "bias", "macro_f1_drop", "class_prior_shift"]
    day0 = alerts[(alerts.day == "2026-05-04") & alerts.check_name.isin(task_checks)]
    assert day0.empty, day0
    evaluated = tasks_built.df(
        "select e.check_name, o.noise_mean, o.noise_sd, e.noise_floor, e.severity"
        " from modelwatch.alert_evaluations as e"
        " inner join modelwatch.alert_observations as o"
        " using (model_name, window_start, check_name, subject)"
        " where e.check_name in ('rmse_increase', 'mae_increase', 'bias', 'macro_f1_drop')"
    )
    assert len(evaluated) > 0 and (evaluated.severity == "ok").any()
    # the floor is z(0.001) * the noise sd (normal; Abramowitz-Stegun z, |error| < 4.5e-4)
    assert (evaluated.noise_mean == 0).all()
    ratio = evaluated.noise_floor / evaluated.noise_sd
    assert np.allclose(ratio, 3.0902, atol=5e-4)


def test_models_without_labels(tasks_unlabeled_built):
    built = tasks_unlabeled_built
    performance = built.df("select * from modelwatch.model_performance where slice_key = '__all__'")
    assert (performance.labeled_count == 0).all() and set(performance.task) == {
        "binary",
        "regression",
        "multiclass",
    }
    # drift, quality, score and CBPE (binary, baseline from the labeled reference) still work
    assert built.df("select count(*) as n from modelwatch.feature_drift").n[0] > 0
    assert performance[performance.model_name == "b"].estimated_roc_auc.notna().all()
    checks = set(built.df("select distinct check_name from modelwatch.alerts").check_name)
    assert "label_coverage" not in checks and "class_prior_shift" in checks
    recommendations = built.df("select * from modelwatch.retraining_recommendations")
    assert recommendations.is_unlabeled_model.all()
    assert not (recommendations.action == "wait_for_labels").any()
    assert not recommendations.reasons.str.contains("too few labels").any()
    shifted = recommendations[
        (recommendations.model_name == "c") & (recommendations.window_start == "2026-05-06")
    ]
    assert shifted.action.tolist() == ["retrain"]
    assert "no labels" in shifted.reasons.iloc[0]


@pytest.fixture(scope="module")
def postgres_outcome(tasks_built, tmp_path_factory):
    from pg import build_on_postgres
    from task_data import task_config

    outcome = build_on_postgres(
        tasks_built.path,
        task_config(),
        ["predictions", "labels", "reference"],
        "mw_tasks_inputs",
        "mw_tasks_test",
        tmp_path_factory.mktemp("tasks_pg") / "target",
    )
    assert outcome.build_ok, outcome.build_errors
    return outcome


@pytest.mark.parametrize(
    "table",
    [
        "model_performance", "performance_baseline", "confusion_matrix", "class_performance",
        "class_distribution", "class_drift", "input_quality", "score_distribution", "alerts",
        "retraining_recommendations",
    ],
)  # fmt: skip
def test_postgres_equals_duckdb(tasks_built, postgres_outcome, table):
    """The same numbers on PostgreSQL (MODELWATCH_TEST_POSTGRES=1 makes a missing server fail)."""
    from pg import pg_df
    from tables import OUTPUT_TABLES, assert_tables_equal

    keys = OUTPUT_TABLES[table]
    expected = tasks_built.df(f"select * from modelwatch.{table}")
    actual = pg_df(f'select * from "mw_tasks_test"."{table}"')
    assert len(expected) > 0
    # the fingerprint hashes the config, whose inputs name another schema on PostgreSQL
    assert_tables_equal(actual, expected, keys, rtol=1e-9, skip=("config_fingerprint",))
    assert postgres_outcome.alerts and {
        a.test_name: a.severity for a in postgres_outcome.alerts
    } == (tasks_built.alerts())


def test_residual_drift_on_fixed_reference_bins(rows, performance, tables):
    ref = tables["reference"][tables["reference"].model_name == "r"]
    reference_error = ref.score.to_numpy() - ref.label.astype(float).to_numpy()
    edges = np.percentile(reference_error, np.arange(10, 100, 10))
    reference = np.bincount(np.searchsorted(edges, reference_error, side="right"), minlength=10)
    r_share = reference / reference.sum()
    checked = 0
    for key, value, version, window, g in groups(rows[rows.model_name == "r"], ["segment"]):
        lab = g[g.label.notna()]
        actual = performance.loc[("r", key, value, version, window)].residual_psi
        if len(lab) == 0:
            assert pd.isna(actual)
            continue
        error = lab.score.to_numpy() - lab.label.astype(float).to_numpy()
        current = np.bincount(np.searchsorted(edges, error, side="right"), minlength=10)
        c = np.where(current == 0, 1e-4, current / current.sum())
        r = np.where(r_share == 0, 1e-4, r_share)
        assert_close(actual, float(np.sum((c - r) * np.log(c / r))), ("residual_psi", key, window))
        checked += 1
    assert checked > 20
    # day 4's outcomes 1.5x the predictions move the residuals: larger than the ordinary day's
    overall = performance.loc["r"].xs(("__all__", "v1"), level=("slice_key", "model_version"))
    psi = overall.residual_psi.sort_index()
    assert psi.iloc[4] > 3 * psi.iloc[0], psi
