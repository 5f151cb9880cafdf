"""The page: the sections in order under a header and a navigation bar, one self-contained
HTML document (inline CSS and SVG, no script, no external resources).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from modelwatch.config import Warehouse
from modelwatch.report.formatters import fmt_when, sort_key
from modelwatch.report.reader import TABLES, Data, Reader, ReportError, for_model
from modelwatch.report.sections import (
    alerts,
    calibration,
    deployments,
    drift_heatmap,
    fairness,
    incidents,
    input_quality,
    operations,
    performance,
    recommendations,
    top_drift,
)

# id, heading: the report's sections in order (incidents first). Tests screenshot each one.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("incidents", "Open incidents"),
    ("drift-heatmap", "Feature drift by window"),
    ("top-drift", "Top drifting features: reference vs current"),
    ("performance", "Performance and label coverage"),
    ("calibration", "Calibration"),
    ("fairness", "Fairness by group"),
    ("operations", "Latency, errors and cost"),
    ("input-quality", "Input quality and feed health"),
    ("deployments", "Champion / challenger and canary"),
    ("recommendations", "Recommendations"),
    ("alerts", "Alert rows (the evidence behind incidents)"),
)

RENDERERS: dict[str, Callable[[Data, list[str]], str]] = {
    "incidents": incidents.render,
    "input-quality": input_quality.render,
    "recommendations": recommendations.render,
    "alerts": alerts.render,
    "drift-heatmap": drift_heatmap.render,
    "top-drift": top_drift.render,
    "performance": performance.render,
    "calibration": calibration.render,
    "fairness": fairness.render,
    "operations": operations.render,
    "deployments": deployments.render,
}

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
background:#f5f7fa;font-size:14px;line-height:1.45}
header{background:#102a43;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#bcccdc}
nav{position:sticky;top:0;z-index:1;background:#fff;border-bottom:1px solid #d9e2ec;
padding:8px 32px}
nav a{margin-right:16px;color:#334e68;text-decoration:none;font-weight:500}
main{padding:8px 32px 48px;max-width:1240px}
section{background:#fff;border:1px solid #d9e2ec;border-radius:8px;margin:20px 0;padding:16px 20px;
scroll-margin-top:48px}
section h2{margin:0 0 10px;font-size:18px}
h3{font-size:15px;margin:16px 0 6px}h4{margin:14px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border-bottom:1px solid #e4e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8;font-weight:600}
td:not(:last-child){white-space:nowrap}
pre{white-space:pre-wrap;word-break:break-word;margin:4px 0;font-size:12px;background:#f5f7fa;
padding:6px;max-width:420px}
code{font-size:12.5px}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.b-error{background:#c0392b;color:#fff}.b-warn{background:#f5b041;color:#1f2933}
.b-ok{background:#27ae60;color:#fff}.b-info{background:#d9e2ec;color:#1f2933}
.note{color:#52606d;background:#f0f4f8;border-left:3px solid #9fb3c8;padding:6px 10px}
.muted{color:#7b8794;font-size:12px}
.legend{margin:6px 0;font-size:12.5px}
.key{margin-right:16px;white-space:nowrap}
.swatch{display:inline-block;width:22px;margin:0 5px 3px 0;vertical-align:middle}
.cell{display:inline-block;width:22px;height:12px;margin-right:5px;vertical-align:middle;
border:1px solid #d9e2ec}
.grid2{display:flex;flex-wrap:wrap;gap:12px}
.card{margin:0;border:1px solid #e4e7eb;border-radius:6px;padding:6px}
figcaption{font-size:12.5px;padding:2px 4px}
.scroll{overflow-x:auto}
.row{display:flex;gap:24px;align-items:flex-start}
.side{padding-left:18px}
.counts{columns:3;padding-left:18px}
.lead{font-size:15px}
svg text{font-size:11px;fill:#3e4c59}
svg .ct{font-size:13px;font-weight:600;fill:#1f2933}
svg .yt{text-anchor:end}svg .xt{text-anchor:middle}svg .hl{text-anchor:end}
svg .rl{text-anchor:end;font-size:10.5px}svg .rs{font-size:10.5px}svg .yl{text-anchor:middle}
svg .grid{stroke:#e4e7eb}svg .axis{stroke:#9aa5b1}
"""


def render_report(
    warehouse: Warehouse,
    *,
    model: str | None = None,
    generated_at: str | None = None,
    reader: Reader | None = None,
) -> str:
    """The report as one HTML document."""
    reader = reader or Reader(warehouse)
    if not any(reader.has(t) for t in TABLES):
        raise ReportError(
            f"no modelwatch output tables in schema '{warehouse.schema}': build first "
            "(modelwatch run / modelwatch demo)"
        )
    data = Data(reader, model)
    models = data.models()
    if model is not None and not any(
        for_model(data.rows(t), model)
        for t in ("feature_drift", "model_performance", "operational_metrics")
    ):
        raise ReportError(f"no rows for model '{model}' in schema '{warehouse.schema}'")
    through = max(
        (r.get("window_end") for r in data.rows("feature_drift") or [] if r.get("window_end")),
        key=sort_key,
        default=None,
    )
    where = {"postgres": "PostgreSQL", "spark": "Spark"}.get(warehouse.type, "DuckDB")
    if warehouse.duckdb_path is not None:
        where += f" {warehouse.duckdb_path.name}"
    subtitle = [
        f"Models: {escape(', '.join(models) or 'none')}",
        f"{escape(where)}, schema {escape(warehouse.schema)}",
    ]
    if through is not None:
        subtitle.append(f"data through {escape(fmt_when(through))} (exclusive)")
    if generated_at:
        subtitle.append(f'<span id="generated-at">generated {escape(generated_at)}</span>')
    nav = "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title in SECTIONS)
    sections = "".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>{RENDERERS[sid](data, models)}</section>'
        for sid, title in SECTIONS
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>modelwatch report — {escape(', '.join(models))}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<header><h1>modelwatch report</h1><p>{' · '.join(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{sections}</main></body></html>\n"
    )


def write_report(
    warehouse: Warehouse,
    output: str | Path,
    *,
    model: str | None = None,
    generated_at: str | None = None,
) -> Path:
    """Render the report and write it to `output` (UTF-8); return the path."""
    path = Path(output)
    html = render_report(warehouse, model=model, generated_at=generated_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
