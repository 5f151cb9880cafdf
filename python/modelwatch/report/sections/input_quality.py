"""Input quality and feed health: request volume, label freshness and
quarantined rows by reason.
"""

from __future__ import annotations

from html import escape

from modelwatch.report.formatters import (
    as_bool,
    as_number,
    fmt_when,
    latest_windows,
    missing_note,
    note,
)
from modelwatch.report.reader import Data, for_model
from modelwatch.report.thresholds import threshold_keys, threshold_series
from modelwatch.svg import (
    PALETTE,
    Series,
    legend,
    line_chart,
)


def render(data: Data, models: list[str]) -> str:
    quality = data.rows("input_quality")
    health = data.rows("feed_health")
    if quality is None and health is None:
        return missing_note("input_quality")
    out = []
    for model in models:
        mine = [r for r in for_model(quality, model) if r.get("window_start") is not None]
        feed = for_model(health, model)
        if not mine and not feed:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        if feed:
            windows = latest_windows(feed)
            labels = [fmt_when(w) for w in windows]
            by_window = {r.get("window_start"): r for r in feed}
            requests = Series(
                "requests",
                [as_number((by_window.get(w) or {}).get("request_count")) for w in windows],
                PALETTE[0],
            )
            volume = threshold_series(data, model, "request_volume_drop", windows) + (
                threshold_series(data, model, "request_volume_spike", windows)
            )
            staleness = Series(
                "days since the last label",
                [as_number((by_window.get(w) or {}).get("label_staleness_days")) for w in windows],
                PALETTE[1],
            )
            fresh = threshold_series(data, model, "label_freshness_days", windows)
            missing = [
                fmt_when(w) for w in windows if as_bool(by_window[w].get("is_missing_window"))
            ]
            out.append(legend([("requests", PALETTE[0], False), *threshold_keys(volume)]))
            out.append(
                '<div class="grid2">'
                + line_chart(labels, [requests, *volume], title="Requests per window",
                             width=520, height=230)
                + line_chart(labels, [staleness, *fresh],
                             title="Label feed: days since the last label", width=520, height=230)
                + "</div>"
            )  # fmt: skip
            out.append(
                note(
                    "Windows without a single prediction while the data goes on: "
                    + (escape(", ".join(missing)) if missing else "none")
                    + "."
                )
            )
        if mine:
            windows = latest_windows(mine)
            labels = [fmt_when(w) for w in windows]
            by_window = {r.get("window_start"): r for r in mine}
            reasons = sorted(
                {
                    k
                    for r in mine
                    for k, v in r.items()
                    if k.startswith(("predictions_", "labels_")) and (as_number(v) or 0) > 0
                }
            )
            series = [
                Series(
                    reason.replace("_", " ", 1),
                    [as_number((by_window.get(w) or {}).get(reason)) or 0.0 for w in windows],
                    PALETTE[i % len(PALETTE)],
                )
                for i, reason in enumerate(reasons)
            ]
            if series:
                out.append(legend([(s.name, s.color, False) for s in series]))
                out.append(
                    line_chart(labels, series, title="Quarantined rows per window, by reason")
                )
            else:
                out.append(note("No input row was quarantined."))
            rate = Series(
                "quarantine rate",
                [as_number((by_window.get(w) or {}).get("quarantine_rate")) for w in windows],
                PALETTE[0],
            )
            limits = threshold_series(data, model, "quarantine_rate", windows)
            out.append(legend([("quarantine rate", PALETTE[0], False), *threshold_keys(limits)]))
            out.append(
                line_chart(labels, [rate, *limits], title="Share of prediction rows quarantined",
                           fmt=lambda v: f"{100 * v:.2f}%")
            )  # fmt: skip
    return "".join(out) or note("No input quality rows.")
