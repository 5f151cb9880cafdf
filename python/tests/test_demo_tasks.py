"""The demo's regression and multiclass models: the credit data does not change, each scripted
incident alerts where docs/demo_data.md says, and their metrics equal scikit-learn."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from reference_tasks import groups, multiclass_metrics, regression_metrics
from test_model_tasks import MULTICLASS, REGRESSION
from test_performance_metrics import assert_close

from modelwatch.demo import DEMO_START, MODEL_NAME, generate_demo
from modelwatch.demo.tasks import (
    MULTICLASS_MODEL,
    PROBABILITY_COLUMNS,
    REGRESSION_MODEL,
    TASK_INCIDENTS,
)

SMALL = {"scale": 0.05, "days": 14}


def test_credit_rows_are_identical_with_the_task_models():
    with_tasks, without = duckdb.connect(), duckdb.connect()
    generate_demo(with_tasks, **SMALL)
    generate_demo(without, **SMALL, with_task_models=False)
    for table, key in [("predictions", "model_name"), ("training_reference", "model_name")]:
        columns = [r[0] for r in without.execute(f"describe {table}").fetchall()]
        select = ", ".join(f'"{c}"' for c in columns)
        a = with_tasks.execute(f"select {select} from {table} where {key} = '{MODEL_NAME}'").df()
        b = without.execute(f"select {select} from {table}").df()
        pd.testing.assert_frame_equal(a, b)  # values and row order
    credit_ids = "select prediction_id from predictions where model_name = 'credit_default'"
    a = with_tasks.execute(
        f"select * from labels where prediction_id in ({credit_ids}) or prediction_id like 'p9%'"
    ).df()
    pd.testing.assert_frame_equal(a, without.execute("select * from labels").df())


@pytest.fixture(scope="module")
def alerts(demo_built) -> pd.DataFrame:
    frame = demo_built.df(
        "select model_name, check_name, subject, window_start from modelwatch.alerts"
        f" where model_name in ('{REGRESSION_MODEL}', '{MULTICLASS_MODEL}')"
    )
    frame["day"] = (frame.window_start - pd.Timestamp(DEMO_START)).dt.days
    return frame


@pytest.mark.parametrize("incident", list(TASK_INCIDENTS))
def test_each_incident_alerts_from_its_start_and_not_before(alerts, incident):
    spec = TASK_INCIDENTS[incident]
    mine = alerts[alerts.model_name == spec.model]
    for check in spec.expected_checks:
        fired = mine[mine.check_name == check]
        assert len(fired) > 0, check
        assert fired.day.min() >= spec.start_day, (check, fired.day.min())
        assert fired.day.min() <= spec.start_day + 3, (check, fired.day.min())
    assert (mine.day >= spec.start_day).all(), mine[mine.day < spec.start_day]


def test_demo_task_metrics_equal_sklearn(demo_built):
    predictions = demo_built.df(
        "select * from main.predictions"
        f" where model_name in ('{REGRESSION_MODEL}', '{MULTICLASS_MODEL}')"
    )
    labels = demo_built.df("select * from main.labels where prediction_id not like 'p%'")
    rows = predictions.merge(labels, on="prediction_id", how="left")
    rows["window_start"] = rows.predicted_at.dt.floor("D")
    performance = demo_built.df(
        "select * from modelwatch.model_performance"
        f" where model_name in ('{REGRESSION_MODEL}', '{MULTICLASS_MODEL}')"
    ).set_index(["model_name", "slice_key", "slice_value", "model_version", "window_start"])
    columns = {str(k): v for k, v in PROBABILITY_COLUMNS.items()}
    for model, slices, metrics, expected in [
        (REGRESSION_MODEL, ["plan_type"], REGRESSION, regression_metrics),
        (
            MULTICLASS_MODEL,
            ["ticket_source"],
            MULTICLASS,
            lambda g: multiclass_metrics(g, ["0", "1", "2"], columns),
        ),
    ]:
        g_rows = rows[rows.model_name == model].copy()
        if model == MULTICLASS_MODEL:
            g_rows["label"] = g_rows.label.astype("Int64").astype("string").astype(object)
            g_rows["label"] = g_rows.label.where(g_rows.label.notna(), np.nan)
            g_rows["predicted_class"] = g_rows.predicted_class.astype(int).astype(str)
        checked = 0
        for key, value, version, window, g in groups(g_rows, slices):
            row = performance.loc[(model, key, value, version, window)]
            values = expected(g)
            for metric in metrics:
                assert_close(row[metric], values.get(metric), (model, metric, key, value, window))
            checked += 1
        assert checked == (performance.reset_index().model_name == model).sum()
