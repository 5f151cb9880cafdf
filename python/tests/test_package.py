"""modelwatch as a dbt package in a user's project (integration_tests/), built with only dbt-core
and the adapter installed: no modelwatch Python package in that environment.

One build per engine and dbt version, shared by the tests of this module. The venvs come from
scripts/dbt_venv.sh (dbt-core, dbt-duckdb, dbt-postgres at one minor version).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import run_modelwatch
from pg import PG, connect_or_skip, copy_tables, pg_df
from tables import OUTPUT_TABLES, assert_tables_equal

from modelwatch.demo import generate_demo

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "integration_tests"
OUTPUT_SCHEMA = "analytics_modelwatch"
# every contract table a package user gets without Python models (recalibration is opt-in)
CONTRACT_TABLES = [
    "reference_bins",
    "feature_bin_counts",
    "feature_drift",
    "score_distribution",
    "model_performance",
    "calibration_bins",
    "performance_baseline",
    "operational_metrics",
    "model_comparison",
    "canary_verdicts",
    "fairness_metrics",
    "fairness_parity",
    "input_quality",
    "quarantined_predictions",
    "quarantined_labels",
    "feature_quality",
    "quarantined_feature_values",
    "dataset_drift",
    "prior_drift",
    "custom_metrics",
    "alerts",
    "retraining_recommendations",
]
# compared with the CLI's build of the same data and config (grains from tables.OUTPUT_TABLES)
COMPARED = (
    "feature_drift",
    "model_performance",
    "fairness_parity",
    "operational_metrics",
    "input_quality",
    "alerts",
    "retraining_recommendations",
)


def dbt_venv(minor: str) -> Path:
    out = subprocess.run(
        [str(ROOT / "scripts" / "dbt_venv.sh"), minor],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


@dataclass
class PackageBuild:
    """integration_tests/ built by `dbt deps && dbt build` in a dbt-only venv."""

    venv: Path
    env: dict[str, str]
    workdir: Path
    build: subprocess.CompletedProcess[str]
    duckdb_path: Path | None

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _dbt(self.venv, self.env, self.workdir, *args)

    def results(self) -> dict[str, dict[str, Any]]:
        data = json.loads((self.workdir / "target" / "run_results.json").read_text())
        return {r["unique_id"]: r for r in data["results"]}

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.workdir / "target" / "manifest.json").read_text())

    def df(self, sql: str) -> pd.DataFrame:
        if self.duckdb_path is None:
            return pg_df(sql)
        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()


def dbt_only_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment plus env, without PYTHONPATH: nothing of the test's own
    Python path may leak into the dbt-only venv."""
    return {k: v for k, v in {**os.environ, **env}.items() if k != "PYTHONPATH"}


def _dbt(venv: Path, env: dict[str, str], workdir: Path, *args: str):
    paths = ["--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    if args[0] != "deps":
        paths += ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    return subprocess.run(
        [str(venv / "bin" / "dbt"), *args, *paths],
        env=dbt_only_env(env),
        capture_output=True,
        text=True,
        cwd=workdir,
    )


def assert_nothing_broken(results: list[dict[str, Any]], log: str) -> None:
    """No node of a dbt run errored or was skipped (alert tests may fail: they are alerts)."""
    broken = {r["unique_id"]: r["status"] for r in results if r["status"] in ("error", "skipped")}
    assert not broken, (broken, log[-3000:])


def write_raw_data(path: Path) -> None:
    """The demo's tables as the user's raw landing tables; the reference calls income
    annual_income (mapped with columns.reference.features)."""
    con = duckdb.connect(str(path))
    generate_demo(con, scale=0.02, days=30)
    con.execute("alter table main.training_reference rename column income to annual_income")
    con.close()


def package_build(minor: str, target: str, workdir: Path) -> PackageBuild:
    venv = dbt_venv(minor)
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import modelwatch"],
        capture_output=True,
        env=dbt_only_env({}),
    )
    assert imported.returncode != 0, "the dbt-only venv must not have the modelwatch package"
    raw = workdir / "raw.duckdb"
    write_raw_data(raw)
    env = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "MODELWATCH_IT_TARGET": target}
    duckdb_path = None
    if target == "duckdb":
        duckdb_path = workdir / "warehouse.duckdb"
        shutil.copy(raw, duckdb_path)
        env |= {"MODELWATCH_IT_DUCKDB_PATH": str(duckdb_path), "MODELWATCH_IT_RAW_SCHEMA": "main"}
    else:
        connect_or_skip().close()
        copy_tables(raw, ["predictions", "labels", "training_reference"], "it_raw")
        con = connect_or_skip()
        with con.cursor() as cur:
            for schema in ("it_analytics", f"it_{OUTPUT_SCHEMA}", f"it_{OUTPUT_SCHEMA}_audit"):
                cur.execute(f'drop schema if exists "{schema}" cascade')
        con.commit()
        con.close()
        env |= {
            "MODELWATCH_IT_RAW_SCHEMA": "it_raw",
            "MODELWATCH_IT_SCHEMA": "it_analytics",
            "MODELWATCH_PG_HOST": PG["host"],
            "MODELWATCH_PG_PORT": str(PG["port"]),
        }
    deps = _dbt(venv, env, workdir, "deps")
    assert deps.returncode == 0, deps.stdout + deps.stderr
    build = _dbt(venv, env, workdir, "build")
    return PackageBuild(venv=venv, env=env, workdir=workdir, build=build, duckdb_path=duckdb_path)


@pytest.fixture(scope="module")
def duckdb_package(tmp_path_factory: pytest.TempPathFactory) -> PackageBuild:
    return package_build("1.11", "duckdb", tmp_path_factory.mktemp("package_duckdb"))


def test_builds_every_contract_table_with_only_dbt(duckdb_package: PackageBuild) -> None:
    assert_nothing_broken(list(duckdb_package.results().values()), duckdb_package.build.stdout)
    tables = set(
        duckdb_package.df(
            "select table_name from information_schema.tables "
            f"where table_schema = '{OUTPUT_SCHEMA}'"
        ).table_name
    )
    assert set(CONTRACT_TABLES) <= tables
    drift = duckdb_package.df(
        f"select feature_type, ks_p_value, chi2_p_value from {OUTPUT_SCHEMA}.feature_drift"
    )
    numeric = drift[drift.feature_type == "numeric"]
    categorical = drift[drift.feature_type == "categorical"]
    assert len(numeric) and numeric.ks_p_value.notna().all()
    assert len(categorical) and categorical.chi2_p_value.notna().all()


def test_user_models_keep_their_names_and_schema(duckdb_package: PackageBuild) -> None:
    user = set(
        duckdb_package.df(
            "select table_name from information_schema.tables where table_schema = 'analytics'"
        ).table_name
    )
    assert user == {"stg_predictions", "stg_labels", "prediction_log", "alert_digest"}


def test_inputs_are_lineage(duckdb_package: PackageBuild) -> None:
    nodes = duckdb_package.manifest()["nodes"]
    staging = nodes["model.modelwatch.stg_modelwatch__predictions"]["depends_on"]["nodes"]
    assert "model.modelwatch_integration_tests.prediction_log" in staging
    labels = nodes["model.modelwatch.stg_modelwatch__labels"]["depends_on"]["nodes"]
    assert "model.modelwatch_integration_tests.stg_labels" in labels
    reference = nodes["model.modelwatch.stg_modelwatch__reference"]["depends_on"]["nodes"]
    assert "source.modelwatch_integration_tests.raw.training_reference" in reference


def test_error_alerts_fail_the_build_but_skip_no_user_model(duckdb_package: PackageBuild) -> None:
    results = duckdb_package.results()
    alert_tests = {
        uid: r
        for uid, r in results.items()
        if uid.startswith("test.modelwatch.") and "_warn" in uid
    }
    assert alert_tests, "the alert tests ran"
    failed = [uid for uid, r in results.items() if r["status"] == "fail"]
    # only error-level alert tests fail; grain and accounting tests pass
    assert failed and all("_error" in uid for uid in failed), failed
    assert duckdb_package.build.returncode == 1  # alerts.fail_build: true (default)
    assert results["model.modelwatch_integration_tests.alert_digest"]["status"] == "success"
    digest = duckdb_package.df("select * from analytics.alert_digest")
    assert "error" in set(digest.severity)


def test_fail_build_false_keeps_alert_tests_as_warnings(duckdb_package: PackageBuild) -> None:
    var = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["modelwatch"]
    var = {**var, "alerts": {"fail_build": False}}
    tested = duckdb_package.dbt(
        "test", "--select", "tag:modelwatch_alert", "--vars", json.dumps({"modelwatch": var})
    )
    assert tested.returncode == 0, tested.stdout[-3000:]
    results = duckdb_package.results()
    assert {r["status"] for r in results.values()} >= {"warn"}
    assert "fail" not in {r["status"] for r in results.values()}


def test_same_numbers_as_the_cli(duckdb_package: PackageBuild, tmp_path: Path) -> None:
    """The package build equals the CLI's build (the checkout as root project) of the same data
    and config, inputs given as schema.table."""
    var = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]["modelwatch"]
    config = {
        **var,
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "python_models": False,
    }
    path = tmp_path / "cli.duckdb"
    write_raw_data(path)
    cli = run_modelwatch(path, config, tmp_path)
    for table in COMPARED:
        ours = cli.df(f"select * from modelwatch.{table}")
        theirs = duckdb_package.df(f"select * from {OUTPUT_SCHEMA}.{table}")
        assert len(ours) > 0, table
        # the fingerprint hashes the config, whose inputs are named differently here
        assert_tables_equal(
            ours, theirs, OUTPUT_TABLES[table], rtol=1e-9, skip=("config_fingerprint",)
        )


def test_dbt_1_10(tmp_path_factory: pytest.TempPathFactory, duckdb_package: PackageBuild) -> None:
    """The smaller matrix leg: the same project on dbt-core 1.10 gives the same tables."""
    older = package_build("1.10", "duckdb", tmp_path_factory.mktemp("package_dbt110"))
    assert_nothing_broken(list(older.results().values()), older.build.stdout)
    assert older.build.returncode == 1
    for table in COMPARED:
        assert_tables_equal(
            older.df(f"select * from {OUTPUT_SCHEMA}.{table}"),
            duckdb_package.df(f"select * from {OUTPUT_SCHEMA}.{table}"),
            OUTPUT_TABLES[table],
            rtol=1e-9,
        )


def test_postgres(tmp_path_factory: pytest.TempPathFactory, duckdb_package: PackageBuild) -> None:
    """The same user project on PostgreSQL: every model builds, nothing is skipped, and the
    tables equal the DuckDB build."""
    built = package_build("1.11", "postgres", tmp_path_factory.mktemp("package_postgres"))
    assert_nothing_broken(list(built.results().values()), built.build.stdout)
    assert built.build.returncode == 1
    for table in COMPARED:
        assert_tables_equal(
            built.df(f'select * from "it_{OUTPUT_SCHEMA}".{table}'),
            duckdb_package.df(f"select * from {OUTPUT_SCHEMA}.{table}"),
            OUTPUT_TABLES[table],
            rtol=1e-9,
        )


def readme_block(marker: str) -> str:
    """The fenced YAML block after `<!-- marker -->` in the README."""
    text = (ROOT / "README.md").read_text()
    after = text.split(f"<!-- {marker} -->", 1)[1]
    return after.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_readme_minimal_package_config_runs(duckdb_package: PackageBuild, tmp_path: Path) -> None:
    """The README's few lines of vars, as written (only the project name is the user's): the
    package builds every table with them, on raw tables named as the README's sources."""
    block = readme_block("minimal-package-config").replace(
        "my_project", "modelwatch_integration_tests"
    )
    var = yaml.safe_load(block)["vars"]
    path = tmp_path / "minimal.duckdb"
    con = duckdb.connect(str(path))
    generate_demo(con, scale=0.02, days=10)
    con.close()
    env = {**duckdb_package.env, "MODELWATCH_IT_DUCKDB_PATH": str(path)}
    built = _dbt(duckdb_package.venv, env, tmp_path, "build", "--vars", json.dumps(var))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert_nothing_broken(results, built.stdout)
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(f"select count(*) from {OUTPUT_SCHEMA}.feature_drift").fetchone()[0]
    con.close()
    assert rows > 0


def test_readme_minimal_cli_config_runs(tmp_path: Path) -> None:
    """The README's smallest CLI config, as written, on the demo data in ./warehouse.duckdb."""
    (tmp_path / "my_model.yml").write_text(readme_block("minimal-cli-config"))
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    generate_demo(con, scale=0.02, days=10)
    con.close()
    cli = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "modelwatch"
    if not cli.exists():
        cli = ROOT / ".venv" / "bin" / "modelwatch"
    ran = subprocess.run(
        [str(cli), "run", "--config", "my_model.yml", "--no-fail-on-alerts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select count(*) from modelwatch.feature_drift").fetchone()[0]
    con.close()
    assert rows > 0
