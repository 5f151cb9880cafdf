"""Reading incidents and the delivery ledger, and recording deliveries in it.

`<schema>.incident_deliveries` is owned by this package (dbt never manages it, so
`dbt build --full-refresh` leaves it alone). An event is *new* until the ledger holds a
`delivered` row for it; each result is recorded as soon as its delivery ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from modelwatch import identifiers
from modelwatch.notify.settings import SEVERITY_RANK, NotifyError, severity_rank
from modelwatch.warehouse import Connection

LEDGER_TABLE = "incident_deliveries"

INCIDENTS_TABLE = "alert_incidents"

# the events of an incident, in the order they happen
EVENTS = ("opened", "escalated", "resolved")

EVENT_WINDOW = {
    "opened": "opened_window_start",
    "escalated": "escalated_window_start",
    "resolved": "resolved_window_start",
}


def _table_exists(con: Connection, schema: str, table: str) -> bool:
    return table.lower() in con.table_names(schema)


def ensure_ledger(con: Connection, schema: str) -> None:
    """Create the ledger if it is missing (never dropped or rewritten by modelwatch or dbt)."""
    if con.type == "spark":
        # parquet: no varchar without a length, no keys (record_delivery keeps one row per key);
        # timestamps without time zone, as written
        con.execute(
            f"create table if not exists {identifiers.schema_relation(schema, LEDGER_TABLE)} ("
            "incident_id string not null, event string not null, status string not null, "
            "attempts integer not null, http_status integer, last_error string, "
            "first_attempt_at timestamp_ntz, last_attempt_at timestamp_ntz, "
            "delivered_at timestamp_ntz) using parquet"
        )
        return
    con.execute(
        f"create table if not exists {identifiers.schema_relation(schema, LEDGER_TABLE)} ("
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


def incident_events(
    incident: Mapping[str, Any], min_severity: str = "warn", notify_resolved: bool = True
) -> list[str]:
    """The events of one incident that are announced, in order: `opened` when it opened at or
    above min_severity, `escalated` when it went from warn to error, `resolved` when it is
    resolved (notify_resolved) and reached min_severity."""
    floor = SEVERITY_RANK[min_severity]
    events = []
    if severity_rank(incident.get("opened_severity")) >= floor:
        events.append("opened")
    if incident.get("escalated_window_start") is not None:
        events.append("escalated")
    if (
        notify_resolved
        and incident.get("status") == "resolved"
        and severity_rank(incident.get("peak_severity")) >= floor
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
    columns, rows = con.execute(
        f"select * from {identifiers.schema_relation(schema, INCIDENTS_TABLE)}"
    )
    ledger: dict[tuple[str, str], tuple[Any, ...]] = {}
    if _table_exists(con, schema, LEDGER_TABLE):
        _, ledger_rows = con.execute(
            "select incident_id, event, status, attempts, last_error "
            f"from {identifiers.schema_relation(schema, LEDGER_TABLE)}"
        )
        ledger = {(row[0], row[1]): row for row in ledger_rows}
    floor = SEVERITY_RANK[min_severity]
    incidents = []
    for row in rows:
        incident = dict(zip(columns, row, strict=True))
        if severity_rank(incident.get("peak_severity")) < floor:
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
            -severity_rank(i.get("current_severity")),
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


@dataclass
class Delivery:
    message_id: str
    ok: bool
    attempts: int
    http_status: int | None = None
    error: str | None = None
    first_attempt_at: datetime | None = None


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def record_delivery(
    con: Connection, schema: str, message: Mapping[str, Any], result: Delivery
) -> None:
    now = utcnow()
    status = "delivered" if result.ok else "failed"
    if con.type == "spark":
        _record_spark(con, schema, message, result, status, now)
        return
    con.execute(
        f"insert into {identifiers.schema_relation(schema, LEDGER_TABLE)} as ledger "
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


def _record_spark(
    con: Connection,
    schema: str,
    message: Mapping[str, Any],
    result: Delivery,
    status: str,
    now: Any,
) -> None:
    """The upsert of record_delivery on Spark (parquet tables have no UPDATE): rewrite the small
    ledger."""
    key = (str(message["incident"]["incident_id"]), message["event"])
    _, rows = con.execute(
        "select incident_id, event, status, attempts, http_status, last_error, "
        "first_attempt_at, last_attempt_at, delivered_at "
        f"from {identifiers.schema_relation(schema, LEDGER_TABLE)}"
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
