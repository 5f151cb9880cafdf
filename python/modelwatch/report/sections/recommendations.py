"""Windows whose retraining recommendation asks for an action, newest first."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from modelwatch.report.formatters import (
    badge,
    fmt_value,
    html_table,
    missing_note,
    note,
    sort_key,
)
from modelwatch.report.reader import Data

MAX_RECOMMENDATION_ROWS = 40  # windows with an action listed (newest first)


def render(data: Data, models: list[str]) -> str:
    rows = data.rows("retraining_recommendations")
    if rows is None:
        return missing_note("retraining_recommendations")
    acting = [r for r in rows if str(r.get("action")) != "none"]
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[str(r.get("action"))] += 1
    summary = " · ".join(f"{escape(action)}: {n}" for action, n in sorted(counts.items()))
    out = [f'<p class="lead">Windows by action - {summary}</p>']
    acting.sort(key=lambda r: (sort_key(r.get("window_start")), sort_key(r.get("model_name"))))
    acting.reverse()
    shown = acting[:MAX_RECOMMENDATION_ROWS]
    if shown:
        out.append(
            html_table(
                ["window", "model", "action", "why"],
                (
                    [
                        fmt_value(r.get("window_start")),
                        fmt_value(r.get("model_name")),
                        badge("warn" if r.get("action") != "investigate" else "error",
                               str(r.get("action"))),
                        fmt_value(r.get("reasons")),
                    ]
                    for r in shown
                ),
                "recommendations",
            )
        )  # fmt: skip
        if len(acting) > len(shown):
            out.append(
                note(f"Showing the newest {len(shown)} of {len(acting)} windows with an action.")
            )
    else:
        out.append(f'<p class="allclear">{badge("ok")} No window asks for an action.</p>')
    return "".join(out)
