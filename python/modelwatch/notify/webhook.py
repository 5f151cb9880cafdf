"""HTTP delivery of one message to a webhook (elementary's `messaging_integrations`): a POST
retried on connection errors, timeouts, 429 and 5xx with exponential backoff (Retry-After
honoured up to a cap), never on other 4xx or on redirects.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

from modelwatch import __version__
from modelwatch.notify.ledger import Delivery, utcnow
from modelwatch.notify.settings import NotifySettings

# Retry-After is honoured up to this many seconds; a longer wait ends the message's attempts.
MAX_RETRY_AFTER_SECONDS = 60.0

_MAX_ERROR_CHARS = 500


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


def post_message(settings: NotifySettings, message_id: str, payload: dict[str, Any]) -> Delivery:
    """POST one message; retry connection errors, timeouts, 429 and 5xx (never other 4xx/3xx)."""
    assert settings.webhook_url
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"modelwatch/{__version__}",
        "Idempotency-Key": str(message_id),
    }
    delivery = Delivery(message_id=message_id, ok=False, attempts=0, first_attempt_at=utcnow())
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
