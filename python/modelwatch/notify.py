"""Incident notifications: one message per incident event (opened, escalated, resolved),
never one per window, each posted to a webhook exactly once.

`<schema>.alert_incidents` (built by dbt, rewritten on every build) holds one row per incident
- a run of breaching windows of one (model, check, subject) - with a stable `incident_id`. Its
events: `opened` (always), `escalated` (opened at warn, later at error) and `resolved` (more
than alerts.incident_gap_windows quiet windows after its last breach; alerts.notify_resolved).
`<schema>.incident_deliveries` is the delivery ledger this module owns (dbt never manages it,
so `dbt build --full-refresh` leaves it alone):

    (incident_id, event) primary key, status (delivered | failed), attempts (all runs),
    first_attempt_at, last_attempt_at, delivered_at, last_error, http_status

An event is *new* until the ledger holds a `delivered` row for it. Each is posted as one JSON
message (Slack-compatible `text` plus a structured `modelwatch` object), retried on connection
errors, timeouts, 429 and 5xx with exponential backoff, and recorded in the ledger as soon as its
own delivery ends, so a crash mid-batch never resends what was already delivered.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import math
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from modelwatch import __version__, identifiers
from modelwatch.config import ConfigError, Warehouse
from modelwatch.runlock import warehouse_lock
from modelwatch.warehouse import Connection

SEVERITY_RANK = {"warn": 1, "error": 2}
LEDGER_TABLE = "incident_deliveries"
INCIDENTS_TABLE = "alert_incidents"
# the events of an incident, in the order they happen
EVENTS = ("opened", "escalated", "resolved")
EVENT_WINDOW = {
    "opened": "opened_window_start",
    "escalated": "escalated_window_start",
    "resolved": "resolved_window_start",
}
WEBHOOK_ENV = "MODELWATCH_WEBHOOK_URL"
# Retry-After is honoured up to this many seconds; a longer wait ends the message's attempts.
MAX_RETRY_AFTER_SECONDS = 60.0
# After this many messages in a row fail every attempt the run stops: the endpoint is down, and
# the rest wait (still new) for the next run instead of costing minutes of retries.
MAX_CONSECUTIVE_FAILED_MESSAGES = 3
_MAX_ERROR_CHARS = 500


class NotifyError(RuntimeError):
    """Notifications cannot run (no incidents table, ledger locked, ...): an actionable message."""


@dataclass
class NotifySettings:
    """The `alerts:` section of the config, validated (environment override applied)."""

    webhook_url: str | None = None
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    timeout_seconds: float = 10.0
    min_severity: str = "warn"
    dashboard_url: str | None = None
    notify_resolved: bool = True
    webhook_url_source: str = "config"
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


def _number(section: Mapping[str, Any], key: str, default: float, minimum: float) -> float:
    value = section.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigError(f"alerts.{key} must be a number >= {minimum:g}, got {value!r}")
    return float(value)


def _check_url(url: Any, where: str) -> str | None:
    if url is None or url == "":
        return None
    if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{where} must be an http:// or https:// URL, got {url!r}")
    if not urllib.parse.urlsplit(url).netloc:
        raise ConfigError(f"{where} must name a host, got {url!r}")
    return url


def settings_from_config(
    config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> NotifySettings:
    """Validate `alerts:`; MODELWATCH_WEBHOOK_URL, when set, replaces alerts.webhook_url."""
    environ = os.environ if environ is None else environ
    section = config.get("alerts") or {}
    if not isinstance(section, Mapping):
        raise ConfigError("'alerts' must be a mapping")
    attempts = section.get("webhook_max_attempts", 3)
    if attempts is None:
        attempts = 3
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ConfigError(
            f"alerts.webhook_max_attempts must be a whole number >= 1, got {attempts!r}"
        )
    min_severity = section.get("notify_min_severity") or "warn"
    if min_severity not in SEVERITY_RANK:
        raise ConfigError(f"alerts.notify_min_severity must be warn or error, got {min_severity!r}")
    timeout = _number(section, "webhook_timeout_seconds", 10.0, 0.001)
    notify_resolved = section.get("notify_resolved", True)
    if notify_resolved is None:
        notify_resolved = True
    if not isinstance(notify_resolved, bool):
        raise ConfigError(f"alerts.notify_resolved must be true or false, got {notify_resolved!r}")
    backoff = _number(section, "webhook_backoff_seconds", 1.0, 0.0)
    url, source = section.get("webhook_url"), "config"
    if environ.get(WEBHOOK_ENV):
        url, source = environ[WEBHOOK_ENV], WEBHOOK_ENV
    where = WEBHOOK_ENV if source == WEBHOOK_ENV else "alerts.webhook_url"
    return NotifySettings(
        webhook_url=_check_url(url, where),
        max_attempts=attempts,
        backoff_seconds=backoff,
        timeout_seconds=timeout,
        min_severity=min_severity,
        dashboard_url=_check_url(section.get("dashboard_url"), "alerts.dashboard_url"),
        notify_resolved=notify_resolved,
        webhook_url_source=source,
    )


# ---------------------------------------------------------------------------------------------
# Reading incidents and the ledger


def _relation(schema: str, table: str) -> str:
    identifiers.check(schema, "warehouse.schema", kind="schema")
    return identifiers.relation(schema, table)


def _table_exists(con: Connection, schema: str, table: str) -> bool:
    return table.lower() in con.table_names(schema)


def ensure_ledger(con: Connection, schema: str) -> None:
    """Create the ledger if it is missing (never dropped or rewritten by modelwatch or dbt)."""
    if con.type == "spark":
        # parquet: no varchar without a length, no keys (_record keeps one row per key);
        # timestamps without time zone, as written
        con.execute(
            f"create table if not exists {_relation(schema, LEDGER_TABLE)} ("
            "incident_id string not null, event string not null, status string not null, "
            "attempts integer not null, http_status integer, last_error string, "
            "first_attempt_at timestamp_ntz, last_attempt_at timestamp_ntz, "
            "delivered_at timestamp_ntz) using parquet"
        )
        return
    con.execute(
        f"create table if not exists {_relation(schema, LEDGER_TABLE)} ("
        "incident_id varchar not null, "
        "event varchar not null, "
        "status varchar not null, "
        "attempts integer not null, "
        "http_status integer, "
        "last_error varchar, "
        "first_attempt_at timestamp, "
        "last_attempt_at timestamp, "
        "delivered_at timestamp, "
        "primary key (incident_id, event))"
    )


def _plain(value: Any) -> Any:
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


def _rank(severity: Any) -> int:
    return SEVERITY_RANK.get(str(severity), 0)


def incident_events(
    incident: Mapping[str, Any], min_severity: str = "warn", notify_resolved: bool = True
) -> list[str]:
    """The events of one incident that are announced, in order: `opened` when it opened at or
    above min_severity, `escalated` when it went from warn to error, `resolved` when it is
    resolved (notify_resolved) and reached min_severity."""
    floor = SEVERITY_RANK[min_severity]
    events = []
    if _rank(incident.get("opened_severity")) >= floor:
        events.append("opened")
    if incident.get("escalated_window_start") is not None:
        events.append("escalated")
    if (
        notify_resolved
        and incident.get("status") == "resolved"
        and _rank(incident.get("peak_severity")) >= floor
    ):
        events.append("resolved")
    return events


def message_id(incident_id: Any, event: str) -> str:
    return f"{incident_id}:{event}"


def load_incidents(
    con: Connection,
    schema: str,
    *,
    model: str | None = None,
    min_severity: str = "warn",
    notify_resolved: bool = True,
) -> list[dict[str, Any]]:
    """Incidents that reached min_severity, open first and worst first, each with its
    announced `events` and their delivery state (`deliveries`: {event: {status, attempts,
    error}}, status pending | failed | delivered) and `pending_events` (not yet delivered)."""
    if not _table_exists(con, schema, INCIDENTS_TABLE):
        raise NotifyError(
            f"table {schema}.{INCIDENTS_TABLE} not found: build the project first "
            "(`modelwatch run --config FILE`)"
        )
    columns, rows = con.execute(f"select * from {_relation(schema, INCIDENTS_TABLE)}")
    ledger: dict[tuple[str, str], tuple[Any, ...]] = {}
    if _table_exists(con, schema, LEDGER_TABLE):
        _, ledger_rows = con.execute(
            "select incident_id, event, status, attempts, last_error "
            f"from {_relation(schema, LEDGER_TABLE)}"
        )
        ledger = {(row[0], row[1]): row for row in ledger_rows}
    floor = SEVERITY_RANK[min_severity]
    incidents = []
    for row in rows:
        incident = dict(zip(columns, row, strict=True))
        if _rank(incident.get("peak_severity")) < floor:
            continue
        if model is not None and incident.get("model_name") != model:
            continue
        events = incident_events(incident, min_severity, notify_resolved)
        deliveries = {}
        for event in events:
            entry = ledger.get((str(incident["incident_id"]), event))
            deliveries[event] = {
                "status": entry[2] if entry else "pending",
                "attempts": entry[3] if entry else 0,
                "error": entry[4] if entry else None,
            }
        incident["events"] = events
        incident["deliveries"] = deliveries
        incident["pending_events"] = [e for e in events if deliveries[e]["status"] != "delivered"]
        incidents.append(incident)
    incidents.sort(
        key=lambda i: (
            i.get("status") != "open",
            -_rank(i.get("current_severity")),
            str(i.get("opened_window_start")),
            str(i.get("model_name")),
            str(i.get("check_name")),
            str(i.get("subject")),
        )
    )
    return incidents


def pending_messages(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One message per undelivered event, in the order the events happened."""
    messages = []
    for incident in incidents:
        for event in incident["pending_events"]:
            messages.append(
                {
                    "message_id": message_id(incident["incident_id"], event),
                    "event": event,
                    "event_window_start": incident.get(EVENT_WINDOW[event]),
                    "incident": incident,
                }
            )
    messages.sort(
        key=lambda m: (
            str(m["event_window_start"]),
            EVENTS.index(m["event"]),
            str(m["incident"].get("model_name")),
            str(m["incident"].get("check_name")),
            str(m["incident"].get("subject")),
        )
    )
    return messages


def incident_record(incident: Mapping[str, Any]) -> dict[str, Any]:
    """The incident as plain JSON values (evidence parsed from its JSON text)."""
    record = {
        key: _plain(value)
        for key, value in incident.items()
        if key not in ("events", "deliveries", "pending_events")
    }
    if "evidence" in record:
        record["evidence"] = _evidence(record["evidence"])
    return record


# ---------------------------------------------------------------------------------------------
# The message


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
    value = _plain(value)
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _plural(count: Any, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


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


# ---------------------------------------------------------------------------------------------
# Posting


@dataclass
class Delivery:
    message_id: str
    ok: bool
    attempts: int
    http_status: int | None = None
    error: str | None = None
    first_attempt_at: datetime | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body: treat 3xx as an error
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def post_message(settings: NotifySettings, message_id: str, payload: dict[str, Any]) -> Delivery:
    """POST one message; retry connection errors, timeouts, 429 and 5xx (never other 4xx/3xx)."""
    assert settings.webhook_url
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"modelwatch/{__version__}",
        "Idempotency-Key": str(message_id),
    }
    delivery = Delivery(message_id=message_id, ok=False, attempts=0, first_attempt_at=_utcnow())
    for attempt in range(1, settings.max_attempts + 1):
        delivery.attempts = attempt
        wait = settings.backoff_seconds * 2 ** (attempt - 1)
        retryable = True
        request = urllib.request.Request(settings.webhook_url, data=body, headers=headers)
        try:
            with _OPENER.open(request, timeout=settings.timeout_seconds) as response:
                response.read(65536)
                delivery.ok, delivery.http_status, delivery.error = True, response.status, None
                return delivery
        except urllib.error.HTTPError as exc:
            detail = ""
            with contextlib.suppress(Exception):  # the status is the error; the body a bonus
                detail = exc.read(300).decode("utf-8", "replace").strip()
            delivery.http_status = exc.code
            delivery.error = f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
            retryable = exc.code == 429 or exc.code >= 500
            retry_after = _retry_after(exc.headers) if retryable else None
            if retry_after is not None:
                if retry_after > MAX_RETRY_AFTER_SECONDS:
                    delivery.error += f" (Retry-After {retry_after:.0f} s exceeds the cap)"
                    return delivery
                wait = retry_after
        except (OSError, http.client.HTTPException) as exc:
            # URLError (refused, DNS), TimeoutError / socket.timeout, resets, bad status lines
            reason = getattr(exc, "reason", None) or exc
            delivery.http_status = None
            delivery.error = f"{type(reason).__name__}: {reason}"
            if isinstance(reason, (TimeoutError,)) or "timed out" in str(reason):
                delivery.error = f"timed out after {settings.timeout_seconds:g} s"
        delivery.error = (delivery.error or "")[:_MAX_ERROR_CHARS]
        if not retryable or attempt == settings.max_attempts:
            return delivery
        settings.sleep(wait)
    return delivery


def _record(con: Connection, schema: str, message: Mapping[str, Any], result: Delivery) -> None:
    now = _utcnow()
    status = "delivered" if result.ok else "failed"
    if con.type == "spark":
        _record_spark(con, schema, message, result, status, now)
        return
    con.execute(
        f"insert into {_relation(schema, LEDGER_TABLE)} as ledger "
        "(incident_id, event, status, attempts, http_status, last_error, first_attempt_at, "
        "last_attempt_at, delivered_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "on conflict (incident_id, event) do update set status = excluded.status, "
        "attempts = ledger.attempts + excluded.attempts, http_status = excluded.http_status, "
        "last_error = excluded.last_error, last_attempt_at = excluded.last_attempt_at, "
        "delivered_at = coalesce(excluded.delivered_at, ledger.delivered_at)",
        (
            str(message["incident"]["incident_id"]),
            message["event"],
            status,
            result.attempts,
            result.http_status,
            result.error,
            result.first_attempt_at,
            now,
            now if result.ok else None,
        ),
    )


@dataclass
class NotifyOutcome:
    messages: list[dict[str, Any]]
    deliveries: list[Delivery]
    skipped: int = 0  # messages left for the next run after the endpoint kept failing

    @property
    def delivered(self) -> int:
        return sum(d.ok for d in self.deliveries)

    @property
    def failed(self) -> int:
        return sum(not d.ok for d in self.deliveries)


def notify(
    warehouse: Warehouse,
    settings: NotifySettings,
    *,
    model: str | None = None,
    on_delivery: Callable[[dict[str, Any], Delivery], None] | None = None,
) -> NotifyOutcome:
    """Post every new incident event once; record each result in the ledger as soon as it is
    known."""
    if not settings.webhook_url:
        raise NotifyError(
            f"no webhook configured: set alerts.webhook_url in the config or {WEBHOOK_ENV}"
        )
    # one notifier at a time, never during a run (runlock: a file lock or an advisory lock)
    with warehouse_lock(warehouse, "alerts --notify"):
        return _notify(warehouse, settings, model=model, on_delivery=on_delivery)


def _notify(
    warehouse: Warehouse,
    settings: NotifySettings,
    *,
    model: str | None,
    on_delivery: Callable[[dict[str, Any], Delivery], None] | None,
) -> NotifyOutcome:
    try:
        con = Connection(warehouse)
    except Exception as exc:  # noqa: BLE001 - e.g. DuckDB file held by a plain `dbt build`
        raise NotifyError(f"cannot open the warehouse for writing: {exc}") from exc
    with con:
        incidents = load_incidents(
            con,
            warehouse.schema,
            model=model,
            min_severity=settings.min_severity,
            notify_resolved=settings.notify_resolved,
        )
        messages = pending_messages(incidents)
        ensure_ledger(con, warehouse.schema)
        outcome = NotifyOutcome(messages=messages, deliveries=[])
        failed_in_a_row = 0
        for index, message in enumerate(messages):
            if failed_in_a_row >= MAX_CONSECUTIVE_FAILED_MESSAGES:
                outcome.skipped = len(messages) - index
                break
            payload = build_payload(message, settings.dashboard_url)
            result = post_message(settings, message["message_id"], payload)
            _record(con, warehouse.schema, message, result)
            message["delivery_status"] = "delivered" if result.ok else "failed"
            message["delivery_error"] = result.error
            outcome.deliveries.append(result)
            failed_in_a_row = 0 if result.ok else failed_in_a_row + 1
            if on_delivery:
                on_delivery(message, result)
    return outcome


def list_incidents(
    warehouse: Warehouse,
    settings: NotifySettings,
    *,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Read-only: every incident at or above the severity floor, ledger state attached."""
    try:
        con = Connection(warehouse, read_only=True)
    except Exception as exc:  # noqa: BLE001
        raise NotifyError(f"cannot open the warehouse: {exc}") from exc
    with con:
        return load_incidents(
            con,
            warehouse.schema,
            model=model,
            min_severity=settings.min_severity,
            notify_resolved=settings.notify_resolved,
        )


def _record_spark(
    con: Connection,
    schema: str,
    message: Mapping[str, Any],
    result: Delivery,
    status: str,
    now: Any,
) -> None:
    """The upsert of _record on Spark (parquet tables have no UPDATE): rewrite the small ledger."""
    key = (str(message["incident"]["incident_id"]), message["event"])
    _, rows = con.execute(
        "select incident_id, event, status, attempts, http_status, last_error, "
        f"first_attempt_at, last_attempt_at, delivered_at from {_relation(schema, LEDGER_TABLE)}"
    )
    old = next((row for row in rows if (row[0], row[1]) == key), None)
    row = (
        *key,
        status,
        (old[3] if old else 0) + result.attempts,
        result.http_status,
        result.error,
        old[6] if old else result.first_attempt_at,
        now,
        now if result.ok else (old[8] if old else None),
    )
    con.replace_rows(schema, LEDGER_TABLE, [r for r in rows if (r[0], r[1]) != key] + [row])


# ---------------------------------------------------------------------------------------------
# Printing


def _window(value: Any) -> str:
    if isinstance(value, datetime) and value.hour == value.minute == value.second == 0:
        return value.date().isoformat()
    return _fmt(value)


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
