"""Champion / challenger comparison and canary verdicts."""

from __future__ import annotations

from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_number,
    badge,
    fmt_pct,
    fmt_value,
    fmt_when,
    group_by,
    html_table,
    latest_windows,
    missing_note,
    note,
    sort_key,
)
from modelwatch.report.reader import Data, Row, for_model
from modelwatch.svg import (
    PALETTE,
    Series,
    legend,
    line_chart,
)


def render(data: Data, models: list[str]) -> str:
    comparison = data.rows("model_comparison")
    canary = data.rows("canary_verdicts")
    out = []
    if comparison is None:
        out.append(missing_note("model_comparison"))
    if canary is None:
        out.append(missing_note("canary_verdicts"))
    for model in models:
        rows = for_model(comparison, model)
        if rows:
            out.append(
                f"<h3>Champion vs candidates{' — ' + escape(model) if len(models) > 1 else ''}</h3>"
            )
            table_rows = []
            pairs = group_by(rows, "baseline_version", "candidate_version")
            for (baseline, candidate), group in sorted(
                pairs.items(), key=lambda kv: tuple(sort_key(k) for k in kv[0])
            ):
                latest = max(group, key=lambda r: sort_key(r.get("window_start")))
                table_rows.append(
                    [
                        fmt_value(baseline),
                        fmt_value(candidate),
                        fmt_value(latest.get("role")),
                        fmt_value(latest.get("window_start")),
                        fmt_value(latest.get("paired_count")),
                        fmt_pct(latest.get("disagreement_rate")),
                        fmt_value(latest.get("mean_abs_score_diff")),
                        fmt_value(latest.get("score_correlation")),
                        fmt_value(latest.get("baseline_roc_auc")),
                        fmt_value(latest.get("candidate_roc_auc")),
                        fmt_value(latest.get("mcnemar_p_value")),
                    ]
                )
            out.append(
                html_table(
                    [
                        "champion",
                        "candidate",
                        "role",
                        "latest window",
                        "paired requests",
                        "disagreement",
                        "mean |score diff|",
                        "score correlation",
                        "champion AUC",
                        "candidate AUC",
                        "McNemar p",
                    ],
                    table_rows,
                )
            )
            out.append(_comparison_chart(rows, pairs))
        verdicts = sorted(
            for_model(canary, model),
            key=lambda r: (sort_key(r.get("canary_version")), sort_key(r.get("window_start"))),
        )
        if verdicts:
            out.append(
                f"<h3>Canary verdicts{' — ' + escape(model) if len(models) > 1 else ''}</h3>"
            )
            table_rows = []
            for r in verdicts[-60:]:
                verdict = str(r.get("verdict"))
                kind = {"rollback": "error", "promote": "ok", "hold": "warn"}.get(verdict, "info")
                table_rows.append(
                    [
                        fmt_value(r.get("window_start")),
                        fmt_value(r.get("canary_version")),
                        fmt_value(r.get("control_version")),
                        badge(kind, verdict),
                        fmt_value(r.get("canary_requests")),
                        fmt_pct(r.get("control_positive_rate"))
                        + " → "
                        + fmt_pct(r.get("canary_positive_rate")),
                        fmt_pct(r.get("control_error_rate"))
                        + " → "
                        + fmt_pct(r.get("canary_error_rate")),
                        fmt_value(r.get("reasons")),
                    ]
                )
            out.append(
                html_table(
                    [
                        "window",
                        "canary",
                        "champion",
                        "verdict",
                        "canary requests",
                        "positive rate",
                        "error rate",
                        "reasons",
                    ],
                    table_rows,
                )
            )
    if not out:
        out.append(note("No champion/challenger pairs or canaries in this warehouse."))
    return "".join(out)


def _comparison_chart(rows: list[Row], pairs: dict[tuple[Any, ...], list[Row]]) -> str:
    """Both ROC AUCs on the labeled pairs, per window: does the candidate beat the champion?"""
    windows = latest_windows(rows)
    series = []
    for i, ((baseline, candidate), group) in enumerate(
        sorted(pairs.items(), key=lambda kv: tuple(sort_key(k) for k in kv[0]))
    ):
        by_window = {r.get("window_start"): r for r in group}
        color = PALETTE[(i + 1) % len(PALETTE)]
        role = next((r.get("role") for r in group if r.get("role")), None) or "candidate"
        for column, name, dashed in (
            ("baseline_roc_auc", f"{baseline} (champion)", True),
            ("candidate_roc_auc", f"{candidate} ({role})", False),
        ):
            series.append(
                Series(
                    name,
                    [as_number((by_window.get(w) or {}).get(column)) for w in windows],
                    PALETTE[0] if dashed else color,
                    dashed,
                )
            )
    if not any(v is not None for s in series for v in s.values):
        return note("No labeled pairs yet: ROC AUCs on paired requests appear once labels arrive.")
    return legend([(s.name, s.color, s.dashed) for s in series]) + line_chart(
        [fmt_when(w) for w in windows], series, title="ROC AUC on the labeled paired requests"
    )
