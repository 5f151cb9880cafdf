"""Incremental runs equal a full refresh: build, append new days (and the late labels and
corrections of old windows), build again; and a rerun with nothing new changes nothing."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import run_modelwatch
from tables import OUTPUT_TABLES, ROW_TABLES, assert_tables_equal

from modelwatch.demo import DEMO_START, demo_config, generate_demo

DAYS, FIRST_BATCH_DAYS = 16, 10
# the prediction log of the first batch's last days lands late, after labels for it arrived
LATE_PREDICTION_DAYS = 2


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("incremental")
    full_path = workdir / "full.duckdb"
    con = duckdb.connect(str(full_path))
    generate_demo(con, scale=0.05, days=DAYS)
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


def test_windows_processed_by_incremental_run(builds):
    incremental, *_ = builds
    windows = incremental.df("select distinct window_start from modelwatch.feature_drift")
    assert len(windows) == DAYS


def test_rerun_without_new_data_is_identical(builds):
    incremental, _, workdir, config, *_ = builds
    before = {t: incremental.df(f"select * from modelwatch.{t}") for t in OUTPUT_TABLES}
    rerun = run_modelwatch(incremental.path, config, workdir / "d", full_refresh=False)
    for table, keys in OUTPUT_TABLES.items():
        assert_tables_equal(rerun.df(f"select * from modelwatch.{table}"), before[table], keys)


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
    cleaned = run_modelwatch(path, config, workdir / "e", full_refresh=False)
    rebuilt_path = workdir / "cleaned_full.duckdb"
    shutil.copy(path, rebuilt_path)
    rebuilt = run_modelwatch(rebuilt_path, config, workdir / "f", full_refresh=True)
    query = "select * from modelwatch.quarantined_predictions"
    assert cleaned.df(f"{query} where window_start = timestamp '{window}'").empty
    assert_tables_equal(cleaned.df(query), rebuilt.df(query), ROW_TABLES["quarantined_predictions"])
