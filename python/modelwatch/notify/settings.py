"""The `alerts:` section of the config as NotifySettings, validated; the webhook URL may come
from the environment instead (MODELWATCH_WEBHOOK_URL), so it need not sit in a file.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modelwatch.config import ConfigError

SEVERITY_RANK = {"warn": 1, "error": 2}

WEBHOOK_ENV = "MODELWATCH_WEBHOOK_URL"


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


def severity_rank(severity: Any) -> int:
    return SEVERITY_RANK.get(str(severity), 0)
