"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external
resources) that shows what the output tables say: the open incidents first (one line each), then
the charts - every time series a check judges drawn with its warn and error thresholds - input
quality and feed health, the recommendations, and the alert rows behind the incidents last.

`render_report(warehouse)` reads the output tables with plain selects (DuckDB or PostgreSQL,
through `warehouse.query`) and returns the HTML; `write_report` writes it to a file. Every
section renders whatever exists: a table that is not built in the warehouse gives a short note in
its section. Every value from the data passes through `html.escape`; only http(s) runbook URLs
become links. The output depends on the warehouse's content only (no generation time unless one
is passed), so the same warehouse gives the same file.

Layout (NannyML's `plots/blueprints` over `plots/components`):
- reader.py       Reader (selects) and Data (rows per table, cached; one model or all)
- formatters.py   values as text, badges, notes, tables, links (components; charts: modelwatch.svg)
- thresholds.py   the warn / error threshold lines of a check, from the alert engine's table
- sections/       one module per section, each `render(data, models) -> html` (blueprints)
- page.py         SECTIONS in order, the CSS, render_report / write_report
"""

from modelwatch.report.page import RENDERERS, SECTIONS, render_report, write_report
from modelwatch.report.reader import TABLES, Data, Reader, ReportError
from modelwatch.report.thresholds import threshold_series

__all__ = [
    "RENDERERS",
    "SECTIONS",
    "TABLES",
    "Data",
    "Reader",
    "ReportError",
    "render_report",
    "threshold_series",
    "write_report",
]
