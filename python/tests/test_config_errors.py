"""Config validation: a wrong config stops with a message naming what is wrong.

Where the message surfaces depends on when dbt meets the problem:
- names checked against the warehouse (tables, columns) fail while compiling a model: the
  message is in the dbt result's exception (`modelwatch validate` prints it, exit 2) and, for a
  build, in RunOutcome.build_errors;
- the config's own shape (keys, checks, granularity, unsafe names) is checked by get_config while
  dbt parses the project: DbtProject.invoke raises ConfigError carrying the message (the CLI
  prints it and exits 2).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import carried_column, write_tables

from modelwatch import cli
from modelwatch.config import ConfigError, resolve_warehouse
from modelwatch.config_schema import schema_errors
from modelwatch.runner import DbtProject

BASE: dict[str, Any] = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"predictions": {"deployment_role": "deployment_role"}},
    "models": [{"name": "m1", "features": {"numeric": ["income"], "categorical": ["region"]}}],
}


def _tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    n, n_ref = 300, 300
    predictions = pd.DataFrame(
        {
            "prediction_id": [f"p{i:04d}" for i in range(n)],
            "model_name": "m1",
            "model_version": "v1",
            "predicted_at": (
                pd.Timestamp("2024-05-01")
                + pd.to_timedelta(np.repeat(np.arange(3), n // 3), unit="D")
                + pd.to_timedelta(np.tile(np.arange(n // 3), 3), unit="min")
            ).astype("datetime64[us]"),
            "score": rng.uniform(0.05, 0.95, n),
            "deployment_role": "champion",
            "income": rng.normal(50.0, 10.0, n),
            "region": rng.choice(["north", "south"], n),
            "Debt Ratio": rng.uniform(0.0, 1.0, n),
            "only_in_log": rng.normal(0.0, 1.0, n),
        }
    )
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id[:100],
            "label": rng.integers(0, 2, 100),
            "labeled_at": predictions.predicted_at[:100] + pd.Timedelta(hours=6),
        }
    )
    reference = pd.DataFrame(
        {
            "income": rng.normal(50.0, 10.0, n_ref),
            "region": rng.choice(["north", "south"], n_ref),
            "Debt Ratio": rng.uniform(0.0, 1.0, n_ref),
            "score": rng.uniform(0.05, 0.95, n_ref),
        }
    )
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config_errors") / "warehouse.duckdb"
    write_tables(path, _tables())
    return path


@pytest.fixture(autouse=True)
def _dbt_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI passes no --target-path: keep its artifacts and logs out of the checkout."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def _with(warehouse: Path, **changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(BASE)
    config.update(changes)
    config["warehouse"] = {"type": "duckdb", "path": str(warehouse)}
    return config


def _features(warehouse: Path, numeric: list[str], categorical: list[str]) -> dict[str, Any]:
    config = _with(warehouse)
    config["models"][0]["features"] = {"numeric": numeric, "categorical": categorical}
    return config


def _config_file(tmp_path: Path, config: dict[str, Any]) -> Path:
    file = tmp_path / "modelwatch.yml"
    file.write_text(yaml.safe_dump({"modelwatch": config}, sort_keys=False))
    return file


def _validate(tmp_path: Path, config: dict[str, Any], capsys) -> tuple[int, str]:
    code = cli.main(["validate", "--config", str(_config_file(tmp_path, config))])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _project(config: dict[str, Any], tmp_path: Path) -> DbtProject:
    return DbtProject(config, resolve_warehouse(config).env, target_path=tmp_path / "target")


# --- names checked against the warehouse -------------------------------------------------


def test_valid_config_validates(warehouse, tmp_path, capsys):
    code, output = _validate(tmp_path, _with(warehouse), capsys)
    assert code == cli.EXIT_OK, output
    assert "the config is valid" in output


def test_missing_table_is_named(warehouse, tmp_path, capsys):
    config = _with(warehouse)
    config["inputs"]["predictions"] = "main.no_such_table"
    code, output = _validate(tmp_path, config, capsys)
    assert code == cli.EXIT_FAILED
    assert "the config is not valid" in output
    assert "inputs.predictions names table 'main.no_such_table'" in output
    assert "does not exist in the warehouse" in output


def test_missing_feature_column_is_named(warehouse, tmp_path, capsys):
    code, output = _validate(tmp_path, _features(warehouse, ["incomee"], ["region"]), capsys)
    assert code == cli.EXIT_FAILED
    assert "column 'incomee' is configured for inputs.predictions" in output
    assert "has no such column" in output
    assert "income" in output.split("Its columns are:")[1]  # the columns it does have


def test_feature_missing_from_reference_is_named(warehouse, tmp_path, capsys):
    # the column exists in the prediction log but not in the reference table
    code, output = _validate(tmp_path, _features(warehouse, ["only_in_log"], []), capsys)
    assert code == cli.EXIT_FAILED
    assert "column 'only_in_log' is configured for inputs.reference" in output


def test_missing_column_in_a_run_is_a_build_error(warehouse, tmp_path):
    config = _with(warehouse)
    config["columns"]["predictions"]["score"] = "probability"
    outcome = _project(config, tmp_path).run(full_refresh=True)
    assert not outcome.build_ok
    assert not outcome.alerts and outcome.alert_tests_run == 0  # no alert tests after a failure
    joined = "\n".join(outcome.build_errors)
    # the first staging model to read the log names it (the id index or the predictions view)
    assert "models/staging/stg_modelwatch__prediction" in joined
    assert "column 'probability' is configured for inputs.predictions" in joined


# --- the config's own shape, checked while dbt parses ------------------------------------

SHAPE_ERRORS = {
    "unknown_top_level_key": (
        {"tresholds": {"psi": 0.2}},
        "unknown top-level key 'tresholds'. Known keys: alerts, canary, checks, columns, drift, "
        "fairness, granularity,",
    ),
    "unknown_check": (
        {"checks": {"psi_score": {"warn": 0.1}}},
        "unknown check 'psi_score' in checks. Known checks: bias, brier_score_increase, "
        "calibration_gap, canary_rollback, class_prior_shift, cost_per_1k_usd, "
        "demographic_parity_ratio, disagreement_rate, drifted_feature_share, ece, "
        "equalized_odds_difference,",
    ),
    "unknown_model_check": (
        {"models": [{**BASE["models"][0], "checks": {"drift": {"warn": 0.1}}}]},
        "unknown check 'drift' in models[m1].checks",
    ),
    "unknown_check_key": (
        {"checks": {"psi": {"warning": 0.1}}},
        "unknown key 'warning' for check 'psi' in checks",
    ),
    "non_numeric_threshold": (
        {"checks": {"psi": {"warn": "high"}}},
        "threshold psi.warn in checks must be a number or null, got 'high'",
    ),
    "final_coverage_out_of_range": (
        {"performance": {"final_label_coverage": 1.5}},
        "performance.final_label_coverage must be a number in (0, 1]",
    ),
    "fractional_min_labels": (
        {"performance": {"min_labeled_count": 2.5}},
        "performance.min_labeled_count must be a whole number >= 1",
    ),
    "unknown_performance_key": (
        {"performance": {"max_label_delay": 30}},
        "unknown key 'max_label_delay' in 'performance'",
    ),
    "fractional_min_group_size": (
        {"fairness": {"min_group_size": 2.5}},
        "fairness.min_group_size must be a whole number >= 1",
    ),
    "unknown_fairness_key": (
        {"fairness": {"min_size": 30}},
        "unknown key 'min_size' in 'fairness'",
    ),
    "intersection_of_one_attribute": (
        {"fairness": {"intersections": [["region"]]}},
        "every entry of fairness.intersections must list two or more different attributes",
    ),
    "intersection_of_unprotected_attributes": (
        {"fairness": {"intersections": [["region", "device"]]}},
        "fairness.intersections entry [region, device] names attributes that no model lists",
    ),
    "negative_unit_cost": (
        {"models": [{**BASE["models"][0], "unit_cost_usd": {"v1": -1}}]},
        "models[m1].unit_cost_usd.v1 must be a number >= 0",
    ),
    "negative_canary_rule": (
        {"canary": {"z_critical": -1}},
        "canary.z_critical must be a number >= 0",
    ),
    "invalid_granularity": (
        {"granularity": "month"},
        "granularity must be hour, day or week, got 'month'",
    ),
    "feature_name_with_double_quote": (
        {"models": [{"name": "m1", "features": {"numeric": ['inc"ome'], "categorical": []}}]},
        "models[m1].features.numeric 'inc\"ome' contains a quote",
    ),
    "fractional_bins": (
        {"drift": {"bins": 2.5}},
        "drift.bins must be a whole number from 2 to 100",
    ),
    "fractional_lookback": (
        {"incremental": {"lookback_windows": 1.5}},
        "incremental.lookback_windows must be a whole number >= 0",
    ),
    "unknown_notify_severity": (
        {"alerts": {"notify_min_severity": "critical"}},
        "alerts.notify_min_severity must be warn or error, got 'critical'",
    ),
    "warn_above_error": (
        {"checks": {"roc_auc_drop": {"warn": 0.5, "error": 0.1}}},
        "check 'roc_auc_drop' in checks: warn 0.5 is above error 0.1",
    ),
    "warn_below_error_for_below_check": (
        {"checks": {"label_coverage": {"warn": 0.1, "error": 0.5}}},
        "check 'label_coverage' in checks: warn 0.1 is below error 0.5",
    ),
    "quoted_score_column": (
        {"columns": {"predictions": {"score": 'sc"ore'}}},
        "columns.predictions.score 'sc\"ore' contains a quote",
    ),
    "future_horizon_negative": (
        {"quality": {"max_future_hours": -1}},
        "quality.max_future_hours must be a number of hours >= 0",
    ),
}


def _merged_shape_errors(warehouse: Path) -> dict[str, Any]:
    """Every case of SHAPE_ERRORS in one config (the config collects every problem at once)."""
    merged: dict[str, Any] = {}
    model = copy.deepcopy(BASE["models"][0])
    for changes, _ in SHAPE_ERRORS.values():
        for key, value in changes.items():
            if key == "models":
                entry = value[0]
                model.setdefault("features", {}).update(
                    {k: v for k, v in entry.get("features", {}).items() if v}
                )
                for extra in ("checks", "unit_cost_usd"):
                    if extra in entry:
                        model[extra] = {**model.get(extra, {}), **entry[extra]}
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                for sub, sub_value in value.items():
                    if isinstance(sub_value, dict) and isinstance(merged[key].get(sub), dict):
                        merged[key][sub] = {**merged[key][sub], **sub_value}
                    elif isinstance(sub_value, list) and isinstance(merged[key].get(sub), list):
                        merged[key][sub] = merged[key][sub] + sub_value
                    else:
                        merged[key][sub] = sub_value
            else:
                merged[key] = copy.deepcopy(value)
    merged["models"] = [model]
    return _with(warehouse, **merged)


@pytest.fixture(scope="module")
def shape_error_message(warehouse, tmp_path_factory) -> str:
    """One parse of a config holding every shape error: the one message lists them all."""
    config = _merged_shape_errors(warehouse)
    project = _project(config, tmp_path_factory.mktemp("shape_errors"))
    with pytest.raises(ConfigError) as raised:
        project.invoke(["compile"])
    return str(raised.value)


@pytest.mark.parametrize("case", SHAPE_ERRORS)
def test_config_shape_errors_raise_with_a_clear_message(case, shape_error_message):
    _, message = SHAPE_ERRORS[case]
    assert message in shape_error_message
    assert shape_error_message.startswith("the config has ")


def test_every_shape_error_is_reported_at_once(shape_error_message):
    problems = [line for line in shape_error_message.splitlines() if line.startswith("- ")]
    assert len(problems) >= len(SHAPE_ERRORS)


def test_python_schema_pass_gives_dbts_messages(warehouse, shape_error_message):
    """The CLI's schema pass (no dbt) and get_config's (in dbt) read one schema and say the same:
    every message Python gives is in dbt's, here and on keys SHAPE_ERRORS leaves out."""
    python = schema_errors(_merged_shape_errors(warehouse))
    assert len(python) >= 12
    for message in python:
        assert message in shape_error_message


def test_python_and_dbt_agree_on_every_rule_kind(warehouse, tmp_path):
    config = _with(
        warehouse,
        drift={"epsilon": 0, "ks_strategy": "sort", "segments": "region", "saturation_margin": 0.5},
        alerts={"fail_build": "maybe", "evaluate_last_windows": 0, "webhook_url": 5},
        quality={"min_predicted_at": "soon"},
        python_models="yes",
        fairness={"alpha": 0.1},
        columns={"scores": {}},
        recommendations={"drift_checks": "psi"},
        models=[{**BASE["models"][0], "threshold": 2, "monitor_score": "yes", "labels": 1.5}],
    )
    python = schema_errors(config)
    with pytest.raises(ConfigError) as raised:
        _project(config, tmp_path).invoke(["compile"])
    dbt = [line[2:] for line in str(raised.value).splitlines() if line.startswith("- ")]
    assert len(python) == 15, python
    assert sorted(python) == sorted(dbt)


@pytest.mark.parametrize("case", ["unknown_top_level_key", "invalid_granularity"])
def test_cli_reports_config_shape_errors_with_exit_2(case, warehouse, tmp_path, capsys):
    changes, message = SHAPE_ERRORS[case]
    code, output = _validate(tmp_path, _with(warehouse, **changes), capsys)
    assert code == cli.EXIT_FAILED
    assert message in output


# --- task rules: one parse each (a model has one task) -------------------------------------

TASK_ERRORS = {
    "unknown_task": (
        {"models": [{**BASE["models"][0], "task": "ranking"}]},
        "models[m1].task must be binary, regression or multiclass, got 'ranking'",
    ),
    "fairness_on_regression": (
        {
            "models": [
                {**BASE["models"][0], "task": "regression", "protected_attributes": ["region"]}
            ]
        },
        "models[m1]: protected_attributes (fairness_metrics, fairness_parity) are binary-only",
    ),
    "multiclass_without_classes": (
        {"models": [{**BASE["models"][0], "task": "multiclass"}]},
        "models[m1]: task multiclass needs classes",
    ),
    "multiclass_without_predicted_class_column": (
        {"models": [{**BASE["models"][0], "task": "multiclass", "classes": ["a", "b"]}]},
        "models[m1] is multiclass: set columns.predictions.predicted_class",
    ),
    "probability_columns_missing_a_class": (
        {
            "columns": {"predictions": {"predicted_class": "region"}},
            "models": [
                {
                    **BASE["models"][0],
                    "task": "multiclass",
                    "classes": ["a", "b"],
                    "probability_columns": {"a": "p_a"},
                }
            ],
        },
        "models[m1].probability_columns must give a column for every class (b missing)",
    ),
    "classes_on_a_binary_model": (
        {"models": [{**BASE["models"][0], "classes": ["a", "b"]}]},
        "classes and probability_columns are for task: multiclass (task is binary)",
    ),
}


@pytest.mark.parametrize("case", TASK_ERRORS)
def test_task_config_errors(case, warehouse, tmp_path):
    changes, message = TASK_ERRORS[case]
    project = _project(_with(warehouse, **changes), tmp_path)
    with pytest.raises(ConfigError) as raised:
        project.invoke(["compile"])
    assert message in str(raised.value)


# --- names that need quoting work as configured ------------------------------------------


@pytest.fixture(scope="module")
def quoted_names(builder):
    config = copy.deepcopy(BASE)
    # `INCOME` matches the column `income` whatever its case; "Debt Ratio" needs quoting
    config["models"][0]["features"] = {
        "numeric": ["INCOME", "Debt Ratio"],
        "categorical": ["region"],
    }
    return builder(_tables(), config, "quoted_names")


def test_feature_names_in_other_case_and_with_spaces_work(quoted_names):
    assert quoted_names.outcome.build_ok, quoted_names.outcome.build_errors
    drift = quoted_names.df("select * from modelwatch.feature_drift")
    assert set(drift.feature_name) == {"INCOME", "Debt Ratio", "region", "score"}
    assert len(drift) == 3 * 4  # three windows, four features
    for feature in ("INCOME", "Debt Ratio"):
        rows = drift[drift.feature_name == feature]
        # the values were read, not nulls from a wrong column
        assert (rows.reference_count == 300).all(), feature
        assert (rows.current_count == 100).all(), feature
        assert (rows.null_rate_current == 0).all() and (rows.null_rate_reference == 0).all()
        assert rows.psi.notna().all() and rows.ks_statistic.notna().all(), feature
    bins = quoted_names.df("select distinct feature_name from modelwatch.reference_bins")
    assert set(bins.feature_name) == {"INCOME", "Debt Ratio", "region", "score"}


def test_quoted_feature_values_match_the_source_columns(quoted_names):
    # user columns travel under generated aliases inside the project (macros carried_column)
    staged = quoted_names.df(
        f"select prediction_id, {carried_column('INCOME')} as income, "
        f"{carried_column('Debt Ratio')} as debt_ratio "
        "from modelwatch.stg_modelwatch__predictions order by prediction_id"
    )
    raw = quoted_names.df(
        'select prediction_id, income, "Debt Ratio" as debt_ratio from main.predictions '
        "order by prediction_id"
    )
    pd.testing.assert_frame_equal(staged, raw)
