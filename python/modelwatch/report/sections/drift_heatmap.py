"""Feature drift by window: PSI per feature and window, coloured by
feature_drift.drift_severity.
"""

from __future__ import annotations

from html import escape

from modelwatch.report.formatters import (
    MAX_WINDOWS,
    as_number,
    capped_note,
    fmt_when,
    latest_windows,
    missing_note,
    note,
)
from modelwatch.report.reader import Data, for_model
from modelwatch.svg import (
    SEVERITY_COLORS,
    Cell,
    fmt_number,
    heatmap,
)


def _severity_legend() -> str:
    return (
        '<div class="legend">'
        f'<span class="key"><span class="cell" style="background:linear-gradient(90deg,#e8f3ec,'
        f'#f7dc6f)"></span>ok (PSI 0 → warn)</span>'
        f'<span class="key"><span class="cell" style="background:{SEVERITY_COLORS["warn"]}"></span>'
        "warn</span>"
        f'<span class="key"><span class="cell" style="background:{SEVERITY_COLORS["error"]}">'
        "</span>error</span>"
        '<span class="key"><span class="cell" style="background:#f4f4f4"></span>no data</span>'
        "</div>"
    )


def render(data: Data, models: list[str]) -> str:
    drift = data.rows("feature_drift")
    if drift is None:
        return missing_note("feature_drift")
    out = [_severity_legend()]
    for model in models:
        rows = for_model(drift, model)
        if not rows:
            out.append(note(f"No drift rows for model {escape(model)}."))
            continue
        all_windows = latest_windows(rows, limit=10**9)
        windows = all_windows[-MAX_WINDOWS:]
        by_key = {(r.get("feature_name"), r.get("window_start")): r for r in rows}
        latest = windows[-1]
        features = sorted(
            {r.get("feature_name") for r in rows},
            key=lambda f: (
                -(as_number((by_key.get((f, latest)) or {}).get("psi")) or -1.0),
                str(f),
            ),
        )
        cells = []
        for feature in features:
            line: list[Cell | None] = []
            for window in windows:
                r = by_key.get((feature, window))
                if r is None:
                    line.append(None)
                    continue
                psi = as_number(r.get("psi"))
                tip = (
                    f"{feature} · {fmt_when(window)}: PSI {fmt_number(psi)} "
                    f"({r.get('drift_severity')}), JS {fmt_number(as_number(r.get('js_distance')))}"
                )
                if as_number(r.get("ks_statistic")) is not None:
                    tip += f", KS {fmt_number(as_number(r.get('ks_statistic')))}"
                line.append(Cell(psi, str(r.get("drift_severity")), tip))
            cells.append(line)
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(
            '<div class="scroll">'
            + heatmap(
                [str(f) for f in features],
                [fmt_when(w) for w in windows],
                cells,
                title=f"PSI per feature and window (rows by latest PSI) — {model}",
            )
            + "</div>"
        )
        out.append(capped_note(len(all_windows), len(windows)))
    return "".join(out)
