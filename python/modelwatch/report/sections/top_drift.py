"""The features drifting most in the latest window: current bin proportions
against the reference's.
"""

from __future__ import annotations

from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_bool,
    as_number,
    badge,
    fmt_pct,
    fmt_value,
    fmt_when,
    latest_windows,
    missing_note,
    note,
)
from modelwatch.report.reader import Data, Row, for_model
from modelwatch.svg import (
    PALETTE,
    Series,
    bar_chart,
    fmt_compact,
    legend,
)

TOP_DRIFT_FEATURES = 4


def _bin_label(ref: Row | None, index: Any) -> str:
    if ref is None:
        return f"bin {index}"
    if as_bool(ref.get("is_null_bin")):
        return "null"
    if ref.get("category") is not None:
        return str(ref["category"])
    low, high = as_number(ref.get("lower_bound")), as_number(ref.get("upper_bound"))
    if low is None and high is None:
        return "all values"  # a numeric feature whose reference has a single distinct value
    if low is None:
        return f"< {fmt_compact(high)}"
    if high is None:
        return f"≥ {fmt_compact(low)}"
    return f"{fmt_compact(low)} – {fmt_compact(high)}"


def render(data: Data, models: list[str]) -> str:
    drift = data.rows("feature_drift")
    if drift is None:
        return missing_note("feature_drift")
    counts = data.rows("feature_bin_counts")
    if counts is None:
        return missing_note("feature_bin_counts")
    references = data.rows("reference_bins")
    out = []
    if references is None:
        out.append(note("<code>reference_bins</code> is not built: bins are shown by index."))
    for model in models:
        rows = for_model(drift, model)
        if not rows:
            continue
        latest = latest_windows(rows)[-1]
        ranked = sorted(
            (
                r
                for r in rows
                if r.get("window_start") == latest and as_number(r.get("psi")) is not None
            ),
            key=lambda r: (-(as_number(r.get("psi")) or 0.0), str(r.get("feature_name"))),
        )[:TOP_DRIFT_FEATURES]
        out.append(
            f"<p>Latest window <strong>{escape(fmt_when(latest))}</strong>"
            f"{' of ' + escape(model) if len(models) > 1 else ''}: the {len(ranked)} features with "
            "the highest PSI, current bin proportions against the reference's.</p>"
        )
        ref_bins = {
            (r.get("feature_name"), r.get("bin_index")): r for r in for_model(references, model)
        }
        charts = []
        for drift_row in ranked:
            feature = drift_row.get("feature_name")
            bins = sorted(
                (
                    r
                    for r in for_model(counts, model)
                    if r.get("window_start") == latest and r.get("feature_name") == feature
                ),
                key=lambda r: as_number(r.get("bin_index")) or 0.0,
            )
            if not bins:
                continue
            labels = [
                _bin_label(ref_bins.get((feature, b.get("bin_index"))), b.get("bin_index"))
                for b in bins
            ]
            chart = bar_chart(
                labels,
                [
                    Series(
                        "reference",
                        [as_number(b.get("reference_proportion")) for b in bins],
                        "#9aa5b1",
                    ),
                    Series(
                        "current",
                        [as_number(b.get("current_proportion")) for b in bins],
                        PALETTE[0],
                    ),
                ],
                title=str(feature),
                fmt=lambda v: f"{100 * v:.0f}%" if v >= 0.01 or v == 0 else f"{100 * v:.1f}%",
            )
            severity = str(drift_row.get("drift_severity"))
            caption = (
                f"{badge(severity if severity in ('warn', 'error') else 'ok', severity)} "
                f"PSI {fmt_value(drift_row.get('psi'))} · "
                f"JS {fmt_value(drift_row.get('js_distance'))}"
            )
            if as_number(drift_row.get("ks_statistic")) is not None:
                caption += f" · KS {fmt_value(drift_row.get('ks_statistic'))}"
            caption += (
                f" · nulls {fmt_pct(drift_row.get('null_rate_reference'))} → "
                f"{fmt_pct(drift_row.get('null_rate_current'))}"
            )
            charts.append(
                f'<figure class="card">{chart}<figcaption>{caption}</figcaption></figure>'
            )
        out.append(legend([("reference", "#9aa5b1", False), ("current", PALETTE[0], False)]))
        out.append(f'<div class="grid2">{"".join(charts)}</div>' if charts else note("No bins."))
    return "".join(out)
