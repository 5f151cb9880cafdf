"""A notification run: read the incidents, post every new event once, record each result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from modelwatch.config import Warehouse
from modelwatch.notify.formats import build_payload
from modelwatch.notify.ledger import (
    Delivery,
    ensure_ledger,
    load_incidents,
    pending_messages,
    record_delivery,
)
from modelwatch.notify.settings import WEBHOOK_ENV, NotifyError, NotifySettings
from modelwatch.notify.webhook import post_message
from modelwatch.runlock import warehouse_lock
from modelwatch.warehouse import Connection

# After this many messages in a row fail every attempt the run stops: the endpoint is down, and
# the rest wait (still new) for the next run instead of costing minutes of retries.
MAX_CONSECUTIVE_FAILED_MESSAGES = 3


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
            record_delivery(con, warehouse.schema, message, result)
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
