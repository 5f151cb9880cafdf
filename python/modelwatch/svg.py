"""Inline SVG charts for the HTML report: line charts, grouped bar charts and a heatmap.

No JavaScript and no external resources: every chart is a string of SVG markup. Every text that
comes from data (labels, names, tooltips) passes through `html.escape` here, so callers may hand
over raw values.
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


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
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
    ticks = [t for t in _nice_ticks(low, high) if low - 1e-12 <= t <= high + 1e-12]
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def y_at(v: float) -> float:
        v = min(max(v, low), high)
        return top + plot_h * (1 - (v - low) / (high - low))

    out = [_svg_open(width, height, title)]
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
    out.extend(_x_axis(x_labels, x_at, top + plot_h, left, plot_w))
    for ref in references:
        y = y_at(ref.value)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{escape(ref.color)}" stroke-dasharray="2 3" stroke-width="1.2"/>'
            f'<text x="{left + 4}" y="{y - 4:.1f}" class="rs" '
            f'fill="{escape(ref.color)}">{escape(ref.label)}</text>'
        )
    for s in series:
        out.extend(_polyline(s, x_labels, x_at, y_at, fmt))
    out.append("</svg>")
    return "".join(out)


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
    )


def _x_axis(
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


def _polyline(
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
    ticks = [t for t in _nice_ticks(low, high, 4) if t <= high + 1e-12]
    n = max(len(categories), 1)
    group_w = plot_w / n
    bar_w = group_w * 0.8 / max(len(series), 1)

    def y_at(v: float) -> float:
        v = min(max(v, low), high)
        return top + plot_h * (1 - (v - low) / (high - low))

    out = [
        _svg_open(width, height, title),
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


@dataclass
class Cell:
    """One heatmap cell: a value, its severity (colour) and a tooltip."""

    value: float | None
    severity: str | None
    tooltip: str


def heatmap(
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: Sequence[Sequence[Cell | None]],
    *,
    title: str,
    scale_max: float = 0.1,
) -> str:
    """Rows × columns of coloured cells: ok cells shade with the value up to `scale_max`,
    warn and error cells take their severity colour."""
    cell_w = max(6.0, min(24.0, 860 / max(len(col_labels), 1)))
    cell_h = 18
    left = min(200, 12 + 7 * max((len(r) for r in row_labels), default=8))
    top, bottom = 28, 48
    width = int(left + cell_w * len(col_labels) + 16)
    height = top + cell_h * len(row_labels) + bottom
    out = [_svg_open(width, height, title), f'<text x="4" y="16" class="ct">{escape(title)}</text>']
    for r, label in enumerate(row_labels):
        y = top + r * cell_h
        short = label if len(label) <= 26 else label[:25] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + 13}" class="hl"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
        for c, cell in enumerate(cells[r]):
            x = left + c * cell_w
            if cell is None or cell.value is None:
                color = "#f4f4f4"
            elif cell.severity in ("warn", "error"):
                color = SEVERITY_COLORS[cell.severity]
            else:
                color = _ok_shade(cell.value / scale_max if scale_max else 0.0)
            tooltip = cell.tooltip if cell else f"{label} {col_labels[c]}: no data"
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                f'fill="{color}"><title>{escape(tooltip)}</title></rect>'
            )
    y0 = top + cell_h * len(row_labels)
    every = max(1, math.ceil(len(col_labels) / 10))
    for c in range(0, len(col_labels), every):
        x = left + c * cell_w + cell_w / 2
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + 4}" class="axis"/>'
            f'<text x="{x:.1f}" y="{y0 + 17}" class="xt">{escape(col_labels[c])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _ok_shade(fraction: float) -> str:
    """White-green to yellow as an ok value approaches the warn threshold."""
    f = min(max(fraction, 0.0), 1.0)
    start, end = (232, 243, 236), (247, 220, 111)
    rgb = tuple(round(a + (b - a) * f) for a, b in zip(start, end, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def xy_chart(
    curves: Sequence[tuple[str, str, bool, Sequence[tuple[float | None, float | None, str]]]],
    *,
    title: str,
    size: int = 460,
) -> str:
    """Curves of (x, y, tooltip) points on the unit square, with the diagonal y = x
    (a reliability diagram)."""
    left, right, top, bottom = 48, 14, 28, 42
    plot = size - left - max(right, 0)
    height = top + plot + bottom

    def x_at(v: float) -> float:
        return left + plot * min(max(v, 0.0), 1.0)

    def y_at(v: float) -> float:
        return top + plot * (1 - min(max(v, 0.0), 1.0))

    out = [_svg_open(size, height, title), f'<text x="4" y="16" class="ct">{escape(title)}</text>']
    for t in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        out.append(
            f'<line x1="{left}" x2="{left + plot}" y1="{y_at(t):.1f}" y2="{y_at(t):.1f}" '
            f'class="grid"/><text x="{left - 5}" y="{y_at(t) + 4:.1f}" class="yt">{t:.1f}</text>'
            f'<line x1="{x_at(t):.1f}" x2="{x_at(t):.1f}" y1="{top}" y2="{top + plot}" '
            f'class="grid"/><text x="{x_at(t):.1f}" y="{top + plot + 15}" class="xt">{t:.1f}</text>'
        )
    out.append(
        f'<text x="{left + plot / 2:.0f}" y="{top + plot + 33}" class="xt">mean score</text>'
        f'<text transform="translate(12,{top + plot / 2:.0f}) rotate(-90)" class="yl">'
        "observed positive rate</text>"
        f'<line x1="{x_at(0):.1f}" y1="{y_at(0):.1f}" x2="{x_at(1):.1f}" y2="{y_at(1):.1f}" '
        'stroke="#888888" stroke-dasharray="6 4"/>'
    )
    for _name, color, dashed, points in curves:
        valid = [(x, y, tip) for x, y, tip in points if x is not None and y is not None]
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        if len(valid) > 1:
            coords = " ".join(f"{x_at(x):.1f},{y_at(y):.1f}" for x, y, _ in valid)
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{escape(color)}" '
                f'stroke-width="2"{dash}/>'
            )
        for x, y, tip in valid:
            fill = "#ffffff" if dashed else escape(color)
            out.append(
                f'<circle cx="{x_at(x):.1f}" cy="{y_at(y):.1f}" r="3.2" fill="{fill}" '
                f'stroke="{escape(color)}"><title>{escape(tip)}</title></circle>'
            )
    out.append("</svg>")
    return "".join(out)
