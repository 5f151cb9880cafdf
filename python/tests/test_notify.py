"""`modelwatch alerts`: listing new alerts and delivering each one exactly once to a webhook.

The alerts tables are made by hand (the schema dbt builds) in a temporary DuckDB file, and on the
test PostgreSQL; the webhook is a local http.server on 127.0.0.1 whose behaviour each test sets.
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

ALERTS_DDL = """
create table {schema}.alerts (
    alert_id varchar, model_name varchar, window_start timestamp, window_end timestamp,
    check_name varchar, check_category varchar, subject varchar, observed_value double,
    threshold double, severity varchar, threshold_kind varchar, consecutive_windows integer,
    runbook_url varchar, evidence varchar
)
"""
COLUMNS = [
    "alert_id",
    "model_name",
    "window_start",
    "window_end",
    "check_name",
    "check_category",
    "subject",
    "observed_value",
    "threshold",
    "severity",
    "threshold_kind",
    "consecutive_windows",
    "runbook_url",
    "evidence",
]


def alert(alert_id: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "alert_id": alert_id,
        "model_name": "credit_default",
        "window_start": datetime(2026, 8, 3),
        "window_end": datetime(2026, 8, 4),
        "check_name": "psi",
        "check_category": "drift",
        "subject": "income",
        "observed_value": 0.3127,
        "threshold": 0.25,
        "severity": "error",
        "threshold_kind": "static",
        "consecutive_windows": 3,
        "runbook_url": "https://wiki.example.com/runbooks/drift",
        "evidence": json.dumps({"psi": 0.3127, "top_bin": 9}),
    }
    row.update(overrides)
    return row


def write_alerts(path: Path, rows: list[dict[str, Any]], schema: str = "modelwatch") -> None:
    """Replace <schema>.alerts, as every dbt build does (alert ids are stable)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"drop table if exists {schema}.alerts")
        con.execute(ALERTS_DDL.format(schema=schema))
        placeholders = ", ".join("?" for _ in COLUMNS)
        for row in rows:
            con.execute(
                f"insert into {schema}.alerts values ({placeholders})", [row[c] for c in COLUMNS]
            )
    finally:
        con.close()


def ledger(path: Path) -> dict[str, dict[str, Any]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute("select * from modelwatch.alert_deliveries")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    finally:
        con.close()


class Webhook:
    """A local webhook; `respond(alert_id, attempt)` returns (status, headers, sleep_seconds)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.accepted: list[dict[str, Any]] = []
        self.respond: Callable[[str, int], tuple[int, dict[str, str], float]] = (
            lambda alert_id, attempt: (200, {}, 0.0)
        )
        self.lock = threading.Lock()
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = json.loads(body)
                alert_id = payload["modelwatch"]["alert_id"]
                with webhook.lock:
                    attempt = 1 + sum(r["alert_id"] == alert_id for r in webhook.requests)
                    record = {
                        "alert_id": alert_id,
                        "payload": payload,
                        "headers": dict(self.headers),
                        "path": self.path,
                    }
                    webhook.requests.append(record)
                status, headers, sleep = webhook.respond(alert_id, attempt)
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

    def accepted_per_alert(self) -> Counter:
        return Counter(r["alert_id"] for r in self.accepted)

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


def fail_first(alert_id: str, attempt: int) -> tuple[int, dict[str, str], float]:
    return (500 if attempt == 1 else 200), {}, 0.0


def test_first_attempt_fails_still_exactly_one_message_per_alert(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1"), alert("a2", severity="warn", subject="region")])
    config = write_config(tmp_path, webhook.url)
    webhook.respond = fail_first

    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"a1": 1, "a2": 1}
    assert len(webhook.requests) == 4  # each alert: one 500, then accepted
    state = ledger(db)
    assert {k: (v["status"], v["attempts"], v["http_status"]) for k, v in state.items()} == {
        "a1": ("delivered", 2, 200),
        "a2": ("delivered", 2, 200),
    }
    assert all(v["delivered_at"] is not None and v["last_error"] is None for v in state.values())
    out = capsys.readouterr().out
    assert "2 delivered, 0 failed of 2 new alert(s)" in out
    assert "secret" not in out  # the webhook's path is its secret: never printed

    # a rerun, and a rebuilt alerts table (dbt rewrites it) with the same ids: nothing resent
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    write_alerts(db, [alert("a2", severity="warn", subject="region"), alert("a1")])
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert len(webhook.requests) == 4

    # an alert added later is sent once
    write_alerts(
        db,
        [alert("a1"), alert("a2", severity="warn", subject="region"), alert("a3", subject="x")],
    )
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"a1": 1, "a2": 1, "a3": 1}
    assert ledger(db)["a3"]["status"] == "delivered"


def test_failing_server_records_failure_and_next_run_delivers(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1"), alert("a2", subject="region")])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=3)
    webhook.respond = lambda alert_id, attempt: (503, {}, 0.0)

    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 2
    captured = capsys.readouterr()
    assert "0 delivered, 2 failed of 2 new alert(s)" in captured.out
    assert "next `modelwatch alerts --notify` retries them" in captured.err
    assert len(webhook.requests) == 6 and not webhook.accepted
    state = ledger(db)
    assert {v["status"] for v in state.values()} == {"failed"}
    assert {v["attempts"] for v in state.values()} == {3}
    assert state["a1"]["http_status"] == 503 and "HTTP 503" in state["a1"]["last_error"]
    assert state["a1"]["delivered_at"] is None

    # still new: listed, and the exit code still reports the unhandled error-level alerts
    assert cli.main(["alerts", "--config", str(config)]) == 1
    assert "2 new alert(s)" in capsys.readouterr().out

    webhook.respond = lambda alert_id, attempt: (200, {}, 0.0)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"a1": 1, "a2": 1}
    state = ledger(db)
    assert {(v["status"], v["attempts"]) for v in state.values()} == {("delivered", 4)}
    assert state["a1"]["last_error"] is None


def test_escalation_is_announced_once_and_a_downgrade_is_not(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1", severity="warn")])
    config = write_config(tmp_path, webhook.url)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0

    # a later build (more labels, a bigger shift) raises the same alert to error
    write_alerts(db, [alert("a1", severity="error", observed_value=0.5)])
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["delivery_status"], listed["escalated_from"]) == ("escalated", "warn")
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert [r["payload"]["modelwatch"]["escalated_from"] for r in webhook.accepted] == [
        None,
        "warn",
    ]
    assert "*ERROR (escalated from warn)*" in webhook.accepted[1]["payload"]["text"]
    assert ledger(db)["a1"]["delivered_severity"] == "error"

    write_alerts(db, [alert("a1", severity="warn")])  # back down: nothing to announce
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert len(webhook.accepted) == 2


def test_a_crash_mid_batch_does_not_resend_delivered_alerts(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert(f"a{i}", subject=f"f{i}") for i in range(3)])
    config = {
        "warehouse": {"type": "duckdb", "path": str(db)},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0},
    }
    warehouse, settings = resolve_warehouse(config), notify.settings_from_config(config)

    def crash(alert: dict[str, Any], result: notify.Delivery) -> None:
        if alert["alert_id"] == "a1":
            raise KeyboardInterrupt  # killed right after the second delivery was recorded

    with pytest.raises(KeyboardInterrupt):
        notify.notify(warehouse, settings, on_delivery=crash)
    assert webhook.accepted_per_alert() == {"a0": 1, "a1": 1}
    assert notify.notify(warehouse, settings).delivered == 1
    assert webhook.accepted_per_alert() == {"a0": 1, "a1": 1, "a2": 1}


def test_client_error_is_not_retried(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=5)
    webhook.respond = lambda alert_id, attempt: (400, {}, 0.0)

    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 2
    assert len(webhook.requests) == 1
    entry = ledger(db)["a1"]
    assert (entry["status"], entry["attempts"], entry["http_status"]) == ("failed", 1, 400)
    assert "invalid_payload" in entry["last_error"]  # the receiver's reason is kept


def test_timeout_is_retried(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
    config = write_config(tmp_path, webhook.url, webhook_timeout_seconds=0.3)
    webhook.respond = lambda alert_id, attempt: (200, {}, 1.0 if attempt == 1 else 0.0)

    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert len(webhook.requests) == 2
    assert webhook.accepted_per_alert() == {"a1": 1}
    assert (ledger(db)["a1"]["status"], ledger(db)["a1"]["attempts"]) == ("delivered", 2)


def test_timeouts_on_every_attempt_are_reported(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
    config = write_config(
        tmp_path, webhook.url, webhook_timeout_seconds=0.2, webhook_max_attempts=2
    )
    webhook.respond = lambda alert_id, attempt: (200, {}, 0.6)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 2
    entry = ledger(db)["a1"]
    assert (entry["status"], entry["attempts"]) == ("failed", 2)
    assert "timed out after 0.2 s" in entry["last_error"]


def test_connection_refused_is_retried_then_failed(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
    closed = Webhook()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    config = write_config(tmp_path, url, webhook_max_attempts=2)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 2
    entry = ledger(db)["a1"]
    assert (entry["status"], entry["attempts"], entry["http_status"]) == ("failed", 2, None)
    assert entry["last_error"]


def test_retry_after_is_respected_and_capped(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1"), alert("a2", subject="region")])
    config = {
        "warehouse": {"type": "duckdb", "path": str(db)},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0.01},
    }
    settings = notify.settings_from_config(config)
    sleeps: list[float] = []
    settings.sleep = sleeps.append

    def rate_limited(alert_id: str, attempt: int) -> tuple[int, dict[str, str], float]:
        if alert_id == "a1":
            return (429, {"Retry-After": "2"}, 0.0) if attempt == 1 else (200, {}, 0.0)
        return 429, {"Retry-After": "3600"}, 0.0  # longer than the cap: give up, do not wait

    webhook.respond = rate_limited
    outcome = notify.notify(resolve_warehouse(config), settings)
    assert sleeps == [2.0]
    assert (outcome.delivered, outcome.failed) == (1, 1)
    state = ledger(db)
    assert state["a1"]["status"] == "delivered"
    assert state["a2"]["status"] == "failed" and "exceeds the cap" in state["a2"]["last_error"]


def test_backoff_is_exponential(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
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
    webhook.respond = lambda alert_id, attempt: (500, {}, 0.0)
    notify.notify(resolve_warehouse(config), settings)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_dead_endpoint_stops_the_batch(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert(f"a{i}", subject=f"f{i}") for i in range(6)])
    config = write_config(tmp_path, webhook.url, webhook_max_attempts=2)
    webhook.respond = lambda alert_id, attempt: (500, {}, 0.0)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 2
    assert "0 delivered, 3 failed, 3 not tried of 6 new alert(s)" in capsys.readouterr().out
    assert len(ledger(db)) == notify.MAX_CONSECUTIVE_FAILED_ALERTS


def test_payload_is_slack_text_plus_structured_alert(tmp_path, webhook):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(
        db,
        [
            alert("a1"),
            alert(
                "evil",
                severity="warn",
                model_name="m&m",
                subject="<!channel> & <http://evil.example|click> `x`",
                runbook_url="https://wiki.example.com/run?a=1&b=<2>|x",
                evidence="not json",
                observed_value=float("nan"),
            ),
            alert("norunbook", subject="region", runbook_url=None, consecutive_windows=1),
        ],
    )
    config = write_config(tmp_path, webhook.url)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    by_id = {r["alert_id"]: r for r in webhook.accepted}

    first = by_id["a1"]
    assert first["headers"]["Idempotency-Key"] == "a1"
    assert first["headers"]["Content-Type"].startswith("application/json")
    assert first["path"] == "/hooks/T000/secret"
    text = first["payload"]["text"]
    assert "*ERROR*" in text and ":rotating_light:" in text
    assert "*credit_default*" in text and "`psi` on `income`" in text
    assert "Window 2026-08-03 to 2026-08-04 (UTC) · drift" in text
    assert "Observed *0.3127* vs threshold 0.25 (static)" in text
    assert "3 consecutive windows" in text
    assert "<https://wiki.example.com/runbooks/drift|runbook>" in text
    assert "<https://bi.example.com/modelwatch|dashboard>" in text
    structured = first["payload"]["modelwatch"]
    assert structured["alert_id"] == "a1"
    assert structured["alert"] == {
        "alert_id": "a1",
        "model_name": "credit_default",
        "window_start": "2026-08-03 00:00:00",
        "window_end": "2026-08-04 00:00:00",
        "check_name": "psi",
        "check_category": "drift",
        "subject": "income",
        "observed_value": 0.3127,
        "threshold": 0.25,
        "severity": "error",
        "threshold_kind": "static",
        "consecutive_windows": 3,
        "runbook_url": "https://wiki.example.com/runbooks/drift",
        "evidence": {"psi": 0.3127, "top_bin": 9},
    }

    evil = by_id["evil"]["payload"]
    text = evil["text"]
    assert "<!channel>" not in text and "<http://evil" not in text
    assert "&lt;!channel&gt; &amp; &lt;http://evil.example|click&gt;" in text
    assert "*m&amp;m*" in text and ":warning: *WARN*" in text
    # the runbook stays one link: | and <> cannot end it early
    assert "<https://wiki.example.com/run?a=1&amp;b=&lt;2&gt;%7Cx|runbook>" in text
    assert "Observed *n/a*" in text
    assert evil["modelwatch"]["alert"]["subject"] == "<!channel> & <http://evil.example|click> `x`"
    assert evil["modelwatch"]["alert"]["observed_value"] is None  # NaN is not JSON
    assert evil["modelwatch"]["alert"]["evidence"] == "not json"

    text = by_id["norunbook"]["payload"]["text"]
    assert "no runbook configured" in text and "1 consecutive window\n" in text


def test_listing_new_all_and_json(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(
        db,
        [
            alert("a1"),
            alert("w1", severity="warn", subject="region", window_start=datetime(2026, 8, 5)),
            alert("o1", model_name="other", check_name="ece", subject="__all__"),
        ],
    )
    config = write_config(tmp_path, webhook.url)

    # listing never posts and never writes (no ledger yet: everything is new)
    assert cli.main(["alerts", "--config", str(config)]) == 1  # new error-level alerts
    out = capsys.readouterr().out
    assert "3 new alert(s) (2 error, 1 warn)" in out
    lines = out.splitlines()
    assert lines[1].split() == [
        "severity",
        "model",
        "window",
        "check",
        "subject",
        "observed",
        "threshold",
        "consec",
        "runbook",
    ]
    assert lines[3].split()[:8] == [
        "error",
        "credit_default",
        "2026-08-03",
        "psi",
        "income",
        "0.3127",
        "0.25",
        "3",
    ]
    assert lines[-1].split()[0] == "warn"  # worst first
    assert not webhook.requests
    con = duckdb.connect(str(db), read_only=True)
    assert not con.execute(
        "select * from information_schema.tables where table_name = 'alert_deliveries'"
    ).fetchall()
    con.close()

    assert cli.main(["alerts", "--config", str(config), "--no-fail-on-alerts"]) == 0
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--min-severity", "error", "--json"]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert [a["alert_id"] for a in listed] == ["a1", "o1"]
    assert listed[0]["delivery_status"] == "pending"
    assert listed[0]["evidence"] == {"psi": 0.3127, "top_bin": 9}

    assert cli.main(["alerts", "--config", str(config), "--model", "other", "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"o1": 1}
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    assert [a["alert_id"] for a in json.loads(capsys.readouterr().out)] == ["a1", "w1"]
    assert cli.main(["alerts", "--config", str(config), "--all", "--json"]) == 1
    listed = {a["alert_id"]: a["delivery_status"] for a in json.loads(capsys.readouterr().out)}
    assert listed == {"a1": "pending", "w1": "pending", "o1": "delivered"}
    assert cli.main(["alerts", "--config", str(config), "--all"]) == 1
    out = capsys.readouterr().out
    assert "delivery" in out.splitlines()[1] and "delivered" in out

    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    capsys.readouterr()
    assert cli.main(["alerts", "--config", str(config)]) == 0
    assert "0 new alert(s)" in capsys.readouterr().out


def test_dry_run_sends_and_records_nothing(tmp_path, webhook, capsys):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1"), alert("a2", subject="region")])
    config = write_config(tmp_path, webhook.url)
    assert cli.main(["alerts", "--config", str(config), "--notify", "--dry-run"]) == 0
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [m["modelwatch"]["alert_id"] for m in messages] == ["a1", "a2"]
    assert "<https://wiki.example.com/runbooks/drift|runbook>" in messages[0]["text"]
    assert not webhook.requests
    assert not (tmp_path / "warehouse.duckdb.wal").exists()
    assert cli.main(["alerts", "--config", str(config), "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_warehouse_flag_and_environment_webhook(tmp_path, webhook, monkeypatch, capsys):
    db = tmp_path / "demo.duckdb"
    write_alerts(db, [alert("a1")])
    assert cli.main(["alerts", "--warehouse", str(db), "--notify"]) == 2
    assert "--notify needs a webhook" in capsys.readouterr().err
    monkeypatch.setenv(notify.WEBHOOK_ENV, webhook.url)
    assert cli.main(["alerts", "--warehouse", str(db), "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"a1": 1}


def test_environment_overrides_config(tmp_path, webhook, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    write_alerts(db, [alert("a1")])
    config = write_config(tmp_path, "http://127.0.0.1:9/never-used")
    monkeypatch.setenv(notify.WEBHOOK_ENV, webhook.url)
    assert cli.main(["alerts", "--config", str(config), "--notify"]) == 0
    assert webhook.accepted_per_alert() == {"a1": 1}


def test_missing_alerts_table_and_bad_config(tmp_path, capsys):
    db = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    config = write_config(tmp_path, None)
    assert cli.main(["alerts", "--config", str(config)]) == 2
    assert "modelwatch.alerts not found" in capsys.readouterr().err

    for bad, message in [
        ({"notify_min_severity": "info"}, "notify_min_severity must be warn or error"),
        ({"webhook_max_attempts": 0}, "webhook_max_attempts must be a whole number >= 1"),
        ({"webhook_url": "ftp://x"}, "webhook_url must be an http:// or https:// URL"),
        ({"webhook_timeout_seconds": "10s"}, "webhook_timeout_seconds must be a number"),
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
            ALERTS_DDL.format(schema=schema)
            .replace("varchar", "text")
            .replace("double", "double precision")
        )
        for row in [alert("a1"), alert("a2", subject="region", severity="warn")]:
            cur.execute(
                f"insert into {schema}.alerts values ({', '.join(['%s'] * len(COLUMNS))})",
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
        assert cli.main(["alerts", "--config", str(path), "--notify"]) == 0
        assert cli.main(["alerts", "--config", str(path), "--notify"]) == 0
        assert webhook.accepted_per_alert() == {"a1": 1, "a2": 1}
        with con.cursor() as cur:
            cur.execute(f"select alert_id, status, attempts from {schema}.alert_deliveries")
            assert sorted(cur.fetchall()) == [("a1", "delivered", 2), ("a2", "delivered", 2)]
            cur.execute(
                f"insert into {schema}.alerts (alert_id, model_name, window_start, check_name,"
                " subject, severity) values ('a3', 'm', '2026-08-05', 'ece', '__all__', 'error')"
            )
        webhook.respond = lambda alert_id, attempt: (500, {}, 0.0)
        assert cli.main(["alerts", "--config", str(path), "--notify"]) == 2
        with con.cursor() as cur:
            cur.execute(
                f"select status, attempts from {schema}.alert_deliveries where alert_id = 'a3'"
            )
            assert cur.fetchall() == [("failed", 3)]
        webhook.respond = lambda alert_id, attempt: (200, {}, 0.0)
        assert cli.main(["alerts", "--config", str(path), "--notify"]) == 0
        assert webhook.accepted_per_alert() == {"a1": 1, "a2": 1, "a3": 1}
        assert cli.main(["alerts", "--config", str(path)]) == 0
    finally:
        with con.cursor() as cur:
            cur.execute(f"drop schema if exists {schema} cascade")
        con.close()


_ALERTS_MODEL = list(Path(__file__).resolve().parents[2].glob("models/**/alerts.sql"))


@pytest.mark.skipif(not _ALERTS_MODEL, reason="the alerts model is not built yet")
def test_end_to_end_ledger_survives_full_refresh(demo_built, tmp_path, webhook):
    """On the demo build: every alert is posted once, and a `--full-refresh` rebuild neither
    drops the ledger nor makes anything new."""
    config = {
        "warehouse": {"type": "duckdb", "path": str(tmp_path / "demo.duckdb")},
        "alerts": {"webhook_url": webhook.url, "webhook_backoff_seconds": 0},
    }
    import shutil

    shutil.copy(demo_built.path, tmp_path / "demo.duckdb")
    warehouse = resolve_warehouse(config)
    settings = notify.settings_from_config(config)
    expected = len(notify.list_alerts(warehouse, settings))
    assert expected > 0
    webhook.respond = fail_first
    outcome = notify.notify(warehouse, settings)
    assert (outcome.delivered, outcome.failed) == (expected, 0)
    assert sum(webhook.accepted_per_alert().values()) == expected
    assert set(webhook.accepted_per_alert().values()) == {1}

    from modelwatch.runner import DbtProject

    demo_config = {**demo_built.config, "warehouse": config["warehouse"]}
    project = DbtProject(demo_config, warehouse.env, target_path=tmp_path / "target")
    assert project.run(full_refresh=True).build_ok
    assert notify.list_alerts(warehouse, settings) == []
    assert notify.notify(warehouse, settings).deliveries == []
    assert sum(webhook.accepted_per_alert().values()) == expected
