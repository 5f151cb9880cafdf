"""Open incidents first, one line each; resolved ones folded below."""

from __future__ import annotations

from html import escape

from modelwatch.report.formatters import (
    SEVERITY_ORDER,
    badge,
    capped_note,
    fmt_value,
    html_table,
    note,
    runbook_link,
    sort_key,
)
from modelwatch.report.reader import Data, Row

MAX_RESOLVED_ROWS = 100  # resolved incidents listed

ACTION_WORDS = {
    "retrain": "retrain",
    "recalibrate": "recalibrate",
    "wait_for_labels": "wait for labels",
    "investigate": "investigate",
    "none": "see runbook",
}


def _incident_line(r: Row, models: list[str]) -> list[str]:
    severity = str(r.get("current_severity"))
    what = escape(str(r.get("check_description") or r.get("check_name")))
    subject = fmt_value(r.get("subject"))
    if len(models) > 1:
        subject = f"{fmt_value(r.get('model_name'))}: {subject}"
    windows = r.get("windows_breached")
    since = fmt_value(r.get("opened_window_start"))
    span = f"{since} · {fmt_value(windows)} window{'' if windows == 1 else 's'}"
    if r.get("resolved_window_start") is not None:
        span += f" · resolved {fmt_value(r.get('resolved_window_start'))}"
    action = r.get("recommendation")
    return [
        badge(severity if severity in SEVERITY_ORDER else "info", severity),
        f'{what} <span class="muted">(<code>{escape(str(r.get("check_name")))}</code>)</span>',
        subject,
        span,
        f"{fmt_value(r.get('latest_observed_value'))} "
        f'<span class="muted">vs {fmt_value(r.get("latest_threshold"))}; '
        f"peak {fmt_value(r.get('peak_observed_value'))}</span>",
        escape(ACTION_WORDS.get(str(action), str(action))) if action else "–",
        runbook_link(r.get("runbook_url")),
    ]


INCIDENT_HEADERS = ["severity", "what", "subject", "since", "latest vs threshold", "action",
                    "runbook"]  # fmt: skip


def render(data: Data, models: list[str]) -> str:
    rows = data.rows("alert_incidents")
    if rows is None:
        return note(
            "<code>alert_incidents</code> is not built in this warehouse; the alert rows are "
            "listed at the end of the report."
        )
    order = sorted(
        rows,
        key=lambda r: tuple(
            sort_key(r.get(k))
            for k in ("opened_window_start", "model_name", "check_name", "subject")
        ),
    )
    order.sort(key=lambda r: SEVERITY_ORDER.get(str(r.get("current_severity")), 2))
    open_rows = [r for r in order if r.get("status") == "open"]
    resolved = [r for r in order if r.get("status") != "open"]
    resolved.sort(key=lambda r: sort_key(r.get("resolved_window_start")), reverse=True)
    errors = sum(r.get("current_severity") == "error" for r in open_rows)
    body = [
        f'<p class="lead">{badge("error", f"{errors} error")} '
        f"{badge('warn', f'{len(open_rows) - errors} warn')} open incidents, "
        f"{len(resolved)} resolved. One line per incident: a run of breaching windows of one "
        "check and subject (<code>alert_incidents</code>); notifications go per incident event.</p>"
    ]
    if open_rows:
        body.append(
            html_table(
                INCIDENT_HEADERS, (_incident_line(r, models) for r in open_rows), "incidents"
            )
        )
    else:
        body.append(f'<p class="allclear">{badge("ok")} No open incidents.</p>')
    if resolved:
        shown = resolved[:MAX_RESOLVED_ROWS]
        body.append(
            f"<details><summary>{len(resolved)} resolved incident(s)</summary>"
            + html_table(INCIDENT_HEADERS, (_incident_line(r, models) for r in shown), "incidents")
            + (capped_note(len(resolved), len(shown)) if len(resolved) > len(shown) else "")
            + "</details>"
        )
    return "".join(body)
