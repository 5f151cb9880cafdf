"""The check catalog, read from the same YAML the dbt macros read (macros/checks/catalog.sql).

The README's checks table and the alert tests in models/marts/alerts/_alerts__models.yml are
generated from it (python/tests/test_checks.py fails when they differ):
`python -m modelwatch.checks` rewrites the README table and prints the alert tests' YAML.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_MACRO = Path("macros") / "checks" / "catalog.sql"
_BLOCK = re.compile(r"^# BEGIN check catalog\n(.*?)^# END check catalog$", re.S | re.M)
README_BEGIN = "<!-- BEGIN checks table (generated from macros/checks/catalog.sql) -->"
README_END = "<!-- END checks table -->"
# the alert dimensions, in the order an alert test names its subject columns
_SUBJECT_ORDER = ("feature_name", "slice_key", "slice_value", "attribute_name")


def project_root() -> Path:
    """The dbt project holding the catalog: the checkout, else the wheel's copy."""
    package = Path(__file__).resolve().parent
    for root in (package.parent.parent, package / "dbt_project"):
        if (root / CATALOG_MACRO).is_file():
            return root
    raise FileNotFoundError(f"no {CATALOG_MACRO} next to {package}")


@lru_cache(maxsize=4)
def load_catalog(root: Path | None = None) -> dict[str, Any]:
    """{defaults, tables, checks} as the macro check_catalog() returns them."""
    text = ((root or project_root()) / CATALOG_MACRO).read_text(encoding="utf-8")
    match = _BLOCK.search(text)
    if match is None:
        raise ValueError(f"{CATALOG_MACRO} has no '# BEGIN check catalog' block")
    return yaml.safe_load(match.group(1))


def check(name: str, root: Path | None = None) -> dict[str, Any]:
    """One check with its table's shared settings and the defaults filled in."""
    catalog = load_catalog(root)
    entry = catalog["checks"][name]
    return {**catalog["defaults"], **catalog["tables"][entry["table"]], **entry, "name": name}


def check_names(root: Path | None = None) -> list[str]:
    return list(load_catalog(root)["checks"])


def _level(value: Any) -> str:
    return "off" if value is None else str(value)


def _defaults_cell(c: dict[str, Any]) -> str:
    if c["kind"] == "dynamic":
        return (
            f"**dynamic** by default: trailing {c['lookback_windows']} windows, "
            f"{c['warn_sigma']} / {c['error_sigma']} sd"
        )
    return f"{_level(c['warn'])} / {_level(c['error'])}"


def readme_table(root: Path | None = None) -> str:
    """The README's checks table, one row per check, in catalog order."""
    lines = [
        "| check | table.column | bad when | default warn / error | noise floor | job | feeds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in check_names(root):
        c = check(name, root)
        lines.append(
            f"| `{name}` | {c['doc']} | {c['direction']} | {_defaults_cell(c)} "
            f"| {c.get('noise_floor') or '—'} | {c['job']} | {c.get('recommendation') or '—'} |"
        )
    custom = load_catalog(root)["tables"]["custom_metrics"]
    lines.append(
        "| `custom_metric.<name>` | custom_metrics.metric_value (thresholds and direction in the "
        f"metric's entry) | above | off / off | — | {custom['job']} | — |"
    )
    return "\n".join(lines) + "\n"


def update_readme(path: Path) -> bool:
    """Rewrite the generated table between its markers; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    new = text[:start] + "\n" + readme_table() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def readme_table_in(text: str) -> str:
    start, end = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    return text[start:end].lstrip("\n")


def alert_tests(root: Path | None = None) -> list[dict[str, Any]]:
    """The `threshold` tests the alert_tests view carries: per check and level, named
    `<table>_<check>_<level>`, tagged with the check's job; custom metrics share one per level."""
    catalog = load_catalog(root)
    entries = [(name, name, check(name, root)) for name in check_names(root)]
    entries.append(("custom_metrics", "", {**catalog["tables"]["custom_metrics"]}))
    tests = []
    for check_arg, name, c in entries:
        dims = c["dims"]
        subject = ["model_name", *(["model_version"] if "model_version" in dims else [])]
        subject += ["window_start", *[d for d in _SUBJECT_ORDER if d in dims]]
        subject = c.get("test_subject_columns", subject)
        table = c.get("table", "custom_metrics")
        for level in ("warn", "error"):
            tests.append(
                {
                    "name": "_".join(part for part in (table, name, level) if part),
                    "arguments": {"check": check_arg, "level": level, "subject_columns": subject},
                    "config": {"tags": ["modelwatch_alert", f"modelwatch_job_{c['job']}"]},
                }
            )
    return tests


def alert_tests_yaml() -> str:
    """The alert tests as the YAML block of _alerts__models.yml (indented under data_tests)."""
    out = []
    for t in alert_tests():
        a = t["arguments"]
        out += [
            "      - threshold:",
            f"          name: {t['name']}",
            "          arguments:",
            f"            check: {a['check']}",
            f"            level: {a['level']}",
            f"            subject_columns: [{', '.join(a['subject_columns'])}]",
            "          config:",
            f"            tags: [{', '.join(t['config']['tags'])}]",
        ]
    return "\n".join(out) + "\n"


def main() -> None:
    readme = project_root() / "README.md"
    print(f"{readme}: {'updated' if update_readme(readme) else 'up to date'}", file=sys.stderr)
    sys.stdout.write(alert_tests_yaml())


if __name__ == "__main__":
    main()
