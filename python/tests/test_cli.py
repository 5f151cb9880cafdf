"""`modelwatch run` in-process: exit codes, the printed alert summary and the timings file.

Exit codes: 0 ok (or only warnings, or --no-fail-on-alerts); 1 an error-level alert fired;
2 the configuration or the build failed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import write_tables

from modelwatch import cli

DAYS = pd.date_range("2024-06-03", periods=3, freq="D")
DRIFT_DAY = DAYS[-1]
ROWS_PER_DAY = 300


def _tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(5)
    n = ROWS_PER_DAY * len(DAYS)
    day = np.repeat(np.arange(len(DAYS)), ROWS_PER_DAY)
    # income drifts far from the reference on the last day only
    income = rng.normal(50.0, 10.0, n) + np.where(day == len(DAYS) - 1, 60.0, 0.0)
    predictions = pd.DataFrame(
        {
            "prediction_id": [f"p{i:05d}" for i in range(n)],
            "model_name": "m1",
            "model_version": "v1",
            "predicted_at": (
                DAYS[0]
                + pd.to_timedelta(day, unit="D")
                + pd.to_timedelta(np.tile(np.arange(ROWS_PER_DAY), len(DAYS)) * 4, unit="min")
            ).astype("datetime64[us]"),
            "score": rng.uniform(0.05, 0.95, n),
            "deployment_role": "champion",
            "income": income,
            "region": rng.choice(["north", "south", "east"], n),
        }
    )
    # 75 random labels a day: below performance.min_labeled_count, so no label check judges them
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id[::4].to_numpy(),
            "label": rng.integers(0, 2, len(predictions.prediction_id[::4])),
            "labeled_at": (predictions.predicted_at[::4] + pd.Timedelta(hours=12)).to_numpy(),
        }
    )
    n_ref = 2000
    reference = pd.DataFrame(
        {
            "income": rng.normal(50.0, 10.0, n_ref),
            "region": rng.choice(["north", "south", "east"], n_ref),
            "score": rng.uniform(0.05, 0.95, n_ref),
        }
    )
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


def _config(path: Path, **changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "warehouse": {"type": "duckdb", "path": str(path)},
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "columns": {"predictions": {"deployment_role": "deployment_role"}},
        "models": [{"name": "m1", "features": {"numeric": ["income"], "categorical": ["region"]}}],
    }
    config.update(changes)
    return config


def _write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"modelwatch": config}, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli")
    warehouse = directory / "warehouse.duckdb"
    write_tables(warehouse, _tables())
    _write(directory / "default.yml", _config(warehouse))
    # psi errors only from 100: the drift is a warning (the same shift puts income outside the
    # reference's range and drifts half the features: those pages are off here too)
    warn_only = {"psi": {"error": 100}, "out_of_range_share": {"error": None}}
    warn_only["drifted_feature_share"] = {"error": None}
    _write(directory / "warn_only.yml", _config(warehouse, checks=warn_only))
    missing = _config(warehouse)
    missing["inputs"]["predictions"] = "main.no_such_table"
    _write(directory / "missing_table.yml", missing)
    (directory / "no_top_key.yml").write_text(yaml.safe_dump(_config(warehouse)))
    return directory


@pytest.fixture(autouse=True)
def _dbt_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI passes no --target-path: keep its artifacts and logs out of the checkout."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _alert_lines(out: str) -> dict[str, str]:
    """{test name: severity} from the summary's alert lines."""
    return {
        name: level.lower()
        for level, name in re.findall(r"^  (ERROR|WARN) +(\w+): \d+ rows$", out, flags=re.M)
    }


def test_error_alert_exits_1_and_prints_the_summary(workdir, capsys):
    code, out, err = _run(capsys, "run", "--config", str(workdir / "default.yml"), "--full-refresh")
    assert code == cli.EXIT_ALERTS, out + err
    alerts = _alert_lines(out)
    assert alerts.get("feature_drift_psi_error") == "error", out
    assert all(level in ("error", "warn") for level in alerts.values())
    summary = re.search(r"(\d+) alert checks evaluated, (\d+) at error level, (\d+) at warn", out)
    assert summary, out
    assert int(summary[1]) > 0
    assert int(summary[2]) == sum(level == "error" for level in alerts.values())
    assert int(summary[3]) == sum(level == "warn" for level in alerts.values())
    # each alert names the relation holding its stored failures
    assert re.search(
        r'stored failures: "warehouse"\."modelwatch_audit"\."feature_drift_psi_error"', out
    )
    assert out.count("stored failures: ") == len(alerts)
    # the evidence rows show the drifted feature and window
    evidence = out.split("feature_drift_psi_error:")[1].split("stored failures:")[0]
    assert f"m1, {DRIFT_DAY.date()} 00:00:00, income:" in evidence
    assert "(threshold 0.25)" in evidence
    assert "tables in schema 'modelwatch'" in out
    assert "Traceback" not in err


def test_no_fail_on_alerts_exits_0_and_writes_timings(workdir, capsys):
    timings_path = workdir / "timings.json"
    code, out, err = _run(
        capsys,
        "run",
        "--config",
        str(workdir / "default.yml"),
        "--no-fail-on-alerts",
        "--timings-json",
        str(timings_path),
    )
    assert code == cli.EXIT_OK, out + err
    # the alert is still reported; it just does not fail the run
    assert _alert_lines(out).get("feature_drift_psi_error") == "error"
    timings = json.loads(timings_path.read_text())
    for key in ("total_seconds", "dbt_startup_seconds", "models_seconds", "alert_tests_seconds"):
        assert isinstance(timings[key], float) and timings[key] >= 0, key
    assert timings["models_seconds"] > 0
    assert timings["total_seconds"] >= timings["models_seconds"] + timings["alert_tests_seconds"]
    assert timings["total_seconds"] == pytest.approx(
        timings["dbt_startup_seconds"] + timings["models_seconds"] + timings["alert_tests_seconds"]
    )
    assert f"finished in {timings['total_seconds']:.1f} s" in out


def test_warn_only_exits_0(workdir, capsys):
    code, out, err = _run(
        capsys, "run", "--config", str(workdir / "warn_only.yml"), "--full-refresh"
    )
    assert code == cli.EXIT_OK, out + err
    alerts = _alert_lines(out)
    assert alerts.get("feature_drift_psi_warn") == "warn", out
    assert "error" not in alerts.values(), out
    assert ", 0 at error level," in out
    evidence = out.split("feature_drift_psi_warn:")[1].split("stored failures:")[0]
    assert f"m1, {DRIFT_DAY.date()} 00:00:00, income:" in evidence


def test_build_failure_from_config_exits_2(workdir, capsys):
    code, out, err = _run(capsys, "run", "--config", str(workdir / "missing_table.yml"))
    assert code == cli.EXIT_FAILED, out + err
    assert "modelwatch: the build FAILED" in out
    assert "inputs.predictions names table 'main.no_such_table'" in out
    assert "does not exist in the warehouse" in out


def test_unreadable_config_exits_2(workdir, capsys):
    code, out, err = _run(capsys, "run", "--config", str(workdir / "nope.yml"))
    assert code == cli.EXIT_FAILED
    assert "config file not found" in err and "nope.yml" in err
    code, out, err = _run(capsys, "validate", "--config", str(workdir / "no_top_key.yml"))
    assert code == cli.EXIT_FAILED
    assert "must have a top-level key 'modelwatch'" in err


def test_unknown_warehouse_type_exits_2(workdir, capsys, tmp_path):
    config = _config(workdir / "warehouse.duckdb")
    config["warehouse"] = {"type": "sqlite", "path": "x.db"}
    code, _, err = _run(capsys, "run", "--config", str(_write(tmp_path / "c.yml", config)))
    assert code == cli.EXIT_FAILED
    assert "warehouse.type must be duckdb or postgres, got 'sqlite'" in err


def test_jobs_drift_builds_only_the_drift_job(capsys, tmp_path):
    warehouse = tmp_path / "drift_only.duckdb"
    write_tables(warehouse, _tables())
    config = _write(tmp_path / "drift.yml", _config(warehouse))
    code, out, err = _run(
        capsys, "run", "--config", str(config), "--jobs", "drift", "--no-fail-on-alerts"
    )
    assert code == cli.EXIT_OK, out + err
    assert "jobs: drift" in out
    assert _alert_lines(out).get("feature_drift_psi_error") == "error"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'modelwatch'"
            ).fetchall()
        }
    finally:
        con.close()
    assert {"feature_drift", "feature_bin_counts", "reference_bins", "score_distribution"} <= tables
    assert not tables & {"model_performance", "input_quality", "operational_metrics"}, tables
    # the job's alerts: the drift checks only (psi, js, ks, null rate, saturation; warn + error)
    assert "alerts" in tables
    assert re.search(r"\b10 alert checks evaluated", out), out
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        categories = con.execute("select distinct check_category from modelwatch.alerts").fetchall()
    finally:
        con.close()
    assert {c for (c,) in categories} <= {"drift", "data_quality"} and categories


def test_unknown_job_exits_2(workdir, capsys):
    code, _, err = _run(capsys, "run", "--config", str(workdir / "default.yml"), "--jobs", "nope")
    assert code == cli.EXIT_FAILED
    assert "unknown job(s) nope" in err
