"""The demo's three input incidents alert from the window their magnitude crosses the default
threshold; every other feature and window stays quiet (default thresholds, demo at scale 0.1).
"""

from __future__ import annotations

import pandas as pd
import pytest

from modelwatch.demo import DEMO_START, INCIDENTS

INPUT_INCIDENTS = ["gradual_mean_drift", "category_mix_shift", "null_rate_spike"]
# Sampling noise at ~2,000 rows a window moves a gradual drift's crossing by up to a window.
CROSSING_SLACK_WINDOWS = 1


@pytest.fixture(scope="module")
def severity(demo_built) -> pd.DataFrame:
    frame = demo_built.df(
        "select feature_name, window_start, psi, null_rate_increase, drift_severity "
        "from modelwatch.feature_drift where segment_key = '__all__'"
    )
    frame["day"] = (frame.window_start - pd.Timestamp(DEMO_START)).dt.days
    return frame


def alert_days(severity: pd.DataFrame, feature: str) -> list[int]:
    rows = severity[(severity.feature_name == feature) & (severity.drift_severity != "ok")]
    return sorted(rows.day.tolist())


@pytest.mark.parametrize("name", INPUT_INCIDENTS)
def test_incident_alerts_from_documented_crossing(severity, name):
    incident = INCIDENTS[name]
    days = alert_days(severity, incident.subject)
    assert days, f"{name}: no alert on {incident.subject}"
    first = days[0]
    assert abs(first - incident.psi_alert_day) <= CROSSING_SLACK_WINDOWS, (name, first)
    assert first >= incident.start_day, (name, first)
    last_day = int(severity.day.max())
    end = last_day if incident.end_day is None else incident.end_day
    # once crossed, the alert holds for as long as the incident lasts, and not after it
    assert days == list(range(first, end + 1)), (name, days)


def test_features_without_incidents_stay_quiet(severity):
    incident_subjects = {INCIDENTS[n].subject for n in INPUT_INCIDENTS}
    noisy = severity[
        ~severity.feature_name.isin(incident_subjects | {"score"})
        & (severity.drift_severity != "ok")
    ]
    assert noisy.empty, noisy.to_dict("records")


def test_windows_before_any_incident_are_quiet(severity):
    first_incident = min(INCIDENTS[n].start_day for n in INPUT_INCIDENTS)
    early = severity[(severity.day < first_incident) & (severity.drift_severity != "ok")]
    assert early.empty, early.to_dict("records")


def test_score_drift_only_follows_incidents_that_move_the_score(severity):
    # the debt_to_income drift feeds the score; the null spike is logging-only
    days = alert_days(severity, "score")
    assert days and days[0] >= INCIDENTS["gradual_mean_drift"].start_day


def test_alert_tests_store_the_same_breaches(demo_built, severity):
    """The dbt alert tests (stored failures) flag exactly the rows drift_severity flags."""
    flagged = set()
    for level in ("warn", "error"):
        for check in ("psi", "null_rate_increase", "js_distance", "ks_statistic"):
            table = f"modelwatch_audit.feature_drift_{check}_{level}"
            stored = demo_built.df(f"select feature_name, window_start from {table}")
            flagged |= set(map(tuple, stored.to_numpy().tolist()))
    expected = severity[severity.drift_severity != "ok"][["feature_name", "window_start"]]
    assert flagged == set(map(tuple, expected.to_numpy().tolist()))
    alerts = demo_built.alerts()
    assert alerts["feature_drift_psi_error"] == "error"
    assert alerts["feature_drift_psi_warn"] == "warn"
    assert alerts["feature_drift_null_rate_increase_error"] == "error"


# --------------------------------------------------------------------------------------------
# the data-quality incidents: each alerts in its first window, naming what broke


def alert_rows(demo_built, check: str) -> pd.DataFrame:
    frame = demo_built.df(
        "select window_start, subject, severity, evidence from modelwatch.alerts "
        f"where check_name = '{check}'"
    )
    frame["day"] = (frame.window_start - pd.Timestamp(DEMO_START)).dt.days
    return frame


def test_type_change_pages_on_its_day_only(demo_built):
    incident = INCIDENTS["type_change"]
    fired = alert_rows(demo_built, "type_error_rate")
    assert fired.day.tolist() == [incident.start_day]
    assert fired.subject.tolist() == [incident.subject] and fired.severity.tolist() == ["error"]
    kept = demo_built.df(
        "select feature_name, raw_value, window_start from modelwatch.quarantined_feature_values"
    )
    days = (kept.window_start - pd.Timestamp(DEMO_START)).dt.days
    assert set(days) == {incident.start_day} and set(kept.feature_name) == {incident.subject}
    assert kept.raw_value.str.endswith(" inquiries").all()
    # the incident is in the binary model's log; the demo's other models have their own days
    actions = demo_built.df(
        "select window_start, action from modelwatch.retraining_recommendations "
        "where model_name = 'credit_default'"
    )
    day = actions[(actions.window_start - pd.Timestamp(DEMO_START)).dt.days == incident.start_day]
    assert day.action.tolist() == ["investigate"]


def test_segment_drift_alerts_from_its_first_day_with_the_region_named(demo_built):
    incident = INCIDENTS["segment_drift"]
    fired = alert_rows(demo_built, "segment_psi")
    subject = f"{incident.subject} [region=central]"
    ours = fired[fired.subject == subject]
    assert ours.day.min() == incident.start_day
    assert ours.day.tolist() == list(range(incident.start_day, int(fired.day.max()) + 1))
    # overall, the feature stays quiet: only the segment shows it
    overall = alert_rows(demo_built, "psi")
    assert incident.subject not in set(overall.subject)


def test_segments_without_incidents_stay_quiet(demo_built):
    """Before the first input incident, no segment of any other feature alerts."""
    first = min(INCIDENTS[n].start_day for n in INPUT_INCIDENTS)
    fired = alert_rows(demo_built, "segment_psi")
    early = fired[(fired.day < first) & ~fired.subject.str.startswith("num_open_accounts [")]
    assert early.empty, early[["day", "subject"]].to_dict("records")
