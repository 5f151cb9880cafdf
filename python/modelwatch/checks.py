"""The check catalog and the quarantine reasons, read from the same YAML the dbt macros read
(macros/checks/catalog.sql, macros/quality/quarantine_reasons.sql).

Generated from them (python/tests/test_checks.py fails when they differ): the README's checks
table, the alert tests in models/marts/alerts/_alerts__models.yml and the seed
modelwatch__quarantine_reasons. `python -m modelwatch.checks` rewrites the README table and the
seed and prints the alert tests' YAML.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_MACRO = Path("macros") / "checks" / "catalog.sql"
QUARANTINE_MACRO = Path("macros") / "quality" / "quarantine_reasons.sql"
QUARANTINE_SEED = Path("seeds") / "modelwatch__quarantine_reasons.csv"
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


def _yaml_block(path: Path, title: str) -> Any:
    """The YAML between `# BEGIN <title>` and `# END <title>` of a macro file."""
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^# BEGIN {title}\n(.*?)^# END {title}$", text, re.S | re.M)
    if match is None:
        raise ValueError(f"{path} has no '# BEGIN {title}' block")
    return yaml.safe_load(match.group(1))


@lru_cache(maxsize=4)
def load_catalog(root: Path | None = None) -> dict[str, Any]:
    """{defaults, tables, checks} as the macro check_catalog() returns them."""
    return _yaml_block((root or project_root()) / CATALOG_MACRO, "check catalog")


def quarantine_reasons(
    input_name: str | None = None, task: str | None = None, root: Path | None = None
) -> list[dict[str, Any]]:
    """[{input_name, reason, tasks, description}] in order, as quarantine_reason_catalog()
    holds them; optionally of one input and one model task."""
    listed = _yaml_block((root or project_root()) / QUARANTINE_MACRO, "quarantine reasons")
    return [
        {"input_name": name, **entry}
        for name, entries in listed.items()
        for entry in entries
        if (input_name in (None, name)) and (task is None or task in entry["tasks"])
    ]


def quarantine_seed_csv(root: Path | None = None) -> str:
    """The seed modelwatch__quarantine_reasons, generated from the list."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["input_name", "quarantine_reason", "tasks", "description"])
    for r in quarantine_reasons(root=root):
        writer.writerow([r["input_name"], r["reason"], " ".join(r["tasks"]), r["description"]])
    return out.getvalue()


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
    seed = project_root() / QUARANTINE_SEED
    text = quarantine_seed_csv()
    changed = seed.read_text(encoding="utf-8") != text
    if changed:
        seed.write_text(text, encoding="utf-8")
    print(f"{seed}: {'updated' if changed else 'up to date'}", file=sys.stderr)
    sys.stdout.write(alert_tests_yaml())


if __name__ == "__main__":
    main()
