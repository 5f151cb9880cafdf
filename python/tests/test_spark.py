"""The same dbt project on Apache Spark (dbt-spark's session method: a local Spark session in this
process, Hive metastore on Derby, parquet tables), giving the same numbers as DuckDB.

A Spark build costs minutes here (per-statement overhead on 2 shared cores), so one module
fixture builds twice and every test reads those builds: the demo's first days are built with a
full refresh; the rest of the days and the labels since (late labels, corrections of final
windows) are appended and `modelwatch run` (the CLI, incremental) builds again. Its tables equal
DuckDB's full refresh of all the data: so Spark's numbers are DuckDB's, and Spark's incremental
run equals a full refresh (windows kept from the first build included). The CLI's alerts (list,
webhook, ledger) and report then run on that warehouse; no built column is a DECIMAL.

Needs `scripts/spark.sh` (pyspark, Java 17) and MODELWATCH_TEST_SPARK=1 (scripts/test.sh sets
it). The lint for bare decimal literals needs no Spark and always runs.
"""

from __future__ import annotations

import csv
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import run_modelwatch
from sql_literals import find_bare_decimals, project_bare_decimals
from tables import OUTPUT_TABLES, assert_tables_equal

from modelwatch import cli, notify
from modelwatch.config import resolve_warehouse
from modelwatch.demo import DEMO_START, demo_config, generate_demo
from modelwatch.runner import DbtProject
from modelwatch.warehouse import query, spark_session

SPARK = os.environ.get("MODELWATCH_TEST_SPARK") == "1"
needs_spark = pytest.mark.skipif(
    not SPARK, reason="set MODELWATCH_TEST_SPARK=1 after ./scripts/spark.sh (pyspark, Java 17)"
)

SCALE, DAYS, FIRST_BATCH_DAYS = 0.02, 12, 8
INPUTS, OUTPUTS = "mw_spark_inputs", "mw_spark"
INPUT_TABLES = ("predictions", "labels", "training_reference")
# small data on 2 cores: Janino compiling whole-stage code costs more than it saves, and a
# shuffle needs few partitions (warehouse.settings, as a user would set them)
SETTINGS = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


class Webhook:
    """A local HTTP server taking webhook posts (2xx), recording their JSON payloads."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hook.payloads.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/spark"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def spark_config(base: dict[str, Any], workdir: Path, schema: str) -> dict[str, Any]:
    config = json.loads(json.dumps(base))
    config["inputs"] = {name: f"{INPUTS}.{name}" for name in ("predictions", "labels")}
    config["inputs"]["reference"] = f"{INPUTS}.training_reference"
    config["warehouse"] = {
        "type": "spark",
        "warehouse_dir": str(workdir / "spark-warehouse"),
        "metastore": str(workdir / "spark-metastore"),
        "settings": SETTINGS,
        "schema": schema,
        # two models at once: the builds take minutes of per-statement overhead on 2 cores
        "threads": 2,
    }
    return config


def spark_df(schema: str, table: str, warehouse: Any) -> pd.DataFrame:
    columns, rows = query(warehouse, f'select * from "{schema}"."{table}"')
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture(scope="module")
def spark_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not SPARK:
        pytest.skip("MODELWATCH_TEST_SPARK is not 1")
    workdir = tmp_path_factory.mktemp("spark")
    source = workdir / "source.duckdb"
    con = duckdb.connect(str(source))
    generate_demo(con, scale=SCALE, days=DAYS)
    con.close()
    base = demo_config()
    # windows turn final after 3 days, so late labels and corrections also reach final windows
    base["performance"] = {"max_label_delay_days": 3}
    duck = run_modelwatch(source, base, workdir / "duck")

    webhook = Webhook()
    config = spark_config(base, workdir, OUTPUTS)
    config["alerts"] = {"webhook_url": webhook.url, "webhook_backoff_seconds": 0}
    config_file = workdir / "spark.yml"
    config_file.write_text(yaml.safe_dump({"modelwatch": config}), encoding="utf-8")
    warehouse = resolve_warehouse(config)
    spark = spark_session(warehouse.env)
    cutoff = f"timestamp '{DEMO_START}' + interval {FIRST_BATCH_DAYS} day"
    early = f"predicted_at < {cutoff} or predicted_at is null"
    batches = {
        "training_reference": ("true", "false"),
        "predictions": (early, f"not ({early})"),
        "labels": (f"labeled_at < {cutoff}", f"not (labeled_at < {cutoff}) or labeled_at is null"),
    }
    con = duckdb.connect(str(source), read_only=True)

    def arrow(table: str, where: str) -> Any:
        # Arrow keeps DuckDB's column types (pandas would turn nullable integers into floats)
        return con.execute(f"select * from {table} where {where}").to_arrow_table()

    spark.sql(f"create database if not exists {INPUTS}")
    for table, (first, _) in batches.items():
        spark.createDataFrame(arrow(table, first)).write.mode("overwrite").saveAsTable(
            f"{INPUTS}.{table}"
        )
    project = DbtProject(config, warehouse.env, target_path=workdir / "first" / "target")
    first_run = project.run(full_refresh=True)
    assert first_run.build_ok, first_run.build_errors
    first_windows = spark_df(OUTPUTS, "feature_drift", warehouse).window_start.nunique()

    # the rest of the days, and every label since (late ones, corrections of old windows)
    for table, (_, rest) in batches.items():
        frame = spark.createDataFrame(arrow(table, rest))
        frame.write.insertInto(f"{INPUTS}.{table}")
    con.close()
    run_code = cli.main(["run", "--config", str(config_file)])
    yield {
        "duck": duck,
        "workdir": workdir,
        "config_file": config_file,
        "run_code": run_code,
        "warehouse": warehouse,
        "webhook": webhook,
        "spark": spark,
        "first_windows": first_windows,
    }
    webhook.close()


@needs_spark
def test_cli_run_exit_code_follows_the_alerts(spark_builds):
    """`modelwatch run` on Spark exits as on DuckDB: 1 when an error-level alert fired."""
    duck = spark_builds["duck"]
    assert spark_builds["run_code"] == (1 if duck.outcome.has_error_alerts else 0)


@needs_spark
@pytest.mark.parametrize("table", list(OUTPUT_TABLES))
def test_tables_equal_duckdb(spark_builds, table):
    """Every contract table of Spark's incremental build equals DuckDB's full refresh within
    1e-9 (counts and text exact). Spark puts partition columns last; otherwise the columns are
    DuckDB's, in its order."""
    duck, warehouse, spark = spark_builds["duck"], spark_builds["warehouse"], spark_builds["spark"]
    keys = OUTPUT_TABLES[table]
    expected = duck.df(f"select * from modelwatch.{table}")
    actual = spark_df(OUTPUTS, table, warehouse)
    partitions = [c.name for c in spark.catalog.listColumns(f"{OUTPUTS}.{table}") if c.isPartition]
    assert list(actual.columns) == [c for c in expected.columns if c not in partitions] + partitions
    actual = actual[list(expected.columns)]
    # p-values of KS: the SQL approximation on Spark (python models are DuckDB's), within the
    # tolerance test_sql_p_values states; the fingerprint hashes the config (other schemas)
    skip = ("ks_p_value", "config_fingerprint")
    if table == "feature_drift":
        from test_sql_p_values import assert_sql_ks_p_values_close

        assert_sql_ks_p_values_close(actual, expected, duck, keys)
    assert_tables_equal(actual, expected, keys, rtol=1e-9, skip=skip)


@needs_spark
def test_incremental_run_added_windows(spark_builds):
    """The second build was incremental: the first saw FIRST_BATCH_DAYS windows, now all."""
    windows = spark_df(OUTPUTS, "feature_drift", spark_builds["warehouse"]).window_start.nunique()
    assert (spark_builds["first_windows"], windows) == (FIRST_BATCH_DAYS, DAYS)


@needs_spark
def test_no_decimal_columns(spark_builds):
    """A model whose SQL computes with a decimal literal gets a DECIMAL column on Spark (and
    rounded numbers): no built relation (tables, views, stored test failures) has one."""
    spark = spark_builds["spark"]
    checked, decimals = 0, []
    for schema in (OUTPUTS, f"{OUTPUTS}_audit"):
        tables = spark.sql(f"show tables in {schema}").where("not isTemporary")
        for (name,) in tables.select("tableName").collect():
            for row in spark.sql(f"describe table {schema}.{name}").collect():
                if row.col_name.startswith("#"):
                    break
                checked += 1
                if row.data_type.lower().startswith("decimal"):
                    decimals.append(f"{schema}.{name}.{row.col_name}: {row.data_type}")
    assert checked > 500
    assert decimals == []


@needs_spark
def test_cli_alerts_webhook_and_report(spark_builds, capsys):
    """The Python layer on Spark: list incidents, post them to a webhook (ledger written, a
    second --notify posts nothing new), and the HTML report."""
    config_file, webhook = str(spark_builds["config_file"]), spark_builds["webhook"]
    duck = spark_builds["duck"]
    capsys.readouterr()
    assert cli.main(["alerts", "--config", config_file, "--json"]) in (0, 1)
    listed = json.loads(capsys.readouterr().out)
    incidents = duck.df("select * from modelwatch.alert_incidents")
    assert len(listed) > 0
    assert {i["incident_id"] for i in listed} <= set(incidents.incident_id)

    assert cli.main(["alerts", "--config", config_file, "--notify"]) == 0
    posted = len(webhook.payloads)
    assert posted > 0
    ledger = spark_df(OUTPUTS, notify.LEDGER_TABLE, spark_builds["warehouse"])
    assert (ledger.status == "delivered").sum() == posted
    assert cli.main(["alerts", "--config", config_file, "--notify"]) == 0
    assert len(webhook.payloads) == posted  # delivered events are not posted again

    output = spark_builds["workdir"] / "report.html"
    assert cli.main(["report", "--config", config_file, "--output", str(output)]) == 0
    html = output.read_text(encoding="utf-8")
    assert "Spark, schema " + OUTPUTS in html
    for model in duck.df("select distinct model_name from modelwatch.feature_drift").model_name:
        assert model in html


def test_no_bare_decimal_literals():
    """Every non-integer constant in models/ and macros/ goes through double_literal."""
    assert project_bare_decimals() == []


def test_bare_decimal_lint_finds_literals():
    """The lint sees literals in SQL and in the SQL fragments macros build, not elsewhere."""
    text = (
        "select 1.0 * a / b, {{ modelwatch.double_literal('0.5') }}, '1.5' as t -- 2.5\n"
        "{%- set f = 'sqrt(' ~ x ~ ' / 2.0)' -%}{# 3.5 #}{%- set margin = 0.25 -%} 1e-300"
    )
    assert [literal for _, literal, _ in find_bare_decimals(text)] == ["1.0", "2.0"]


def test_seed_values_load_alike_on_spark():
    """dbt-spark's session method pastes seed values into SQL unescaped (an apostrophe breaks
    the statement, an empty cell becomes the text 'None'): seeds hold neither."""
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "seeds").glob("*.csv")):
        for line, row in enumerate(csv.reader(path.open(encoding="utf-8")), start=1):
            for cell in row:
                assert cell.strip() and not set(cell) & {"'", "\\"}, (path.name, line, cell)


def test_spark_warehouse_config(tmp_path):
    """warehouse.type spark: locations (relative to the config file), settings, pinned keys,
    threads."""
    from modelwatch.config import ConfigError, load_config

    file = tmp_path / "c.yml"
    file.write_text(
        "modelwatch:\n  warehouse: {type: spark, warehouse_dir: wh, metastore: ms, "
        "settings: {spark.driver.memory: 2g, spark.sql.adaptive.enabled: false}}\n",
        encoding="utf-8",
    )
    warehouse = resolve_warehouse(load_config(file))
    assert warehouse.type == "spark" and warehouse.env["MODELWATCH_TARGET"] == "spark"
    assert warehouse.env["MODELWATCH_SPARK_WAREHOUSE_DIR"] == str(tmp_path / "wh")
    assert warehouse.env["MODELWATCH_SPARK_METASTORE"] == str(tmp_path / "ms")
    assert "MODELWATCH_SPARK_THREADS" not in warehouse.env  # profiles.yml's default: 1
    threaded = resolve_warehouse({"warehouse": {"type": "spark", "threads": 2}})
    assert threaded.env["MODELWATCH_SPARK_THREADS"] == "2"
    assert json.loads(warehouse.env["MODELWATCH_SPARK_SETTINGS"]) == {
        "spark.driver.memory": "2g",
        "spark.sql.adaptive.enabled": "false",
    }
    for spec, message in (
        ({"type": "spark", "settings": {"spark.sql.session.timeZone": "CET"}}, "may not set"),
        ({"type": "spark", "settings": ["a"]}, "warehouse.settings must map"),
        ({"type": "spark", "warehouse_dir": str(tmp_path / "no" / "wh")}, "does not exist"),
        ({"type": "spark", "path": "x.duckdb"}, "unknown key 'path'"),
        ({"type": "spark", "threads": 0}, "warehouse.threads must be a whole number >= 1"),
    ):
        with pytest.raises(ConfigError, match=message):
            resolve_warehouse({"warehouse": spec})
