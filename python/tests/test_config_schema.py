"""The config schema (macros/config/config_schema.sql) and its Python validator, without dbt.

That dbt's validator (config_validate.sql) gives the same messages is checked in
test_config_errors.py, where dbt parses.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import yaml

from modelwatch import cli
from modelwatch.config_schema import expected, load_schema, schema_errors, validate

TYPES = {"mapping", "list", "enum", "number", "whole", "boolean", "string", "name", "names"}
TYPES |= {"date", "any"}


def _leaves(node: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = [(where, node)]
    for key, child in node.get("keys", {}).items():
        out += _leaves(child, f"{where}.{key}" if where else key)
    if "items" in node:
        out += _leaves(node["items"], f"{where}[]")
    return out


@pytest.mark.parametrize("where, node", _leaves(load_schema()), ids=lambda v: str(v)[:60])
def test_every_node_is_well_formed(where, node):
    assert node["type"] in TYPES, where
    assert node["type"] != "enum" or node.get("values"), where
    assert node["type"] != "mapping" or node.get("keys"), where
    if node.get("min") is not None and node.get("max") is not None:
        assert node["min"] < node["max"], where
    # a default is a value the key accepts
    if "default" in node and node["type"] not in ("mapping", "list", "any"):
        errors: list[str] = []
        validate(node, node["default"], where, errors)
        assert errors == [], errors


def test_an_empty_config_has_only_defaults():
    assert schema_errors({}) == []


CASES = [
    ({"drift": {"bins": True}}, "drift.bins must be a whole number from 2 to 100, got 'True'"),
    ({"drift": {"epsilon": 0}}, "drift.epsilon must be a number in (0, 1), got '0'"),
    ({"drift": {"epsilon": 1}}, "drift.epsilon must be a number in (0, 1), got '1'"),
    ({"drift": {"saturation_margin": 0.5}}, "in [0, 0.5), got '0.5'"),
    ({"drift": {"ks_strategy": "sort"}}, "must be auto, merge, merge_rows, asof or buckets"),
    ({"drift": {"segments": "region"}}, "'drift.segments' must be a list of names"),
    ({"alerts": {"fail_build": "maybe"}}, "alerts.fail_build must be true or false, got 'maybe'"),
    ({"alerts": {"evaluate_last_windows": 0}}, "must be a whole number >= 1 or null, got '0'"),
    ({"alerts": {"webhook_url": 5}}, "alerts.webhook_url must be a string or null, got '5'"),
    ({"quality": {"min_predicted_at": "soon"}}, "must be a date like 2024-01-01 or null"),
    ({"python_models": "yes"}, "python_models must be auto, true or false, got 'yes'"),
    ({"fairness": {"alpha": 0.1}}, "in (0, 0.09] (0.05: simultaneous 95% intervals)"),
    ({"columns": []}, "'columns' must be a mapping of input to {key: column name}"),
    ({"columns": {"scores": {}}}, "unknown key 'scores' in 'columns'"),
    (
        {"models": [{"name": "m", "monitor_score": "yes"}]},
        "models[m].monitor_score must be true, false or null, got 'yes'",
    ),
    ({"models": [{"name": "m", "task": "rank"}]}, "models[m].task must be binary, regression"),
]


@pytest.mark.parametrize("config, message", CASES, ids=[str(c[0])[:50] for c in CASES])
def test_each_rule_names_the_key_and_the_value(config, message):
    errors = schema_errors(config)
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_text_booleans_and_nullables_pass():
    config = {
        "alerts": {"fail_build": "false", "webhook_url": None, "evaluate_last_windows": None},
        "quality": {"min_predicted_at": "2024-01-01"},
        "models": [{"name": "m", "monitor_score": None, "threshold": 1}],
    }
    assert schema_errors(config) == []


def test_expected_phrases():
    assert expected({"type": "number", "min": 0, "unit": "days"}) == "a number of days >= 0"
    assert expected({"type": "number", "min": 0, "exclusive_min": True}) == "a number > 0"
    assert expected({"type": "whole", "min": 1, "max": 20}) == "a whole number from 1 to 20"


def test_validate_reports_every_schema_error_at_once_without_dbt(tmp_path, capsys, monkeypatch):
    def no_dbt(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("dbt started for errors the schema judges")

    monkeypatch.setattr("modelwatch.cli.DbtProject", no_dbt)
    config = {
        "granularity": "month",
        "inputs": {"predictions": "main.p"},
        "drift": {"bins": 1, "epsilon": 2},
        "alerts": {"notify_min_severity": "page"},
        "warehouse": {"type": "duckdb", "path": str(tmp_path / "w.duckdb"), "threads": 0},
        "models": [{"name": "m", "threshold": -1, "features": {"numeric": ["x"]}}],
    }
    file = tmp_path / "c.yml"
    file.write_text(yaml.safe_dump({"modelwatch": config}))
    started = time.perf_counter()
    code = cli.main(["validate", "--config", str(file)])
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert "(6 problems)" in err, err
    for key in ("granularity", "drift.bins", "drift.epsilon", "alerts.notify_min_severity"):
        assert f"  - {key} must be" in err
    assert "models[m].threshold must be a number in [0, 1]" in err
    assert "warehouse.threads must be a whole number >= 1" in err
    assert seconds < 2, seconds


def test_exact_threads_default_to_every_core_and_never_below_threads(tmp_path, monkeypatch):
    """warehouse.exact_threads: the DuckDB threads of the order-free models
    (macros/config/threads.sql); every core unless given, at least warehouse.threads."""
    from modelwatch.config import ConfigError, resolve_warehouse

    def env(**spec: Any) -> dict[str, str]:
        path = str(tmp_path / "w.duckdb")
        return resolve_warehouse({"warehouse": {"type": "duckdb", "path": path, **spec}}).env

    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert env()["MODELWATCH_DUCKDB_EXACT_THREADS"] == "6"
    assert "MODELWATCH_DUCKDB_THREADS" not in env()  # profiles.yml's default: one thread
    assert env(threads=8)["MODELWATCH_DUCKDB_EXACT_THREADS"] == "8"
    assert env(exact_threads=1)["MODELWATCH_DUCKDB_EXACT_THREADS"] == "1"
    with pytest.raises(ConfigError, match="warehouse.exact_threads must be a whole number >= 1"):
        env(exact_threads=0)


def test_memory_limit_is_the_run_budget_and_duckdb_gets_it_less_a_reserve(tmp_path):
    """warehouse.memory_limit budgets the whole process: DuckDB's memory_limit bounds only its
    buffer pool, so it gets the budget less a fifth (at least 256 MiB) for Python, dbt and
    DuckDB's memory outside the pool; sizes read as DuckDB reads them (GB decimal, GiB binary)."""
    import duckdb

    from modelwatch.config import ConfigError, resolve_warehouse
    from modelwatch.project import project_dir

    def pool(memory_limit: Any = None) -> str:
        spec = {"type": "duckdb", "path": str(tmp_path / "w.duckdb")}
        if memory_limit is not None:
            spec["memory_limit"] = memory_limit
        return resolve_warehouse({"warehouse": spec}).env["MODELWATCH_DUCKDB_MEMORY_LIMIT"]

    assert pool() == pool("4GB") == "3200000KB"  # default budget 4GB: 3.2e9 bytes of pool
    assert pool("10 GiB") == f"{(10 * 2**30 - 2 * 2**30) // 1000}KB"
    assert pool("1GB") == f"{(10**9 - 256 * 2**20) // 1000}KB"  # the 256 MiB floor
    assert pool("512MiB") == f"{256 * 2**20 // 1000}KB"
    # DuckDB reads the value it is given as the same number of bytes as profiles.yml's default
    # (dbt run without the CLI), which must stay the default budget's pool
    profile = (project_dir() / "profiles.yml").read_text()
    default = re.search(r"MODELWATCH_DUCKDB_MEMORY_LIMIT', '([^']+)'", profile).group(1)
    assert default == "3.2GB"
    setting = "select current_setting('memory_limit')"
    given = duckdb.connect(config={"memory_limit": pool("4GB")}).execute(setting).fetchone()
    written = duckdb.connect(config={"memory_limit": default}).execute(setting).fetchone()
    assert given == written
    for bad, message in (
        ("lots", "must be like '4GB'"),
        ("4 GB RAM", "must be like '4GB'"),
        ("100MB", "must be at least 512MiB"),
    ):
        with pytest.raises(ConfigError, match=f"warehouse.memory_limit {message}"):
            pool(bad)
