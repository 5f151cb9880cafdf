"""What goes wrong in the demo: the scripted incidents (``INCIDENTS``, each with the day it
starts and its size) and the malformed rows the quality layer must quarantine
(``BAD_ROW_GROUPS``; their reasons are the quarantine reasons of the SQL side).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from modelwatch.demo.scenario import (
    CANARY_VERSION,
    DEMO_DAYS,
    DEMO_START,
    DTI_SD,
    BoolArray,
    IntArray,
)

# Incident parameters (see INCIDENTS and docs/demo_data.md).
DTI_DRIFT_SD_PER_DAY = 0.055
DEVICE_SHIFT_PSI = 0.51
CALIBRATION_LOGIT_SHIFT_PER_DAY = 0.035
FAIRNESS_GROUP = "18-25"
FAIRNESS_SCORE_FACTOR = 0.6
MONTHS_EMPLOYED_SPIKE_NULL_RATE = 0.40
LATENCY_FACTOR = 5.0
CANARY_SHARE = 0.10  # share of requests the canary serves instead of the champion
CANARY_SCORE_NOISE_SD = 0.9  # logit noise the canary adds to the champion's score
CANARY_SERVER_ERROR_RATE = 0.06  # extra 5xx share of the canary's rows
TYPE_CHANGE_FEATURE = "credit_inquiries_6m"  # logged as text (its upstream writes JSON)
TYPE_CHANGE_SUFFIX = " inquiries"  # what the bad release appends to the number
SEGMENT_DRIFT_REGION = "central"
SEGMENT_DRIFT_ACCOUNTS = 2.0  # extra num_open_accounts logged for that region
# First day the model score (monitored as a numeric feature) has expected PSI >= 0.1: it moves
# with debt_to_income (expected PSI 0.091 on day 29, 0.110 on day 30).
SCORE_PSI_ALERT_DAY = 30


@dataclass(frozen=True)
class Incident:
    """One injected incident. Days are 0-based indices from the start date, both inclusive."""

    name: str
    kind: str
    subject: str
    start_day: int
    end_day: int | None  # inclusive; None means to the end of the data
    description: str
    magnitude: str
    # First day whose expected PSI of the subject against the reference (10 quantile bins) is
    # >= 0.1; None for incidents that are not a distribution shift of the subject.
    psi_alert_day: int | None = None

    def active(self, day: int) -> bool:
        return day >= self.start_day and (self.end_day is None or day <= self.end_day)

    def active_days(self, day: IntArray) -> BoolArray:
        """Vectorised ``active``; negative day indices (the reference) are never active."""
        last = np.iinfo(np.int64).max if self.end_day is None else self.end_day
        return (day >= self.start_day) & (day <= last)

    def dates(self, start: dt.date = DEMO_START, days: int = DEMO_DAYS) -> tuple[dt.date, dt.date]:
        """First and last calendar day of the incident in a run of ``days`` days from ``start``."""
        last = days - 1 if self.end_day is None else min(self.end_day, days - 1)
        return start + dt.timedelta(days=self.start_day), start + dt.timedelta(days=last)


INCIDENTS: dict[str, Incident] = {
    incident.name: incident
    for incident in (
        Incident(
            name="gradual_mean_drift",
            kind="numeric_drift",
            subject="debt_to_income",
            start_day=21,
            end_day=None,
            description=(
                "Applicants carry more debt: debt_to_income rises linearly. The model uses the "
                "feature, so the score rises with it (and stays calibrated: the true risk rises "
                "the same way)."
            ),
            magnitude=(
                f"+{DTI_DRIFT_SD_PER_DAY} reference SD (+{DTI_DRIFT_SD_PER_DAY * DTI_SD:.5f}) per "
                "day: day d adds 0.055*(d-20) SD, i.e. +0.055 SD on day 21, +0.33 SD on day 26, "
                "+2.31 SD on day 62 (mean 0.320 -> 0.613). Expected PSI 0.082 on day 25, 0.116 "
                "on day 26. The score's expected PSI crosses 0.1 on day 30 (0.091 on day 29, "
                "0.110 on day 30)"
            ),
            psi_alert_day=26,
        ),
        Incident(
            name="category_mix_shift",
            kind="categorical_drift",
            subject="device",
            start_day=35,
            end_day=None,
            description=(
                "A mobile campaign changes the device mix overnight. The model does not use the "
                "device, so nothing else moves."
            ),
            magnitude=(
                "mobile/desktop/tablet/other 30/50/15/5% -> 65/25/7.5/2.5% (nulls stay 0.5%); "
                f"expected PSI {DEVICE_SHIFT_PSI} from day 35"
            ),
            psi_alert_day=35,
        ),
        Incident(
            name="null_rate_spike",
            kind="null_rate",
            subject="months_employed",
            start_day=45,
            end_day=47,
            description=(
                "An upstream logging bug drops months_employed for three days, then it recovers. "
                "The model still received the value, so scores are unchanged."
            ),
            magnitude=(
                f"null rate 1.5% -> {MONTHS_EMPLOYED_SPIKE_NULL_RATE:.0%} (increase +0.385) on "
                "days 45-47, back to 1.5% on day 48; expected PSI about 1.5 (the null bin)"
            ),
            psi_alert_day=45,
        ),
        Incident(
            name="calibration_decay",
            kind="calibration",
            subject="label",
            start_day=28,
            end_day=None,
            description=(
                "The world changes under the model: outcomes are drawn from a true logit shifted "
                "up a little more each day while scores are unchanged, so the champion (and the "
                "challenger) increasingly under-predict default. Features are unchanged."
            ),
            magnitude=(
                f"true logit +{CALIBRATION_LOGIT_SHIFT_PER_DAY}*(d-27) on day d: +0.035 on day "
                "28, +0.35 on day 37, +1.225 on day 62. Expected mean outcome minus mean "
                "champion score (without the fairness regression's own effect): 0 before day "
                "28, +0.005 on day 28, +0.016 on day 30, +0.058 on day 37, +0.078 on day 40, "
                "+0.142 on day 50, +0.205 on day 62"
            ),
        ),
        Incident(
            name="fairness_regression",
            kind="fairness",
            subject="age_band",
            start_day=40,
            end_day=None,
            description=(
                f"A bad release scales the champion's scores for age_band '{FAIRNESS_GROUP}' "
                "down, so that group's selection rate (score >= 0.5) collapses while the other "
                "bands are untouched. Labels, features and the shadow challenger are unchanged. "
                "It also moves the champion's score distribution."
            ),
            magnitude=(
                f"champion score x{FAIRNESS_SCORE_FACTOR} for age_band '{FAIRNESS_GROUP}' (19% "
                "of requests). Expected selection rate (score >= 0.5) of that band: 11.5% in the "
                "stationary period, 26% on day 39 (the debt_to_income drift raises every band's) "
                "-> 3.5% on day 40 while the other bands are at 26%; before day 40 all bands are "
                "within about 1 point of each other"
            ),
        ),
        Incident(
            name="bad_canary",
            kind="canary",
            subject="model_version",
            start_day=55,
            end_day=None,
            description=(
                f"A canary {CANARY_VERSION} serves {CANARY_SHARE:.0%} of requests instead of the "
                "champion. It ranks worse (its score is the champion's with noise on the logit) "
                "and fails more often. The shadow still scores those requests, so their shadow "
                "rows have no champion partner. Known verdict: rollback in every canary window."
            ),
            magnitude=(
                f"{CANARY_SHARE:.0%} of requests from day 55; logit noise sd "
                f"{CANARY_SCORE_NOISE_SD}; +{CANARY_SERVER_ERROR_RATE:.0%} 5xx "
                "(error rate ~6.8% vs ~0.8%); a lower AUC than the champion's"
            ),
        ),
        Incident(
            name="type_change",
            kind="type_change",
            subject=TYPE_CHANGE_FEATURE,
            start_day=16,
            end_day=16,
            description=(
                f"A feature-service release writes {TYPE_CHANGE_FEATURE} with its unit for one "
                "day ('2 inquiries' instead of '2'), then is rolled back. The column is text in "
                "the log, so the warehouse takes it; the model received the number, so scores "
                "are unchanged."
            ),
            magnitude=(
                f"every {TYPE_CHANGE_FEATURE} value of day 16 ends in '{TYPE_CHANGE_SUFFIX}' "
                "(type error rate 1.0 on that day, 0 on every other day); the values are left "
                "out of the feature's drift that day and kept in quarantined_feature_values"
            ),
        ),
        Incident(
            name="segment_drift",
            kind="segment_drift",
            subject="num_open_accounts",
            start_day=12,
            end_day=None,
            description=(
                f"The credit bureau of region '{SEGMENT_DRIFT_REGION}' starts counting closed "
                "accounts too: num_open_accounts rises in that region only (8% of requests). The "
                "model still receives the old count, so scores are unchanged. Overall the "
                "feature barely moves; within the region it is a large shift."
            ),
            magnitude=(
                f"+{SEGMENT_DRIFT_ACCOUNTS:g} accounts for region '{SEGMENT_DRIFT_REGION}' from "
                "day 12 (mean 4.5 -> 6.5 there). Segment PSI 1.5-1.7 against the region's "
                "reference rows; overall PSI 0.004-0.010 (scale 1)"
            ),
        ),
        Incident(
            name="latency_spike",
            kind="latency",
            subject="latency_ms",
            start_day=50,
            end_day=51,
            description="A noisy neighbour slows the champion's serving host for two days.",
            magnitude=(
                f"champion latency_ms x{LATENCY_FACTOR:g} on days 50-51 (median 40 ms -> 200 ms, "
                "p95 76 ms -> 380 ms); shadow latency, status codes and cost unchanged"
            ),
        ),
    )
}


@dataclass(frozen=True)
class BadRow:
    """A group of malformed rows injected on purpose; ``reason`` is the quarantine reason."""

    table: str  # predictions | labels
    reason: str
    kind: str
    day: int  # day index of predicted_at (labels: of the labelled prediction), capped to days - 1
    count: int
    description: str


BAD_ROW_GROUPS: tuple[BadRow, ...] = (
    BadRow("predictions", "null_score", "null_score", 2, 3, "score is NULL"),
    BadRow("predictions", "score_not_finite", "nan_score", 4, 2, "score is NaN"),
    BadRow("predictions", "score_not_finite", "inf_score", 5, 2, "score is +Infinity"),
    BadRow("predictions", "score_out_of_range", "score_above_one", 8, 2, "score 1.0000001, 1.7"),
    BadRow("predictions", "score_out_of_range", "score_below_zero", 9, 2, "score -0.000001, -0.3"),
    BadRow(
        "predictions",
        "null_predicted_at",
        "null_predicted_at",
        13,
        3,
        "predicted_at is NULL (other columns copied from day-13 requests)",
    ),
    BadRow("predictions", "duplicate_prediction_id", "resend", 11, 3, "exact re-send of a row"),
    BadRow("predictions", "duplicate_prediction_id", "resend", 12, 2, "exact re-send of a row"),
    BadRow("labels", "invalid_label", "label_two", 3, 3, "label = 2, labeled_at + 36 h"),
    BadRow("labels", "null_label", "null_label", 6, 3, "label is NULL, labeled_at + 36 h"),
    BadRow("labels", "null_labeled_at", "null_labeled_at", 10, 2, "labeled_at is NULL, label ok"),
    BadRow(
        "labels",
        "unknown_prediction",
        "unknown_prediction",
        8,
        4,
        "prediction_id p9000000001..p9000000004 does not exist; labeled_at day 8, 01:00..04:00",
    ),
)


def _bad_row_totals() -> dict[str, int]:
    totals: dict[str, int] = {}
    for group in BAD_ROW_GROUPS:
        totals[group.reason] = totals.get(group.reason, 0) + group.count
    return totals


# Quarantine reason (as in macros/quality/quarantine_reasons.sql) -> number of injected rows.
BAD_ROWS: dict[str, int] = _bad_row_totals()
BAD_PREDICTION_ROWS = sum(g.count for g in BAD_ROW_GROUPS if g.table == "predictions")
BAD_LABEL_ROWS = sum(g.count for g in BAD_ROW_GROUPS if g.table == "labels")
UNKNOWN_PREDICTION_ID_BASE = 9_000_000_000
SPECIAL_SCORES: dict[str, tuple[float, ...]] = {
    "nan_score": (float("nan"), float("nan")),
    "inf_score": (float("inf"), float("inf")),
    "score_above_one": (1.0000001, 1.7),
    "score_below_zero": (-0.000001, -0.3),
}
