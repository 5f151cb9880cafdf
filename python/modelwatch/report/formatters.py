"""Values and small HTML pieces every section uses (NannyML's `plots/components` level, with
modelwatch.svg for the charts): numbers and windows as text, badges, notes, tables, runbook
links and evidence. Everything from the data passes through `html.escape`; only http(s)
runbook URLs become links.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import urlparse

from modelwatch.report.reader import Row
from modelwatch.svg import PALETTE, fmt_number

MAX_WINDOWS = 120  # time series and the heatmap show at most the latest this many windows

MAX_EVIDENCE_CHARS = 4000  # evidence text shown per alert row

SEVERITY_ORDER = {"error": 0, "warn": 1}


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fmt_when(value: Any) -> str:
    """A window start as text: the date for midnight, else date and minutes."""
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def sort_key(value: Any) -> tuple[int, str]:
    """Sort windows and names of any type deterministically (None last)."""
    if value is None:
        return (1, "")
    if isinstance(value, dt.datetime | dt.date):
        return (0, value.isoformat())
    return (0, str(value))


def fmt_value(value: Any) -> str:
    """Escaped text of any value."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return escape(fmt_number(float(value), 4))
    if value is None:
        return "–"
    if hasattr(value, "isoformat"):
        return escape(fmt_when(value))
    return escape(str(value))


def fmt_pct(value: Any) -> str:
    number = as_number(value)
    return "–" if number is None else f"{100 * number:.1f}%"


def as_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "1", "yes")
    return bool(value)


def badge(kind: str, text: str | None = None) -> str:
    css = {"error": "b-error", "warn": "b-warn", "ok": "b-ok"}.get(kind, "b-info")
    return f'<span class="badge {css}">{escape(text if text is not None else kind)}</span>'


def runbook_link(url: Any) -> str:
    """A runbook link when the URL is http(s), else the escaped text."""
    if url is None or str(url).strip() == "":
        return "–"
    text = str(url).strip()
    if urlparse(text).scheme.lower() in ("http", "https"):
        return (
            f'<a href="{escape(text, quote=True)}" rel="noopener noreferrer" '
            f'target="_blank">runbook</a>'
        )
    return f"<code>{escape(text)}</code>"


def evidence_block(value: Any) -> str:
    if value is None or str(value).strip() == "":
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    with contextlib.suppress(TypeError, ValueError):
        text = json.dumps(json.loads(text), indent=2, sort_keys=True, default=str)
    if len(text) > MAX_EVIDENCE_CHARS:
        text = (
            text[:MAX_EVIDENCE_CHARS] + f"\n… ({len(text) - MAX_EVIDENCE_CHARS:,} more characters)"
        )
    return f"<details><summary>evidence</summary><pre>{escape(text)}</pre></details>"


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def missing_note(table: str) -> str:
    return note(f"<code>{escape(table)}</code> is not built in this warehouse.")


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """An HTML table; cells are pre-escaped markup."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def group_by(rows: Iterable[Row], *keys: str) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in keys)].append(row)
    return groups


def latest_windows(rows: Iterable[Row], limit: int = MAX_WINDOWS) -> list[Any]:
    """The distinct window starts, oldest first, at most the latest `limit`."""
    starts = sorted({r.get("window_start") for r in rows} - {None}, key=sort_key)
    return starts[-limit:]


def capped_note(total: int, shown: int) -> str:
    if total <= shown:
        return ""
    return note(f"Showing the latest {shown} of {total} windows.")


def version_colors(versions: Sequence[Any]) -> dict[Any, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(versions)}
