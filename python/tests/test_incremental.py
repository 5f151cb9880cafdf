"""Incremental runs equal a full refresh: build, append new days (and the late labels and
corrections of old windows), build again; and a rerun with nothing new changes nothing."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest
from conftest import run_modelwatch, write_first_batch
from tables import OUTPUT_TABLES, ROW_TABLES, assert_tables_equal

from modelwatch.demo import DEMO_START, demo_config, generate_demo

DAYS, FIRST_BATCH_DAYS = 16, 10
# the prediction log of the first batch's last days lands late, after labels for it arrived
LATE_PREDICTION_DAYS = 2
RESEND_DAY = 14
# internal tables compared too (incremental models): the duplicate ids, the exact p-values, and
# the label chain (label_rows and label lag must follow corrections that land in later label
# windows)
INTERNAL_TABLES = {
    "stg_modelwatch__predictions_repeated_ids": ["prediction_id", "id_occurrence"],
    "int_modelwatch__feature_drift_p_values_exact": OUTPUT_TABLES["feature_drift"],
    "int_modelwatch__labels_validated": [
        "prediction_id", "labeled_at", "raw_label", "quarantine_reason",
    ],
    "int_modelwatch__predictions_labeled": ["prediction_id", "model_name", "predicted_at"],
}  # fmt: skip


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("incremental")
    full_path = workdir / "full.duckdb"
    con = duckdb.connect(str(full_path))
    generate_demo(con, scale=0.05, days=DAYS)
    # a re-send, on day RESEND_DAY (second batch), of a prediction first seen on day 1: long
    # before the second run's lookback, so only the id index knows the original
    con.execute(
        f"insert into main.predictions select * replace (predicted_at + interval "
        f"{RESEND_DAY - 1} day as predicted_at) from main.predictions "
        f"where predicted_at >= timestamp '{DEMO_START}' + interval 1 day "
        "and model_name = 'credit_default' order by predicted_at limit 1"
    )
    con.close()

    # the incremental warehouse first sees only the first days of predictions and labels
    inc_path = workdir / "incremental.duckdb"
    cutoff = f"timestamp '{DEMO_START}' + interval {FIRST_BATCH_DAYS} day"
    prediction_cutoff = (
        f"timestamp '{DEMO_START}' + interval {FIRST_BATCH_DAYS - LATE_PREDICTION_DAYS} day"
    )
    con = duckdb.connect(str(inc_path))
    con.execute(f"attach '{full_path}' as full_db (read_only)")
    con.execute(
        "create table main.training_reference as select * from full_db.main.training_reference"
    )
    con.execute(
        "create table main.predictions as select * from full_db.main.predictions "
        f"where predicted_at < {prediction_cutoff} or predicted_at is null"
    )
    con.execute(
        f"create table main.labels as select * from full_db.main.labels where labeled_at < {cutoff}"
    )
    con.close()

    config = demo_config()
    # windows turn final after 3 days, so late labels and corrections also reach final windows
    # (recomputed because their labels changed) and not only the open ones
    config["performance"] = {"max_label_delay_days": 3}
    first = run_modelwatch(inc_path, config, workdir / "a")
    first_performance = first.df(
        "select model_version, window_start, label_rows, is_final "
        "from modelwatch.model_performance where slice_key = '__all__'"
    )
    first_unknown = first.df(
        "select count(*) as n from modelwatch.quarantined_labels "
        "where quarantine_reason = 'unknown_prediction'"
    ).n[0]
    con = duckdb.connect(str(inc_path))
    con.execute(f"attach '{full_path}' as full_db (read_only)")
    con.execute(
        "insert into main.predictions select * from full_db.main.predictions "
        f"where predicted_at >= {prediction_cutoff}"
    )
    con.execute(
        "insert into main.labels select * from full_db.main.labels "
        f"where labeled_at >= {cutoff} or labeled_at is null"
    )
    con.close()
    incremental = run_modelwatch(inc_path, config, workdir / "b", full_refresh=False)
    full = run_modelwatch(full_path, config, workdir / "c", full_refresh=True)
    return incremental, full, workdir, config, first_performance, first_unknown


@pytest.mark.parametrize("table", [*OUTPUT_TABLES, *ROW_TABLES])
def test_incremental_equals_full_refresh(builds, table):
    incremental, full, *_ = builds
    keys = {**OUTPUT_TABLES, **ROW_TABLES}[table]
    assert_tables_equal(
        incremental.df(f"select * from modelwatch.{table}"),
        full.df(f"select * from modelwatch.{table}"),
        keys,
    )


@pytest.mark.parametrize("table", INTERNAL_TABLES)
def test_incremental_models_equal_full_refresh(builds, table):
    incremental, full, *_ = builds
    assert_tables_equal(
        incremental.df(f"select * from modelwatch.{table}"),
        full.df(f"select * from modelwatch.{table}"),
        INTERNAL_TABLES[table],
    )


def test_id_index_equals_full_refresh(builds):
    """The id index holds the same keys and counts per window (id_row_count is as of the run
    that wrote the row, so it is not compared)."""
    incremental, full, *_ = builds
    query = (
        "select id_key, window_start, row_count from modelwatch.stg_modelwatch__prediction_id_index"
    )
    keys = ["id_key", "window_start"]
    assert_tables_equal(incremental.df(query), full.df(query), keys)


def test_label_join_keeps_key_order_within_each_window(builds):
    """The label join is written on more threads in key order (macros/config/threads.sql), by
    an incremental run as by a full one, so the one-thread float sums over a window (log loss,
    Brier, ECE) read its rows in the same order after either."""
    query = (
        "select bool_and(stored = keyed) as in_order from (select "
        "row_number() over (partition by model_name, model_version, window_start order by rowid) "
        "as stored, row_number() over (partition by model_name, model_version, window_start "
        "order by prediction_id) as keyed from modelwatch.int_modelwatch__predictions_labeled)"
    )
    incremental, full, *_ = builds
    assert incremental.df(query).in_order[0]
    assert full.df(query).in_order[0]


def compiled(workdir, model: str) -> str:
    (path,) = (workdir / "target" / "compiled").rglob(f"{model}.*")
    return path.read_text()


def test_resend_of_an_id_first_seen_long_ago(builds):
    """A re-send arriving in the second batch of an id first seen on day 1 (before the lookback):
    the incremental run ranks the original and the re-send as a full refresh does, and reads
    the log only from the original's window."""
    incremental, _, workdir, *_ = builds
    table = "modelwatch.stg_modelwatch__predictions_repeated_ids"
    resend_day = f"timestamp '{DEMO_START}' + interval {RESEND_DAY} day"
    rows = incremental.df(
        f"select predicted_at, id_occurrence from {table} where prediction_id in "
        f"(select prediction_id from {table} where predicted_at >= {resend_day} "
        f"and predicted_at < {resend_day} + interval 1 day) order by id_occurrence"
    )
    first_day = pd.Timestamp(DEMO_START) + pd.Timedelta(days=1)
    assert rows.id_occurrence.tolist() == [1, 2]
    assert rows.predicted_at[0].floor("D") == first_day
    assert rows.predicted_at[1] - rows.predicted_at[0] == pd.Timedelta(days=RESEND_DAY - 1)
    sql = compiled(workdir / "b", "stg_modelwatch__predictions_repeated_ids")
    assert f"predicted_at >= cast('{first_day}' as timestamp)" in sql


def test_windows_processed_by_incremental_run(builds):
    incremental, *_ = builds
    windows = incremental.df("select distinct window_start from modelwatch.feature_drift")
    assert len(windows) == DAYS


def test_rerun_without_new_data_is_identical(builds):
    incremental, _, workdir, config, *_ = builds
    before = {t: incremental.df(f"select * from modelwatch.{t}") for t in OUTPUT_TABLES}
    before.update({t: incremental.df(f"select * from modelwatch.{t}") for t in INTERNAL_TABLES})
    rerun = run_modelwatch(incremental.path, config, workdir / "d", full_refresh=False)
    for table, keys in {**OUTPUT_TABLES, **INTERNAL_TABLES}.items():
        assert_tables_equal(rerun.df(f"select * from modelwatch.{table}"), before[table], keys)
    # no new duplicate: the duplicate check read no row of the log
    assert "1 = 0" in compiled(workdir / "d", "stg_modelwatch__predictions_repeated_ids")


def test_late_labels_reach_windows_that_were_final(builds):
    """The second batch brings labels for windows the first run had already called final."""
    incremental, _, _, _, first, _ = builds
    second = incremental.df(
        "select model_version, window_start, label_rows, is_final "
        "from modelwatch.model_performance where slice_key = '__all__'"
    )
    merged = first.merge(second, on=["model_version", "window_start"], suffixes=("_1", "_2"))
    was_final = merged[merged.is_final_1]
    assert len(was_final) > 0
    assert (was_final.label_rows_2 > was_final.label_rows_1).any()


def test_labels_that_came_before_their_predictions_become_known(builds):
    """The first run saw labels of predictions not logged yet (unknown_prediction); once the
    predictions arrive, the incremental run re-judges those labels as the full refresh does
    (test_incremental_equals_full_refresh compares the tables)."""
    incremental, full, *_, first_unknown = builds
    query = (
        "select count(*) as n from modelwatch.quarantined_labels "
        "where quarantine_reason = 'unknown_prediction'"
    )
    assert first_unknown > incremental.df(query).n[0] == full.df(query).n[0]


def test_a_window_that_loses_its_quarantined_rows_is_emptied(builds):
    """quarantined_predictions replaces windows whose quarantined row count changed, down to zero
    (a row dated ahead turns valid as the clock passes it; here the rows are removed at the
    source): the stored rows go, as a full refresh of the same log has none."""
    incremental, _, workdir, config, *_ = builds
    path = workdir / "cleaned.duckdb"
    shutil.copy(incremental.path, path)
    con = duckdb.connect(str(path))
    window = con.execute(
        "select window_start from modelwatch.quarantined_predictions "
        "where window_start is not null group by 1 order by count(*) desc limit 1"
    ).fetchone()[0]
    con.execute(
        "delete from main.predictions where predicted_at in (select predicted_at from "
        f"modelwatch.quarantined_predictions where window_start = timestamp '{window}')"
    )
    con.close()
    # the quality job holds quarantined_predictions and everything upstream of it
    cleaned = run_modelwatch(path, config, workdir / "e", full_refresh=False, jobs=["quality"])
    rebuilt_path = workdir / "cleaned_full.duckdb"
    shutil.copy(path, rebuilt_path)
    rebuilt = run_modelwatch(
        rebuilt_path, config, workdir / "f", full_refresh=True, jobs=["quality"]
    )
    query = "select * from modelwatch.quarantined_predictions"
    assert cleaned.df(f"{query} where window_start = timestamp '{window}'").empty
    assert_tables_equal(cleaned.df(query), rebuilt.df(query), ROW_TABLES["quarantined_predictions"])


def test_a_label_dated_long_before_its_late_prediction_is_rejudged(tmp_path):
    """A label dated before every logged prediction (an upstream clock error), for a prediction
    logged only in the second batch, was stored as unknown_prediction; the second run brings no
    new label (nothing else reaches back to its window) and must still re-judge it as
    labeled_before_prediction, as a full build does (label_validation_scope: stored rows of
    predictions not seen before)."""
    from modelwatch.config import resolve_warehouse
    from modelwatch.runner import DbtProject

    days, cutoff_day = 8, 5
    path = tmp_path / "all.duckdb"
    con = duckdb.connect(str(path))
    generate_demo(con, scale=0.02, days=days)
    cutoff = f"timestamp '{DEMO_START}' + interval {cutoff_day} day"
    con.execute(f"delete from main.labels where labeled_at >= {cutoff}")
    (early_id,) = con.execute(
        "select prediction_id from main.predictions "
        f"where predicted_at >= timestamp '{DEMO_START}' + interval {days - 1} day "
        "and model_name = 'credit_default' and prediction_id not in "
        "(select l.prediction_id from main.labels as l where l.prediction_id is not null) "
        "order by prediction_id limit 1"
    ).fetchone()
    con.execute(
        "insert into main.labels (prediction_id, label, labeled_at) values "
        f"('{early_id}', 1, timestamp '{DEMO_START}' - interval 3 day)"
    )
    write_first_batch(con, cutoff)
    con.close()

    def build(warehouse_path, schema, full_refresh, name):
        config = demo_config(schema=schema)
        config["warehouse"] = {"type": "duckdb", "path": str(warehouse_path)}
        warehouse = resolve_warehouse(config)
        project = DbtProject(config, warehouse.env, target_path=tmp_path / name / "target")
        outcome = project.run(full_refresh=full_refresh, jobs=["quality"])
        assert outcome.build_ok, outcome.build_errors

    reasons = (
        "select prediction_id, labeled_at, coalesce(quarantine_reason, 'valid') as reason "
        "from modelwatch.int_modelwatch__labels_validated"
    )
    inc = tmp_path / "incremental.duckdb"
    shutil.copy(path, inc)
    build(inc, "first_batch", True, "first")
    with duckdb.connect(str(inc), read_only=True) as con:
        first = con.sql(reasons).df()
    assert first[first.prediction_id == early_id].reason.tolist() == ["unknown_prediction"]
    # the second batch: the rest of the log, no new label
    with duckdb.connect(str(inc)) as con:
        con.execute(
            "insert into first_batch.predictions select * from main.predictions "
            f"where predicted_at >= {cutoff}"
        )
    build(inc, "first_batch", False, "second")
    build(path, "main", True, "full")
    with duckdb.connect(str(inc), read_only=True) as con:
        incremental = con.sql(reasons).df()
    with duckdb.connect(str(path), read_only=True) as con:
        full = con.sql(reasons).df()
    assert full[full.prediction_id == early_id].reason.tolist() == ["labeled_before_prediction"]
    key = ["prediction_id", "labeled_at", "reason"]
    pd.testing.assert_frame_equal(
        incremental.sort_values(key).reset_index(drop=True),
        full.sort_values(key).reset_index(drop=True),
    )
