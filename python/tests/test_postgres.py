"""The same dbt project builds on PostgreSQL, its data tests pass, and its tables equal the
DuckDB build's on identical data (p-values excepted: dbt Python models do not run there)."""

from __future__ import annotations

import copy

import duckdb
import pandas as pd
import pytest
from conftest import run_modelwatch, write_first_batch
from pg import PG, connect_or_skip, copy_tables, pg_df
from tables import OUTPUT_TABLES, assert_tables_equal

from modelwatch.config import resolve_warehouse
from modelwatch.demo import demo_config, generate_demo
from modelwatch.runner import DbtProject

INPUT_SCHEMA, OUTPUT_SCHEMA = "mw_inputs", "mw_test"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    connect_or_skip().close()
    workdir = tmp_path_factory.mktemp("postgres")
    path = workdir / "source.duckdb"
    con = duckdb.connect(str(path))
    generate_demo(con, scale=0.05, days=14)
    con.close()
    copy_tables(path, ["predictions", "labels", "training_reference"], INPUT_SCHEMA)

    duck = run_modelwatch(path, demo_config(), workdir / "duck")

    config = copy.deepcopy(demo_config(schema=INPUT_SCHEMA))
    config["warehouse"] = {
        "type": "postgres",
        "host": PG["host"],
        "port": PG["port"],
        "user": PG["user"],
        "dbname": PG["dbname"],
        "schema": OUTPUT_SCHEMA,
    }
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, target_path=workdir / "pg" / "target")
    outcome = project.run(full_refresh=True)
    return duck, outcome


def test_builds_and_data_tests_pass(builds):
    _, outcome = builds
    assert outcome.build_ok, outcome.build_errors
    assert outcome.alert_tests_run == 76  # 38 checks x warn, error


def test_alerts_agree_with_duckdb(builds):
    duck, outcome = builds
    assert {a.test_name: a.severity for a in outcome.alerts} == duck.alerts()


@pytest.mark.parametrize("table", list(OUTPUT_TABLES))
def test_tables_equal_duckdb(builds, table):
    duck, _ = builds
    keys = OUTPUT_TABLES[table]
    expected = duck.df(f"select * from modelwatch.{table}")
    actual = pg_df(f'select * from "{OUTPUT_SCHEMA}"."{table}"')
    # Without Python models PostgreSQL has the SQL p-values: chi-square and McNemar equal
    # DuckDB's scipy ones; KS within the SQL approximation's tolerance (test_sql_p_values).
    # The fingerprint hashes the config, whose inputs name other schemas on PostgreSQL.
    skip = ("ks_p_value", "config_fingerprint")
    if table == "feature_drift":
        from test_sql_p_values import assert_sql_ks_p_values_close

        assert_sql_ks_p_values_close(actual, expected, duck, keys)
    assert_tables_equal(actual, expected, keys, rtol=1e-9, skip=skip)


def test_python_layer_absent_on_postgres(builds):
    """The recalibration table needs dbt Python models; PostgreSQL builds without it."""
    duck, _ = builds
    assert len(duck.df("select * from modelwatch.recalibration")) > 0
    tables = pg_df(
        f"select table_name from information_schema.tables where table_schema = '{OUTPUT_SCHEMA}'"
    )
    assert "recalibration" not in set(tables.table_name)
    assert "model_performance" in set(tables.table_name)


def test_buckets_ks_strategy_equals_scipy_on_postgres(tmp_path):
    """The portable `buckets` KS strategy (DuckDB's default) also runs on PostgreSQL."""
    import numpy as np
    from conftest import write_tables
    from scipy.stats import ks_2samp
    from test_ks_strategies import CONFIG, edge_tables

    connect_or_skip().close()
    data = edge_tables()
    path = tmp_path / "ks.duckdb"
    write_tables(path, data)
    copy_tables(path, list(data), "mw_ks_inputs")
    config = copy.deepcopy(CONFIG)
    config["inputs"] = {
        "predictions": "mw_ks_inputs.predictions",
        "labels": "mw_ks_inputs.labels",
        "reference": "mw_ks_inputs.training_reference",
    }
    config["models"][0]["features"]["numeric"] = ["x", "k", "t", "c"]
    config["drift"] = {"ks_strategy": "buckets", "ks_buckets": 7}
    config["warehouse"] = {
        "type": "postgres",
        "host": PG["host"],
        "port": PG["port"],
        "user": PG["user"],
        "dbname": PG["dbname"],
        "schema": "mw_ks_test",
    }
    warehouse = resolve_warehouse(config)
    outcome = DbtProject(config, warehouse.env, target_path=tmp_path / "target").run(
        full_refresh=True
    )
    assert outcome.build_ok, outcome.build_errors
    drift = pg_df(
        "select window_start, feature_name, ks_statistic "
        "from mw_ks_test.int_modelwatch__feature_drift_ks"
    )
    predictions = data["predictions"]
    for row in drift.itertuples():
        day = pd.Timestamp(row.window_start)
        current = predictions[predictions.predicted_at.dt.floor("D") == day]
        expected = ks_2samp(data["training_reference"][row.feature_name], current[row.feature_name])
        assert np.isclose(float(row.ks_statistic), expected.statistic, rtol=1e-12, atol=1e-12), row
    assert len(drift) == 3 * 5


def test_incremental_duplicate_ids_on_postgres(tmp_path):
    """The incremental duplicate check (id index, re-ranking) on PostgreSQL, whose id keys are
    the ids themselves: a second batch bringing a re-send of an id first seen on day 1 (before
    the lookback) gives the repeated rows of DuckDB's full refresh. Only the performance job is
    built: both checked tables are upstream of it."""
    from modelwatch.demo import DEMO_START

    connect_or_skip().close()
    days, first_days, resend_day = 8, 5, 7
    path = tmp_path / "all.duckdb"
    con = duckdb.connect(str(path))
    generate_demo(con, scale=0.02, days=days)
    con.execute(
        "insert into main.predictions select * replace (predicted_at + interval "
        f"{resend_day - 1} day as predicted_at) from main.predictions "
        f"where predicted_at >= timestamp '{DEMO_START}' + interval 1 day "
        "and model_name = 'credit_default' order by predicted_at limit 1"
    )
    cutoff = f"timestamp '{DEMO_START}' + interval {first_days} day"
    write_first_batch(con, cutoff)
    con.close()
    duck = run_modelwatch(path, demo_config(), tmp_path / "duck", jobs=["performance"])

    schema = "mw_incr_inputs"
    first = tmp_path / "first.duckdb"
    con = duckdb.connect(str(first))
    con.execute(f"attach '{path}' as source (read_only)")
    for table in ("predictions", "labels", "training_reference"):
        con.execute(f"create table main.{table} as select * from source.first_batch.{table}")
    con.close()
    copy_tables(first, ["predictions", "labels", "training_reference"], schema)
    config = copy.deepcopy(demo_config(schema=schema))
    config["warehouse"] = {
        "type": "postgres",
        "host": PG["host"],
        "port": PG["port"],
        "user": PG["user"],
        "dbname": PG["dbname"],
        "schema": "mw_incr_test",
    }
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, target_path=tmp_path / "pg1" / "target")
    outcome = project.run(full_refresh=True, jobs=["performance"])
    assert outcome.build_ok, outcome.build_errors
    # the whole log now: the first batch and the rest
    copy_tables(path, ["predictions", "labels", "training_reference"], schema)
    project = DbtProject(config, warehouse.env, target_path=tmp_path / "pg2" / "target")
    outcome = project.run(full_refresh=False, jobs=["performance"])
    assert outcome.build_ok, outcome.build_errors

    table = "stg_modelwatch__predictions_repeated_ids"
    keys = ["prediction_id", "id_occurrence"]
    expected = duck.df(f"select * exclude (id_key) from modelwatch.{table}")
    actual = pg_df(f'select * from "mw_incr_test"."{table}"').drop(columns=["id_key"])
    assert len(expected) > 2
    assert_tables_equal(actual, expected, keys, rtol=1e-9)

    # the incremental label validation (windows found at compile time) equals the full build
    reasons = (
        "select coalesce(quarantine_reason, 'valid') as reason, count(*) as n "
        "from {}.int_modelwatch__labels_validated group by 1 order by 1"
    )
    expected = duck.df(reasons.format("modelwatch"))
    actual = pg_df(reasons.format('"mw_incr_test"'))
    assert len(expected) > 1
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
