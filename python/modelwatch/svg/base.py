"""What every chart shares: the palette, number formats, ticks, series and reference lines,
the legend, the SVG frame, the x axis and a drawn line with its markers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

# A palette readable on white and for the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")

SEVERITY_COLORS = {"ok": "#e8f3ec", "warn": "#f5b041", "error": "#c0392b"}

FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"

Formatter = Callable[[float], str]


def fmt_number(value: float | None, digits: int = 3) -> str:
    """A compact, deterministic rendering of a number (no locale, no exponent for usual sizes)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:.{max(digits - 1, 0)}f}".rstrip("0").rstrip(".")
    return f"{value:.{digits}g}" if magnitude >= 1e-4 else f"{value:.2e}"


def fmt_compact(value: float | None) -> str:
    """Three significant digits with a k / M suffix: 20510 -> 20.5k (axis and bin labels)."""
    if value is None or not math.isfinite(value):
        return "–"
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks


@dataclass
class Series:
    """One line: y values aligned with the chart's x labels (None = no point)."""

    name: str
    values: Sequence[float | None]
    color: str = PALETTE[0]
    dashed: bool = False
    hollow: Sequence[bool] = field(default_factory=list)  # per point: drawn as an open marker


@dataclass
class Reference:
    """A horizontal line at a fixed value (a threshold, a baseline)."""

    value: float
    label: str
    color: str = "#888888"


def legend(items: Sequence[tuple[str, str, bool]]) -> str:
    """An HTML legend: (label, colour, dashed)."""
    parts = []
    for label, color, dashed in items:
        style = "dashed" if dashed else "solid"
        parts.append(
            f'<span class="key"><span class="swatch" style="border-top:3px {style} '
            f'{escape(color)}"></span>{escape(label)}</span>'
        )
    return f'<div class="legend">{"".join(parts)}</div>'


def svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    )


def x_axis(
    x_labels: Sequence[str], x_at: Callable[[int], float], y0: float, left: float, plot_w: float
) -> list[str]:
    out = [f'<line x1="{left}" x2="{left + plot_w}" y1="{y0:.1f}" y2="{y0:.1f}" class="axis"/>']
    n = len(x_labels)
    if not n:
        return out
    every = max(1, math.ceil(n / max(plot_w // 95, 2)))
    for i in range(0, n, every):
        x = x_at(i)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0:.1f}" y2="{y0 + 4:.1f}" class="axis"/>'
            f'<text x="{x:.1f}" y="{y0 + 17:.1f}" class="xt">{escape(x_labels[i])}</text>'
        )
    return out


def polyline(
    s: Series,
    x_labels: Sequence[str],
    x_at: Callable[[int], float],
    y_at: Callable[[float], float],
    fmt: Formatter,
) -> list[str]:
    out: list[str] = []
    dash = ' stroke-dasharray="6 4"' if s.dashed else ""
    run: list[str] = []
    points = list(enumerate(s.values))
    for i, v in [*points, (len(points), None)]:
        if v is not None and math.isfinite(v):
            run.append(f"{x_at(i):.1f},{y_at(v):.1f}")
            continue
        if len(run) > 1:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{escape(s.color)}" '
                f'stroke-width="2"{dash}/>'
            )
        run = []
    for i, v in points:
        if v is None or not math.isfinite(v):
            continue
        hollow = i < len(s.hollow) and s.hollow[i]
        fill = "#ffffff" if hollow else escape(s.color)
        out.append(
            f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="2.6" fill="{fill}" '
            f'stroke="{escape(s.color)}" stroke-width="1.2"><title>{escape(s.name)} '
            f"{escape(x_labels[i])}: {escape(fmt(v))}</title></circle>"
        )
    return out
