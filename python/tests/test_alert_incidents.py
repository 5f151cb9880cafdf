"""alert_incidents: one row per run of breaching windows of a (model, check, subject), equal to
a recomputation in Python from the alerts table and the windows each check observed.

A scripted fixture walks one subject through every rule (latency_p95_ms of v1: warn 100 ms,
error 200 ms; v2 stays quiet): an incident opened at warn that escalates across a one-window
gap and resolves; a reopening with a two-window gap inside it; an incident opened at error that
is still open at the end. The same recomputation must hold on every incident of the demo.
"""

from __future__ import annotations

import copy
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from modelwatch.demo import INCIDENTS

START = pd.Timestamp("2026-05-04")
QUIET, WARN, ERROR = 50.0, 150.0, 250.0
# v1's latency per day: the p95 (all rows share it) against warn 100 / error 200
V1_LATENCY = [QUIET] * 5 + [WARN, WARN, QUIET, ERROR] + [QUIET] * 3  # days 0-11
V1_LATENCY += [WARN, QUIET, QUIET, WARN] + [QUIET] * 3  # days 12-18
V1_LATENCY += [ERROR, QUIET, QUIET]  # days 19-21
DAYS = len(V1_LATENCY)
# (opened day, last breach day, resolved day or None, opened, peak, current severity, breached)
EXPECTED_GAP_2 = [
    (5, 8, 11, "warn", "error", "error", 3),
    (12, 15, 18, "warn", "warn", "warn", 2),
    (19, 19, None, "error", "error", "error", 1),
]
# with no gap allowed every breaching run is its own incident
EXPECTED_GAP_0 = [
    (5, 6, 7, "warn", "warn", "warn", 2),
    (8, 8, 9, "error", "error", "error", 1),
    (12, 12, 13, "warn", "warn", "warn", 1),
    (15, 15, 16, "warn", "warn", "warn", 1),
    (19, 19, 20, "error", "error", "error", 1),
]
SEVERITY_RANK = {"warn": 1, "error": 2}


def make_tables(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 200
    reference_score = rng.beta(2, 5, 2000)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 2000),
            "score": reference_score,
            "label": (rng.random(2000) < reference_score).astype(int),
        }
    )
    frames = []
    for day in range(DAYS):
        for version, latency in (("v1", V1_LATENCY[day]), ("v2", QUIET)):
            score = rng.beta(2, 5, n)
            frames.append(
                pd.DataFrame(
                    {
                        "prediction_id": [f"{version}-{day}-{i}" for i in range(n)],
                        "model_name": "m",
                        "model_version": version,
                        "predicted_at": START
                        + pd.Timedelta(days=day)
                        + pd.to_timedelta(np.sort(rng.uniform(0, 86_000, n)), unit="s"),
                        "score": score,
                        "latency_ms": latency,
                        "x": rng.normal(0, 1, n),
                    }
                )
            )
    predictions = pd.concat(frames, ignore_index=True)
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id,
            "label": (rng.random(len(predictions)) < predictions.score).astype("int64"),
            # within the hour, so no window after the last prediction
            "labeled_at": predictions.predicted_at + pd.Timedelta(minutes=10),
        }
    )
    labels = labels[labels.labeled_at < START + pd.Timedelta(days=DAYS)]
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {
        "reference": {"label": "label"},
        "predictions": {"latency_ms": "latency_ms"},
    },
    "checks": {"latency_p95_ms": {"warn": 100, "error": 200}},
    "models": [{"name": "m", "features": {"numeric": ["x"]}}],
}


# ------------------------------------------------------------------------- the recomputation

KEY = ["model_name", "check_name", "subject", "model_version", "feature_name", "slice_key",
       "slice_value", "attribute_name"]  # fmt: skip


def recompute(alerts: pd.DataFrame, observed: pd.DataFrame, gap: int) -> pd.DataFrame:
    """Incidents from the alerts table and each subject's observed windows, in plain Python."""
    windows: dict[tuple, list] = defaultdict(list)
    for row in observed.fillna({k: "" for k in KEY}).itertuples(index=False):
        windows[tuple(getattr(row, k) for k in KEY)].append(row.window_start)
    by_subject: dict[tuple, list] = defaultdict(list)
    for row in alerts.fillna({k: "" for k in KEY}).to_dict("records"):
        by_subject[tuple(row[k] for k in KEY)].append(row)
    out = []
    for key, rows in by_subject.items():
        order = {w: i for i, w in enumerate(sorted(windows[key]))}
        rows.sort(key=lambda r: r["window_start"])
        runs: list[list[dict]] = []
        for row in rows:
            if runs and order[row["window_start"]] - order[runs[-1][-1]["window_start"]] - 1 <= gap:
                runs[-1].append(row)
            else:
                runs.append([row])
        ordered = sorted(windows[key])
        for run in runs:
            last = order[run[-1]["window_start"]]
            resolved_at = last + gap + 1
            peak = max(run, key=lambda r: SEVERITY_RANK[r["severity"]])["severity"]
            escalated = None
            if run[0]["severity"] == "warn" and peak == "error":
                escalated = next(r["window_start"] for r in run if r["severity"] == "error")
            out.append(
                {
                    **dict(zip(KEY, key, strict=True)),
                    "opened_window_start": run[0]["window_start"],
                    "last_breach_window_start": run[-1]["window_start"],
                    "resolved_window_start": ordered[resolved_at]
                    if resolved_at < len(ordered)
                    else None,
                    "status": "resolved" if resolved_at < len(ordered) else "open",
                    "opened_severity": run[0]["severity"],
                    "current_severity": run[-1]["severity"],
                    "peak_severity": peak,
                    "windows_breached": len(run),
                    "latest_observed_value": run[-1]["observed_value"],
                    "escalated_window_start": escalated,
                }
            )
    return pd.DataFrame(out)


COMPARED = ["opened_window_start", "last_breach_window_start", "resolved_window_start",
            "status", "opened_severity", "current_severity", "peak_severity", "windows_breached",
            "latest_observed_value", "escalated_window_start"]  # fmt: skip


def without_carried_segments(
    alerts: pd.DataFrame, observed: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop segment_psi breaches the feature's overall psi breach carries at the same or a
    higher severity (they open no incident of their own), from alerts and observed windows."""
    overall = alerts[alerts.check_name == "psi"].assign(
        rank=lambda f: f.severity.map(SEVERITY_RANK)
    )
    top = overall.groupby(["model_name", "window_start", "feature_name"])["rank"].max().to_dict()
    segment = alerts.check_name == "segment_psi"
    carried = segment & np.array(
        [
            top.get((m, w, f), 0) >= SEVERITY_RANK[s]
            for m, w, f, s in zip(
                alerts.model_name,
                alerts.window_start,
                alerts.feature_name,
                alerts.severity,
                strict=True,
            )
        ],
        dtype=bool,
    )
    drop = set(tuple(row) for row in alerts[carried][[*KEY, "window_start"]].fillna("").to_numpy())
    rows = observed[[*KEY, "window_start"]].fillna("").to_numpy()
    keep = [tuple(row) not in drop for row in rows]
    return alerts[~carried], observed[keep]


def assert_incidents_match(built, gap: int) -> pd.DataFrame:
    alerts, observed = without_carried_segments(
        built.df("select * from modelwatch.alerts"),
        built.df(f"select {', '.join(KEY)}, window_start from modelwatch.alert_evaluations"),
    )
    table = built.df("select * from modelwatch.alert_incidents")
    expected = recompute(alerts, observed, gap)
    assert len(table) == len(expected) > 0
    sort = [*KEY, "opened_window_start"]
    table = table.fillna({k: "" for k in KEY}).sort_values(sort).reset_index(drop=True)
    expected = expected.sort_values(sort).reset_index(drop=True)
    for column in [*KEY, *COMPARED]:
        left, right = table[column], expected[column]
        if column == "latest_observed_value":
            np.testing.assert_allclose(left.astype(float), right.astype(float), rtol=1e-12)
        else:
            left = left.astype(object).where(left.notna(), None)
            right = right.astype(object).where(right.notna(), None)
            assert left.tolist() == right.tolist(), column
    return table


def as_days(table: pd.DataFrame) -> list[tuple]:
    def day(value):
        return None if pd.isna(value) else int((value - START) / pd.Timedelta(days=1))

    v1 = table[(table.check_name == "latency_p95_ms") & (table.subject == "v1")]
    return [
        (
            day(r.opened_window_start),
            day(r.last_breach_window_start),
            day(r.resolved_window_start),
            r.opened_severity,
            r.peak_severity,
            r.current_severity,
            r.windows_breached,
        )
        for r in v1.sort_values("opened_window_start").itertuples()
    ]


@pytest.fixture(scope="module")
def built(builder):
    return builder(make_tables(), CONFIG, "alert_incidents")


def test_scripted_incidents_gap_escalate_resolve_reopen(built):
    table = assert_incidents_match(built, gap=2)
    assert as_days(table) == EXPECTED_GAP_2
    v1 = table[(table.check_name == "latency_p95_ms") & (table.subject == "v1")]
    first = v1.sort_values("opened_window_start").iloc[0]
    assert first.escalated_window_start == START + pd.Timedelta(days=8)
    assert first.peak_observed_value == pytest.approx(ERROR)
    assert first.quiet_windows_since == DAYS - 1 - 8
    assert first.check_description and first.check_category == "operations"
    # v2 never breaches; nothing else in this fixture does either
    assert set(table.subject) == {"v1"}, table[["check_name", "subject"]]


def test_gap_is_configurable(built):
    from modelwatch.runner import DbtProject

    config = copy.deepcopy(built.config)
    config["alerts"] = {"incident_gap_windows": 0}
    project = DbtProject(config, built.project.env, target_path=built.project.target_path)
    result = project.invoke(["run", "--select", "modelwatch__alert_incidents"])
    assert result.success
    try:
        table = assert_incidents_match(built, gap=0)
        assert as_days(table) == EXPECTED_GAP_0
    finally:
        # leave the shared warehouse as the module built it
        project = DbtProject(built.config, built.project.env, target_path=built.project.target_path)
        assert project.invoke(["run", "--select", "modelwatch__alert_incidents"]).success


def test_incident_ids_are_stable_across_reruns(built):
    from modelwatch.runner import DbtProject

    before = built.df("select incident_id, opened_window_start from modelwatch.alert_incidents")
    project = DbtProject(built.config, built.project.env, target_path=built.project.target_path)
    assert project.invoke(["run", "--select", "modelwatch__alert_incidents"]).success
    after = built.df("select incident_id, opened_window_start from modelwatch.alert_incidents")
    assert sorted(before.incident_id) == sorted(after.incident_id)
    assert before.incident_id.is_unique


def test_demo_incidents_match_the_recomputation(demo_built):
    table = assert_incidents_match(demo_built, gap=2)
    alerts = demo_built.df("select count(*) as n from modelwatch.alerts").n[0]
    # a few dozen incidents stand for hundreds of window rows
    assert len(table) < 50 and len(table) * 20 < alerts, (len(table), alerts)
    # every incident carries the recommendation of its last breaching window
    recommendations = (
        demo_built.df(
            "select model_name, window_start, action from modelwatch.retraining_recommendations"
        )
        .set_index(["model_name", "window_start"])
        .action
    )
    keys = list(zip(table.model_name, table.last_breach_window_start, strict=True))
    assert (table.recommendation.to_numpy() == recommendations.loc[keys].to_numpy()).all()


def test_segment_drift_opens_incidents_only_beyond_the_overall_drift(demo_built):
    """Where a feature drifts overall, its segments breach too, window after window; those
    windows belong to the overall incident, so segment incidents keep only the windows the
    overall drift did not page at that severity. The demo's segment-only drift (one region)
    keeps its incident whole."""
    incidents = demo_built.df(
        "select check_name, feature_name, subject, windows_breached from modelwatch.alert_incidents"
    )
    alerts = demo_built.df("select check_name, feature_name, subject from modelwatch.alerts")
    overall = set(incidents[incidents.check_name == "psi"].feature_name)
    segment_alerts = alerts[alerts.check_name == "segment_psi"]
    segment = incidents[incidents.check_name == "segment_psi"]
    for feature in overall & set(segment_alerts.feature_name):
        breached = (segment_alerts.feature_name == feature).sum()
        kept = segment[segment.feature_name == feature].windows_breached.sum()
        # the firing side: many segment windows breach; only a few open incidents
        assert breached >= 10 and kept * 4 <= breached, (feature, breached, kept)
    incident = INCIDENTS["segment_drift"]
    ours = segment[segment.subject == f"{incident.subject} [region=central]"]
    assert len(ours) == 1
    assert (
        ours.windows_breached.iloc[0]
        == (segment_alerts.subject == f"{incident.subject} [region=central]").sum()
    )
