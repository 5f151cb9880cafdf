"""Alert notifications: list the alerts not yet delivered and post each one to a webhook, once.

`<schema>.alerts` (built by dbt, rewritten on every build) holds one row per (model, window,
check, subject) with a stable `alert_id`. `<schema>.alert_deliveries` is the delivery ledger that
this module owns (dbt never manages it, so `dbt build --full-refresh` leaves it alone):

    alert_id (primary key), status (delivered | failed), attempts (all runs), first_attempt_at,
    last_attempt_at, delivered_at, delivered_severity, last_error, http_status

An alert is *new* until the ledger holds a `delivered` row for its id, or again when its
severity rose above the one delivered (a warn that became an error is announced once more). Each
alert is posted as one JSON message (Slack-compatible `text` plus a structured `modelwatch`
object), retried on connection errors, timeouts, 429 and 5xx with exponential backoff, and
recorded in the ledger as soon as its own delivery ends, so a crash mid-batch never resends what
was already delivered.
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
from modelwatch.warehouse import Connection

SEVERITY_RANK = {"warn": 1, "error": 2}
LEDGER_TABLE = "alert_deliveries"
ALERTS_TABLE = "alerts"
WEBHOOK_ENV = "MODELWATCH_WEBHOOK_URL"
# Retry-After is honoured up to this many seconds; a longer wait ends the alert's attempts.
MAX_RETRY_AFTER_SECONDS = 60.0
# After this many alerts in a row fail every attempt the run stops: the endpoint is down, and
# the remaining alerts wait (still new) for the next run instead of costing minutes of retries.
MAX_CONSECUTIVE_FAILED_ALERTS = 3
_MAX_ERROR_CHARS = 500


class NotifyError(RuntimeError):
    """Notifications cannot run (no alerts table, ledger locked, ...): an actionable message."""


@dataclass
class NotifySettings:
    """The `alerts:` section of the config, validated (environment override applied)."""

    webhook_url: str | None = None
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    timeout_seconds: float = 10.0
    min_severity: str = "warn"
    dashboard_url: str | None = None
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
        webhook_url_source=source,
    )


# ---------------------------------------------------------------------------------------------
# Reading alerts and the ledger


def _relation(schema: str, table: str) -> str:
    identifiers.check(schema, "warehouse.schema", kind="schema")
    return identifiers.relation(schema, table)


def _table_exists(con: Connection, schema: str, table: str) -> bool:
    _, rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        (schema, table),
    )
    return bool(rows[0][0])


def ensure_ledger(con: Connection, schema: str) -> None:
    """Create the ledger if it is missing (never dropped or rewritten by modelwatch or dbt)."""
    con.execute(
        f"create table if not exists {_relation(schema, LEDGER_TABLE)} ("
        "alert_id varchar primary key, "
        "status varchar not null, "
        "attempts integer not null, "
        "http_status integer, "
        "last_error varchar, "
        "first_attempt_at timestamp, "
        "last_attempt_at timestamp, "
        "delivered_at timestamp, "
        "delivered_severity varchar)"
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


def load_alerts(
    con: Connection,
    schema: str,
    *,
    include_delivered: bool = False,
    min_severity: str = "warn",
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Alerts at or above min_severity, worst first, each with its delivery state
    (`delivery_status`: pending | failed | delivered, `delivery_attempts`, `delivery_error`).
    Without include_delivered, only new alerts (no `delivered` row in the ledger)."""
    if not _table_exists(con, schema, ALERTS_TABLE):
        raise NotifyError(
            f"table {schema}.{ALERTS_TABLE} not found: build the project first "
            "(`modelwatch run --config FILE`)"
        )
    columns, rows = con.execute(f"select * from {_relation(schema, ALERTS_TABLE)}")
    ledger: dict[str, tuple[Any, ...]] = {}
    if _table_exists(con, schema, LEDGER_TABLE):
        _, ledger_rows = con.execute(
            "select alert_id, status, attempts, last_error, http_status, delivered_severity "
            f"from {_relation(schema, LEDGER_TABLE)}"
        )
        ledger = {row[0]: row for row in ledger_rows}
    floor = SEVERITY_RANK[min_severity]
    alerts = []
    for row in rows:
        alert = dict(zip(columns, row, strict=True))
        if SEVERITY_RANK.get(str(alert.get("severity")), 0) < floor:
            continue
        if model is not None and alert.get("model_name") != model:
            continue
        entry = ledger.get(alert["alert_id"])
        status = entry[1] if entry else "pending"
        delivered_severity = entry[5] if entry else None
        rank = SEVERITY_RANK.get(str(alert.get("severity")), 0)
        if delivered_severity and SEVERITY_RANK.get(delivered_severity, 0) < rank:
            # delivered at a lower severity: the escalation is news
            alert["escalated_from"] = delivered_severity
            if status == "delivered":
                status = "escalated"
        if status == "delivered" and not include_delivered:
            continue
        alert["delivery_status"] = status
        alert["delivery_attempts"] = entry[2] if entry else 0
        alert["delivery_error"] = entry[3] if entry else None
        alerts.append(alert)
    alerts.sort(
        key=lambda a: (
            -SEVERITY_RANK.get(str(a.get("severity")), 0),
            str(a.get("window_start")),
            str(a.get("model_name")),
            str(a.get("check_name")),
            str(a.get("subject")),
        )
    )
    return alerts


def alert_record(alert: Mapping[str, Any]) -> dict[str, Any]:
    """The alert as plain JSON values (evidence parsed from its JSON text)."""
    record = {key: _plain(value) for key, value in alert.items()}
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


def slack_text(alert: Mapping[str, Any], dashboard_url: str | None = None) -> str:
    """One alert as Slack mrkdwn; every value from the warehouse is escaped."""
    severity = str(alert.get("severity", "warn"))
    icon = ":rotating_light:" if severity == "error" else ":warning:"
    escalated = alert.get("escalated_from")
    level = slack_escape(severity.upper())
    if escalated:
        level += f" (escalated from {slack_escape(escalated)})"
    head = (
        f"{icon} *{level}* modelwatch: "
        f"*{slack_escape(alert.get('model_name'))}* "
        f"{_code(alert.get('check_name'))} on {_code(alert.get('subject'))}"
    )
    window = f"Window {slack_escape(_window(alert.get('window_start')))}"
    if alert.get("window_end") is not None:
        window += f" to {slack_escape(_window(alert.get('window_end')))}"
    window += " (UTC)"
    if alert.get("check_category"):
        window += f" · {slack_escape(alert['check_category'])}"
    values = f"Observed *{slack_escape(_fmt(alert.get('observed_value')))}* vs threshold "
    values += slack_escape(_fmt(alert.get("threshold")))
    if alert.get("threshold_kind"):
        values += f" ({slack_escape(alert['threshold_kind'])})"
    consecutive = alert.get("consecutive_windows")
    if consecutive is not None:
        plural = "" if consecutive == 1 else "s"
        values += f" · {slack_escape(consecutive)} consecutive window{plural}"
    links = [
        slack_link(alert.get("runbook_url"), "runbook") or "no runbook configured",
    ]
    dashboard = slack_link(dashboard_url, "dashboard")
    if dashboard:
        links.append(dashboard)
    footer = " · ".join(links) + f" · alert `{slack_escape(alert.get('alert_id'))}`"
    return "\n".join([head, window, values, footer])


def build_payload(alert: Mapping[str, Any], dashboard_url: str | None = None) -> dict[str, Any]:
    """The JSON body: Slack's `text`, plus every alert field under `modelwatch` for other
    receivers (Slack ignores it)."""
    record = alert_record(
        {k: v for k, v in alert.items() if not k.startswith("delivery_") and k != "escalated_from"},
    )
    return {
        "text": slack_text(alert, dashboard_url),
        "modelwatch": {
            "event": "alert",
            "alert_id": record.get("alert_id"),
            "alert": record,
            "escalated_from": alert.get("escalated_from"),
            "dashboard_url": dashboard_url,
            "sent_by": f"modelwatch {__version__}",
        },
    }


# ---------------------------------------------------------------------------------------------
# Posting


@dataclass
class Delivery:
    alert_id: str
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


def post_alert(settings: NotifySettings, alert_id: str, payload: dict[str, Any]) -> Delivery:
    """POST one message; retry connection errors, timeouts, 429 and 5xx (never other 4xx/3xx)."""
    assert settings.webhook_url
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"modelwatch/{__version__}",
        "Idempotency-Key": str(alert_id),
    }
    delivery = Delivery(alert_id=alert_id, ok=False, attempts=0, first_attempt_at=_utcnow())
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


def _record(con: Connection, schema: str, result: Delivery, severity: str) -> None:
    now = _utcnow()
    status = "delivered" if result.ok else "failed"
    con.execute(
        f"insert into {_relation(schema, LEDGER_TABLE)} as ledger "
        "(alert_id, status, attempts, http_status, last_error, first_attempt_at, "
        "last_attempt_at, delivered_at, delivered_severity) values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "on conflict (alert_id) do update set status = excluded.status, "
        "attempts = ledger.attempts + excluded.attempts, http_status = excluded.http_status, "
        "last_error = excluded.last_error, last_attempt_at = excluded.last_attempt_at, "
        "delivered_at = coalesce(excluded.delivered_at, ledger.delivered_at), "
        "delivered_severity = coalesce(excluded.delivered_severity, ledger.delivered_severity)",
        (
            result.alert_id,
            status,
            result.attempts,
            result.http_status,
            result.error,
            result.first_attempt_at,
            now,
            now if result.ok else None,
            severity if result.ok else None,
        ),
    )


@dataclass
class NotifyOutcome:
    alerts: list[dict[str, Any]]
    deliveries: list[Delivery]
    skipped: int = 0  # alerts left for the next run after the endpoint kept failing

    @property
    def delivered(self) -> int:
        return sum(d.ok for d in self.deliveries)

    @property
    def failed(self) -> int:
        return sum(not d.ok for d in self.deliveries)


def _lock(con: Connection, schema: str) -> None:
    """One notifier at a time: DuckDB's file lock does it; PostgreSQL needs an advisory lock."""
    if con.type != "postgres":
        return
    _, rows = con.execute(
        "select pg_try_advisory_lock(hashtext(?))", (f"modelwatch.{schema}.{LEDGER_TABLE}",)
    )
    if not rows[0][0]:
        raise NotifyError(
            "another `modelwatch alerts --notify` is delivering to this warehouse; try again later"
        )


def notify(
    warehouse: Warehouse,
    settings: NotifySettings,
    *,
    model: str | None = None,
    on_delivery: Callable[[dict[str, Any], Delivery], None] | None = None,
) -> NotifyOutcome:
    """Post every new alert once; record each result in the ledger as soon as it is known."""
    if not settings.webhook_url:
        raise NotifyError(
            f"no webhook configured: set alerts.webhook_url in the config or {WEBHOOK_ENV}"
        )
    try:
        con = Connection(warehouse)
    except Exception as exc:  # noqa: BLE001 - e.g. DuckDB file locked by a running build
        raise NotifyError(f"cannot open the warehouse for writing: {exc}") from exc
    with con:
        _lock(con, warehouse.schema)
        alerts = load_alerts(con, warehouse.schema, min_severity=settings.min_severity, model=model)
        ensure_ledger(con, warehouse.schema)
        outcome = NotifyOutcome(alerts=alerts, deliveries=[])
        failed_in_a_row = 0
        for index, alert in enumerate(alerts):
            if failed_in_a_row >= MAX_CONSECUTIVE_FAILED_ALERTS:
                outcome.skipped = len(alerts) - index
                break
            payload = build_payload(alert, settings.dashboard_url)
            result = post_alert(settings, str(alert["alert_id"]), payload)
            _record(con, warehouse.schema, result, str(alert["severity"]))
            alert["delivery_status"] = "delivered" if result.ok else "failed"
            alert["delivery_attempts"] = int(alert.get("delivery_attempts") or 0) + result.attempts
            alert["delivery_error"] = result.error
            outcome.deliveries.append(result)
            failed_in_a_row = 0 if result.ok else failed_in_a_row + 1
            if on_delivery:
                on_delivery(alert, result)
    return outcome


def list_alerts(
    warehouse: Warehouse,
    settings: NotifySettings,
    *,
    include_delivered: bool = False,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Read-only: the new alerts (or all of them), ledger state attached."""
    try:
        con = Connection(warehouse, read_only=True)
    except Exception as exc:  # noqa: BLE001
        raise NotifyError(f"cannot open the warehouse: {exc}") from exc
    with con:
        return load_alerts(
            con,
            warehouse.schema,
            include_delivered=include_delivered,
            min_severity=settings.min_severity,
            model=model,
        )


# ---------------------------------------------------------------------------------------------
# Printing


def _window(value: Any) -> str:
    if isinstance(value, datetime) and value.hour == value.minute == value.second == 0:
        return value.date().isoformat()
    return _fmt(value)


def render_table(alerts: list[dict[str, Any]], show_delivery: bool = False) -> str:
    """A plain-text table, one alert a line."""
    headers = ["severity", "model", "window", "check", "subject", "observed", "threshold", "consec"]
    if show_delivery:
        headers.append("delivery")
    headers.append("runbook")
    lines = []
    for alert in alerts:
        row = [
            str(alert.get("severity")),
            str(alert.get("model_name")),
            _window(alert.get("window_start")),
            str(alert.get("check_name")),
            str(alert.get("subject")),
            _fmt(alert.get("observed_value")),
            _fmt(alert.get("threshold")),
            _fmt(alert.get("consecutive_windows")),
        ]
        if show_delivery:
            row.append(str(alert.get("delivery_status")))
        row.append(str(alert.get("runbook_url") or "-"))
        lines.append([identifiers.terminal_safe(cell) for cell in row])
    widths = [max([len(h)] + [len(r[i]) for r in lines]) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines])
