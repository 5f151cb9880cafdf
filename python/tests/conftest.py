"""Shared warehouses: each fixture builds once per session and the tests only read it."""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from modelwatch.config import resolve_warehouse
from modelwatch.demo import demo_config, generate_demo
from modelwatch.runner import DbtProject, RunOutcome

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

# The demo at a tenth of its default volume: ~2,000 champion predictions a day for 63 days.
DEMO_TEST_SCALE = 0.1


@dataclass
class Built:
    """A DuckDB warehouse built by modelwatch, with helpers to read it back."""

    path: Path
    config: dict[str, Any]
    outcome: RunOutcome
    project: DbtProject

    def df(self, sql: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def alerts(self) -> dict[str, str]:
        return {alert.test_name: alert.severity for alert in self.outcome.alerts}


def run_modelwatch(
    path: Path,
    config: dict[str, Any],
    workdir: Path,
    full_refresh: bool = True,
    jobs: list[str] | None = None,
) -> Built:
    """Build the dbt project (or only `jobs`) on a DuckDB file with this config (fresh dbt
    target dir)."""
    config = copy.deepcopy(config)
    config["warehouse"] = {"type": "duckdb", "path": str(path)}
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, target_path=workdir / "target")
    outcome = project.run(full_refresh=full_refresh, jobs=jobs)
    assert outcome.build_ok, outcome.build_errors
    return Built(path=path, config=config, outcome=outcome, project=project)


def write_first_batch(con: duckdb.DuckDBPyConnection, cutoff_sql: str) -> None:
    """Schema first_batch: the predictions logged before cutoff_sql (and the undated ones), every
    label and the reference, what a warehouse held before the rest of main's log arrived."""
    con.execute("create schema first_batch")
    con.execute(
        "create table first_batch.predictions as select * from main.predictions "
        f"where predicted_at < {cutoff_sql} or predicted_at is null"
    )
    for table in ("labels", "training_reference"):
        con.execute(f"create table first_batch.{table} as select * from main.{table}")


def carried_column(name: str) -> str:
    """The alias a user column travels under inside the project (macros/config carried_column)."""
    return "mw_" + hashlib.md5(name.encode("utf-8")).hexdigest()[:16]


def write_tables(path: Path, tables: dict[str, pd.DataFrame], schema: str = "main") -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create schema if not exists {schema}")
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"create or replace table {schema}.{name} as select * from frame")
            con.unregister("frame")
    finally:
        con.close()


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    workdir = tmp_path_factory.mktemp("demo")
    path = workdir / "demo.duckdb"
    con = duckdb.connect(str(path))
    generate_demo(con, scale=DEMO_TEST_SCALE)
    con.close()
    return run_modelwatch(path, demo_config(), workdir)


@pytest.fixture(scope="session")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Built]:
    """Build a fresh warehouse from given tables and config (for small fixtures)."""

    def build(tables: dict[str, pd.DataFrame], config: dict[str, Any], name: str) -> Built:
        workdir = tmp_path_factory.mktemp(name)
        path = workdir / f"{name}.duckdb"
        write_tables(path, tables)
        return run_modelwatch(path, config, workdir)

    return build


@pytest.fixture(scope="session")
def tasks_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Binary, regression and multiclass models in one log (python/tests/task_data.py)."""
    from task_data import make_task_tables, task_config

    workdir = tmp_path_factory.mktemp("tasks")
    path = workdir / "tasks.duckdb"
    write_tables(path, make_task_tables())
    return run_modelwatch(path, task_config(), workdir)


@pytest.fixture(scope="session")
def tasks_unlabeled_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The same log without inputs.labels: models whose outcomes never come back."""
    from task_data import make_task_tables, task_config

    workdir = tmp_path_factory.mktemp("tasks_unlabeled")
    path = workdir / "tasks_unlabeled.duckdb"
    tables = make_task_tables()
    del tables["labels"]
    write_tables(path, tables)
    return run_modelwatch(path, task_config(with_labels=False), workdir)
