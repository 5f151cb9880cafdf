"""The HTML report: every section on the demo, opened in headless Chromium (no console errors,
no external requests, a non-blank screenshot per section); escaping, fairness and alerts on small
hand-made tables; missing tables; PostgreSQL gives the same report as DuckDB.

MODELWATCH_REPORT_SCREENSHOTS=DIR keeps the section screenshots of the demo report."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from chromium import CHROMIUM, inspect_page
from conftest import Built, write_tables

from modelwatch.cli import main
from modelwatch.config import Warehouse, resolve_warehouse
from modelwatch.report import SECTIONS, ReportError, render_report

MAX_BYTES = 5 * 1024 * 1024
SECTION_IDS = [sid for sid, _ in SECTIONS]


def _section(html: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert match, f"section {sid} missing"
    return match.group(1)


def _needs_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("MODELWATCH_TEST_CHROMIUM") == "1":
            pytest.fail(f"{CHROMIUM} not found: run scripts/chromium.sh")
        pytest.skip("Chromium not installed (scripts/chromium.sh)")


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_report(demo_built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--warehouse", str(demo_built.path), "--output", str(out)]) == 0
    return out


def test_demo_report_has_every_section_incidents_first(demo_report: Path) -> None:
    html = demo_report.read_text(encoding="utf-8")
    found = re.findall(r'<section id="([^"]+)"><h2>', html)
    assert found == SECTION_IDS and found[0] == "incidents"
    # the first screen: one line per open incident, with since, severity and action
    incidents = _section(html, "incidents")
    lines = re.findall(r"<tr><td><span class=\"badge b-(\w+)\">", incidents)
    assert 5 <= len(lines) <= 60, len(lines)
    first_open = incidents.split("</table>")[0]
    assert "debt_to_income" in first_open and "feature drift (PSI" in first_open
    assert "wait for labels" in first_open or "recalibrate" in first_open
    assert "resolved incident(s)</summary>" in incidents  # the null spike and latency
    assert html.index('id="incidents"') < html.index("<svg")  # before any chart
    # the demo's incidents are visible where they belong
    assert "debt_to_income" in _section(html, "drift-heatmap")
    top = _section(html, "top-drift")
    assert "debt_to_income" in top and "device" in top
    performance = _section(html, "performance")
    assert "ROC AUC" in performance and "Expected calibration error" in performance
    # threshold lines on the time series a check judges (noise floors move them per window)
    assert "roc_auc_drop warn" in performance and "ece error" in performance
    assert "label_coverage warn" in performance
    # the regression and multiclass models get their task's charts
    for text in ["claims_count (regression)", "RMSE", "Mean error", "ticket_router (multiclass)"]:
        assert text in performance, text
    assert "Macro F1" in performance and "baseline" in performance
    assert "ECE" in _section(html, "calibration")
    assert "Latency (ms), version v1" in _section(html, "operations")
    quality = _section(html, "input-quality")
    assert "Requests per window" in quality and "request_volume_drop warn" in quality
    assert "days since the last label" in quality and "label_freshness_days warn" in quality
    assert "Quarantined rows per window, by reason" in quality
    assert "predictions score_not_finite" in quality and "labels invalid_label" in quality
    assert "quarantine_rate warn" in quality
    assert "rollback" in _section(html, "deployments")
    recommendations = _section(html, "recommendations")
    assert "investigate" in recommendations and "recalibrate" in recommendations
    for sid in ("alerts", "fairness"):
        # a table that is not built yet gives a note, never a crash or invented rows
        section = _section(html, sid)
        assert "is not built" in section or "<table" in section or "<svg" in section


def test_demo_report_is_small_and_self_contained(demo_report: Path) -> None:
    size = demo_report.stat().st_size
    assert size < MAX_BYTES, size
    html = demo_report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"\bsrc\s*=", html, re.I)
    assert not re.search(r"url\(|@import", html, re.I)
    # the only href values: in-page anchors and http(s) links on <a>
    for tag in re.findall(r"<[^>]*\bhref\s*=[^>]*>", html, re.I):
        assert re.match(r'<a href="(#|https?://)', tag), tag


def test_demo_report_is_deterministic(demo_built: Built) -> None:
    warehouse = resolve_warehouse(demo_built.config)
    first = render_report(warehouse)
    assert render_report(warehouse) == first
    stamped = render_report(warehouse, generated_at="2026-10-05 06:00 UTC")
    assert '<span id="generated-at">generated 2026-10-05 06:00 UTC</span>' in stamped
    assert re.sub(r' · <span id="generated-at">.*?</span>', "", stamped) == first


def test_demo_report_in_headless_chromium(demo_report: Path, tmp_path: Path) -> None:
    _needs_chromium()
    from PIL import Image, ImageStat

    seen = inspect_page(demo_report, tmp_path / "shots")
    assert seen.console_errors == []
    assert seen.external_requests == []
    assert list(seen.screenshots) == SECTION_IDS
    for sid, path in seen.screenshots.items():
        with Image.open(path) as image:
            width, height = image.size
            gray = image.convert("L")
            colors = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
            assert width >= 600 and height >= 60, (sid, image.size)
            assert ImageStat.Stat(gray).stddev[0] > 5, f"{sid} screenshot looks blank"
            assert len(colors) > 20, f"{sid} screenshot has {len(colors)} colours"
    keep = os.environ.get("MODELWATCH_REPORT_SCREENSHOTS")
    if keep:
        shutil.copytree(tmp_path / "shots", keep, dirs_exist_ok=True)


def test_chromium_check_catches_console_errors_and_requests(
    demo_report: Path, tmp_path: Path
) -> None:
    _needs_chromium()
    broken = tmp_path / "broken.html"
    html = demo_report.read_text(encoding="utf-8")
    injected = (
        '<script>console.error("injected console error")</script>'
        '<script>throw new Error("injected exception")</script>'
        '<img src="http://203.0.113.1/pixel.png" alt="">'
    )
    broken.write_text(html.replace("</main>", injected + "</main>"), encoding="utf-8")
    seen = inspect_page(broken, tmp_path / "shots")
    errors = "\n".join(seen.console_errors)
    assert "injected console error" in errors
    assert "injected exception" in errors
    assert any("203.0.113.1" in url for url in seen.external_requests)


# --------------------------------------------------------------------------- hand-made tables

W = [dt.datetime(2026, 1, d) for d in (1, 2, 3)]
EVIL = "<script>alert(1)</script>"


def _handmade() -> dict[str, pd.DataFrame]:
    """Tiny output tables in the contract's shapes, with hostile names and values."""
    drift = pd.DataFrame(
        [
            {
                "model_name": "m1",
                "window_start": w,
                "window_end": w + dt.timedelta(days=1),
                "feature_name": feature,
                "feature_type": kind,
                "psi": psi * (i + 1),
                "js_distance": 0.1,
                "ks_statistic": 0.2 if kind == "numeric" else None,
                "null_rate_reference": 0.01,
                "null_rate_current": 0.02,
                "drift_severity": ("error" if psi * (i + 1) >= 0.25 else "warn")
                if psi * (i + 1) >= 0.1
                else "ok",
            }
            for i, w in enumerate(W)
            for feature, kind, psi in ((EVIL, "categorical", 0.1), ("income", "numeric", 0.01))
        ]
    )
    reference = pd.DataFrame(
        [
            {"model_name": "m1", "feature_name": EVIL, "bin_index": 0, "category": "<b>bold</b>"},
            {"model_name": "m1", "feature_name": EVIL, "bin_index": 1, "category": "a&b"},
            {"model_name": "m1", "feature_name": "income", "bin_index": 0, "upper_bound": 100.0},
            {"model_name": "m1", "feature_name": "income", "bin_index": 1, "lower_bound": 100.0},
        ]
    ).assign(is_null_bin=False)
    counts = pd.DataFrame(
        [
            {
                "model_name": "m1",
                "window_start": W[-1],
                "feature_name": feature,
                "bin_index": b,
                "current_proportion": c,
                "reference_proportion": r,
            }
            for feature in (EVIL, "income")
            for b, (c, r) in enumerate(((0.7, 0.5), (0.3, 0.5)))
        ]
    )
    alerts = pd.DataFrame(
        [
            {
                "alert_id": "a1",
                "severity": "warn",
                "check_name": "psi",
                "check_category": "drift",
                "subject": EVIL,
                "runbook_url": "javascript:alert(1)",
                "evidence": '{"bins": "<img src=x onerror=alert(2)>"}',
            },
            {
                "alert_id": "a2",
                "severity": "error",
                "check_name": "roc_auc_drop",
                "check_category": "performance",
                "subject": "overall",
                "runbook_url": "https://wiki.example.com/runbooks/perf?a=1&b=2",
                "evidence": "</pre><script>alert(3)</script>",
            },
            {
                "alert_id": "a3",
                "severity": "warn",
                "check_name": "psi",
                "check_category": "drift",
                "subject": "income",
                "runbook_url": None,
                "evidence": "x" * 5000,
            },
        ]
    ).assign(
        model_name="m1",
        window_start=[W[-1], W[-1], W[0]],
        window_end=W[-1] + dt.timedelta(days=1),
        observed_value=0.3,
        threshold=0.1,
        threshold_kind="above",
        consecutive_windows=2,
    )
    groups = (("18-25", 0.2, 0.5, True), ("26-35", 0.4, 0.8, True), ("<i>x</i>", 0.9, 0.9, False))
    fairness = pd.DataFrame(
        [
            {
                "model_name": "m1",
                "window_start": w,
                "attribute_name": "age_band",
                "group_value": group,
                "prediction_count": 100 if ok else 5,
                "labeled_count": 80 if ok else 4,
                "selection_rate": rate,
                "true_positive_rate": tpr,
                "false_positive_rate": 0.1,
                "positive_predictive_value": 0.6,
                "is_sufficient": ok,
            }
            for w in W
            for group, rate, tpr, ok in groups
        ]
    )
    parity = pd.DataFrame(
        [
            {
                "model_name": "m1",
                "window_start": w,
                "attribute_name": "age_band",
                "demographic_parity_difference": 0.2,
                "demographic_parity_ratio": ratio,
                "equal_opportunity_difference": 0.3,
                "equalized_odds_difference": 0.3,
                "passes_four_fifths_rule": ratio >= 0.8,
            }
            for w, ratio in zip(W, (0.9, 0.7, 0.5), strict=True)
        ]
    )
    return {
        "feature_drift": drift,
        "reference_bins": reference,
        "feature_bin_counts": counts,
        "alerts": alerts,
        "fairness_metrics": fairness,
        "fairness_parity": parity,
    }


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handmade") / "handmade.duckdb"
    write_tables(path, _handmade())
    return path


def _duckdb(path: Path, schema: str = "main") -> Warehouse:
    return Warehouse(type="duckdb", duckdb_path=path, schema=schema)


def test_values_from_the_data_are_escaped(handmade: Path) -> None:
    html = render_report(_duckdb(handmade))
    for raw in ("<script", "<img", "<b>bold", "<i>x", "</pre><script"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in _section(html, "top-drift")
    assert "a&amp;b" in _section(html, "top-drift")
    assert "&lt;img src=x onerror=alert(2)&gt;" in _section(html, "alerts")
    # only http(s) runbooks become links, with the URL escaped
    assert 'href="javascript' not in html
    assert "<code>javascript:alert(1)</code>" in html
    assert '<a href="https://wiki.example.com/runbooks/perf?a=1&amp;b=2"' in html


def test_alerts_errors_first_with_runbook_and_evidence(handmade: Path) -> None:
    alerts = _section(render_report(_duckdb(handmade)), "alerts")
    assert "not built" not in alerts
    rows = re.findall(r"<tr><td><span class=\"badge b-(\w+)\">", alerts)
    assert rows == ["error", "warn", "warn"]  # errors first, then the newest window first
    assert alerts.index("&lt;script&gt;alert(1)") < alerts.index("<td>income</td>")
    assert "<code>roc_auc_drop</code>" in alerts and "performance" in alerts
    assert alerts.count("<details><summary>evidence</summary>") == 3
    assert "… (1,000 more characters)" in alerts  # long evidence is cut
    assert "{\n  &quot;bins&quot;: &quot;&lt;img" in alerts  # JSON pretty-printed, escaped


def test_fairness_by_group_with_parity_flags(handmade: Path) -> None:
    fairness = _section(render_report(_duckdb(handmade)), "fairness")
    assert "not built" not in fairness
    assert "Window <strong>2026-01-03</strong>" in fairness
    for group in ("18-25", "26-35", "&lt;i&gt;x&lt;/i&gt; (small)"):
        assert group in fairness
    assert "selection rate" in fairness and "true positive rate" in fairness
    assert "Parity in window 2026-01-03" in fairness
    assert '<span class="badge b-error">fails</span>' in fairness
    assert "four-fifths" in fairness


def test_many_large_alerts_stay_under_the_size_limit(tmp_path: Path) -> None:
    """The alert list is capped (rows and evidence), so a noisy warehouse still gives a small
    file: 5,000 alerts with 20 kB of evidence each."""
    tables = _handmade()
    template = tables["alerts"].iloc[[0]]
    many = pd.concat([template] * 5000, ignore_index=True)
    many["alert_id"] = [f"a{i}" for i in range(len(many))]
    many["evidence"] = '{"detail": "' + "y" * 20_000 + '"}'
    tables["alerts"] = many
    path = tmp_path / "noisy.duckdb"
    write_tables(path, tables)
    html = render_report(_duckdb(path))
    assert len(html.encode()) < 2 * 1024 * 1024
    assert "Showing 300 of 5000 alert rows" in _section(html, "alerts")


def test_missing_tables_give_notes(tmp_path: Path) -> None:
    path = tmp_path / "drift_only.duckdb"
    write_tables(path, {"feature_drift": _handmade()["feature_drift"]})
    html = render_report(_duckdb(path))
    assert "<code>alerts</code> is not built in this warehouse" in _section(html, "alerts")
    assert "<code>alert_incidents</code> is not built" in _section(html, "incidents")
    expected = {
        "input-quality": "input_quality",
        "recommendations": "retraining_recommendations",
        "top-drift": "feature_bin_counts",
        "performance": "model_performance",
        "calibration": "calibration_bins",
        "fairness": "fairness_metrics",
        "operations": "operational_metrics",
        "deployments": "model_comparison",
    }
    for sid, table in expected.items():
        assert f"<code>{table}</code> is not built in this warehouse" in _section(html, sid)
    assert "<svg" in _section(html, "drift-heatmap")


def test_no_tables_or_no_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "empty.duckdb"
    write_tables(empty, {"unrelated": pd.DataFrame({"x": [1]})})
    with pytest.raises(ReportError, match="no modelwatch output tables"):
        render_report(_duckdb(empty))
    assert main(["report", "--warehouse", str(empty), "--schema", "main"]) == 2
    assert main(["report", "--warehouse", str(tmp_path / "absent.duckdb")]) == 2
    assert "no DuckDB warehouse" in capsys.readouterr().err


def test_postgres_renders_the_same_report(handmade: Path) -> None:
    from pg import connect_or_skip, copy_tables

    connect_or_skip().close()
    schema = "mw_report_unit"
    copy_tables(handmade, list(_handmade()), schema)
    on_duckdb = render_report(_duckdb(handmade))
    on_postgres = render_report(Warehouse(type="postgres", schema=schema))
    header = re.compile(r"<header>.*?</header>", re.S)
    assert header.sub("", on_postgres) == header.sub("", on_duckdb)
