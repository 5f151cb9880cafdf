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

Layout (elementary's `messages/formats` apart from `messaging_integrations`):
- settings.py   the `alerts:` config section, validated (NotifySettings)
- ledger.py     incidents and their events, the delivery ledger (read and record)
- formats.py    the message: Slack text, JSON payload; the terminal table
- webhook.py    HTTP delivery with retries
- dispatch.py   a run: notify() (locked, posts and records) and list_incidents() (read-only)
"""

from modelwatch.notify.dispatch import (
    MAX_CONSECUTIVE_FAILED_MESSAGES,
    NotifyOutcome,
    list_incidents,
    notify,
)
from modelwatch.notify.formats import (
    build_payload,
    incident_record,
    render_table,
    slack_escape,
    slack_link,
    slack_text,
)
from modelwatch.notify.ledger import (
    EVENT_WINDOW,
    EVENTS,
    INCIDENTS_TABLE,
    LEDGER_TABLE,
    Delivery,
    ensure_ledger,
    incident_events,
    load_incidents,
    message_id,
    pending_messages,
)
from modelwatch.notify.settings import (
    SEVERITY_RANK,
    WEBHOOK_ENV,
    NotifyError,
    NotifySettings,
    settings_from_config,
)
from modelwatch.notify.webhook import (
    MAX_RETRY_AFTER_SECONDS,
    post_message,
)

__all__ = [
    "Delivery",
    "EVENTS",
    "EVENT_WINDOW",
    "INCIDENTS_TABLE",
    "LEDGER_TABLE",
    "MAX_CONSECUTIVE_FAILED_MESSAGES",
    "MAX_RETRY_AFTER_SECONDS",
    "NotifyError",
    "NotifyOutcome",
    "NotifySettings",
    "SEVERITY_RANK",
    "WEBHOOK_ENV",
    "build_payload",
    "ensure_ledger",
    "incident_events",
    "incident_record",
    "list_incidents",
    "load_incidents",
    "message_id",
    "notify",
    "pending_messages",
    "post_message",
    "render_table",
    "settings_from_config",
    "slack_escape",
    "slack_link",
    "slack_text",
]
