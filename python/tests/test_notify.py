"""`modelwatch alerts`: listing incidents and delivering each incident event (opened, escalated,
resolved) exactly once to a webhook.

The alert_incidents tables are made by hand (the schema dbt builds) in a temporary DuckDB file,
and on the test PostgreSQL; the webhook is a local http.server on 127.0.0.1 whose behaviour each
test sets. The last test runs the demo end to end: one message per incident event.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from modelwatch import cli, notify
from modelwatch.config import resolve_warehouse

INCIDENTS_DDL = """
create table {schema}.alert_incidents (
    incident_id varchar, model_name varchar, check_name varchar, check_category varchar,
    check_description varchar, subject varchar, status varchar, opened_severity varchar,
    current_severity varchar, peak_severity varchar, peak_observed_value double,
    latest_observed_value double, latest_threshold double, threshold_kind varchar,
    windows_breached integer, recommendation varchar, runbook_url varchar, evidence varchar,
    opened_window_start timestamp, last_breach_window_start timestamp,
    escalated_window_start timestamp, resolved_window_start timestamp
)
"""
COLUMNS = [
    "incident_id",
    "model_name",
    "check_name",
    "check_category",
    "check_description",
    "subject",
    "status",
    "opened_severity",
    "current_severity",
    "peak_severity",
    "peak_observed_value",
    "latest_observed_value",
    "latest_threshold",
    "threshold_kind",
    "windows_breached",
    "recommendation",
    "runbook_url",
    "evidence",
    "opened_window_start",
    "last_breach_window_start",
    "escalated_window_start",
    "resolved_window_start",
]


def incident(incident_id: str, **overrides: Any) -> dict[str, Any]:
    """An open error-level psi incident (events: opened), unless overridden."""
    row = {
        "incident_id": incident_id,
        "model_name": "credit_default",
        "check_name": "psi",
        "check_category": "drift",
        "check_description": "feature drift (PSI against the reference)",
        "subject": "income",
        "status": "open",
        "opened_severity": "error",
        "current_severity": "error",
        "peak_severity": "error",
        "peak_observed_value": 0.4,
        "latest_observed_value": 0.3127,
        "latest_threshold": 0.25,
        "threshold_kind": "static",
        "windows_breached": 3,
        "recommendation": "retrain",
        "runbook_url": "https://wiki.example.com/runbooks/drift",
        "evidence": json.dumps({"psi": 0.3127, "top_bin": 9}),
        "opened_window_start": datetime(2026, 8, 3),
        "last_breach_window_start": datetime(2026, 8, 5),
        "escalated_window_start": None,
        "resolved_window_start": None,
    }
    row.update(overrides)
    return row


def resolved(incident_id: str, **overrides: Any) -> dict[str, Any]:
    """A warn incident that resolved (events: opened, resolved)."""
    return incident(
        incident_id,
        **{
            "status": "resolved",
            "opened_severity": "warn",
            "current_severity": "warn",
            "peak_severity": "warn",
            "resolved_window_start": datetime(2026, 8, 8),
            **overrides,
        },
    )


def write_incidents(path: Path, rows: list[dict[str, Any]], schema: str = "modelwatch") -> None:
    """Replace <schema>.alert_incidents, as every dbt build does (incident ids are stable)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"drop table if exists {schema}.alert_incidents")
        con.execute(INCIDENTS_DDL.format(schema=schema))
        placeholders = ", ".join("?" for _ in COLUMNS)
        for row in rows:
            con.execute(
                f"insert into {schema}.alert_incidents values ({placeholders})",
                [row[c] for c in COLUMNS],
            )
    finally:
        con.close()


def ledger(path: Path) -> dict[str, dict[str, Any]]:
    """The delivery ledger by message id (`incident_id:event`)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute("select * from modelwatch.incident_deliveries")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return {f"{r['incident_id']}:{r['event']}": r for r in rows}
    finally:
        con.close()


class Webhook:
    """A local webhook; `respond(message_id, attempt)` returns (status, headers, sleep_seconds)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self.respond: Callable[[str, int], tuple[int, dict[str, str], float]] = (
            lambda message_id, attempt: (200, {}, 0.0)
        )
        self.lock = threading.Lock()
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                message_id = payload["modelwatch"]["message_id"]
                with webhook.lock:
                    attempt = 1 + sum(r["message_id"] == message_id for r in webhook.requests)
                    record = {
                        "message_id": message_id,
                        "payload": payload,
                        "headers": dict(self.headers),
                        "path": self.path,
                    }
                    webhook.requests.append(record)
                status, headers, sleep = webhook.respond(message_id, attempt)
                if sleep:
                    time.sleep(sleep)
                    status = 504  # the client has given up by now: not a delivery
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    reply = b"ok" if status < 300 else b"invalid_payload"
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    return
                if 200 <= status < 300:
                    with webhook.lock:
                        webhook.accepted.append(record)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted_per_message(self) -> Counter:
        return Counter(r["message_id"] for r in self.accepted)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_env_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(notify.WEBHOOK_ENV, raising=False)


def write_config(tmp_path: Path, url: str | None, **alerts: Any) -> Path:
    section = {
        "webhook_url": url,
        "webhook_backoff_seconds": 0,
        "webhook_timeout_seconds": 2,
        "dashboard_url": "https://bi.example.com/modelwatch",
        **alerts,
    }
    config = {
        "modelwatch": {
            "warehouse": {"type": "duckdb", "path": "warehouse.duckdb"},
            "alerts": section,
        }
    }
    path = tmp_path / "modelwatch.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def fail_first(message_id: str, attempt: int) -> tuple[int, dict[str, str], float]:
    return (500 if attempt == 1 else 200), {}, 0.0


def notify_cli(config: Path, *extra: str) -> int:
    return cli.main(["alerts", "--config", str(config), "--notify", *extra])


def test_first_attempt_fails_still_exactly_one_message_per_event(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1"), resolved("i2", subject="region")])
    config = write_config(tmp_path, webhook.url)
    webhook.respond = fail_first

    assert notify_cli(config) == 0
    assert webhook.accepted_per_message() == {"i1:opened": 1, "i2:opened": 1, "i2:resolved": 1}
    assert len(webhook.requests) == 6  # each message: one 500, then accepted
    state = ledger(db)
    assert {k: (v["status"], v["attempts"], v["http_status"]) for k, v in state.items()} == {
        "i1:opened": ("delivered", 2, 200),
        "i2:opened": ("delivered", 2, 200),
        "i2:resolved": ("delivered", 2, 200),
    }
    assert all(v["delivered_at"] is not None and v["last_error"] is None for v in state.values())
    out = capsys.readouterr().out
    assert "3 delivered, 0 failed of 3 new incident event(s)" in out
    assert "secret" not in out  # the webhook's path is its secret: never printed

    # a rerun, and a rebuilt incidents table (dbt rewrites it) with the same ids: nothing resent,
    # even though the incident grew by more windows
    assert notify_cli(config) == 0
    write_incidents(db, [resolved("i2", subject="region"), incident("i1", windows_breached=9)])
    assert notify_cli(config) == 0
    assert len(webhook.requests) == 6

    # an incident opened later is sent once; when it resolves, that is sent once
    write_incidents(db, [incident("i1"), resolved("i2", subject="region"), incident("i3")])
    assert notify_cli(config) == 0
    assert notify_cli(config) == 0
    write_incidents(
        db,
        [incident("i1"), resolved("i2", subject="region"), resolved("i3", opened_severity="error")],
    )
    assert notify_cli(config) == 0
    assert notify_cli(config) == 0
    assert set(webhook.accepted_per_message().values()) == {1}
    assert sorted(webhook.accepted_per_message()) == [
        "i1:opened", "i2:opened", "i2:resolved", "i3:opened", "i3:resolved"
    ]  # fmt: skip


def test_failing_server_records_failure_and_next_run_delivers(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1"), incident("i2", subject="region")])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=3)
    webhook.respond = lambda message_id, attempt: (503, {}, 0.0)

    assert notify_cli(config) == 2
    captured = capsys.readouterr()
    assert "0 delivered, 2 failed of 2 new incident event(s)" in captured.out
    assert "next `modelwatch alerts --notify` retries them" in captured.err
    assert len(webhook.requests) == 6 and not webhook.accepted
    state = ledger(db)
    assert {v["status"] for v in state.values()} == {"failed"}
    assert {v["attempts"] for v in state.values()} == {3}
    assert state["i1:opened"]["http_status"] == 503
    assert "HTTP 503" in state["i1:opened"]["last_error"]
    assert state["i1:opened"]["delivered_at"] is None

    # still new: listed, and the exit code still reports the unhandled open error incidents
    assert cli.main(["alerts", "--config", str(config)]) == 1
    assert "2 new event(s) to notify" in capsys.readouterr().out

    webhook.respond = lambda message_id, attempt: (200, {}, 0.0)
    assert notify_cli(config) == 0
    assert webhook.accepted_per_message() == {"i1:opened": 1, "i2:opened": 1}
    state = ledger(db)
    assert {(v["status"], v["attempts"]) for v in state.values()} == {("delivered", 4)}
    assert state["i1:opened"]["last_error"] is None


def test_escalation_and_resolution_are_announced_once(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    opened_warn = {"opened_severity": "warn", "current_severity": "warn", "peak_severity": "warn"}
    write_incidents(db, [incident("i1", **opened_warn)])
    config = write_config(tmp_path, webhook.url)
    assert notify_cli(config) == 0

    # a later build: the incident reached error
    escalated = {**opened_warn, "current_severity": "error", "peak_severity": "error",
                 "escalated_window_start": datetime(2026, 8, 6)}  # fmt: skip
    write_incidents(db, [incident("i1", **escalated)])
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["events"] == ["opened", "escalated"]
    assert listed["pending_events"] == ["escalated"]
    assert notify_cli(config) == 0
    assert notify_cli(config) == 0
    assert [r["payload"]["modelwatch"]["event"] for r in webhook.accepted] == [
        "opened",
        "escalated",
    ]
    assert "*ESCALATED to ERROR*" in webhook.accepted[1]["payload"]["text"]

    # quiet windows resolve it: one more message, then silence
    write_incidents(
        db,
        [
            incident(
                "i1", **escalated, status="resolved", resolved_window_start=datetime(2026, 8, 9)
            )
        ],
    )
    assert cli.main(["alerts", "--config", str(config)]) == 0  # nothing open needs a page
    assert notify_cli(config) == 0
    assert notify_cli(config) == 0
    assert [r["payload"]["modelwatch"]["event"] for r in webhook.accepted] == [
        "opened",
        "escalated",
        "resolved",
    ]
    resolved_text = webhook.accepted[2]["payload"]["text"]
    assert ":white_check_mark: *RESOLVED*" in resolved_text
    assert "resolved in window 2026-08-09" in resolved_text


def test_resolution_messages_can_be_switched_off(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [resolved("i1")])
    config = write_config(tmp_path, webhook.url, notify_resolved=False)
    assert notify_cli(config) == 0
    assert webhook.accepted_per_message() == {"i1:opened": 1}


def test_min_severity_error_announces_escalations_not_warn_openings(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(
        db,
        [
            resolved("warn_only"),
            incident("escalated", opened_severity="warn",
                     escalated_window_start=datetime(2026, 8, 4)),
            incident("paged"),
        ],
    )  # fmt: skip
    config = write_config(tmp_path, webhook.url, notify_min_severity="error")
    assert notify_cli(config) == 0
    assert webhook.accepted_per_message() == {"escalated:escalated": 1, "paged:opened": 1}


def test_a_crash_mid_batch_does_not_resend_delivered_events(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident(f"i{i}", subject=f"f{i}") for i in range(3)])
    config = {
        "warehouse": {"type": "duckdb", "path": str(db)},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0},
    }
    warehouse, settings = resolve_warehouse(config), notify.settings_from_config(config)

    def crash(message: dict[str, Any], result: notify.Delivery) -> None:
        if message["message_id"] == "i1:opened":
            raise KeyboardInterrupt  # killed right after the second delivery was recorded

    with pytest.raises(KeyboardInterrupt):
        notify.notify(warehouse, settings, on_delivery=crash)
    assert webhook.accepted_per_message() == {"i0:opened": 1, "i1:opened": 1}
    assert notify.notify(warehouse, settings).delivered == 1
    assert webhook.accepted_per_message() == {"i0:opened": 1, "i1:opened": 1, "i2:opened": 1}


def test_client_error_is_not_retried(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=5)
    webhook.respond = lambda message_id, attempt: (400, {}, 0.0)

    assert notify_cli(config) == 2
    assert len(webhook.requests) == 1
    entry = ledger(db)["i1:opened"]
    assert (entry["status"], entry["attempts"], entry["http_status"]) == ("failed", 1, 400)
    assert "invalid_payload" in entry["last_error"]  # the receiver's reason is kept


def test_timeout_is_retried(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    config = write_config(tmp_path, webhook.url, webhook_timeout_seconds=0.3)
    webhook.respond = lambda message_id, attempt: (200, {}, 1.0 if attempt == 1 else 0.0)

    assert notify_cli(config) == 0
    assert len(webhook.requests) == 2
    assert webhook.accepted_per_message() == {"i1:opened": 1}
    entry = ledger(db)["i1:opened"]
    assert (entry["status"], entry["attempts"]) == ("delivered", 2)


def test_timeouts_on_every_attempt_are_reported(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    config = write_config(
        tmp_path, webhook.url, webhook_timeout_seconds=0.2, webhook_max_attempts=2
    )
    webhook.respond = lambda message_id, attempt: (200, {}, 0.6)
    assert notify_cli(config) == 2
    entry = ledger(db)["i1:opened"]
    assert (entry["status"], entry["attempts"]) == ("failed", 2)
    assert "timed out after 0.2 s" in entry["last_error"]


def test_connection_refused_is_retried_then_failed(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    closed = Webhook()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    config = write_config(tmp_path, url, webhook_max_attempts=2)
    assert notify_cli(config) == 2
    entry = ledger(db)["i1:opened"]
    assert (entry["status"], entry["attempts"], entry["http_status"]) == ("failed", 2, None)
    assert entry["last_error"]


def test_retry_after_is_respected_and_capped(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1"), incident("i2", subject="region")])
    config = {
        "warehouse": {"type": "duckdb", "path": str(db)},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0.01},
    }
    settings = notify.settings_from_config(config)
    sleeps: list[float] = []
    settings.sleep = sleeps.append

    def rate_limited(message_id: str, attempt: int) -> tuple[int, dict[str, str], float]:
        if message_id == "i1:opened":
            return (429, {"Retry-After": "2"}, 0.0) if attempt == 1 else (200, {}, 0.0)
        return 429, {"Retry-After": "3600"}, 0.0  # longer than the cap: give up, do not wait

    webhook.respond = rate_limited
    outcome = notify.notify(resolve_warehouse(config), settings)
    assert sleeps == [2.0]
    assert (outcome.delivered, outcome.failed) == (1, 1)
    state = ledger(db)
    assert state["i1:opened"]["status"] == "delivered"
    assert state["i2:opened"]["status"] == "failed"
    assert "exceeds the cap" in state["i2:opened"]["last_error"]


def test_backoff_is_exponential(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    config = {
        "warehouse": {"type": "duckdb", "path": str(db)},
        "alerts": {
            "webhook_url": webhook.url,
            "webhook_backoff_seconds": 0.5,
            "webhook_max_attempts": 4,
        },
    }
    settings = notify.settings_from_config(config)
    sleeps: list[float] = []
    settings.sleep = sleeps.append
    webhook.respond = lambda message_id, attempt: (500, {}, 0.0)
    notify.notify(resolve_warehouse(config), settings)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_dead_endpoint_stops_the_batch(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident(f"i{i}", subject=f"f{i}") for i in range(6)])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=2)
    webhook.respond = lambda message_id, attempt: (500, {}, 0.0)
    assert notify_cli(config) == 2
    assert (
        "0 delivered, 3 failed, 3 not tried of 6 new incident event(s)" in capsys.readouterr().out
    )
    assert len(ledger(db)) == notify.MAX_CONSECUTIVE_FAILED_MESSAGES


def test_payload_is_slack_text_plus_structured_incident(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(
        db,
        [
            incident("i1"),
            incident(
                "evil",
                opened_severity="warn",
                current_severity="warn",
                peak_severity="warn",
                model_name="m&m",
                subject="<!channel> & <http://evil.example|click> `x`",
                runbook_url="https://wiki.example.com/run?a=1&b=<2>|x",
                evidence="not json",
                latest_observed_value=float("nan"),
            ),
            incident("norunbook", subject="region", runbook_url=None, windows_breached=1),
        ],
    )
    config = write_config(tmp_path, webhook.url)
    assert notify_cli(config) == 0
    by_id = {r["message_id"]: r for r in webhook.accepted}

    first = by_id["i1:opened"]
    assert first["headers"]["Idempotency-Key"] == "i1:opened"
    assert first["headers"]["Content-Type"].startswith("application/json")
    assert first["path"] == "/hooks/T000/secret"
    text = first["payload"]["text"]
    assert text.startswith(":rotating_light: *ERROR* modelwatch: *credit_default*")
    assert "feature drift (PSI against the reference): `psi` on `income`" in text
    assert "Since window 2026-08-03 (UTC), last breached 2026-08-05 · 3 windows breached" in text
    assert "Latest *0.3127* vs threshold 0.25 (static) · peak 0.4 (error)" in text
    assert "Recommended action: *retrain*" in text
    assert "<https://wiki.example.com/runbooks/drift|runbook>" in text
    assert "<https://bi.example.com/modelwatch|dashboard>" in text
    structured = first["payload"]["modelwatch"]
    assert (structured["event"], structured["message_id"]) == ("opened", "i1:opened")
    assert structured["incident"] == {
        **incident("i1"),
        "evidence": {"psi": 0.3127, "top_bin": 9},
        "opened_window_start": "2026-08-03 00:00:00",
        "last_breach_window_start": "2026-08-05 00:00:00",
    }

    evil = by_id["evil:opened"]["payload"]
    text = evil["text"]
    assert "<!channel>" not in text and "<http://evil" not in text
    assert "&lt;!channel&gt; &amp; &lt;http://evil.example|click&gt;" in text
    assert "*m&amp;m*" in text and ":warning: *WARN*" in text
    # the runbook stays one link: | and <> cannot end it early
    assert "<https://wiki.example.com/run?a=1&amp;b=&lt;2&gt;%7Cx|runbook>" in text
    assert "Latest *n/a*" in text
    assert evil["modelwatch"]["incident"]["subject"] == (
        "<!channel> & <http://evil.example|click> `x`"
    )
    assert evil["modelwatch"]["incident"]["latest_observed_value"] is None  # NaN is not JSON
    assert evil["modelwatch"]["incident"]["evidence"] == "not json"

    text = by_id["norunbook:opened"]["payload"]["text"]
    assert "no runbook configured" in text and "1 window breached" in text


def test_listing_new_all_and_json(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(
        db,
        [
            incident("i1"),
            resolved("w1", subject="region", opened_window_start=datetime(2026, 8, 5)),
            incident("o1", model_name="other", check_name="ece", subject="v1"),
        ],
    )
    config = write_config(tmp_path, webhook.url)

    # listing never posts and never writes (no ledger yet: everything is new)
    assert cli.main(["alerts", "--config", str(config)]) == 1  # open error-level incidents
    out = capsys.readouterr().out
    assert "3 incident(s), 2 open (2 at error), 4 new event(s) to notify" in out
    lines = out.splitlines()
    assert lines[1].split() == [
        "status", "severity", "model", "check", "subject", "since", "last", "windows",
        "latest", "peak", "action", "new", "events",
    ]  # fmt: skip
    assert lines[3].split() == [
        "open", "error", "credit_default", "psi", "income", "2026-08-03", "2026-08-05", "3",
        "0.3127", "0.4", "retrain", "opened",
    ]  # fmt: skip
    assert lines[-1].split()[0] == "resolved"  # open incidents first
    assert lines[-1].split()[-1] == "opened,resolved"
    assert not webhook.requests
    con = duckdb.connect(str(db), read_only=True)
    assert not con.execute(
        "select * from information_schema.tables where table_name = 'incident_deliveries'"
    ).fetchall()
    con.close()

    assert cli.main(["alerts", "--config", str(config), "--no-fail-on-alerts"]) == 0
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--min-severity", "error", "--json"]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert [i["incident_id"] for i in listed] == ["i1", "o1"]
    assert listed[0]["deliveries"] == {
        "opened": {"status": "pending", "attempts": 0, "error": None}
    }
    assert listed[0]["evidence"] == {"psi": 0.3127, "top_bin": 9}

    assert notify_cli(config, "--model", "other") == 0
    assert webhook.accepted_per_message() == {"o1:opened": 1}
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    assert [i["incident_id"] for i in json.loads(capsys.readouterr().out)] == ["i1", "w1"]
    assert cli.main(["alerts", "--config", str(config), "--all", "--json"]) == 1
    listed = {i["incident_id"]: i["pending_events"] for i in json.loads(capsys.readouterr().out)}
    assert listed == {"i1": ["opened"], "w1": ["opened", "resolved"], "o1": []}
    assert cli.main(["alerts", "--config", str(config), "--all"]) == 1
    out = capsys.readouterr().out
    assert "opened:delivered" in out and "opened:pending,resolved:pending" in out

    assert notify_cli(config) == 0
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config)]) == 0
    assert "0 new event(s) to notify" in capsys.readouterr().out


def test_dry_run_sends_and_records_nothing(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1"), resolved("i2", subject="region")])
    config = write_config(tmp_path, webhook.url)
    assert notify_cli(config, "--dry-run") == 0
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [m["modelwatch"]["message_id"] for m in messages] == [
        "i1:opened", "i2:opened", "i2:resolved"
    ]  # fmt: skip
    assert "<https://wiki.example.com/runbooks/drift|runbook>" in messages[0]["text"]
    assert not webhook.requests
    assert not (tmp_path / "warehouse.duckdb.wal").exists()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_warehouse_flag_and_environment_webhook(tmp_path, webhook, monkeypatch, capsys):
    db = tmp_path / "demo.duckdb"
    write_incidents(db, [incident("i1")])
    assert cli.main(["alerts", "--warehouse", str(db), "--notify"]) == 2
    assert "--notify needs a webhook" in capsys.readouterr().err
    monkeypatch.setenv(notify.WEBHOOK_ENV, webhook.url)
    assert cli.main(["alerts", "--warehouse", str(db), "--notify"]) == 0
    assert webhook.accepted_per_message() == {"i1:opened": 1}


def test_environment_overrides_config(tmp_path, webhook, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    write_incidents(db, [incident("i1")])
    config = write_config(tmp_path, "http://127.0.0.1:9/never-used")
    monkeypatch.setenv(notify.WEBHOOK_ENV, webhook.url)
    assert notify_cli(config) == 0
    assert webhook.accepted_per_message() == {"i1:opened": 1}


def test_missing_incidents_table_and_bad_config(tmp_path, capsys):
    db = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    config = write_config(tmp_path, None)
    assert cli.main(["alerts", "--config", str(config)]) == 2
    assert "modelwatch.alert_incidents not found" in capsys.readouterr().err

    for bad, message in [
        ({"notify_min_severity": "info"}, "notify_min_severity must be warn or error"),
        ({"webhook_max_attempts": 0}, "webhook_max_attempts must be a whole number >= 1"),
        ({"webhook_url": "ftp://x"}, "webhook_url must be an http:// or https:// URL"),
        ({"webhook_timeout_seconds": "10s"}, "webhook_timeout_seconds must be a number"),
        ({"notify_resolved": "yes"}, "notify_resolved must be true or false"),
    ]:
        config = write_config(tmp_path, None, **bad)
        assert cli.main(["alerts", "--config", str(config)]) == 2
        assert message in capsys.readouterr().err


def test_ledger_on_postgres(tmp_path, webhook):
    from pg import PG, connect_or_skip

    con = connect_or_skip()
    schema = "mw_notify_test"
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f"drop schema if exists {schema} cascade")
        cur.execute(f"create schema {schema}")
        cur.execute(
            INCIDENTS_DDL.format(schema=schema)
            .replace("varchar", "text")
            .replace("double", "double precision")
        )
        for row in [incident("i1"), resolved("i2", subject="region")]:
            cur.execute(
                f"insert into {schema}.alert_incidents values ({', '.join(['%s'] * len(COLUMNS))})",
                [row[c] for c in COLUMNS],
            )
    config = {
        "warehouse": {
            "type": "postgres",
            "host": PG["host"],
            "port": PG["port"],
            "user": PG["user"],
            "dbname": PG["dbname"],
            "schema": schema,
        },
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0},
    }
    path = tmp_path / "pg.yml"
    path.write_text(yaml.safe_dump({"modelwatch": config}))
    try:
        webhook.respond = fail_first
        assert notify_cli(path) == 0
        assert notify_cli(path) == 0
        assert webhook.accepted_per_message() == {"i1:opened": 1, "i2:opened": 1, "i2:resolved": 1}
        with con.cursor() as cur:
            cur.execute(
                f"select incident_id, event, status, attempts from {schema}.incident_deliveries"
            )
            assert sorted(cur.fetchall()) == [
                ("i1", "opened", "delivered", 2),
                ("i2", "opened", "delivered", 2),
                ("i2", "resolved", "delivered", 2),
            ]
            cur.execute(
                f"insert into {schema}.alert_incidents (incident_id, model_name, check_name,"
                " subject, status, opened_severity, current_severity, peak_severity,"
                " opened_window_start) values ('i3', 'm', 'ece', 'v1', 'open', 'error', 'error',"
                " 'error', '2026-08-05')"
            )
        webhook.respond = lambda message_id, attempt: (500, {}, 0.0)
        assert notify_cli(path) == 2
        with con.cursor() as cur:
            cur.execute(
                f"select status, attempts from {schema}.incident_deliveries "
                "where incident_id = 'i3'"
            )
            assert cur.fetchall() == [("failed", 3)]
        webhook.respond = lambda message_id, attempt: (200, {}, 0.0)
        assert notify_cli(path) == 0
        assert set(webhook.accepted_per_message().values()) == {1}
        assert len(webhook.accepted_per_message()) == 4
        assert cli.main(["alerts", "--config", str(path)]) == 0
    finally:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {schema} cascade")
        con.close()


def test_end_to_end_one_message_per_incident_event(demo_built, tmp_path, webhook, capsys):
    """On the demo build: one message per incident event (a few dozen, not one per window),
    each posted once, and a `--full-refresh` rebuild neither drops the ledger nor makes
    anything new."""
    import shutil

    config = {
        "warehouse": {"type": "duckdb", "path": str(tmp_path / "demo.duckdb")},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0},
    }
    shutil.copy(demo_built.path, tmp_path / "demo.duckdb")
    warehouse = resolve_warehouse(config)
    settings = notify.settings_from_config(config)
    incidents = notify.list_incidents(warehouse, settings)
    events = sum(len(i["events"]) for i in incidents)
    alerts = demo_built.df("select count(*) as n from modelwatch.alerts").n[0]
    # one message per incident event: a few dozen for a thousand window rows
    assert len(incidents) <= events < 80 and events * 10 < alerts, (len(incidents), events, alerts)
    webhook.respond = fail_first
    outcome = notify.notify(warehouse, settings)
    assert (outcome.delivered, outcome.failed) == (events, 0)
    assert sum(webhook.accepted_per_message().values()) == events
    assert set(webhook.accepted_per_message().values()) == {1}
    with capsys.disabled():
        print(f"\ndemo: {alerts} alert rows, {len(incidents)} incidents, {events} messages")

    from modelwatch.runner import DbtProject

    demo_config = {**demo_built.config, "warehouse": config["warehouse"]}
    project = DbtProject(demo_config, warehouse.env, target_path=tmp_path / "target")
    assert project.run(full_refresh=True).build_ok
    assert all(not i["pending_events"] for i in notify.list_incidents(warehouse, settings))
    assert notify.notify(warehouse, settings).deliveries == []
    assert sum(webhook.accepted_per_message().values()) == events
