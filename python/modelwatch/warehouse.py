"""Reading output tables back from the warehouse (alert evidence for the summary, reports), and
the few writes the Python layer owns (the alert delivery ledger)."""

from __future__ import annotations

import os
from typing import Any

from modelwatch.config import Warehouse


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
    raise ValueError(f"unsupported warehouse type {warehouse.type}")


class Connection:
    """One open connection to either engine, every statement committed as it runs (autocommit).

    SQL uses `?` placeholders on both engines (translated to psycopg2's `%s`); do not put a
    literal `%` or `?` in statements run here.
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
        else:
            raise ValueError(f"unsupported warehouse type {warehouse.type}")

    def execute(
        self, sql: str, params: tuple[Any, ...] | list[Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement; return column names and rows (empty for statements without)."""
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

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
