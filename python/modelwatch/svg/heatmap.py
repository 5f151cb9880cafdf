"""A heatmap of cells coloured by severity (ok shades towards warn, then warn, error)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from modelwatch.svg.base import (
    SEVERITY_COLORS,
    svg_open,
)


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
    out = [svg_open(width, height, title), f'<text x="4" y="16" class="ct">{escape(title)}</text>']
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
