"""The dbt docs are complete: every model and every column of its built relation is described.

Checked on the demo built once on DuckDB, against dbt's manifest.json of that build. Columns
named by the user's config (features, protected attributes, slices, multiclass probability
columns) are not listed in the YAML;
the model description must instead say that such columns are there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from modelwatch.config_schema import render_reference, replace_reference
from modelwatch.demo import demo_config

PACKAGE = "modelwatch"
SCHEMA = "modelwatch"
EXPOSURES = {"modelwatch_report", "modelwatch_alert_feed"}


def configured_columns(config: dict[str, Any]) -> dict[str, set[str]]:
    """Column name -> the kinds of configured column it is (feature, attribute, slice)."""
    kinds: dict[str, set[str]] = {}
    for model in config.get("models", []):
        features = model.get("features", {})
        named = {
            "feature": [*features.get("numeric", []), *features.get("categorical", [])],
            "attribute": model.get("protected_attributes", []),
            "slice": model.get("slices", []),
            "probability": list(model.get("probability_columns", {}).values()),
        }
        for kind, columns in named.items():
            for column in columns:
                kinds.setdefault(column.lower(), set()).add(kind)
    return kinds


def model_nodes(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Enabled model nodes of this package by name (disabled models sit under `disabled`)."""
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == PACKAGE
    }


def undocumented(
    manifest: dict[str, Any],
    relation_columns: dict[str, list[str]],
    configured: dict[str, set[str]],
) -> list[str]:
    """Every documentation gap, as readable lines (empty when the docs are complete).

    relation_columns maps each model name to the columns of its built relation.
    """
    problems = []
    for name, node in sorted(model_nodes(manifest).items()):
        description = (node.get("description") or "").strip()
        if not description:
            problems.append(f"model {name}: no description")
        # marts are built under their contract names (config alias)
        relation = node.get("alias") or name
        if relation not in relation_columns:
            problems.append(f"model {name}: no built relation in schema {SCHEMA}")
            continue
        documented = {
            column.lower(): (spec.get("description") or "").strip()
            for column, spec in node.get("columns", {}).items()
        }
        for column in relation_columns[relation]:
            column = column.lower()
            if re.fullmatch(r"mw_[0-9a-f]{16}", column):
                # a user column carried under its generated alias (modelwatch.identifiers): a
                # configured feature / attribute / slice, named in the staging model's docs
                continue
            if column in configured and column not in documented:
                if not any(kind in description.lower() for kind in configured[column]):
                    kinds = " / ".join(sorted(configured[column]))
                    problems.append(
                        f"model {name}: configured column {column} ({kinds}) "
                        "not mentioned in the model description"
                    )
            elif not documented.get(column):
                problems.append(f"model {name}: column {column} not documented")
        for column in sorted(set(documented) - {c.lower() for c in relation_columns[relation]}):
            problems.append(f"model {name}: documented column {column} is not in the relation")
    seeds = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "seed" and node["package_name"] == PACKAGE
    ]
    for node in seeds:
        if not (node.get("description") or "").strip():
            problems.append(f"seed {node['name']}: no description")
    exposures = {e["name"]: e for e in manifest.get("exposures", {}).values()}
    for name in sorted(EXPOSURES - set(exposures)):
        problems.append(f"exposure {name}: missing")
    for name, exposure in sorted(exposures.items()):
        if not (exposure.get("description") or "").strip():
            problems.append(f"exposure {name}: no description")
    return problems


def relation_columns_of(columns: pd.DataFrame) -> dict[str, list[str]]:
    """information_schema.columns rows -> model name -> columns in ordinal order."""
    ordered = columns.sort_values(["table_name", "ordinal_position"])
    return {table: list(group["column_name"]) for table, group in ordered.groupby("table_name")}


def test_every_model_and_column_is_documented(demo_built):
    manifest = json.loads(Path(demo_built.project.target_path, "manifest.json").read_text())
    assert model_nodes(manifest), "no modelwatch models in the manifest"
    columns = demo_built.df(
        f"select table_name, column_name, ordinal_position from information_schema.columns "
        f"where table_schema = '{SCHEMA}'"
    )
    problems = undocumented(
        manifest, relation_columns_of(columns), configured_columns(demo_config())
    )
    assert not problems, "\n".join(problems)


def small_manifest() -> dict[str, Any]:
    def model(name, description, columns):
        return {
            "resource_type": "model",
            "package_name": PACKAGE,
            "name": name,
            "description": description,
            "columns": {c: {"name": c, "description": d} for c, d in columns.items()},
        }

    return {
        "nodes": {
            "model.modelwatch.m": model(
                "m", "Rows with the configured feature columns.", {"a": "A.", "b": "B."}
            ),
            "seed.modelwatch.s": {
                "resource_type": "seed",
                "package_name": PACKAGE,
                "name": "s",
                "description": "A seed.",
            },
        },
        "exposures": {
            f"exposure.modelwatch.{name}": {"name": name, "description": "Reads the tables."}
            for name in EXPOSURES
        },
    }


def test_undocumented_finds_each_kind_of_gap():
    relations = {"m": ["a", "b", "income"]}
    configured = {"income": {"feature"}}
    assert undocumented(small_manifest(), relations, configured) == []

    manifest = small_manifest()
    manifest["nodes"]["model.modelwatch.m"]["description"] = " "
    assert undocumented(manifest, relations, configured) == [
        "model m: no description",
        "model m: configured column income (feature) not mentioned in the model description",
    ]

    manifest = small_manifest()
    manifest["nodes"]["model.modelwatch.m"]["columns"]["b"]["description"] = ""
    assert undocumented(manifest, {"m": ["a", "b", "c"]}, {}) == [
        "model m: column b not documented",
        "model m: column c not documented",
    ]

    assert undocumented(small_manifest(), {"m": ["a"]}, {}) == [
        "model m: documented column b is not in the relation"
    ]
    assert undocumented(small_manifest(), {}, {}) == [
        "model m: no built relation in schema modelwatch"
    ]

    manifest = small_manifest()
    manifest["nodes"]["seed.modelwatch.s"]["description"] = ""
    del manifest["exposures"]["exposure.modelwatch.modelwatch_alert_feed"]
    assert undocumented(manifest, relations, configured) == [
        "seed s: no description",
        "exposure modelwatch_alert_feed: missing",
    ]


def test_readme_config_reference_is_generated_from_the_schema():
    """Regenerate with `python -m modelwatch.config_schema --write README.md`."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert replace_reference(readme, render_reference()) == readme
