"""Reading output tables back from the warehouse (alert evidence for the summary, reports), and
the few writes the Python layer owns (the alert delivery ledger)."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modelwatch.config import Warehouse

# Spark's own start-up and metastore chatter hides modelwatch's output: errors only
_SPARK_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# a Python-started Spark takes the REPL logger's level for the root logger (default WARN)
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
"""


def spark_settings(env: Mapping[str, str]) -> dict[str, str]:
    """The settings of modelwatch's local Spark session: the profile's (UTC, warehouse dir,
    Derby metastore), quiet logs, then the config's warehouse.settings."""
    from modelwatch.startup_cache import cache_dir

    warehouse_dir = env.get("MODELWATCH_SPARK_WAREHOUSE_DIR", "spark-warehouse")
    metastore = env.get("MODELWATCH_SPARK_METASTORE", "spark-metastore")
    log4j = cache_dir() / "spark-log4j2.properties"
    if not log4j.is_file() or log4j.read_text() != _SPARK_LOG4J:
        log4j.parent.mkdir(parents=True, exist_ok=True)
        log4j.write_text(_SPARK_LOG4J)
    settings = {
        # the same values as profiles.yml's spark output, so dbt's session is this one
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": warehouse_dir,
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
        # derby.log next to the metastore, not in the working directory
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={Path(metastore).parent} -Dlog4j.configurationFile=file:{log4j}"
        ),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # small tables, few cores: Spark's 200 shuffle partitions are 200 tiny tasks a stage
        "spark.sql.shuffle.partitions": "4",
        # the query plans of the widest models (CTEs inlined) outgrow the default 1 GiB
        "spark.driver.memory": "4g",
    }
    settings.update(json.loads(env.get("MODELWATCH_SPARK_SETTINGS") or "{}"))
    return settings


def spark_session(env: Mapping[str, str]) -> Any:
    """The process's Spark session with modelwatch's settings (started on first use). dbt-spark's
    session method then finds it: dbt and the Python layer share one session and metastore."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # PySpark warns on every pandas conversion that it has not been validated with pandas 3
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings(env).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_reader(warehouse: Warehouse) -> Any:
    # a session of its own (same catalog and tables): the Python layer's SQL quotes names with
    # double quotes, which Spark reads as identifiers only in ANSI mode with this flag
    session = spark_session(warehouse.env).newSession()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.ansi.enabled", "true")
    session.conf.set("spark.sql.ansi.doubleQuotedIdentifiers", "true")
    return session


def _spark_rows(
    session: Any, sql: str, params: Any = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    frame = session.sql(sql, args=list(params)) if params else session.sql(sql)
    if not frame.columns:
        frame.collect()
        return [], []
    # timestamps as UTC wall time (naive, as DuckDB returns them): collecting a TIMESTAMP
    # would convert it to the Python process's local time zone
    frame = frame.select(
        *(
            F.col(f"`{f.name}`").cast("timestamp_ntz").alias(f.name)
            if isinstance(f.dataType, TimestampType)
            else F.col(f"`{f.name}`")
            for f in frame.schema.fields
        )
    )
    return list(frame.columns), [tuple(row) for row in frame.collect()]


def _pg_connect(warehouse: Warehouse):
    import psycopg2

    env = {**os.environ, **warehouse.env}
    return psycopg2.connect(
        host=env.get("MODELWATCH_PG_HOST", "127.0.0.1"),
        port=int(env.get("MODELWATCH_PG_PORT", "5432")),
        user=env.get("MODELWATCH_PG_USER", "modelwatch"),
        password=env.get("MODELWATCH_PG_PASSWORD", "modelwatch"),
        dbname=env.get("MODELWATCH_PG_DATABASE", "modelwatch"),
        options="-c timezone=UTC",
    )


def query(warehouse: Warehouse, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only query; return column names and rows."""
    if warehouse.type == "duckdb":
        import duckdb

        con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()
        finally:
            con.close()
    if warehouse.type == "postgres":
        con = _pg_connect(warehouse)
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
                columns = [d[0] for d in cursor.description]
                return columns, cursor.fetchall()
        finally:
            con.close()
    if warehouse.type == "spark":
        return _spark_rows(_spark_reader(warehouse), sql)
    raise ValueError(f"unsupported warehouse type {warehouse.type}")


class Connection:
    """One open connection to any engine, every statement committed as it runs (autocommit).

    SQL uses `?` placeholders on every engine (translated to psycopg2's `%s`); do not put a
    literal `%` or `?` in statements run here. Spark: a session of the process's Spark.
    """

    def __init__(self, warehouse: Warehouse, read_only: bool = False) -> None:
        self.type = warehouse.type
        if warehouse.type == "duckdb":
            import duckdb

            self._con = duckdb.connect(str(warehouse.duckdb_path), read_only=read_only)
        elif warehouse.type == "postgres":
            self._con = _pg_connect(warehouse)
            self._con.autocommit = True
            if read_only:
                self._con.set_session(readonly=True, autocommit=True)
        elif warehouse.type == "spark":
            self._con = _spark_reader(warehouse)
        else:
            raise ValueError(f"unsupported warehouse type {warehouse.type}")

    def execute(
        self, sql: str, params: tuple[Any, ...] | list[Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement; return column names and rows (empty for statements without)."""
        if self.type == "spark":
            return _spark_rows(self._con, sql, params)
        if self.type == "duckdb":
            cursor = self._con.execute(sql, list(params))
            if cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], cursor.fetchall()
        with self._con.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params) if params else None)
            if cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], cursor.fetchall()

    def table_names(self, schema: str) -> set[str]:
        """The tables and views of a schema (lower case)."""
        if self.type == "spark":
            _, rows = self.execute(f"show tables in {_quote(schema)}")
            return {str(row[1]).lower() for row in rows}
        _, rows = self.execute(
            "select table_name from information_schema.tables where table_schema = ?", (schema,)
        )
        return {str(row[0]).lower() for row in rows}

    def replace_rows(self, schema: str, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Spark: rewrite a small table with these rows (parquet tables have no UPDATE)."""
        name = f"{_quote(schema, '`')}.{_quote(table, '`')}"
        frame = self._con.createDataFrame(rows, schema=self._con.table(name).schema)
        frame.write.insertInto(name, overwrite=True)

    def close(self) -> None:
        if self.type != "spark":  # the Spark session lives as long as the process
            self._con.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _quote(name: str, quote: str = '"') -> str:
    return quote + name.replace(quote, quote + quote) + quote
