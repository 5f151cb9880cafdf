"""Reading the output tables for the report: plain selects against the output schema,
portable across DuckDB and PostgreSQL (through `warehouse.query`), cached per table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelwatch import identifiers
from modelwatch.config import Warehouse
from modelwatch.warehouse import query

Row = dict[str, Any]

# the output tables the report reads: a schema with none of them is not built yet
TABLES = (
    "alert_incidents",
    "alerts",
    "feature_drift",
    "feature_bin_counts",
    "reference_bins",
    "model_performance",
    "calibration_bins",
    "fairness_metrics",
    "fairness_parity",
    "operational_metrics",
    "score_distribution",
    "model_comparison",
    "canary_verdicts",
    "input_quality",
    "feed_health",
    "retraining_recommendations",
)

SEGMENTED = ("feature_drift", "feature_bin_counts")  # overall rows: segment_key '__all__'

# every observation with the thresholds that applied (the alert engine's table,
# modelwatch__alert_evaluations): the report draws threshold lines from it when it is there
EVALUATED = "alert_evaluations"


class ReportError(RuntimeError):
    """The report cannot be written (no warehouse, no modelwatch tables), with a reason."""


class Reader:
    """Plain selects against the output schema, portable across DuckDB and PostgreSQL."""

    def __init__(
        self,
        warehouse: Warehouse,
        run: Callable[[Warehouse, str], tuple[list[str], list[tuple[Any, ...]]]] = query,
    ) -> None:
        self.warehouse = warehouse
        self._run = run
        try:
            if warehouse.type == "spark":  # no information_schema in Spark
                _, rows = run(warehouse, f"show tables in {identifiers.quote(warehouse.schema)}")
                rows = [row[1:] for row in rows]
            else:
                _, rows = run(
                    warehouse,
                    "select table_name from information_schema.tables "
                    f"where table_schema = {identifiers.literal(warehouse.schema)}",
                )
        except Exception as exc:  # noqa: BLE001 - any driver error: the warehouse is unusable
            raise ReportError(f"cannot read the warehouse: {exc}") from exc
        self.tables = {str(r[0]).lower() for r in rows}

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, table: str, where: str = "") -> list[Row] | None:
        """Every row of a table (optionally filtered), as dicts; None when it does not exist."""
        if not self.has(table):
            return None
        sql = f"select * from {identifiers.relation(self.warehouse.schema, table)}"
        if where:
            sql += f" where {where}"
        try:
            columns, rows = self._run(self.warehouse, sql)
        except Exception as exc:  # noqa: BLE001 - report which table could not be read
            raise ReportError(f"cannot read {self.warehouse.schema}.{table}: {exc}") from exc
        return [dict(zip(columns, row, strict=True)) for row in rows]


@dataclass
class Data:
    """The rows of every output table the report reads (None: the table does not exist)."""

    reader: Reader
    model: str | None

    def __post_init__(self) -> None:
        self._cache: dict[str, list[Row] | None] = {}

    def rows(self, table: str, extra: str = "") -> list[Row] | None:
        key = f"{table}|{extra}"
        if key not in self._cache:
            clauses = [extra] if extra else []
            if self.model is not None:
                clauses.append(f"model_name = {identifiers.literal(self.model)}")
            rows = self.reader.rows(table, " and ".join(clauses))
            if rows is not None and table in SEGMENTED:
                # the report shows overall drift; drift.segments rows are for drilling down
                rows = [r for r in rows if r.get("segment_key", "__all__") == "__all__"]
            self._cache[key] = rows
        return self._cache[key]

    def models(self) -> list[str]:
        names: set[str] = set()
        for table in ("feature_drift", "model_performance", "operational_metrics", "alerts"):
            for row in self.rows(table) or []:
                if row.get("model_name") is not None:
                    names.add(str(row["model_name"]))
        if self.model is not None:
            names.add(self.model)
        return sorted(names)


def for_model(rows: list[Row] | None, model: str) -> list[Row]:
    return [r for r in rows or [] if str(r.get("model_name")) == model]
