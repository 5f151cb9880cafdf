"""The alert summary printed after a run: what fired, how often, and the worst rows."""

from __future__ import annotations

from typing import Any

from modelwatch import identifiers
from modelwatch.config import Warehouse
from modelwatch.runner import RunOutcome
from modelwatch.warehouse import query

# stored-failure columns that describe the breach rather than name its subject
_NOT_SUBJECT = (
    "check_name",
    "severity",
    "observed_value",
    "threshold",
    "threshold_kind",
    "consecutive_windows",
    "runbook_url",
    "evidence",
)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def evidence_rows(warehouse: Warehouse, relation: str, limit: int = 3) -> list[dict[str, Any]]:
    """The most severe stored failing rows of one alert test."""
    try:
        columns, rows = query(
            warehouse,
            f"select * from {relation} order by observed_value desc limit {int(limit)}",
        )
    except Exception:  # noqa: BLE001 - evidence is best effort; the alert itself stands
        try:
            columns, rows = query(warehouse, f"select * from {relation} limit {int(limit)}")
        except Exception:  # noqa: BLE001
            return []
    return [dict(zip(columns, row, strict=True)) for row in rows]


def render(outcome: RunOutcome, warehouse: Warehouse, examples: int = 3) -> str:
    """A plain-text summary for terminals and scheduler logs."""
    lines: list[str] = []
    if not outcome.build_ok:
        lines.append("modelwatch: the build FAILED")
        lines += [f"  {error}" for error in outcome.build_errors]
        return "\n".join(identifiers.terminal_safe(line) for line in lines)
    errors = [a for a in outcome.alerts if a.severity == "error"]
    warns = [a for a in outcome.alerts if a.severity == "warn"]
    lines.append(
        f"modelwatch: {outcome.alert_tests_run} alert checks evaluated, "
        f"{len(errors)} at error level, {len(warns)} at warn level"
    )
    for alert in sorted(outcome.alerts, key=lambda a: (a.severity != "error", a.test_name)):
        lines.append(f"  {alert.severity.upper():5} {alert.test_name}: {alert.failures} rows")
        if alert.relation:
            for row in evidence_rows(warehouse, alert.relation, examples):
                subject = ", ".join(
                    _format_value(v) for k, v in row.items() if k not in _NOT_SUBJECT
                )
                observed = _format_value(row.get("observed_value"))
                threshold = _format_value(row.get("threshold"))
                held = row.get("consecutive_windows")
                streak = f", {held} windows in a row" if held and held > 1 else ""
                lines.append(f"        {subject}: {observed} (threshold {threshold}{streak})")
            lines.append(f"        stored failures: {alert.relation}")
    if not outcome.alerts:
        lines.append("  no alerts")
    # names and values come from the user's data: never print their control characters raw
    return "\n".join(identifiers.terminal_safe(line) for line in lines)
