"""Curves on the unit square with the diagonal y = x (a reliability diagram)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from modelwatch.svg.base import svg_open


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

    out = [svg_open(size, height, title), f'<text x="4" y="16" class="ct">{escape(title)}</text>']
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
