"""What is said about an incident event (elementary's `messages/formats`): Slack mrkdwn text,
the JSON payload (Slack's `text` plus a structured `modelwatch` object for other receivers)
and the plain-text table `modelwatch alerts` prints. Every value from the warehouse is
escaped for where it goes.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from modelwatch import __version__, identifiers


def plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, decimals floats, timestamps ISO strings."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _evidence(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def incident_record(incident: Mapping[str, Any]) -> dict[str, Any]:
    """The incident as plain JSON values (evidence parsed from its JSON text)."""
    record = {
        key: plain(value)
        for key, value in incident.items()
        if key not in ("events", "deliveries", "pending_events")
    }
    if "evidence" in record:
        record["evidence"] = _evidence(record["evidence"])
    return record


def slack_escape(text: Any) -> str:
    """Slack's escaping for message text: &, < and > only (so no <!channel>, no fake links)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str | None, label: str) -> str | None:
    """`<url|label>` for an http(s) URL; None otherwise. `|` and spaces are percent-encoded."""
    if not url or urllib.parse.urlsplit(str(url)).scheme not in ("http", "https"):
        return None
    safe = str(url).strip().replace("|", "%7C").replace(" ", "%20")
    return f"<{slack_escape(safe)}|{slack_escape(label)}>"


def _code(text: Any) -> str:
    # inline code cannot contain a backtick; show it as a quote instead
    return "`" + slack_escape(str(text).replace("`", "'")) + "`"


def _fmt(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _plural(count: Any, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _window(value: Any) -> str:
    if isinstance(value, datetime) and value.hour == value.minute == value.second == 0:
        return value.date().isoformat()
    return _fmt(value)


def slack_text(message: Mapping[str, Any], dashboard_url: str | None = None) -> str:
    """One incident event as Slack mrkdwn; every value from the warehouse is escaped."""
    incident = message["incident"]
    event = message["event"]
    severity = str(incident.get("current_severity") or "warn")
    if event == "resolved":
        icon, level = ":white_check_mark:", "RESOLVED"
    elif event == "escalated":
        icon, level = ":rotating_light:", "ESCALATED to ERROR"
    else:
        icon = ":rotating_light:" if incident.get("opened_severity") == "error" else ":warning:"
        level = f"{str(incident.get('opened_severity') or severity).upper()}"
    what = incident.get("check_description") or incident.get("check_name")
    head = (
        f"{icon} *{slack_escape(level)}* modelwatch: *{slack_escape(incident.get('model_name'))}*"
        f" {slack_escape(what)}: {_code(incident.get('check_name'))} on "
        f"{_code(incident.get('subject'))}"
    )
    since = f"Since window {slack_escape(_window(incident.get('opened_window_start')))} (UTC)"
    since += f", last breached {slack_escape(_window(incident.get('last_breach_window_start')))}"
    since += f" · {slack_escape(_plural(incident.get('windows_breached'), 'window'))} breached"
    if incident.get("check_category"):
        since += f" · {slack_escape(incident['check_category'])}"
    if event == "resolved":
        since += (
            f" · resolved in window {slack_escape(_window(incident.get('resolved_window_start')))}"
        )
    values = f"Latest *{slack_escape(_fmt(incident.get('latest_observed_value')))}* vs threshold "
    values += slack_escape(_fmt(incident.get("latest_threshold")))
    if incident.get("threshold_kind"):
        values += f" ({slack_escape(incident['threshold_kind'])})"
    values += f" · peak {slack_escape(_fmt(incident.get('peak_observed_value')))}"
    values += f" ({slack_escape(incident.get('peak_severity'))})"
    lines = [head, since, values]
    if incident.get("recommendation") and event != "resolved":
        lines.append(f"Recommended action: *{slack_escape(incident['recommendation'])}*")
    links = [slack_link(incident.get("runbook_url"), "runbook") or "no runbook configured"]
    dashboard = slack_link(dashboard_url, "dashboard")
    if dashboard:
        links.append(dashboard)
    lines.append(" · ".join(links) + f" · incident `{slack_escape(incident.get('incident_id'))}`")
    return "\n".join(lines)


def build_payload(message: Mapping[str, Any], dashboard_url: str | None = None) -> dict[str, Any]:
    """The JSON body: Slack's `text`, plus the event and every incident field under
    `modelwatch` for other receivers (Slack ignores it)."""
    record = incident_record(message["incident"])
    return {
        "text": slack_text(message, dashboard_url),
        "modelwatch": {
            "event": message["event"],
            "message_id": message["message_id"],
            "incident_id": record.get("incident_id"),
            "incident": record,
            "dashboard_url": dashboard_url,
            "sent_by": f"modelwatch {__version__}",
        },
    }


def render_table(incidents: list[dict[str, Any]], show_delivery: bool = False) -> str:
    """A plain-text table, one incident a line."""
    headers = ["status", "severity", "model", "check", "subject", "since", "last", "windows"]
    headers += ["latest", "peak", "action", "new events" if not show_delivery else "events"]
    lines = []
    for incident in incidents:
        if show_delivery:
            events = ",".join(
                f"{event}:{incident['deliveries'][event]['status']}" for event in incident["events"]
            )
        else:
            events = ",".join(incident["pending_events"])
        cells = [
            str(incident.get("status")),
            str(incident.get("current_severity")),
            str(incident.get("model_name")),
            str(incident.get("check_name")),
            str(incident.get("subject")),
            _window(incident.get("opened_window_start")),
            _window(incident.get("last_breach_window_start")),
            _fmt(incident.get("windows_breached")),
            _fmt(incident.get("latest_observed_value")),
            _fmt(incident.get("peak_observed_value")),
            str(incident.get("recommendation") or "-"),
            events or "-",
        ]
        # names and values come from the user's data: never print their control characters raw
        lines.append([identifiers.terminal_safe(cell) for cell in cells])
    widths = [max([len(h)] + [len(r[i]) for r in lines]) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines])
