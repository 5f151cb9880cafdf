"""Line charts over windows, with dashed series and horizontal reference lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from modelwatch.svg.base import (
    Formatter,
    Reference,
    Series,
    fmt_number,
    nice_ticks,
    polyline,
    svg_open,
    x_axis,
)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    references: Sequence[Reference] = (),
    fmt: Formatter = fmt_number,
    width: int = 1040,
    height: int = 260,
) -> str:
    """A line chart over equally spaced windows, with markers and hover titles."""
    left, right, top, bottom = 56, 16, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    values += [r.value for r in references]
    if y_range is None:
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    else:
        low, high = y_range
    ticks = [t for t in nice_ticks(low, high) if low - 1e-12 <= t <= high + 1e-12]
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def y_at(v: float) -> float:
        v = min(max(v, low), high)
        return top + plot_h * (1 - (v - low) / (high - low))

    out = [svg_open(width, height, title)]
    out.append(f'<text x="{left}" y="16" class="ct">{escape(title)}</text>')
    for t in ticks:
        y = y_at(t)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="yt">{escape(fmt(t))}</text>'
        )
    if y_label:
        out.append(
            f'<text transform="translate(12,{top + plot_h / 2:.0f}) rotate(-90)" '
            f'class="yl">{escape(y_label)}</text>'
        )
    out.extend(x_axis(x_labels, x_at, top + plot_h, left, plot_w))
    for ref in references:
        y = y_at(ref.value)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{escape(ref.color)}" stroke-dasharray="2 3" stroke-width="1.2"/>'
            f'<text x="{left + 4}" y="{y - 4:.1f}" class="rs" '
            f'fill="{escape(ref.color)}">{escape(ref.label)}</text>'
        )
    for s in series:
        out.extend(polyline(s, x_labels, x_at, y_at, fmt))
    out.append("</svg>")
    return "".join(out)
