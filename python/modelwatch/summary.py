"""The summary printed after a run: the open incidents in plain words (what, which model and
subject, since when, how bad, the recommended action, the runbook), then the next commands.

It reads alert_incidents; a run that built none (a `--jobs` run on an old warehouse) falls back to
the alert tests that fired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from modelwatch import identifiers
from modelwatch.config import Warehouse
from modelwatch.runner import RunOutcome
from modelwatch.warehouse import query

# open incidents listed one by one; the rest are counted (`modelwatch alerts` lists them all)
MAX_LISTED = 12
ACTIONS = {
    "retrain": "retrain the model (fresh labels cover the window)",
    "recalibrate": "recalibrate: refit the calibrator, ranking still holds",
    "wait_for_labels": "wait for labels before retraining",
    "investigate": "investigate the input pipeline (looks like a bug)",
    "none": "no model action; check the runbook",
}


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)


def read_incidents(warehouse: Warehouse) -> list[dict[str, Any]] | None:
    """Every incident, open first and worst first; None when the table is not built."""
    try:
        columns, rows = query(
            warehouse,
            f"select * from {identifiers.relation(warehouse.schema, 'alert_incidents')} "
            "order by case when status = 'open' then 0 else 1 end, "
            "case when current_severity = 'error' then 0 else 1 end, "
            "opened_window_start, model_name, check_name, subject",
        )
    except Exception:  # noqa: BLE001 - no incidents table: the caller falls back
        return None
    return [dict(zip(columns, row, strict=True)) for row in rows]


def describe(incident: dict[str, Any]) -> list[str]:
    """One open incident in plain words, as two or three lines."""
    what = incident.get("check_description") or incident.get("check_name")
    windows = incident.get("windows_breached")
    head = (
        f"  {str(incident.get('current_severity')).upper():5} {incident.get('model_name')}: "
        f"{what} - {incident.get('check_name')} on {incident.get('subject')}"
    )
    how_bad = (
        f"        since {_fmt(incident.get('opened_window_start'))} "
        f"({windows} window{'' if windows == 1 else 's'} breached, last "
        f"{_fmt(incident.get('last_breach_window_start'))}): latest "
        f"{_fmt(incident.get('latest_observed_value'))} against "
        f"{_fmt(incident.get('latest_threshold'))}, "
        f"peak {_fmt(incident.get('peak_observed_value'))}"
    )
    action = incident.get("recommendation")
    todo = f"        do: {ACTIONS.get(str(action), action) if action else 'see the runbook'}"
    todo += f" · runbook: {incident.get('runbook_url') or 'none configured'}"
    return [head, how_bad, todo]


def render(
    outcome: RunOutcome,
    warehouse: Warehouse,
    next_commands: list[tuple[str, str]] | None = None,
) -> str:
    """A plain-text summary for terminals and scheduler logs."""
    lines: list[str] = []
    if not outcome.build_ok:
        lines.append("modelwatch: the build FAILED")
        lines += [f"  {error}" for error in outcome.build_errors]
        return "\n".join(identifiers.terminal_safe(line) for line in lines)
    incidents = read_incidents(warehouse)
    if incidents is None:
        lines += _render_alert_tests(outcome)
    else:
        open_ = [i for i in incidents if i.get("status") == "open"]
        errors = sum(i.get("current_severity") == "error" for i in open_)
        lines.append(
            f"modelwatch: {len(open_)} open incident(s) ({errors} at error, "
            f"{len(open_) - errors} at warn), {len(incidents) - len(open_)} resolved; "
            f"{outcome.alert_tests_run} alert checks evaluated"
        )
        for incident in open_[:MAX_LISTED]:
            lines += describe(incident)
        if len(open_) > MAX_LISTED:
            lines.append(f"  ... and {len(open_) - MAX_LISTED} more open incident(s)")
        if not open_:
            lines.append("  no open incidents")
    if next_commands:
        lines.append("Next:")
        width = max(len(command) for command, _ in next_commands)
        lines += [f"  {command.ljust(width)}  # {why}" for command, why in next_commands]
    # names and values come from the user's data: never print their control characters raw
    return "\n".join(identifiers.terminal_safe(line) for line in lines)


def _render_alert_tests(outcome: RunOutcome) -> list[str]:
    errors = [a for a in outcome.alerts if a.severity == "error"]
    warns = [a for a in outcome.alerts if a.severity == "warn"]
    lines = [
        f"modelwatch: {outcome.alert_tests_run} alert checks evaluated, "
        f"{len(errors)} at error level, {len(warns)} at warn level"
    ]
    for alert in sorted(outcome.alerts, key=lambda a: (a.severity != "error", a.test_name)):
        lines.append(f"  {alert.severity.upper():5} {alert.test_name}: {alert.failures} rows")
    if not outcome.alerts:
        lines.append("  no alerts")
    return lines
