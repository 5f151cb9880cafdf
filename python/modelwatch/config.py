"""Loading the user's config file and turning its warehouse section into a dbt target.

The file's top-level key is `modelwatch`; its content is passed to dbt unchanged as the
`modelwatch` var, where macros/config/get_config.sql validates every key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


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
        document = yaml.safe_load(file.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {file} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or "modelwatch" not in document:
        raise ConfigError(f"config file {file} must have a top-level key 'modelwatch'")
    config = document["modelwatch"]
    if not isinstance(config, dict):
        raise ConfigError(f"'modelwatch' in {file} must be a mapping")
    warehouse = config.get("warehouse") or {}
    path_value = warehouse.get("path")
    if path_value and not Path(path_value).is_absolute():
        # relative warehouse paths are relative to the config file, wherever modelwatch runs
        warehouse = {**warehouse, "path": str((file.parent / path_value).resolve())}
        config = {**config, "warehouse": warehouse}
    return config


def resolve_warehouse(config: dict[str, Any]) -> Warehouse:
    """Map config.warehouse onto the environment variables profiles.yml reads."""
    spec = config.get("warehouse") or {"type": "duckdb", "path": "warehouse.duckdb"}
    if not isinstance(spec, dict):
        raise ConfigError("warehouse must be a mapping like {type: duckdb, path: warehouse.duckdb}")
    kind = spec.get("type", "duckdb")
    schema = str(spec.get("schema", "modelwatch"))
    env = {"MODELWATCH_TARGET": kind, "MODELWATCH_SCHEMA": schema}
    if kind == "duckdb":
        path = Path(spec.get("path", "warehouse.duckdb")).resolve()
        env["MODELWATCH_DUCKDB_PATH"] = str(path)
        if spec.get("memory_limit"):
            env["MODELWATCH_DUCKDB_MEMORY_LIMIT"] = str(spec["memory_limit"])
        return Warehouse(type=kind, env=env, duckdb_path=path, schema=schema)
    if kind == "postgres":
        keys = {
            "host": "MODELWATCH_PG_HOST",
            "port": "MODELWATCH_PG_PORT",
            "user": "MODELWATCH_PG_USER",
            "dbname": "MODELWATCH_PG_DATABASE",
        }
        for key, var in keys.items():
            if key in spec:
                env[var] = str(spec[key])
        # never put a password in a config file: name the environment variable holding it
        password_env = spec.get("password_env")
        if password_env:
            if password_env not in os.environ:
                raise ConfigError(f"warehouse.password_env names {password_env}, which is not set")
            env["MODELWATCH_PG_PASSWORD"] = os.environ[password_env]
        return Warehouse(type=kind, env=env, schema=schema)
    raise ConfigError(f"warehouse.type must be duckdb or postgres, got '{kind}'")
