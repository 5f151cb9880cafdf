"""Inline SVG charts for the HTML report: line charts, grouped bar charts and a heatmap.

No JavaScript and no external resources: every chart is a string of SVG markup. Every text that
comes from data (labels, names, tooltips) passes through `html.escape` here, so callers may hand
over raw values.

Layout: base.py (palette, formats, series, axis, legend), then one module per chart kind:
line.py, bar.py, heatmap.py, xy.py.
"""

from modelwatch.svg.bar import bar_chart
from modelwatch.svg.base import (
    FONT,
    PALETTE,
    SEVERITY_COLORS,
    Formatter,
    Reference,
    Series,
    fmt_compact,
    fmt_number,
    legend,
)
from modelwatch.svg.heatmap import (
    Cell,
    heatmap,
)
from modelwatch.svg.line import line_chart
from modelwatch.svg.xy import xy_chart

__all__ = [
    "Cell",
    "FONT",
    "Formatter",
    "PALETTE",
    "Reference",
    "SEVERITY_COLORS",
    "Series",
    "bar_chart",
    "fmt_compact",
    "fmt_number",
    "heatmap",
    "legend",
    "line_chart",
    "xy_chart",
]
