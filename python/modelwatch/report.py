"""The HTML report: one self-contained file (inline CSS and SVG, no script, no external
resources) that shows what the output tables say: the open incidents first (one line each), then
the charts - every time series a check judges drawn with its warn and error thresholds - input
quality and feed health, the recommendations, and the alert rows behind the incidents last.

`build_report(warehouse)` reads the output tables with plain selects (DuckDB or PostgreSQL, through
`warehouse.query`) and returns the HTML. Every section renders whatever exists: a table that is not
built in the warehouse gives a short note in its section. Every value from the data passes through
`html.escape`; only http(s) runbook URLs become links. The output depends on the warehouse's
content only (no generation time unless one is passed), so the same warehouse gives the same file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from modelwatch import identifiers
from modelwatch.config import Warehouse
from modelwatch.svg import (
    PALETTE,
    SEVERITY_COLORS,
    Cell,
    Reference,
    Series,
    bar_chart,
    fmt_compact,
    fmt_number,
    heatmap,
    legend,
    line_chart,
    xy_chart,
)
from modelwatch.warehouse import query

Row = dict[str, Any]

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
TABLES = (
    "alert_incidents",
    "alerts",
    "feature_drift",
    "feature_bin_counts",
    "reference_bins",
    "model_performance",
    "calibration_bins",
    "fairness_metrics",
    "fairness_parity",
    "operational_metrics",
    "score_distribution",
    "model_comparison",
    "canary_verdicts",
    "input_quality",
    "feed_health",
    "retraining_recommendations",
)
SEGMENTED = ("feature_drift", "feature_bin_counts")  # overall rows: segment_key '__all__'
# every observation with the thresholds that applied (the alerts engine's table): the report
# draws threshold lines from it when it is in the warehouse
EVALUATED = "int_modelwatch__alerts_evaluated"
MAX_RESOLVED_ROWS = 100  # resolved incidents listed
MAX_RECOMMENDATION_ROWS = 40  # windows with an action listed (newest first)
MAX_WINDOWS = 120  # time series and the heatmap show at most the latest this many windows
MAX_ALERT_ROWS = 300  # alert rows listed (the table holds them all)
MAX_EVIDENCE_CHARS = 4000  # evidence text shown per alert row
TOP_DRIFT_FEATURES = 4
SEVERITY_ORDER = {"error": 0, "warn": 1}


class ReportError(RuntimeError):
    """The report cannot be written (no warehouse, no modelwatch tables), with a reason."""


# --------------------------------------------------------------------------- reading


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


class Reader:
    """Plain selects against the output schema, portable across DuckDB and PostgreSQL."""

    def __init__(
        self,
        warehouse: Warehouse,
        run: Callable[[Warehouse, str], tuple[list[str], list[tuple[Any, ...]]]] = query,
    ) -> None:
        self.warehouse = warehouse
        self._run = run
        try:
            if warehouse.type == "spark":  # no information_schema in Spark
                _, rows = run(warehouse, f"show tables in {identifiers.quote(warehouse.schema)}")
                rows = [row[1:] for row in rows]
            else:
                _, rows = run(
                    warehouse,
                    "select table_name from information_schema.tables "
                    f"where table_schema = {_literal(warehouse.schema)}",
                )
        except Exception as exc:  # noqa: BLE001 - any driver error: the warehouse is unusable
            raise ReportError(f"cannot read the warehouse: {exc}") from exc
        self.tables = {str(r[0]).lower() for r in rows}

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, table: str, where: str = "") -> list[Row] | None:
        """Every row of a table (optionally filtered), as dicts; None when it does not exist."""
        if not self.has(table):
            return None
        sql = f"select * from {identifiers.relation(self.warehouse.schema, table)}"
        if where:
            sql += f" where {where}"
        try:
            columns, rows = self._run(self.warehouse, sql)
        except Exception as exc:  # noqa: BLE001 - report which table could not be read
            raise ReportError(f"cannot read {self.warehouse.schema}.{table}: {exc}") from exc
        return [dict(zip(columns, row, strict=True)) for row in rows]


# --------------------------------------------------------------------------- values


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _when(value: Any) -> str:
    """A window start as text: the date for midnight, else date and minutes."""
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _sort_key(value: Any) -> tuple[int, str]:
    """Sort windows and names of any type deterministically (None last)."""
    if value is None:
        return (1, "")
    if isinstance(value, dt.datetime | dt.date):
        return (0, value.isoformat())
    return (0, str(value))


def _text(value: Any) -> str:
    """Escaped text of any value."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return escape(fmt_number(float(value), 4))
    if value is None:
        return "–"
    if hasattr(value, "isoformat"):
        return escape(_when(value))
    return escape(str(value))


def _pct(value: Any) -> str:
    number = _num(value)
    return "–" if number is None else f"{100 * number:.1f}%"


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "1", "yes")
    return bool(value)


def _badge(kind: str, text: str | None = None) -> str:
    css = {"error": "b-error", "warn": "b-warn", "ok": "b-ok"}.get(kind, "b-info")
    return f'<span class="badge {css}">{escape(text if text is not None else kind)}</span>'


def _link(url: Any) -> str:
    """A runbook link when the URL is http(s), else the escaped text."""
    if url is None or str(url).strip() == "":
        return "–"
    text = str(url).strip()
    if urlparse(text).scheme.lower() in ("http", "https"):
        return (
            f'<a href="{escape(text, quote=True)}" rel="noopener noreferrer" '
            f'target="_blank">runbook</a>'
        )
    return f"<code>{escape(text)}</code>"


def _evidence(value: Any) -> str:
    if value is None or str(value).strip() == "":
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    with contextlib.suppress(TypeError, ValueError):
        text = json.dumps(json.loads(text), indent=2, sort_keys=True, default=str)
    if len(text) > MAX_EVIDENCE_CHARS:
        text = (
            text[:MAX_EVIDENCE_CHARS] + f"\n… ({len(text) - MAX_EVIDENCE_CHARS:,} more characters)"
        )
    return f"<details><summary>evidence</summary><pre>{escape(text)}</pre></details>"


def _note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def _missing(table: str) -> str:
    return _note(f"<code>{escape(table)}</code> is not built in this warehouse.")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """An HTML table; cells are pre-escaped markup."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _group(rows: Iterable[Row], *keys: str) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in keys)].append(row)
    return groups


def _windows(rows: Iterable[Row], limit: int = MAX_WINDOWS) -> list[Any]:
    """The distinct window starts, oldest first, at most the latest `limit`."""
    starts = sorted({r.get("window_start") for r in rows} - {None}, key=_sort_key)
    return starts[-limit:]


def _capped(total: int, shown: int) -> str:
    if total <= shown:
        return ""
    return _note(f"Showing the latest {shown} of {total} windows.")


# --------------------------------------------------------------------------- data


@dataclass
class Data:
    """The rows of every output table the report reads (None: the table does not exist)."""

    reader: Reader
    model: str | None

    def __post_init__(self) -> None:
        self._cache: dict[str, list[Row] | None] = {}

    def rows(self, table: str, extra: str = "") -> list[Row] | None:
        key = f"{table}|{extra}"
        if key not in self._cache:
            clauses = [extra] if extra else []
            if self.model is not None:
                clauses.append(f"model_name = {_literal(self.model)}")
            rows = self.reader.rows(table, " and ".join(clauses))
            if rows is not None and table in SEGMENTED:
                # the report shows overall drift; drift.segments rows are for drilling down
                rows = [r for r in rows if r.get("segment_key", "__all__") == "__all__"]
            self._cache[key] = rows
        return self._cache[key]

    def models(self) -> list[str]:
        names: set[str] = set()
        for table in ("feature_drift", "model_performance", "operational_metrics", "alerts"):
            for row in self.rows(table) or []:
                if row.get("model_name") is not None:
                    names.add(str(row["model_name"]))
        if self.model is not None:
            names.add(self.model)
        return sorted(names)


def _thresholds(data: Data, model: str, check: str, subject: Any = None) -> list[Row]:
    """The observations of one check (and subject) with their warn / error thresholds."""
    where = f"check_name = {_literal(check)}"
    rows = _for_model(data.rows(EVALUATED, where), model)
    if subject is not None:
        rows = [r for r in rows if str(r.get("subject")) == str(subject)]
    return rows


def threshold_series(
    data: Data,
    model: str,
    check: str,
    windows: Sequence[Any],
    subject: Any = None,
    transform: Callable[[Row, float], float | None] | None = None,
) -> list[Series]:
    """Dashed warn and error threshold lines of a check over these windows (per window: noise
    floors and dynamic thresholds move); none when the check has no threshold here."""
    rows = _thresholds(data, model, check, subject)
    if not rows:
        return []
    if subject is None:
        # several subjects (versions): the one observed most
        counts: dict[Any, int] = defaultdict(int)
        for r in rows:
            counts[r.get("subject")] += 1
        top = max(counts, key=lambda k: (counts[k], _sort_key(k)))
        rows = [r for r in rows if r.get("subject") == top]
    by_window = {r.get("window_start"): r for r in rows}
    out = []
    for level in ("warn", "error"):
        values = []
        for w in windows:
            row = by_window.get(w)
            value = _num(row.get(f"{level}_threshold")) if row else None
            if value is not None and transform is not None:
                value = transform(row, value)
            values.append(value)
        if any(v is not None for v in values):
            label = f"{check} {level}" + (f" ({subject})" if subject is not None else "")
            out.append(Series(label, values, SEVERITY_COLORS[level], dashed=True))
    return out


def _threshold_keys(series: Sequence[Series]) -> list[tuple[str, str, bool]]:
    return [(s.name, s.color, True) for s in series]


def _for_model(rows: list[Row] | None, model: str) -> list[Row]:
    return [r for r in rows or [] if str(r.get("model_name")) == model]


# --------------------------------------------------------------------------- sections


ACTION_WORDS = {
    "retrain": "retrain",
    "recalibrate": "recalibrate",
    "wait_for_labels": "wait for labels",
    "investigate": "investigate",
    "none": "see runbook",
}


def _incident_line(r: Row, models: list[str]) -> list[str]:
    severity = str(r.get("current_severity"))
    what = escape(str(r.get("check_description") or r.get("check_name")))
    subject = _text(r.get("subject"))
    if len(models) > 1:
        subject = f"{_text(r.get('model_name'))}: {subject}"
    windows = r.get("windows_breached")
    since = _text(r.get("opened_window_start"))
    span = f"{since} · {_text(windows)} window{'' if windows == 1 else 's'}"
    if r.get("resolved_window_start") is not None:
        span += f" · resolved {_text(r.get('resolved_window_start'))}"
    action = r.get("recommendation")
    return [
        _badge(severity if severity in SEVERITY_ORDER else "info", severity),
        f'{what} <span class="muted">(<code>{escape(str(r.get("check_name")))}</code>)</span>',
        subject,
        span,
        f"{_text(r.get('latest_observed_value'))} "
        f'<span class="muted">vs {_text(r.get("latest_threshold"))}; '
        f"peak {_text(r.get('peak_observed_value'))}</span>",
        escape(ACTION_WORDS.get(str(action), str(action))) if action else "–",
        _link(r.get("runbook_url")),
    ]


INCIDENT_HEADERS = ["severity", "what", "subject", "since", "latest vs threshold", "action",
                    "runbook"]  # fmt: skip


def _section_incidents(data: Data, models: list[str]) -> str:
    rows = data.rows("alert_incidents")
    if rows is None:
        return _note(
            "<code>alert_incidents</code> is not built in this warehouse; the alert rows are "
            "listed at the end of the report."
        )
    order = sorted(
        rows,
        key=lambda r: tuple(
            _sort_key(r.get(k))
            for k in ("opened_window_start", "model_name", "check_name", "subject")
        ),
    )
    order.sort(key=lambda r: SEVERITY_ORDER.get(str(r.get("current_severity")), 2))
    open_rows = [r for r in order if r.get("status") == "open"]
    resolved = [r for r in order if r.get("status") != "open"]
    resolved.sort(key=lambda r: _sort_key(r.get("resolved_window_start")), reverse=True)
    errors = sum(r.get("current_severity") == "error" for r in open_rows)
    body = [
        f'<p class="lead">{_badge("error", f"{errors} error")} '
        f"{_badge('warn', f'{len(open_rows) - errors} warn')} open incidents, "
        f"{len(resolved)} resolved. One line per incident: a run of breaching windows of one "
        "check and subject (<code>alert_incidents</code>); notifications go per incident event.</p>"
    ]
    if open_rows:
        body.append(
            _table(INCIDENT_HEADERS, (_incident_line(r, models) for r in open_rows), "incidents")
        )
    else:
        body.append(f'<p class="allclear">{_badge("ok")} No open incidents.</p>')
    if resolved:
        shown = resolved[:MAX_RESOLVED_ROWS]
        body.append(
            f"<details><summary>{len(resolved)} resolved incident(s)</summary>"
            + _table(INCIDENT_HEADERS, (_incident_line(r, models) for r in shown), "incidents")
            + (_capped(len(resolved), len(shown)) if len(resolved) > len(shown) else "")
            + "</details>"
        )
    return "".join(body)


def _section_input_quality(data: Data, models: list[str]) -> str:
    quality = data.rows("input_quality")
    health = data.rows("feed_health")
    if quality is None and health is None:
        return _missing("input_quality")
    out = []
    for model in models:
        mine = [r for r in _for_model(quality, model) if r.get("window_start") is not None]
        feed = _for_model(health, model)
        if not mine and not feed:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        if feed:
            windows = _windows(feed)
            labels = [_when(w) for w in windows]
            by_window = {r.get("window_start"): r for r in feed}
            requests = Series(
                "requests", [_num((by_window.get(w) or {}).get("request_count")) for w in windows],
                PALETTE[0],
            )  # fmt: skip
            volume = threshold_series(data, model, "request_volume_drop", windows) + (
                threshold_series(data, model, "request_volume_spike", windows)
            )
            staleness = Series(
                "days since the last label",
                [_num((by_window.get(w) or {}).get("label_staleness_days")) for w in windows],
                PALETTE[1],
            )
            fresh = threshold_series(data, model, "label_freshness_days", windows)
            missing = [_when(w) for w in windows if _bool(by_window[w].get("is_missing_window"))]
            out.append(legend([("requests", PALETTE[0], False), *_threshold_keys(volume)]))
            out.append(
                '<div class="grid2">'
                + line_chart(labels, [requests, *volume], title="Requests per window",
                             width=520, height=230)
                + line_chart(labels, [staleness, *fresh],
                             title="Label feed: days since the last label", width=520, height=230)
                + "</div>"
            )  # fmt: skip
            out.append(
                _note(
                    "Windows without a single prediction while the data goes on: "
                    + (escape(", ".join(missing)) if missing else "none")
                    + "."
                )
            )
        if mine:
            windows = _windows(mine)
            labels = [_when(w) for w in windows]
            by_window = {r.get("window_start"): r for r in mine}
            reasons = sorted(
                {
                    k
                    for r in mine
                    for k, v in r.items()
                    if k.startswith(("predictions_", "labels_")) and (_num(v) or 0) > 0
                }
            )
            series = [
                Series(
                    reason.replace("_", " ", 1),
                    [_num((by_window.get(w) or {}).get(reason)) or 0.0 for w in windows],
                    PALETTE[i % len(PALETTE)],
                )
                for i, reason in enumerate(reasons)
            ]
            if series:
                out.append(legend([(s.name, s.color, False) for s in series]))
                out.append(
                    line_chart(labels, series, title="Quarantined rows per window, by reason")
                )
            else:
                out.append(_note("No input row was quarantined."))
            rate = Series(
                "quarantine rate",
                [_num((by_window.get(w) or {}).get("quarantine_rate")) for w in windows],
                PALETTE[0],
            )
            limits = threshold_series(data, model, "quarantine_rate", windows)
            out.append(legend([("quarantine rate", PALETTE[0], False), *_threshold_keys(limits)]))
            out.append(
                line_chart(labels, [rate, *limits], title="Share of prediction rows quarantined",
                           fmt=lambda v: f"{100 * v:.2f}%")
            )  # fmt: skip
    return "".join(out) or _note("No input quality rows.")


def _section_recommendations(data: Data, models: list[str]) -> str:
    rows = data.rows("retraining_recommendations")
    if rows is None:
        return _missing("retraining_recommendations")
    acting = [r for r in rows if str(r.get("action")) != "none"]
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[str(r.get("action"))] += 1
    summary = " · ".join(f"{escape(action)}: {n}" for action, n in sorted(counts.items()))
    out = [f'<p class="lead">Windows by action - {summary}</p>']
    acting.sort(key=lambda r: (_sort_key(r.get("window_start")), _sort_key(r.get("model_name"))))
    acting.reverse()
    shown = acting[:MAX_RECOMMENDATION_ROWS]
    if shown:
        out.append(
            _table(
                ["window", "model", "action", "why"],
                (
                    [
                        _text(r.get("window_start")),
                        _text(r.get("model_name")),
                        _badge("warn" if r.get("action") != "investigate" else "error",
                               str(r.get("action"))),
                        _text(r.get("reasons")),
                    ]
                    for r in shown
                ),
                "recommendations",
            )
        )  # fmt: skip
        if len(acting) > len(shown):
            out.append(
                _note(f"Showing the newest {len(shown)} of {len(acting)} windows with an action.")
            )
    else:
        out.append(f'<p class="allclear">{_badge("ok")} No window asks for an action.</p>')
    return "".join(out)


def _section_alerts(data: Data, models: list[str]) -> str:
    rows = data.rows("alerts")
    if rows is None:
        return _note(
            "<code>alerts</code> is not built in this warehouse, so no alert rows can be listed "
            "here. The dbt alert tests still run with <code>modelwatch run</code>; their failing "
            "rows are stored in the audit schema."
        )
    if not rows:
        return f'<p class="allclear">{_badge("ok")} No alerts fired.</p>'
    # errors first, then the newest window first, then by model, check and subject (stable sorts)
    rows = sorted(
        rows,
        key=lambda r: tuple(
            _sort_key(r.get(k))
            for k in ("model_name", "check_category", "check_name", "subject", "alert_id")
        ),
    )
    rows.sort(key=lambda r: _sort_key(r.get("window_start")), reverse=True)
    rows.sort(key=lambda r: SEVERITY_ORDER.get(str(r.get("severity")), 2))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        counts[(str(r.get("severity")), str(r.get("check_name")))] += 1
    errors = sum(n for (sev, _), n in counts.items() if sev == "error")
    warns = sum(n for (sev, _), n in counts.items() if sev == "warn")
    summary = "".join(
        f"<li>{_badge(sev)} <code>{escape(check)}</code>: {n}</li>"
        for (sev, check), n in sorted(
            counts.items(), key=lambda kv: (SEVERITY_ORDER.get(kv[0][0], 2), kv[0][1])
        )
    )
    body = [
        f'<p class="lead">{_badge("error", f"{errors} error")} {_badge("warn", f"{warns} warn")} '
        f"alert rows (errors page, warnings go to review).</p>",
        f'<ul class="counts">{summary}</ul>',
    ]
    table_rows = []
    for r in rows[:MAX_ALERT_ROWS]:
        severity = str(r.get("severity"))
        check = f"<code>{escape(str(r.get('check_name')))}</code>"
        if r.get("check_category") is not None:
            check += f'<br><span class="muted">{escape(str(r["check_category"]))}</span>'
        subject = _text(r.get("subject"))
        if len(models) > 1:
            subject = f"{_text(r.get('model_name'))}: {subject}"
        table_rows.append(
            [
                _badge(severity if severity in SEVERITY_ORDER else "info", severity),
                _text(r.get("window_start")),
                check,
                subject,
                _text(r.get("observed_value")),
                _text(r.get("threshold"))
                + (
                    f' <span class="muted">({escape(str(r["threshold_kind"]))})</span>'
                    if r.get("threshold_kind")
                    else ""
                ),
                _text(r.get("consecutive_windows")),
                _link(r.get("runbook_url")),
                _evidence(r.get("evidence")),
            ]
        )
    body.append(
        _table(
            [
                "severity",
                "window",
                "check",
                "subject",
                "observed",
                "threshold",
                "windows in a row",
                "runbook",
                "evidence",
            ],
            table_rows,
            "alerts",
        )
    )
    if len(rows) > MAX_ALERT_ROWS:
        body.append(
            _note(
                f"Showing {MAX_ALERT_ROWS} of {len(rows)} alert rows; "
                "all are in <code>alerts</code>."
            )
        )
    return "".join(body)


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


def _section_drift_heatmap(data: Data, models: list[str]) -> str:
    drift = data.rows("feature_drift")
    if drift is None:
        return _missing("feature_drift")
    out = [_severity_legend()]
    for model in models:
        rows = _for_model(drift, model)
        if not rows:
            out.append(_note(f"No drift rows for model {escape(model)}."))
            continue
        all_windows = _windows(rows, limit=10**9)
        windows = all_windows[-MAX_WINDOWS:]
        by_key = {(r.get("feature_name"), r.get("window_start")): r for r in rows}
        latest = windows[-1]
        features = sorted(
            {r.get("feature_name") for r in rows},
            key=lambda f: (-(_num((by_key.get((f, latest)) or {}).get("psi")) or -1.0), str(f)),
        )
        cells = []
        for feature in features:
            line: list[Cell | None] = []
            for window in windows:
                r = by_key.get((feature, window))
                if r is None:
                    line.append(None)
                    continue
                psi = _num(r.get("psi"))
                tip = (
                    f"{feature} · {_when(window)}: PSI {fmt_number(psi)} "
                    f"({r.get('drift_severity')}), JS {fmt_number(_num(r.get('js_distance')))}"
                )
                if _num(r.get("ks_statistic")) is not None:
                    tip += f", KS {fmt_number(_num(r.get('ks_statistic')))}"
                line.append(Cell(psi, str(r.get("drift_severity")), tip))
            cells.append(line)
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(
            '<div class="scroll">'
            + heatmap(
                [str(f) for f in features],
                [_when(w) for w in windows],
                cells,
                title=f"PSI per feature and window (rows by latest PSI) — {model}",
            )
            + "</div>"
        )
        out.append(_capped(len(all_windows), len(windows)))
    return "".join(out)


def _bin_label(ref: Row | None, index: Any) -> str:
    if ref is None:
        return f"bin {index}"
    if _bool(ref.get("is_null_bin")):
        return "null"
    if ref.get("category") is not None:
        return str(ref["category"])
    low, high = _num(ref.get("lower_bound")), _num(ref.get("upper_bound"))
    if low is None and high is None:
        return "all values"  # a numeric feature whose reference has a single distinct value
    if low is None:
        return f"< {fmt_compact(high)}"
    if high is None:
        return f"≥ {fmt_compact(low)}"
    return f"{fmt_compact(low)} – {fmt_compact(high)}"


def _section_top_drift(data: Data, models: list[str]) -> str:
    drift = data.rows("feature_drift")
    if drift is None:
        return _missing("feature_drift")
    counts = data.rows("feature_bin_counts")
    if counts is None:
        return _missing("feature_bin_counts")
    references = data.rows("reference_bins")
    out = []
    if references is None:
        out.append(_note("<code>reference_bins</code> is not built: bins are shown by index."))
    for model in models:
        rows = _for_model(drift, model)
        if not rows:
            continue
        latest = _windows(rows)[-1]
        ranked = sorted(
            (r for r in rows if r.get("window_start") == latest and _num(r.get("psi")) is not None),
            key=lambda r: (-(_num(r.get("psi")) or 0.0), str(r.get("feature_name"))),
        )[:TOP_DRIFT_FEATURES]
        out.append(
            f"<p>Latest window <strong>{escape(_when(latest))}</strong>"
            f"{' of ' + escape(model) if len(models) > 1 else ''}: the {len(ranked)} features with "
            "the highest PSI, current bin proportions against the reference's.</p>"
        )
        ref_bins = {
            (r.get("feature_name"), r.get("bin_index")): r for r in _for_model(references, model)
        }
        charts = []
        for drift_row in ranked:
            feature = drift_row.get("feature_name")
            bins = sorted(
                (
                    r
                    for r in _for_model(counts, model)
                    if r.get("window_start") == latest and r.get("feature_name") == feature
                ),
                key=lambda r: _num(r.get("bin_index")) or 0.0,
            )
            if not bins:
                continue
            labels = [
                _bin_label(ref_bins.get((feature, b.get("bin_index"))), b.get("bin_index"))
                for b in bins
            ]
            chart = bar_chart(
                labels,
                [
                    Series(
                        "reference", [_num(b.get("reference_proportion")) for b in bins], "#9aa5b1"
                    ),
                    Series(
                        "current", [_num(b.get("current_proportion")) for b in bins], PALETTE[0]
                    ),
                ],
                title=str(feature),
                fmt=lambda v: f"{100 * v:.0f}%" if v >= 0.01 or v == 0 else f"{100 * v:.1f}%",
            )
            severity = str(drift_row.get("drift_severity"))
            caption = (
                f"{_badge(severity if severity in ('warn', 'error') else 'ok', severity)} "
                f"PSI {_text(drift_row.get('psi'))} · JS {_text(drift_row.get('js_distance'))}"
            )
            if _num(drift_row.get("ks_statistic")) is not None:
                caption += f" · KS {_text(drift_row.get('ks_statistic'))}"
            caption += (
                f" · nulls {_pct(drift_row.get('null_rate_reference'))} → "
                f"{_pct(drift_row.get('null_rate_current'))}"
            )
            charts.append(
                f'<figure class="card">{chart}<figcaption>{caption}</figcaption></figure>'
            )
        out.append(legend([("reference", "#9aa5b1", False), ("current", PALETTE[0], False)]))
        out.append(f'<div class="grid2">{"".join(charts)}</div>' if charts else _note("No bins."))
    return "".join(out)


def _version_colors(versions: Sequence[Any]) -> dict[Any, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(versions)}


# the charts of a regression or multiclass model: (metric, title, baseline column)
TASK_CHARTS = {
    "regression": [
        ("rmse", "RMSE", "baseline_rmse"),
        ("mae", "MAE", "baseline_mae"),
        (
            "mean_error",
            "Mean error (prediction - outcome; above 0 over-predicts)",
            "baseline_mean_error",
        ),
        ("r2", "R²", None),
    ],
    "multiclass": [
        ("macro_f1", "Macro F1", "baseline_macro_f1"),
        ("accuracy", "Accuracy", None),
        ("roc_auc", "ROC AUC (macro one-vs-rest)", None),
        ("log_loss", "Log loss", None),
    ],
}


def _section_performance(data: Data, models: list[str]) -> str:
    perf = data.rows("model_performance", "slice_key = '__all__'")
    if perf is None:
        return _missing("model_performance")
    out = [
        _note(
            "Solid lines: realized metrics on the labels received so far (open markers: the "
            "window is not final yet, more labels are due). Dashed: the label-free CBPE estimate."
        )
    ]
    for model in models:
        rows = _for_model(perf, model)
        if not rows:
            continue
        windows = _windows(rows)
        labels = [_when(w) for w in windows]
        versions = sorted({r.get("model_version") for r in rows}, key=_sort_key)
        colors = _version_colors(versions)
        by_key = {(r.get("model_version"), r.get("window_start")): r for r in rows}

        def series(metric: str, version: Any, dashed: bool = False, name: str = "") -> Series:
            points = [by_key.get((version, w)) for w in windows]  # noqa: B023
            return Series(
                name or f"{version} {metric}",
                [_num(p.get(metric)) if p else None for p in points],
                colors[version],  # noqa: B023
                dashed,
                [bool(p) and _bool(p.get("is_final")) is False for p in points],
            )

        coverage = [series("label_coverage", v) for v in versions]
        task = rows[0].get("task") or "binary"
        if task != "binary":
            out.append(f"<h3>{escape(model)} ({escape(task)})</h3>")
            out.append(legend([(f"{v}", colors[v], False) for v in versions]))
            for metric, title, baseline in TASK_CHARTS[task]:
                base = sorted({_num(r.get(baseline)) for r in rows} - {None}) if baseline else []
                refs = (
                    [Reference(base[0], f"baseline {fmt_number(base[0])}")]
                    if len(base) == 1
                    else []
                )
                chart = [series(metric, v) for v in versions]
                out.append(line_chart(labels, chart, title=title, references=refs))
            out.append(
                line_chart(
                    labels,
                    coverage,
                    title="Label coverage (share of predictions labeled)",
                    y_range=(0.0, 1.0),
                    fmt=lambda v: f"{100 * v:.0f}%",
                )
            )
            out.append(_capped(len(_windows(rows, 10**9)), len(windows)))
            continue
        baselines = sorted({_num(r.get("baseline_roc_auc")) for r in rows} - {None})
        refs = (
            [Reference(baselines[0], f"baseline AUC {fmt_number(baselines[0])}")]
            if len(baselines) == 1
            else []
        )
        auc = [series("roc_auc", v) for v in versions] + [
            series("estimated_roc_auc", v, dashed=True) for v in versions
        ]

        # the drop's thresholds as AUC values: the baseline less them
        baseline = baselines[0] if len(baselines) == 1 else None
        auc_limits = (
            threshold_series(
                data, model, "roc_auc_drop", windows, transform=lambda _, drop, b=baseline: b - drop
            )
            if baseline is not None
            else []
        )
        ece = [series("ece", v) for v in versions]
        ece_limits = threshold_series(data, model, "ece", windows)
        coverage_limits = threshold_series(data, model, "label_coverage", windows)
        accuracy = [series("accuracy", v) for v in versions] + [
            series("estimated_accuracy", v, dashed=True) for v in versions
        ]
        keys = [(f"{v}", colors[v], False) for v in versions] + [
            ("realized", "#555555", False),
            ("estimated (CBPE)", "#555555", True),
        ]
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(legend(keys + _threshold_keys(auc_limits + ece_limits)))
        out.append(
            line_chart(labels, auc + auc_limits, title="ROC AUC (dashed red / amber: the "
                       "roc_auc_drop thresholds, noise floor included)", references=refs)
        )  # fmt: skip
        out.append(line_chart(labels, ece + ece_limits, title="Expected calibration error (ECE)"))
        out.append(line_chart(labels, accuracy, title="Accuracy at the decision threshold"))
        out.append(
            line_chart(
                labels,
                coverage + coverage_limits,
                title="Label coverage (share of predictions labeled)",
                y_range=(0.0, 1.0),
                fmt=lambda v: f"{100 * v:.0f}%",
            )
        )
        out.append(_capped(len(_windows(rows, 10**9)), len(windows)))
    return "".join(out)


MIN_PROVISIONAL_LABELS = 100  # a not-yet-final window is drawn once it has this many labels


def _calibration_windows(mine: list[Row]) -> list[tuple[Any, bool]]:
    """(window, is_final): the latest final window and, when newer, the latest window with
    enough labels to draw a provisional curve."""
    labeled: dict[Any, float] = defaultdict(float)
    for r in mine:
        labeled[r.get("window_start")] += _num(r.get("labeled_count")) or 0.0
    final = _windows([r for r in mine if _bool(r.get("is_final"))])
    chosen = [(final[-1], True)] if final else []
    recent = [w for w in _windows(mine) if labeled[w] >= MIN_PROVISIONAL_LABELS]
    if recent and (not final or _sort_key(recent[-1]) > _sort_key(final[-1])):
        chosen.append((recent[-1], False))
    return chosen


def _section_calibration(data: Data, models: list[str]) -> str:
    bins = data.rows("calibration_bins")
    if bins is None:
        return _missing("calibration_bins")
    perf = data.rows("model_performance", "slice_key = '__all__'") or []
    out = []
    for model in models:
        rows = _for_model(bins, model)
        if not rows:
            continue
        versions = sorted({r.get("model_version") for r in rows}, key=_sort_key)
        colors = _version_colors(versions)
        curves, notes = [], []
        for version in versions:
            mine = [r for r in rows if r.get("model_version") == version]
            for window, is_final in _calibration_windows(mine):
                points = sorted(
                    (
                        r
                        for r in mine
                        if r.get("window_start") == window
                        and _num(r.get("observed_rate")) is not None
                    ),
                    key=lambda r: _num(r.get("bin_index")) or 0.0,
                )
                status = "final" if is_final else "provisional"
                curves.append(
                    (
                        f"{version} · {_when(window)} ({status})",
                        colors[version],
                        not is_final,
                        [
                            (
                                _num(p.get("mean_score")),
                                _num(p.get("observed_rate")),
                                f"{version} {_when(window)} bin {p.get('bin_index')}: mean score "
                                f"{fmt_number(_num(p.get('mean_score')))}, observed "
                                f"{fmt_number(_num(p.get('observed_rate')))} "
                                f"(labeled {p.get('labeled_count')})",
                            )
                            for p in points
                        ],
                    )
                )
                ece = next(
                    (
                        _num(p.get("ece"))
                        for p in perf
                        if str(p.get("model_name")) == model
                        and p.get("model_version") == version
                        and p.get("window_start") == window
                    ),
                    None,
                )
                notes.append(
                    f"<li><strong>{escape(str(version))}</strong> window "
                    f"{escape(_when(window))} ({status}): ECE {escape(fmt_number(ece))}</li>"
                )
        if not curves:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(
            legend(
                [(name, color, dashed) for name, color, dashed, _ in curves]
                + [("perfectly calibrated", "#888888", True)]
            )
        )
        out.append(
            '<div class="row">'
            + xy_chart(curves, title="Observed positive rate vs mean score")
            + f'<div><ul class="side">{"".join(notes)}</ul>'
            + _note(
                "Solid: the latest final window (labels complete). Dashed: the latest window "
                f"with at least {MIN_PROVISIONAL_LABELS} labels so far, which may still change."
            )
            + "</div></div>"
        )
    return "".join(out) or _note("No labeled calibration bins yet.")


def _fairness_window(rows: list[Row]) -> Any:
    """The latest window with a true positive rate (labels arrive late), else the latest."""
    with_tpr = [r for r in rows if _num(r.get("true_positive_rate")) is not None]
    return _windows(with_tpr or rows)[-1]


def _section_fairness(data: Data, models: list[str]) -> str:
    metrics = data.rows("fairness_metrics")
    parity = data.rows("fairness_parity")
    if metrics is None and parity is None:
        return _missing("fairness_metrics") + _missing("fairness_parity")
    out = []
    if metrics is None:
        out.append(_missing("fairness_metrics"))
    if parity is None:
        out.append(_missing("fairness_parity"))
    for model in models:
        rows = _for_model(metrics, model)
        prows = _for_model(parity, model)
        if not rows and not prows:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        if rows:
            window = _fairness_window(rows)
            out.append(
                f"<p>Window <strong>{escape(_when(window))}</strong> (the latest with labels). "
                "Open bars: groups below the minimum size, reported but left out of parity.</p>"
            )
            out.append(
                legend(
                    [
                        ("selection rate", PALETTE[0], False),
                        ("true positive rate", PALETTE[1], False),
                    ]
                )
            )
            charts = []
            latest = [r for r in rows if r.get("window_start") == window]
            for (attribute,), group in sorted(
                _group(latest, "attribute_name").items(), key=lambda kv: _sort_key(kv[0][0])
            ):
                group = sorted(group, key=lambda r: _sort_key(r.get("group_value")))
                small = [_bool(r.get("is_sufficient")) is False for r in group]
                names = [
                    f"{r.get('group_value')}{' (small)' if s else ''}"
                    for r, s in zip(group, small, strict=True)
                ]
                charts.append(
                    '<figure class="card">'
                    + bar_chart(
                        names,
                        [
                            Series(
                                "selection rate",
                                [_num(r.get("selection_rate")) for r in group],
                                PALETTE[0],
                                hollow=small,
                            ),
                            Series(
                                "true positive rate",
                                [_num(r.get("true_positive_rate")) for r in group],
                                PALETTE[1],
                                hollow=small,
                            ),
                        ],
                        title=str(attribute),
                        y_range=(0.0, 1.0),
                        fmt=lambda v: f"{100 * v:.0f}%",
                    )
                    + "</figure>"
                )
            out.append(f'<div class="grid2">{"".join(charts)}</div>')
        if prows:
            out.append(_parity(prows, window if rows else None))
    return "".join(out) or _note("No fairness rows.")


def _parity(prows: list[Row], window: Any) -> str:
    """The parity table for `window` (the one the group chart shows; else the latest) and the
    demographic parity ratio over time."""
    if window not in {r.get("window_start") for r in prows}:
        window = _windows(prows)[-1]
    latest = sorted(
        (r for r in prows if r.get("window_start") == window),
        key=lambda r: _sort_key(r.get("attribute_name")),
    )
    table_rows = []
    for r in latest:
        passes = _bool(r.get("passes_four_fifths_rule"))
        flag = (
            "–"
            if passes is None
            else _badge("ok", "passes")
            if passes
            else _badge("error", "fails")
        )
        table_rows.append(
            [
                _text(r.get("attribute_name")),
                _text(r.get("demographic_parity_difference")),
                _text(r.get("demographic_parity_ratio")),
                _text(r.get("equal_opportunity_difference")),
                _text(r.get("equalized_odds_difference")),
                flag,
            ]
        )
    out = [
        f"<h4>Parity in window {escape(_when(window))}</h4>",
        _table(
            [
                "attribute",
                "demographic parity difference",
                "demographic parity ratio",
                "equal opportunity difference",
                "equalized odds difference",
                "four-fifths rule",
            ],
            table_rows,
        ),
    ]
    windows = _windows(prows)
    attributes = sorted({r.get("attribute_name") for r in prows}, key=_sort_key)
    by_key = {(r.get("attribute_name"), r.get("window_start")): r for r in prows}
    series = [
        Series(
            str(a),
            [_num((by_key.get((a, w)) or {}).get("demographic_parity_ratio")) for w in windows],
            PALETTE[i % len(PALETTE)],
        )
        for i, a in enumerate(attributes)
    ]
    out.append(legend([(s.name, s.color, False) for s in series]))
    out.append(
        line_chart(
            [_when(w) for w in windows],
            series,
            title="Demographic parity ratio (min / max selection rate) over time",
            y_range=(0.0, 1.05),
            references=[Reference(0.8, "four-fifths", SEVERITY_COLORS["error"])],
        )
    )
    return "".join(out)


def _section_operations(data: Data, models: list[str]) -> str:
    ops = data.rows("operational_metrics")
    if ops is None:
        return _missing("operational_metrics")
    out = []
    for model in models:
        rows = _for_model(ops, model)
        if not rows:
            continue
        windows = _windows(rows)
        labels = [_when(w) for w in windows]
        versions = sorted({r.get("model_version") for r in rows}, key=_sort_key)
        colors = _version_colors(versions)
        by_key = {(r.get("model_version"), r.get("window_start")): r for r in rows}

        def values(version: Any, metric: str) -> list[float | None]:
            return [_num((by_key.get((version, w)) or {}).get(metric)) for w in windows]  # noqa: B023

        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        latency = []
        for version in versions:
            latency.append(
                '<figure class="card">'
                + legend(
                    [
                        ("p50", PALETTE[2], False),
                        ("p95", PALETTE[1], False),
                        ("p99", PALETTE[5], False),
                    ]
                )
                + line_chart(
                    labels,
                    [
                        Series(f"{version} p50", values(version, "latency_p50_ms"), PALETTE[2]),
                        Series(f"{version} p95", values(version, "latency_p95_ms"), PALETTE[1]),
                        Series(f"{version} p99", values(version, "latency_p99_ms"), PALETTE[5]),
                        *threshold_series(data, model, "latency_p95_ms", windows, version),
                        *threshold_series(data, model, "latency_p99_ms", windows, version),
                    ],
                    title=f"Latency (ms), version {version}",
                    width=520,
                    height=230,
                )
                + "</figure>"
            )
        out.append(f'<div class="grid2">{"".join(latency)}</div>')
        out.append(legend([(str(v), colors[v], False) for v in versions]))
        out.append(
            '<div class="grid2">'
            + line_chart(
                labels,
                [Series(f"{v} error rate", values(v, "error_rate"), colors[v]) for v in versions]
                + threshold_series(data, model, "error_rate", windows),
                title="Error rate (4xx + 5xx)",
                fmt=lambda v: f"{100 * v:.1f}%",
                width=520,
                height=230,
            )
            + line_chart(
                labels,
                [
                    Series(f"{v} cost per 1k", values(v, "cost_per_1k_usd"), colors[v])
                    for v in versions
                ]
                + threshold_series(data, model, "cost_per_1k_usd", windows),
                title="Cost per 1,000 predictions (USD)",
                width=520,
                height=230,
            )
            + "</div>"
        )
        out.append(_capped(len(_windows(rows, 10**9)), len(windows)))
    return "".join(out) or _note("No operational rows.")


def _section_deployments(data: Data, models: list[str]) -> str:
    comparison = data.rows("model_comparison")
    canary = data.rows("canary_verdicts")
    out = []
    if comparison is None:
        out.append(_missing("model_comparison"))
    if canary is None:
        out.append(_missing("canary_verdicts"))
    for model in models:
        rows = _for_model(comparison, model)
        if rows:
            out.append(
                f"<h3>Champion vs candidates{' — ' + escape(model) if len(models) > 1 else ''}</h3>"
            )
            table_rows = []
            pairs = _group(rows, "baseline_version", "candidate_version")
            for (baseline, candidate), group in sorted(
                pairs.items(), key=lambda kv: tuple(_sort_key(k) for k in kv[0])
            ):
                latest = max(group, key=lambda r: _sort_key(r.get("window_start")))
                table_rows.append(
                    [
                        _text(baseline),
                        _text(candidate),
                        _text(latest.get("role")),
                        _text(latest.get("window_start")),
                        _text(latest.get("paired_count")),
                        _pct(latest.get("disagreement_rate")),
                        _text(latest.get("mean_abs_score_diff")),
                        _text(latest.get("score_correlation")),
                        _text(latest.get("baseline_roc_auc")),
                        _text(latest.get("candidate_roc_auc")),
                        _text(latest.get("mcnemar_p_value")),
                    ]
                )
            out.append(
                _table(
                    [
                        "champion",
                        "candidate",
                        "role",
                        "latest window",
                        "paired requests",
                        "disagreement",
                        "mean |score diff|",
                        "score correlation",
                        "champion AUC",
                        "candidate AUC",
                        "McNemar p",
                    ],
                    table_rows,
                )
            )
            out.append(_comparison_chart(rows, pairs))
        verdicts = sorted(
            _for_model(canary, model),
            key=lambda r: (_sort_key(r.get("canary_version")), _sort_key(r.get("window_start"))),
        )
        if verdicts:
            out.append(
                f"<h3>Canary verdicts{' — ' + escape(model) if len(models) > 1 else ''}</h3>"
            )
            table_rows = []
            for r in verdicts[-60:]:
                verdict = str(r.get("verdict"))
                kind = {"rollback": "error", "promote": "ok", "hold": "warn"}.get(verdict, "info")
                table_rows.append(
                    [
                        _text(r.get("window_start")),
                        _text(r.get("canary_version")),
                        _text(r.get("control_version")),
                        _badge(kind, verdict),
                        _text(r.get("canary_requests")),
                        _pct(r.get("control_positive_rate"))
                        + " → "
                        + _pct(r.get("canary_positive_rate")),
                        _pct(r.get("control_error_rate"))
                        + " → "
                        + _pct(r.get("canary_error_rate")),
                        _text(r.get("reasons")),
                    ]
                )
            out.append(
                _table(
                    [
                        "window",
                        "canary",
                        "champion",
                        "verdict",
                        "canary requests",
                        "positive rate",
                        "error rate",
                        "reasons",
                    ],
                    table_rows,
                )
            )
    if not out:
        out.append(_note("No champion/challenger pairs or canaries in this warehouse."))
    return "".join(out)


def _comparison_chart(rows: list[Row], pairs: dict[tuple[Any, ...], list[Row]]) -> str:
    """Both ROC AUCs on the labeled pairs, per window: does the candidate beat the champion?"""
    windows = _windows(rows)
    series = []
    for i, ((baseline, candidate), group) in enumerate(
        sorted(pairs.items(), key=lambda kv: tuple(_sort_key(k) for k in kv[0]))
    ):
        by_window = {r.get("window_start"): r for r in group}
        color = PALETTE[(i + 1) % len(PALETTE)]
        role = next((r.get("role") for r in group if r.get("role")), None) or "candidate"
        for column, name, dashed in (
            ("baseline_roc_auc", f"{baseline} (champion)", True),
            ("candidate_roc_auc", f"{candidate} ({role})", False),
        ):
            series.append(
                Series(
                    name,
                    [_num((by_window.get(w) or {}).get(column)) for w in windows],
                    PALETTE[0] if dashed else color,
                    dashed,
                )
            )
    if not any(v is not None for s in series for v in s.values):
        return _note("No labeled pairs yet: ROC AUCs on paired requests appear once labels arrive.")
    return legend([(s.name, s.color, s.dashed) for s in series]) + line_chart(
        [_when(w) for w in windows], series, title="ROC AUC on the labeled paired requests"
    )


RENDERERS: dict[str, Callable[[Data, list[str]], str]] = {
    "incidents": _section_incidents,
    "input-quality": _section_input_quality,
    "recommendations": _section_recommendations,
    "alerts": _section_alerts,
    "drift-heatmap": _section_drift_heatmap,
    "top-drift": _section_top_drift,
    "performance": _section_performance,
    "calibration": _section_calibration,
    "fairness": _section_fairness,
    "operations": _section_operations,
    "deployments": _section_deployments,
}


# --------------------------------------------------------------------------- page

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
        _for_model(data.rows(t), model)
        for t in ("feature_drift", "model_performance", "operational_metrics")
    ):
        raise ReportError(f"no rows for model '{model}' in schema '{warehouse.schema}'")
    through = max(
        (r.get("window_end") for r in data.rows("feature_drift") or [] if r.get("window_end")),
        key=_sort_key,
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
        subtitle.append(f"data through {escape(_when(through))} (exclusive)")
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
