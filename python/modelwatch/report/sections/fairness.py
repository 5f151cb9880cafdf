"""Fairness by group: selection and true positive rates per group, the parity table
and the demographic parity ratio over time.
"""

from __future__ import annotations

from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_bool,
    as_number,
    badge,
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
    SEVERITY_COLORS,
    Reference,
    Series,
    bar_chart,
    legend,
    line_chart,
)


def _fairness_window(rows: list[Row]) -> Any:
    """The latest window with a true positive rate (labels arrive late), else the latest."""
    with_tpr = [r for r in rows if as_number(r.get("true_positive_rate")) is not None]
    return latest_windows(with_tpr or rows)[-1]


def render(data: Data, models: list[str]) -> str:
    metrics = data.rows("fairness_metrics")
    parity = data.rows("fairness_parity")
    if metrics is None and parity is None:
        return missing_note("fairness_metrics") + missing_note("fairness_parity")
    out = []
    if metrics is None:
        out.append(missing_note("fairness_metrics"))
    if parity is None:
        out.append(missing_note("fairness_parity"))
    for model in models:
        rows = for_model(metrics, model)
        prows = for_model(parity, model)
        if not rows and not prows:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        if rows:
            window = _fairness_window(rows)
            out.append(
                f"<p>Window <strong>{escape(fmt_when(window))}</strong> (the latest with labels). "
                "Open bars: groups below the minimum size, reported but left out of parity.</p>"
            )
            out.append(
                legend(
                    [
                        ("selection rate", PALETTE[0], False),
                        ("true positive rate", PALETTE[1], False),
                    ]
                )
            )
            charts = []
            latest = [r for r in rows if r.get("window_start") == window]
            for (attribute,), group in sorted(
                group_by(latest, "attribute_name").items(), key=lambda kv: sort_key(kv[0][0])
            ):
                group = sorted(group, key=lambda r: sort_key(r.get("group_value")))
                small = [as_bool(r.get("is_sufficient")) is False for r in group]
                names = [
                    f"{r.get('group_value')}{' (small)' if s else ''}"
                    for r, s in zip(group, small, strict=True)
                ]
                charts.append(
                    '<figure class="card">'
                    + bar_chart(
                        names,
                        [
                            Series(
                                "selection rate",
                                [as_number(r.get("selection_rate")) for r in group],
                                PALETTE[0],
                                hollow=small,
                            ),
                            Series(
                                "true positive rate",
                                [as_number(r.get("true_positive_rate")) for r in group],
                                PALETTE[1],
                                hollow=small,
                            ),
                        ],
                        title=str(attribute),
                        y_range=(0.0, 1.0),
                        fmt=lambda v: f"{100 * v:.0f}%",
                    )
                    + "</figure>"
                )
            out.append(f'<div class="grid2">{"".join(charts)}</div>')
        if prows:
            out.append(_parity(prows, window if rows else None))
    return "".join(out) or note("No fairness rows.")


def _parity(prows: list[Row], window: Any) -> str:
    """The parity table for `window` (the one the group chart shows; else the latest) and the
    demographic parity ratio over time."""
    if window not in {r.get("window_start") for r in prows}:
        window = latest_windows(prows)[-1]
    latest = sorted(
        (r for r in prows if r.get("window_start") == window),
        key=lambda r: sort_key(r.get("attribute_name")),
    )
    table_rows = []
    for r in latest:
        passes = as_bool(r.get("passes_four_fifths_rule"))
        flag = (
            "–" if passes is None else badge("ok", "passes") if passes else badge("error", "fails")
        )
        table_rows.append(
            [
                fmt_value(r.get("attribute_name")),
                fmt_value(r.get("demographic_parity_difference")),
                fmt_value(r.get("demographic_parity_ratio")),
                fmt_value(r.get("equal_opportunity_difference")),
                fmt_value(r.get("equalized_odds_difference")),
                flag,
            ]
        )
    out = [
        f"<h4>Parity in window {escape(fmt_when(window))}</h4>",
        html_table(
            [
                "attribute",
                "demographic parity difference",
                "demographic parity ratio",
                "equal opportunity difference",
                "equalized odds difference",
                "four-fifths rule",
            ],
            table_rows,
        ),
    ]
    windows = latest_windows(prows)
    attributes = sorted({r.get("attribute_name") for r in prows}, key=sort_key)
    by_key = {(r.get("attribute_name"), r.get("window_start")): r for r in prows}
    series = [
        Series(
            str(a),
            [
                as_number((by_key.get((a, w)) or {}).get("demographic_parity_ratio"))
                for w in windows
            ],
            PALETTE[i % len(PALETTE)],
        )
        for i, a in enumerate(attributes)
    ]
    out.append(legend([(s.name, s.color, False) for s in series]))
    out.append(
        line_chart(
            [fmt_when(w) for w in windows],
            series,
            title="Demographic parity ratio (min / max selection rate) over time",
            y_range=(0.0, 1.05),
            references=[Reference(0.8, "four-fifths", SEVERITY_COLORS["error"])],
        )
    )
    return "".join(out)
