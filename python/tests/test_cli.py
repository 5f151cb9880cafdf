"""`modelwatch run` in-process: exit codes, progress (terminal and plain), the summary of open
incidents with the next commands, and the timings file.

Exit codes: 0 ok (or only warnings, or --no-fail-on-alerts); 1 an error-level alert fired;
2 the configuration or the build failed.
"""

from __future__ import annotations

import io
import json
import re
import sys
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
    """{check on subject: severity} from the summary's open incident lines."""
    return {
        f"{check} on {subject}": level.lower()
        for level, check, subject in re.findall(
            r"^  (ERROR|WARN) +m1: .+ - (\w+) on (.+)$", out, flags=re.M
        )
    }


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_error_alert_exits_1_and_prints_the_summary(workdir, capsys):
    code, out, err = _run(capsys, "run", "--config", str(workdir / "default.yml"), "--full-refresh")
    assert code == cli.EXIT_ALERTS, out + err
    alerts = _alert_lines(out)
    assert alerts.get("psi on income") == "error", out
    summary = re.search(r"(\d+) open incident\(s\) \((\d+) at error, (\d+) at warn\)", out)
    assert summary, out
    assert int(summary[1]) == len(alerts) > 0
    assert int(summary[2]) == sum(level == "error" for level in alerts.values())
    # in plain words: what, since when, how bad, what to do, the runbook
    block = "\n".join(out.split("psi on income\n")[1].splitlines()[:2])
    assert "feature drift (PSI against the reference) - psi on income" in out
    assert f"since {DRIFT_DAY.date()} (1 window breached, last {DRIFT_DAY.date()})" in block
    assert "against 0.25, peak" in block
    assert "do: " in block and "runbook: none configured" in block
    # and ends with what to run next
    config = workdir / "default.yml"
    tail = out.split("Next:")[1]
    assert f"modelwatch report --config {config} --output report.html" in tail
    assert f"modelwatch alerts --config {config}" in tail
    assert "tables in schema 'modelwatch'" in out
    # no dbt FAIL lines for firing alert tests (they are the incidents above)
    assert "FAIL" not in out + err and "Failure in test" not in out + err
    # not a terminal: plain progress lines on stderr, one per model built, and a total
    progress = re.findall(r"^modelwatch: \[(\d+)/(\d+)\] (\w+) (\w+) \([\d.]+ s\)$", err, re.M)
    assert progress and "\r" not in err
    assert {name for _, _, name, _ in progress} >= {
        "modelwatch__feature_drift",
        "modelwatch__alerts",
    }
    done = [int(d) for d, *_ in progress]
    assert done == sorted(done) and int(progress[-1][1]) >= done[-1]
    assert re.search(r"^modelwatch: built \d+ models and ran \d+ tests in [\d.]+ s$", err, re.M)
    assert "Traceback" not in err


def test_progress_bar_on_a_terminal(workdir, capsys, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = cli.main(["run", "--config", str(workdir / "default.yml"), "--no-fail-on-alerts"])
    assert code == cli.EXIT_OK
    shown = terminal.getvalue()
    # one status line redrawn in place, ended once before the summary
    assert shown.count("\n") == 1 and shown.endswith("\n")
    frames = shown.rstrip("\n").split("\r")[1:]
    assert len(frames) > 3
    last = re.match(r"modelwatch \[(#+)\] (\d+)/(\d+) steps · done · \d+ s", frames[-1])
    assert last and last[2] == last[3] and len(last[1]) == 24, frames[-1]
    assert any(" · modelwatch__feature_drift · " in frame for frame in frames)
    assert "modelwatch: [" not in shown  # no plain lines on a terminal
    assert "open incident(s)" in capsys.readouterr().out


def test_verbose_shows_dbt_log(workdir, capsys):
    code, out, err = _run(
        capsys, "run", "--config", str(workdir / "default.yml"), "--no-fail-on-alerts", "--verbose"
    )
    assert code == cli.EXIT_OK
    assert "FAIL" in out + err  # dbt's own lines, alert tests included
    assert "modelwatch: [" not in err


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
    assert _alert_lines(out).get("psi on income") == "error"
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
    assert alerts.get("psi on income") == "warn", out
    assert "error" not in alerts.values(), out
    assert "(0 at error," in out


def test_build_failure_from_config_exits_2(workdir, capsys):
    code, out, err = _run(capsys, "run", "--config", str(workdir / "missing_table.yml"))
    assert code == cli.EXIT_FAILED, out + err
    assert "modelwatch: the build FAILED" in out
    assert "inputs.predictions names table 'main.no_such_table'" in out, out
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
    assert "warehouse.type must be duckdb, postgres or spark, got 'sqlite'" in err


def test_jobs_drift_builds_only_the_drift_job(capsys, tmp_path):
    warehouse = tmp_path / "drift_only.duckdb"
    write_tables(warehouse, _tables())
    config = _write(tmp_path / "drift.yml", _config(warehouse))
    code, out, err = _run(
        capsys, "run", "--config", str(config), "--jobs", "drift", "--no-fail-on-alerts"
    )
    assert code == cli.EXIT_OK, out + err
    assert "jobs: drift" in out
    assert _alert_lines(out).get("psi on income") == "error"
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
    # the job's alerts: the drift checks only (psi, js, ks, null rate, saturation, segment psi,
    # label and prediction priors, drifted feature share, residual psi; warn + error)
    assert {"alerts", "alert_incidents"} <= tables
    assert re.search(r"\b20 alert checks evaluated", out), out
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


def _boom(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("boom\n  on two lines")


# each command reaching an unexpected error: (arguments, what to break on its path)
INVOKE = "modelwatch.runner.DbtProject.invoke"
UNEXPECTED = {
    "demo": (["demo", "--warehouse", "{dir}/boom.duckdb"], "modelwatch.demo.generate_demo"),
    "run": (["run", "--config", "{dir}/default.yml"], INVOKE),
    "validate": (["validate", "--config", "{dir}/default.yml"], INVOKE),
    "alerts": (
        ["alerts", "--warehouse", "{dir}/warehouse.duckdb"],
        "modelwatch.notify.list_incidents",
    ),
    "report": (["report", "--warehouse", "{dir}/warehouse.duckdb"], "modelwatch.cli.write_report"),
}


@pytest.mark.parametrize("command", list(UNEXPECTED))
def test_an_unexpected_error_exits_2_with_one_line(workdir, capsys, monkeypatch, command):
    """Exit 1 means an error-level alert fired: anything unexpected is 2, and one line."""
    args, target = UNEXPECTED[command]
    args = [arg.format(dir=workdir) for arg in args]
    if target:
        monkeypatch.setattr(target, _boom)
    code, _, err = _run(capsys, *args)
    assert code == cli.EXIT_FAILED
    assert len(err.splitlines()) == 1, err
    assert err.startswith("modelwatch: error: ") and "(--debug shows the traceback)" in err
    assert "RuntimeError: boom on two lines" in err
    # --debug before or after the command: the traceback, then the same line
    for debug_args in (["--debug", *args], [*args, "--debug"]):
        code, _, err = _run(capsys, *debug_args)
        assert code == cli.EXIT_FAILED
        assert "Traceback (most recent call last)" in err
        assert err.splitlines()[-1].startswith("modelwatch: error: ")


def test_demo_into_a_missing_directory_is_a_config_error(workdir, capsys):
    code, _, err = _run(capsys, "demo", "--warehouse", f"{workdir}/no_such_dir/w.duckdb")
    assert code == cli.EXIT_FAILED
    assert err == (
        f"modelwatch: warehouse.path '{workdir}/no_such_dir/w.duckdb': "
        f"directory '{workdir}/no_such_dir' does not exist\n"
    )


def test_a_missing_project_is_a_clear_error(workdir, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MODELWATCH_PROJECT_DIR", str(tmp_path))
    code, _, err = _run(capsys, "validate", "--config", str(workdir / "default.yml"))
    assert code == cli.EXIT_FAILED
    assert err == f"modelwatch: MODELWATCH_PROJECT_DIR={tmp_path} has no dbt_project.yml\n"
