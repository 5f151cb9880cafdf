"""Grouped bar charts (one group per category, one bar per series)."""

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
    svg_open,
)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_range: tuple[float, float] | None = None,
    references: Sequence[Reference] = (),
    fmt: Formatter = fmt_number,
    width: int = 520,
    height: int = 270,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series."""
    left, right, top, bottom = 48, 10, 28, 78
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    low, high = y_range if y_range else (0.0, max([*values, *[r.value for r in references], 0]))
    high = high * 1.08 if not y_range and high > 0 else (high if high > low else low + 1.0)
    ticks = [t for t in nice_ticks(low, high, 4) if t <= high + 1e-12]
    n = max(len(categories), 1)
    group_w = plot_w / n
    bar_w = group_w * 0.8 / max(len(series), 1)

    def y_at(v: float) -> float:
        v = min(max(v, low), high)
        return top + plot_h * (1 - (v - low) / (high - low))

    out = [
        svg_open(width, height, title),
        f'<text x="{left}" y="16" class="ct">{escape(title)}</text>',
    ]
    for t in ticks:
        y = y_at(t)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 5}" y="{y + 4:.1f}" class="yt">{escape(fmt(t))}</text>'
        )
    y0 = top + plot_h
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y0}" y2="{y0}" class="axis"/>')
    for g, category in enumerate(categories):
        gx = left + g * group_w + group_w * 0.1
        for k, s in enumerate(series):
            v = s.values[g] if g < len(s.values) else None
            if v is None or not math.isfinite(v):
                continue
            y = y_at(v)
            hollow = g < len(s.hollow) and s.hollow[g]
            fill = "#ffffff" if hollow else escape(s.color)
            out.append(
                f'<rect x="{gx + k * bar_w:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{max(y0 - y, 0):.1f}" fill="{fill}" stroke="{escape(s.color)}">'
                f"<title>{escape(category)} · {escape(s.name)}: {escape(fmt(v))}</title></rect>"
            )
        label = category if len(category) <= 18 else category[:17] + "…"
        cx = left + g * group_w + group_w / 2
        out.append(
            f'<text transform="translate({cx + 3:.1f},{y0 + 10:.1f}) rotate(40)" class="bt">'
            f"<title>{escape(category)}</title>{escape(label)}</text>"
        )
    for ref in references:
        y = y_at(ref.value)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{escape(ref.color)}" stroke-dasharray="2 3"/>'
            f'<text x="{left + plot_w - 2}" y="{y - 3:.1f}" class="rl" '
            f'fill="{escape(ref.color)}">{escape(ref.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
