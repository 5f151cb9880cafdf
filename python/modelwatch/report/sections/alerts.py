"""The alert rows behind the incidents, errors first, with their evidence."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from modelwatch.report.formatters import (
    SEVERITY_ORDER,
    badge,
    evidence_block,
    fmt_value,
    html_table,
    note,
    runbook_link,
    sort_key,
)
from modelwatch.report.reader import Data

MAX_ALERT_ROWS = 300  # alert rows listed (the table holds them all)


def render(data: Data, models: list[str]) -> str:
    rows = data.rows("alerts")
    if rows is None:
        return note(
            "<code>alerts</code> is not built in this warehouse, so no alert rows can be listed "
            "here. The dbt alert tests still run with <code>modelwatch run</code>; their failing "
            "rows are stored in the audit schema."
        )
    if not rows:
        return f'<p class="allclear">{badge("ok")} No alerts fired.</p>'
    # errors first, then the newest window first, then by model, check and subject (stable sorts)
    rows = sorted(
        rows,
        key=lambda r: tuple(
            sort_key(r.get(k))
            for k in ("model_name", "check_category", "check_name", "subject", "alert_id")
        ),
    )
    rows.sort(key=lambda r: sort_key(r.get("window_start")), reverse=True)
    rows.sort(key=lambda r: SEVERITY_ORDER.get(str(r.get("severity")), 2))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        counts[(str(r.get("severity")), str(r.get("check_name")))] += 1
    errors = sum(n for (sev, _), n in counts.items() if sev == "error")
    warns = sum(n for (sev, _), n in counts.items() if sev == "warn")
    summary = "".join(
        f"<li>{badge(sev)} <code>{escape(check)}</code>: {n}</li>"
        for (sev, check), n in sorted(
            counts.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][0], 2), kv[0][1])
        )
    )
    body = [
        f'<p class="lead">{badge("error", f"{errors} error")} {badge("warn", f"{warns} warn")} '
        f"alert rows (errors page, warnings go to review).</p>",
        f'<ul class="counts">{summary}</ul>',
    ]
    table_rows = []
    for r in rows[:MAX_ALERT_ROWS]:
        severity = str(r.get("severity"))
        check = f"<code>{escape(str(r.get('check_name')))}</code>"
        if r.get("check_category") is not None:
            check += f'<br><span class="muted">{escape(str(r["check_category"]))}</span>'
        subject = fmt_value(r.get("subject"))
        if len(models) > 1:
            subject = f"{fmt_value(r.get('model_name'))}: {subject}"
        table_rows.append(
            [
                badge(severity if severity in SEVERITY_ORDER else "info", severity),
                fmt_value(r.get("window_start")),
                check,
                subject,
                fmt_value(r.get("observed_value")),
                fmt_value(r.get("threshold"))
                + (
                    f' <span class="muted">({escape(str(r["threshold_kind"]))})</span>'
                    if r.get("threshold_kind")
                    else ""
                ),
                fmt_value(r.get("consecutive_windows")),
                runbook_link(r.get("runbook_url")),
                evidence_block(r.get("evidence")),
            ]
        )
    body.append(
        html_table(
            [
                "severity",
                "window",
                "check",
                "subject",
                "observed",
                "threshold",
                "windows in a row",
                "runbook",
                "evidence",
            ],
            table_rows,
            "alerts",
        )
    )
    if len(rows) > MAX_ALERT_ROWS:
        body.append(
            note(
                f"Showing {MAX_ALERT_ROWS} of {len(rows)} alert rows; "
                "all are in <code>alerts</code>."
            )
        )
    return "".join(body)
