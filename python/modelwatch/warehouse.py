"""Reading output tables back from the warehouse (alert evidence for the summary, reports)."""

from __future__ import annotations

import os
from typing import Any

from modelwatch.config import Warehouse


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
        import psycopg2

        env = {**os.environ, **warehouse.env}
        con = psycopg2.connect(
            host=env.get("MODELWATCH_PG_HOST", "127.0.0.1"),
            port=int(env.get("MODELWATCH_PG_PORT", "5432")),
            user=env.get("MODELWATCH_PG_USER", "modelwatch"),
            password=env.get("MODELWATCH_PG_PASSWORD", "modelwatch"),
            dbname=env.get("MODELWATCH_PG_DATABASE", "modelwatch"),
        )
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
                columns = [d[0] for d in cursor.description]
                return columns, cursor.fetchall()
        finally:
            con.close()
    raise ValueError(f"unsupported warehouse type {warehouse.type}")
