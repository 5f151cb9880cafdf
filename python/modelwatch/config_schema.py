"""The config schema, read from the dbt macro that holds it, and its generic validator.

macros/config/config_schema.sql keeps one YAML document describing every key of the
`modelwatch` var; get_config validates the var against it inside dbt (config_validate.sql) and
this module applies the same rules, with the same messages, before dbt starts: `modelwatch
validate` reports every problem the schema can judge at once, in well under a second. Rules
between keys (a model's task and its classes, intersections of protected attributes, checks)
are judged by dbt afterwards.

`python -m modelwatch.config_schema --write README.md` regenerates the README's config reference
from the schema (`--check README.md` exits 1 when it differs).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from modelwatch import identifiers

SCHEMA_FILE = Path("macros") / "config" / "config_schema.sql"
_YAML = re.compile(r"\{%-? set text -?%\}\n(.*?)\n\s*\{%-? endset -?%\}", re.S)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$")
BEGIN = "<!-- BEGIN config-reference: generated from macros/config/config_schema.sql -->"
END = "<!-- END config-reference -->"


def schema_path() -> Path:
    """The macro file: in MODELWATCH_PROJECT_DIR, the checkout, or the wheel's project copy."""
    from modelwatch.runner import PACKAGED_PROJECT

    package = Path(__file__).resolve().parent
    configured = os.environ.get("MODELWATCH_PROJECT_DIR")
    roots = [Path(configured)] if configured else []
    roots += [package.parent.parent, PACKAGED_PROJECT]
    for root in roots:
        if (root / SCHEMA_FILE).is_file():
            return root / SCHEMA_FILE
    raise FileNotFoundError(f"{SCHEMA_FILE} not found in {', '.join(map(str, roots))}")


@functools.cache
def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The YAML document inside `config_schema()`, parsed."""
    text = (path or schema_path()).read_text(encoding="utf-8")
    match = _YAML.search(text)
    if match is None:
        raise ValueError(f"{path}: no `set text` block in config_schema()")
    return yaml.safe_load(match.group(1))


def _shown(value: Any, quote: str = "'") -> str:
    return quote + _CONTROL.sub("?", str(value)) + quote


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_ok(node: dict[str, Any], value: Any) -> bool:
    kind = node["type"]
    if kind == "enum":
        return value in node["values"]
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "date":
        return _DATE.match(str(value)) is not None
    if not _is_number(value):
        return False
    if kind == "whole" and not (math.isfinite(value) and value == int(value)):
        return False
    low, high = node.get("min"), node.get("max")
    if low is not None and (value < low or (node.get("exclusive_min") and value == low)):
        return False
    return not (
        high is not None and (value > high or (node.get("exclusive_max") and value == high))
    )


def expected(node: dict[str, Any]) -> str:
    """What a key takes, for its message: "a whole number from 2 to 100", "warn or error"."""
    kind, low, high = node["type"], node.get("min"), node.get("max")
    if kind == "enum":
        shown = [str(v).lower() if isinstance(v, bool) else str(v) for v in node["values"]]
        text = ", ".join(shown[:-1]) + " or " + shown[-1]
    elif kind == "boolean":
        text = "true, false" if node.get("nullable") else "true or false"
    elif kind == "string":
        text = "a string"
    elif kind == "date":
        text = "a date like 2024-01-01"
    else:
        text = ("a whole number" if kind == "whole" else "a number") + (
            f" of {node['unit']}" if node.get("unit") else ""
        )
        if low is not None and high is not None and kind == "whole":
            text += f" from {low} to {high}"
        elif low is not None and high is not None:
            opening = "(" if node.get("exclusive_min") else "["
            closing = ")" if node.get("exclusive_max") else "]"
            text += f" in {opening}{low}, {high}{closing}"
        elif low is not None:
            text += (" > " if node.get("exclusive_min") else " >= ") + str(low)
    if node.get("nullable"):
        text += " or null"
    return text + (f" {node['hint']}" if node.get("hint") else "")


def _name_ok(name: Any, where: str, errors: list[str]) -> bool:
    problem = identifiers.name_problem(name)
    if problem is not None:
        errors.append(f"{where} {_shown(name)} {problem}; rename it (for a column: in a view)")
    return problem is None


def validate(node: dict[str, Any], value: Any, where: str, errors: list[str]) -> None:
    """Append every problem of `value` against schema `node` (messages as config_validate.sql)."""
    kind = node["type"]
    if kind == "mapping":
        if value is not None and not isinstance(value, dict):
            errors.append(
                f"'{where}' must be a mapping" + (f" {node['hint']}" if node.get("hint") else "")
            )
            value = {}
        keys = node["keys"]
        for key in value or {}:
            if key in keys:
                continue
            known = ", ".join(sorted(keys))
            if where:
                errors.append(f"unknown key '{key}' in '{where}'. Known keys: {known}")
            else:
                errors.append(f"unknown top-level key {_shown(key)}. Known keys: {known}")
        for key, child in keys.items():
            if child["type"] == "mapping" or key in (value or {}):
                validate(child, (value or {}).get(key), f"{where}.{key}" if where else key, errors)
        return
    if kind in ("any", "list") or (value is None and node.get("nullable")):
        return
    if kind == "names":
        if value is None:
            return
        if isinstance(value, str | dict) or not isinstance(value, list | tuple):
            errors.append(f"'{where}' must be a list of names")
            return
        for name in value:
            _name_ok(name, where, errors)
        return
    if kind == "name":
        _name_ok(value, where, errors)
        return
    if node.get("text_booleans") and value in ("true", "True", "false", "False"):
        return
    if not _value_ok(node, value):
        errors.append(f"{where} must be {expected(node)}, got {_shown(value)}")


def schema_errors(config: dict[str, Any], schema: dict[str, Any] | None = None) -> list[str]:
    """Every problem the schema can judge in a `modelwatch` config (no dbt needed)."""
    schema = schema or load_schema()
    errors: list[str] = []
    validate(schema, config, "", errors)
    models = config.get("models")
    if isinstance(models, list):
        item = schema["keys"]["models"]["items"]
        for model in models:
            # entries without a usable name are dbt's to report (with the rules between models)
            if isinstance(model, dict) and identifiers.name_problem(model.get("name")) is None:
                validate(item, model, f"models[{_shown(model['name'], quote='')}]", errors)
    return errors


# --------------------------------------------------------------------------------------------
# the README's config reference

COMMENT_COLUMN, WIDTH = 32, 100


def _flow(value: Any) -> str:
    """A value as YAML flow text: null, true, [a, b], {k: v}."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def _line(text: str, doc: str | None, out: list[str]) -> None:
    if not doc:
        out.append(text)
        return
    column = max(COMMENT_COLUMN, len(text) + 1)
    if column > COMMENT_COLUMN + 12:  # a long value: its doc on the lines below
        out.append(text)
        column, text = COMMENT_COLUMN, ""
    wrapped = textwrap.wrap(doc, width=WIDTH - column - 2)
    out.append(f"{text.ljust(column)}# {wrapped[0]}")
    out.extend(f"{' ' * column}# {rest}" for rest in wrapped[1:])


def _render(node: dict[str, Any], indent: int, out: list[str], first: str = "") -> None:
    """The keys of a mapping node, one line each (nested mappings indented)."""
    for index, (key, child) in enumerate(node["keys"].items()):
        pad = " " * indent
        if first and index == 0:
            pad = " " * (indent - 2) + first
        doc = child.get("doc")
        if "readme" in child:
            _line(f"{pad}{key}:", doc, out)
            out.extend(f"{' ' * (indent + 2)}{line}" for line in child["readme"].splitlines())
        elif child["type"] == "mapping":
            _line(f"{pad}{key}:", doc, out)
            _render(child, indent + 2, out)
        elif child["type"] == "list":
            _line(f"{pad}{key}:", doc, out)
            _render(child["items"], indent + 4, out, first="- ")
            more = child.get("readme_more", "")
            out.extend(f"{' ' * (indent + 2)}{line}" for line in more.splitlines())
        else:
            value = child["example"] if "example" in child else child.get("default")
            _line(f"{pad}{key}: {_flow(value)}", doc, out)


def render_reference(schema: dict[str, Any] | None = None) -> str:
    """The README block: every key with its default (or an example), and its doc line."""
    out = ["modelwatch:"]
    _render(schema or load_schema(), 2, out)
    return "\n".join([BEGIN, "```yaml", *out, "```", END])


def replace_reference(readme: str, block: str) -> str:
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    return readme[:start] + block + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelwatch.config_schema")
    parser.add_argument("--write", metavar="README", help="replace the README's generated block")
    parser.add_argument("--check", metavar="README", help="exit 1 when the block differs")
    args = parser.parse_args(argv)
    block = render_reference()
    if not (args.write or args.check):
        print(block)
        return 0
    path = Path(args.write or args.check)
    text = path.read_text(encoding="utf-8")
    updated = replace_reference(text, block)
    if args.check:
        if updated != text:
            print(
                f"{path}: the config reference differs from the schema; run --write",
                file=sys.stderr,
            )
            return 1
        return 0
    path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
