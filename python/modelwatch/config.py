"""Loading the user's config file and turning its warehouse section into a dbt target.

The file's top-level key is `modelwatch`; its content is passed to dbt unchanged as the
`modelwatch` var, where macros/config/get_config.sql validates every key. The keys' schema
(macros/config/config_schema.sql) is also applied here, before dbt starts: config_schema.py.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelwatch import identifiers


class ConfigError(ValueError):
    """A config file that cannot be used, with a message a user can act on."""


@dataclass
class Warehouse:
    """Where dbt builds: the target name and the environment the profile reads."""

    type: str
    env: dict[str, str] = field(default_factory=dict)
    duckdb_path: Path | None = None
    schema: str = "modelwatch"


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML file whose top-level key is `modelwatch`; return the inner mapping."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file not found: {file}")
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"config file {file} is not valid YAML: {first_line}") from exc
    if not isinstance(document, dict) or "modelwatch" not in document:
        raise ConfigError(f"config file {file} must have a top-level key 'modelwatch'")
    config = document["modelwatch"]
    if not isinstance(config, dict):
        raise ConfigError(f"'modelwatch' in {file} must be a mapping")
    warehouse = config.get("warehouse")
    if isinstance(warehouse, dict):
        for key in ("path", "warehouse_dir", "metastore"):
            path_value = warehouse.get(key)
            if isinstance(path_value, str) and path_value and not Path(path_value).is_absolute():
                # relative warehouse paths are relative to the config file, wherever it runs
                warehouse = {**warehouse, key: str((file.parent / path_value).resolve())}
                config = {**config, "warehouse": warehouse}
    return config


# --------------------------------------------------------------------------------------------
# warehouse types: each is one entry of WAREHOUSE_TYPES (its keys and how they become the
# environment profiles.yml reads); a new engine is one more entry


def _duckdb_env(spec: dict[str, Any], errors: list[str]) -> dict[str, str]:
    path = Path(str(spec.get("path", "warehouse.duckdb"))).resolve()
    if not path.parent.is_dir():
        errors.append(
            f"warehouse.path {str(path)!r}: directory {str(path.parent)!r} does not exist"
        )
    if path.is_dir():
        errors.append(f"warehouse.path {str(path)!r} is a directory; name a .duckdb file")
    env = {"MODELWATCH_DUCKDB_PATH": str(path)}
    memory = spec.get("memory_limit")
    memory = DEFAULT_MEMORY_BUDGET if memory is None else memory
    budget = _memory_bytes(memory)
    if budget is None:
        errors.append(f"warehouse.memory_limit must be like '4GB' or '512MiB', got {memory!r}")
    elif budget < MINIMUM_MEMORY_BUDGET:
        errors.append(
            f"warehouse.memory_limit must be at least 512MiB (Python and dbt alone take ~300 MB"
            f" of it), got {memory!r}"
        )
    else:
        env["MODELWATCH_DUCKDB_MEMORY_LIMIT"] = f"{duckdb_buffer_pool_bytes(budget) // 1000}KB"
    _threads_setting(spec, "threads", "MODELWATCH_DUCKDB_THREADS", env, errors)
    # the models whose results do not depend on the order (macros/config/threads.sql): every
    # core by default, never fewer than warehouse.threads
    if spec.get("exact_threads") is None:
        configured = int(env.get("MODELWATCH_DUCKDB_THREADS", "1"))
        env["MODELWATCH_DUCKDB_EXACT_THREADS"] = str(max(os.cpu_count() or 1, configured))
    else:
        _threads_setting(spec, "exact_threads", "MODELWATCH_DUCKDB_EXACT_THREADS", env, errors)
    return env


# warehouse.memory_limit is the run's budget: the peak memory (RSS) of the whole process. DuckDB's
# own memory_limit bounds only its buffer pool, which spills beyond it; Python, dbt and DuckDB's
# allocations outside the pool came on top: 0.4 GiB at 10M rows, 0.75 GiB at 100M
# (docs/benchmark.md, Scale). So DuckDB gets the budget less a reserve for them.
DEFAULT_MEMORY_BUDGET = "4GB"
MINIMUM_MEMORY_BUDGET = 512 * 2**20
_MEMORY_UNITS = {"K": 1, "M": 2, "G": 3, "T": 4}


def _memory_bytes(value: Any) -> int | None:
    """Bytes of a size written as DuckDB reads it ('4GB' = 4e9, '4GiB' = 4 * 2**30), else None."""
    match = isinstance(value, str) and re.fullmatch(
        r"(\d+(?:\.\d+)?)\s*([KMGT])(i?)B", value.strip()
    )
    if not match:
        return None
    number, unit, binary = match.groups()
    return int(float(number) * (1024 if binary else 1000) ** _MEMORY_UNITS[unit])


def duckdb_buffer_pool_bytes(budget: int) -> int:
    """DuckDB's memory_limit for a run budgeted at `budget` bytes: a fifth (at least 256 MiB)
    is kept for Python, dbt and DuckDB's memory outside its buffer pool."""
    return budget - max(budget // 5, 256 * 2**20)


def _threads_setting(
    spec: dict[str, Any], key: str, var: str, env: dict[str, str], errors: list[str]
) -> None:
    """A thread count from the warehouse spec into env[var], if given and valid."""
    value = spec.get(key)
    if value is None:
        return
    if not _whole(value, 1, 1024):
        errors.append(f"warehouse.{key} must be a whole number >= 1, got {value!r}")
    else:
        env[var] = str(value)


def _postgres_env(spec: dict[str, Any], errors: list[str]) -> dict[str, str]:
    # libpq sends PGTZ as the session time zone: windows are UTC whatever the server's default
    env: dict[str, str] = {"PGTZ": "UTC"}
    keys = {
        "host": "MODELWATCH_PG_HOST",
        "port": "MODELWATCH_PG_PORT",
        "user": "MODELWATCH_PG_USER",
        "dbname": "MODELWATCH_PG_DATABASE",
    }
    for key, var in keys.items():
        if key in spec:
            value = spec[key]
            if key == "port" and not _whole(value, 1, 65535):
                errors.append(
                    f"warehouse.port must be a whole number from 1 to 65535, got {value!r}"
                )
            elif not isinstance(value, str | int) or isinstance(value, bool):
                errors.append(f"warehouse.{key} must be a string, got {value!r}")
            else:
                env[var] = str(value)
    # never put a password in a config file: name the environment variable holding it
    password_env = spec.get("password_env")
    if password_env:
        if password_env not in os.environ:
            errors.append(f"warehouse.password_env names {password_env}, which is not set")
        else:
            env["MODELWATCH_PG_PASSWORD"] = os.environ[password_env]
    return env


def _spark_env(spec: dict[str, Any], errors: list[str]) -> dict[str, str]:
    # a local Spark session (dbt-spark's session method) in the modelwatch process: tables are
    # files under warehouse_dir, their catalog a Derby metastore (one process at a time)
    env: dict[str, str] = {}
    for key, var, default in (
        ("warehouse_dir", "MODELWATCH_SPARK_WAREHOUSE_DIR", "spark-warehouse"),
        ("metastore", "MODELWATCH_SPARK_METASTORE", "spark-metastore"),
    ):
        value = spec.get(key, default)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"warehouse.{key} must be a directory path, got {value!r}")
            continue
        path = Path(value).resolve()
        if not path.parent.is_dir():
            errors.append(
                f"warehouse.{key} {str(path)!r}: directory {str(path.parent)!r} does not exist"
            )
        env[var] = str(path)
    # dbt threads: models built at once; each is one Spark job, so this is concurrency, not
    # Spark's own parallelism, and the numbers do not depend on it
    _threads_setting(spec, "threads", "MODELWATCH_SPARK_THREADS", env, errors)
    settings = spec.get("settings", {})
    if not isinstance(settings, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in settings.items()
    ):
        errors.append(
            "warehouse.settings must map Spark settings to values, like "
            f"{{spark.driver.memory: 4g}}, got {identifiers.printable(settings)}"
        )
    else:
        fixed = sorted(set(settings) & set(SPARK_FIXED_SETTINGS))
        if fixed:
            errors.append(
                f"warehouse.settings may not set {', '.join(fixed)}: modelwatch pins it "
                "(windows are UTC; warehouse_dir and metastore name the locations)"
            )
        values = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in settings.items()}
        env["MODELWATCH_SPARK_SETTINGS"] = json.dumps(values, sort_keys=True)
    return env


# settings the Spark session always has (warehouse.spark_settings adds the locations)
SPARK_FIXED_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.warehouse.dir": None,
    "javax.jdo.option.ConnectionURL": None,
    "spark.hadoop.javax.jdo.option.ConnectionURL": None,
}


WAREHOUSE_TYPES: dict[str, tuple[frozenset[str], Any]] = {
    "duckdb": (frozenset({"path", "memory_limit", "threads", "exact_threads"}), _duckdb_env),
    "postgres": (frozenset({"host", "port", "user", "dbname", "password_env"}), _postgres_env),
    "spark": (frozenset({"warehouse_dir", "metastore", "settings", "threads"}), _spark_env),
}
_COMMON_KEYS = frozenset({"type", "schema"})


def _whole(value: Any, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def warehouse_errors(config: dict[str, Any]) -> tuple[Warehouse | None, list[str]]:
    """The warehouse the config names and every problem with its `warehouse` section."""
    errors: list[str] = []
    spec = config.get("warehouse")
    if spec is None:
        spec = {"type": "duckdb", "path": "warehouse.duckdb"}
    if not isinstance(spec, dict):
        return None, [
            f"warehouse must be a mapping like {{type: duckdb, path: warehouse.duckdb}}, "
            f"got {identifiers.printable(spec)}"
        ]
    kind = spec.get("type", "duckdb")
    if kind not in WAREHOUSE_TYPES:
        *others, last = WAREHOUSE_TYPES
        return None, [
            f"warehouse.type must be {', '.join(others)} or {last}, "
            f"got {identifiers.printable(kind)}"
        ]
    known, to_env = WAREHOUSE_TYPES[kind]
    for key in spec:
        if key not in known | _COMMON_KEYS:
            errors.append(
                f"unknown key {identifiers.printable(key)} in warehouse (type {kind}); "
                f"known keys: {', '.join(sorted(known | _COMMON_KEYS))}"
            )
    schema = spec.get("schema", "modelwatch")
    problem = identifiers.name_problem(schema, kind="schema")
    if problem is not None:
        errors.append(f"warehouse.schema {identifiers.printable(schema)} {problem}")
        schema = "modelwatch"
    env = {"MODELWATCH_TARGET": kind, "MODELWATCH_SCHEMA": schema, **to_env(spec, errors)}
    path = env.get("MODELWATCH_DUCKDB_PATH")
    warehouse = Warehouse(
        type=kind, env=env, duckdb_path=Path(path) if path else None, schema=schema
    )
    return warehouse, errors


def resolve_warehouse(config: dict[str, Any]) -> Warehouse:
    """Map config.warehouse onto the environment variables profiles.yml reads."""
    warehouse, errors = warehouse_errors(config)
    if errors or warehouse is None:
        raise ConfigError("; ".join(errors))
    return warehouse
