"""Latency, error rate and cost per model version, with their thresholds."""

from __future__ import annotations

from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_number,
    capped_note,
    fmt_when,
    latest_windows,
    missing_note,
    note,
    sort_key,
    version_colors,
)
from modelwatch.report.reader import Data, for_model
from modelwatch.report.thresholds import threshold_series
from modelwatch.svg import (
    PALETTE,
    Series,
    legend,
    line_chart,
)


def render(data: Data, models: list[str]) -> str:
    ops = data.rows("operational_metrics")
    if ops is None:
        return missing_note("operational_metrics")
    out = []
    for model in models:
        rows = for_model(ops, model)
        if not rows:
            continue
        windows = latest_windows(rows)
        labels = [fmt_when(w) for w in windows]
        versions = sorted({r.get("model_version") for r in rows}, key=sort_key)
        colors = version_colors(versions)
        by_key = {(r.get("model_version"), r.get("window_start")): r for r in rows}

        def values(version: Any, metric: str) -> list[float | None]:
            return [as_number((by_key.get((version, w)) or {}).get(metric)) for w in windows]  # noqa: B023

        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        latency = []
        for version in versions:
            latency.append(
                '<figure class="card">'
                + legend(
                    [
                        ("p50", PALETTE[2], False),
                        ("p95", PALETTE[1], False),
                        ("p99", PALETTE[5], False),
                    ]
                )
                + line_chart(
                    labels,
                    [
                        Series(f"{version} p50", values(version, "latency_p50_ms"), PALETTE[2]),
                        Series(f"{version} p95", values(version, "latency_p95_ms"), PALETTE[1]),
                        Series(f"{version} p99", values(version, "latency_p99_ms"), PALETTE[5]),
                        *threshold_series(data, model, "latency_p95_ms", windows, version),
                        *threshold_series(data, model, "latency_p99_ms", windows, version),
                    ],
                    title=f"Latency (ms), version {version}",
                    width=520,
                    height=230,
                )
                + "</figure>"
            )
        out.append(f'<div class="grid2">{"".join(latency)}</div>')
        out.append(legend([(str(v), colors[v], False) for v in versions]))
        out.append(
            '<div class="grid2">'
            + line_chart(
                labels,
                [Series(f"{v} error rate", values(v, "error_rate"), colors[v]) for v in versions]
                + threshold_series(data, model, "error_rate", windows),
                title="Error rate (4xx + 5xx)",
                fmt=lambda v: f"{100 * v:.1f}%",
                width=520,
                height=230,
            )
            + line_chart(
                labels,
                [
                    Series(f"{v} cost per 1k", values(v, "cost_per_1k_usd"), colors[v])
                    for v in versions
                ]
                + threshold_series(data, model, "cost_per_1k_usd", windows),
                title="Cost per 1,000 predictions (USD)",
                width=520,
                height=230,
            )
            + "</div>"
        )
        out.append(capped_note(len(latest_windows(rows, 10**9)), len(windows)))
    return "".join(out) or note("No operational rows.")
