"""Copying fixture tables from DuckDB into the local PostgreSQL (started by scripts/postgres.sh)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pytest

PG = {
    "host": os.environ.get("MODELWATCH_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("MODELWATCH_PG_PORT", "5432")),
    "user": os.environ.get("MODELWATCH_PG_USER", "modelwatch"),
    "password": os.environ.get("MODELWATCH_PG_PASSWORD", "modelwatch"),
    "dbname": os.environ.get("MODELWATCH_PG_DATABASE", "modelwatch"),
}

_TYPES = {
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
}


def connect_or_skip():
    """A connection; when MODELWATCH_TEST_POSTGRES=1 (CI) a missing server is a failure."""
    import psycopg2

    try:
        return psycopg2.connect(**PG)
    except psycopg2.OperationalError as exc:
        if os.environ.get("MODELWATCH_TEST_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not available ({exc}); run scripts/postgres.sh")


def copy_tables(duckdb_path: Path, tables: list[str], pg_schema: str) -> None:
    """Replace pg_schema.<table> with main.<table> of the DuckDB file: NULL stays NULL, NaN and
    infinities stay themselves, column names keep their case and spaces."""
    source = duckdb.connect(str(duckdb_path), read_only=True)
    con = connect_or_skip()
    try:
        with con.cursor() as cur, tempfile.TemporaryDirectory() as tmp:
            cur.execute(f'drop schema if exists "{pg_schema}" cascade')
            cur.execute(f'create schema "{pg_schema}"')
            for table in tables:
                described = source.execute(f"describe main.{table}").fetchall()
                columns = [(name, _TYPES.get(kind, "text")) for name, kind, *_ in described]
                ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns)
                cur.execute(f'create table "{pg_schema}"."{table}" ({ddl})')
                csv = Path(tmp) / f"{table}.csv"
                source.execute(
                    f"copy (select * from main.{table}) to '{csv}' (header false, nullstr '\\N')"
                )
                quoted = ", ".join(f'"{name}"' for name, _ in columns)
                with csv.open() as handle:
                    cur.copy_expert(
                        f'copy "{pg_schema}"."{table}" ({quoted}) from stdin '
                        "with (format csv, null '\\N')",
                        handle,
                    )
        con.commit()
    finally:
        con.close()
        source.close()


def build_on_postgres(
    duckdb_path: Path,
    config: dict,
    tables: list[str],
    input_schema: str,
    output_schema: str,
    target_path: Path,
):
    """Copy the fixture tables to PostgreSQL and build the project there with the same config
    (inputs read from input_schema): the run outcome."""
    import copy

    from modelwatch.config import resolve_warehouse
    from modelwatch.runner import DbtProject

    connect_or_skip().close()
    copy_tables(duckdb_path, tables, input_schema)
    config = copy.deepcopy(config)
    config["inputs"] = {
        key: f"{input_schema}.{value.split('.', 1)[1]}"
        for key, value in config["inputs"].items()
        if isinstance(value, str)
    }
    config["warehouse"] = {
        "type": "postgres",
        "host": PG["host"],
        "port": PG["port"],
        "user": PG["user"],
        "dbname": PG["dbname"],
        "schema": output_schema,
    }
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, target_path=target_path)
    return project.run(full_refresh=True)


def pg_df(sql: str):
    """A query's result on the test PostgreSQL as a DataFrame."""
    import pandas as pd

    con = connect_or_skip()
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            columns = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=columns)
    finally:
        con.close()
