"""Synthetic demo data for modelwatch: a credit-default model with a shadow challenger.

``generate_demo`` writes three tables into DuckDB: the prediction log (champion ``v1`` and shadow
challenger ``v2`` scoring every request), the delayed label feed and the training reference. The
data is stationary except for the incidents in ``INCIDENTS`` and, optionally, a small fixed set of
malformed rows (``BAD_ROWS``) that the quality layer must quarantine. docs/demo_data.md describes
every distribution, incident and bad row.

Generation is vectorised numpy drawn from ``numpy.random.default_rng(seed)`` streams, so the same
arguments always produce the same tables, row for row.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
from scipy.special import expit

from modelwatch import identifiers
from modelwatch.demo_tasks import task_model_configs, task_tables

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEMO_START: dt.date = dt.date(2026, 8, 3)  # a Monday
DEMO_DAYS = 63
MODEL_NAME = "credit_default"
CHAMPION_VERSION = "v1"
CHALLENGER_VERSION = "v2"
CANARY_VERSION = "v3"
PREDICTIONS_PER_DAY = 20_000  # champion rows per day at scale 1.0; the shadow adds as many
REFERENCE_ROWS = 50_000  # training_reference rows at scale 1.0
MIN_REFERENCE_ROWS = 5_000
MIN_PREDICTIONS_PER_DAY = 20
THRESHOLD = 0.5  # decision threshold of the demo model: score >= 0.5 is a positive prediction

NUMERIC_FEATURES: list[str] = [
    "income",
    "debt_to_income",
    "credit_utilization",
    "Late Payments 12m",
    "AGEP",
    "months_employed",
    "loan_amount",
    "num_open_accounts",
    "credit_inquiries_6m",
]
CATEGORICAL_FEATURES: list[str] = ["region", "device", "employment_type", "loan_purpose"]
PROTECTED_ATTRIBUTES = ["sex", "age_band"]
SLICES = ["region", "channel"]

# Champion rows per weekday (Monday first) relative to PREDICTIONS_PER_DAY; the mean is 1.
WEEKDAY_FACTORS = (1.04, 1.06, 1.06, 1.04, 1.00, 0.90, 0.90)

# Share of values missing from the log in the stationary period. These are logging gaps: the
# model saw the value, so scores do not depend on whether the logged value is null.
NUMERIC_NULL_RATES: dict[str, float] = {
    "income": 0.01,
    "credit_utilization": 0.02,
    "Late Payments 12m": 0.005,
    "months_employed": 0.015,
}
CATEGORICAL_NULL_RATES: dict[str, float] = {
    "region": 0.003,
    "device": 0.005,
    "employment_type": 0.01,
    "loan_purpose": 0.002,
}

CATEGORIES: dict[str, tuple[str, ...]] = {
    "region": ("north", "south", "east", "west", "central"),
    "device": ("mobile", "desktop", "tablet", "other"),
    "employment_type": ("salaried", "self_employed", "contract", "part_time", "unemployed"),
    "loan_purpose": (
        "debt_consolidation",
        "home_improvement",
        "car",
        "education",
        "medical",
        "business",
        "other",
    ),
    "sex": ("F", "M"),
    "age_band": ("18-25", "26-35", "36-50", "51-65", "66+"),
    "channel": ("online", "branch", "broker"),
}
REGION_MIX = (0.22, 0.27, 0.18, 0.25, 0.08)
DEVICE_MIX = (0.30, 0.50, 0.15, 0.05)
DEVICE_MIX_AFTER_SHIFT = (0.65, 0.25, 0.075, 0.025)
EMPLOYMENT_MIX = (0.60, 0.14, 0.12, 0.09, 0.05)
LOAN_PURPOSE_MIX = (0.34, 0.16, 0.18, 0.08, 0.07, 0.07, 0.10)
SEX_MIX = (0.49, 0.51)
CHANNEL_MIX = (0.55, 0.25, 0.20)
AGE_BAND_LOWER = (18, 26, 36, 51, 66)

# The true model: P(default) = sigmoid(eta + hidden), eta a linear function of the features (see
# _draw_population) and hidden ~ N(0, HIDDEN_SD) the risk no feature shows. The champion scores
# E[sigmoid(eta + hidden) | features], so it is calibrated while the world is stationary.
INTERCEPT = -2.0
HIDDEN_SD = 0.8
CHALLENGER_SIGNAL_SD = 0.7  # noise of the challenger's extra view of the hidden risk
EMPLOYMENT_EFFECT = (0.0, 0.2, 0.3, 0.35, 0.9)
EMPLOYMENT_LOG_INCOME = (0.0, 0.15, -0.05, -0.45, -1.0)
LOAN_PURPOSE_EFFECT = (0.2, -0.1, -0.2, 0.1, 0.3, 0.3, 0.0)
DTI_EFFECT = 0.74  # logit per reference SD of debt_to_income
DTI_MEAN = 4.0 / 12.5  # debt_to_income ~ Beta(4, 8.5) before the drift
DTI_SD = float(np.sqrt(4.0 * 8.5 / (12.5**2 * 13.5)))

LABEL_COVERAGE = 0.90  # share of requests whose outcome is ever reported
LABEL_CORRECTION_RATE = 0.01  # share of reported outcomes first reported wrong, then corrected
MIN_LABEL_DELAY_DAYS = 1.0
MAX_LABEL_DELAY_DAYS = 30.0

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

_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000


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
_DTI_DRIFT = INCIDENTS["gradual_mean_drift"]
_DEVICE_SHIFT = INCIDENTS["category_mix_shift"]
_NULL_SPIKE = INCIDENTS["null_rate_spike"]
_CALIBRATION = INCIDENTS["calibration_decay"]
_FAIRNESS = INCIDENTS["fairness_regression"]
_LATENCY = INCIDENTS["latency_spike"]


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
_SPECIAL_SCORES: dict[str, tuple[float, ...]] = {
    "nan_score": (float("nan"), float("nan")),
    "inf_score": (float("inf"), float("inf")),
    "score_above_one": (1.0000001, 1.7),
    "score_below_zero": (-0.000001, -0.3),
}


# --------------------------------------------------------------------------------------------
# populations and models


def _categorical(rng: np.random.Generator, n: int, mix: tuple[float, ...]) -> IntArray:
    cdf = np.cumsum(np.asarray(mix, dtype=np.float64))
    cdf /= cdf[-1]
    codes = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(codes, len(mix) - 1).astype(np.int64)


def _logistic_normal_mean(mu: FloatArray, sd: float, nodes: int = 16) -> FloatArray:
    """E[sigmoid(mu + sd * Z)], Z ~ N(0, 1), by Gauss-Hermite quadrature."""
    x, w = np.polynomial.hermite.hermgauss(nodes)
    out = np.zeros_like(mu)
    for xi, wi in zip(x, w, strict=True):
        out += wi * expit(mu + np.sqrt(2.0) * sd * xi)
    return out / np.sqrt(np.pi)


@dataclass
class _Population:
    """Feature values of n requests as they really are, with their true-model terms."""

    numeric: dict[str, FloatArray]
    numeric_null: dict[str, BoolArray]  # True where the log lost the value
    categorical: dict[str, IntArray]  # codes into CATEGORIES; -1 is logged as NULL
    sex: IntArray
    age_band: IntArray
    channel: IntArray
    eta: FloatArray  # logit of the risk the features show
    hidden: FloatArray  # logit of the risk they do not show


def _draw_population(rng: np.random.Generator, day: IntArray) -> _Population:
    """One request per element of ``day`` (0-based day index; -1 draws the reference)."""
    n = day.shape[0]

    # Risk does not depend on age (only months_employed is capped by it), so selection rates are
    # the same across age bands until the fairness regression.
    age = 18.0 + np.floor(rng.beta(1.1, 2.0, n) * 68.0)
    age_band = np.searchsorted(np.asarray(AGE_BAND_LOWER), age, side="right") - 1
    employment = _categorical(rng, n, EMPLOYMENT_MIX)
    log_income = 10.75 + np.asarray(EMPLOYMENT_LOG_INCOME)[employment] + rng.normal(0.0, 0.5, n)
    income = np.maximum(np.round(np.exp(log_income), -2), 1_000.0)
    drift_days = day - (_DTI_DRIFT.start_day - 1)
    dti_shift = np.where(
        _DTI_DRIFT.active_days(day), DTI_DRIFT_SD_PER_DAY * DTI_SD * drift_days, 0.0
    )
    dti = np.round(rng.beta(4.0, 8.5, n) + dti_shift, 4)
    utilization = np.round(rng.beta(1.8, 3.2, n), 4)
    late = rng.negative_binomial(0.5, 0.5 / 0.95, n).astype(np.float64)
    tenure_cap = (age - 16.0) * 12.0
    months = np.floor(np.minimum(rng.gamma(1.6, 40.0, n), tenure_cap))
    months = np.where(employment == 4, 0.0, months)
    log_loan = np.log(12_000.0) + 0.5 * (log_income - 10.75) + rng.normal(0.0, 0.6, n)
    loan = np.maximum(np.round(np.exp(log_loan) / 50.0) * 50.0, 500.0)
    accounts = (rng.poisson(3.5, n) + 1).astype(np.float64)
    inquiries = rng.poisson(1.1, n).astype(np.float64)

    region = _categorical(rng, n, REGION_MIX)
    device_u = rng.random(n)
    device = np.where(
        _DEVICE_SHIFT.active_days(day),
        np.searchsorted(np.cumsum(DEVICE_MIX_AFTER_SHIFT), device_u, side="right"),
        np.searchsorted(np.cumsum(DEVICE_MIX), device_u, side="right"),
    )
    device = np.minimum(device, len(DEVICE_MIX) - 1).astype(np.int64)
    purpose = _categorical(rng, n, LOAN_PURPOSE_MIX)
    sex = _categorical(rng, n, SEX_MIX)
    channel = _categorical(rng, n, CHANNEL_MIX)

    eta = (
        INTERCEPT
        - (np.log(income) - 10.75)
        + DTI_EFFECT * (dti - DTI_MEAN) / DTI_SD
        + 0.55 * (utilization - 0.36) / 0.2
        + 0.4 * np.minimum(late, 6.0)
        - 0.2 * (np.log1p(months) - 3.6)
        + 0.15 * (np.log(loan) - 9.4) / 0.6
        + 0.03 * (accounts - 4.5)
        + 0.18 * (inquiries - 1.1)
        + np.asarray(EMPLOYMENT_EFFECT)[employment]
        + np.asarray(LOAN_PURPOSE_EFFECT)[purpose]
    )
    hidden = rng.normal(0.0, HIDDEN_SD, n)

    numeric = {
        "income": income,
        "debt_to_income": dti,
        "credit_utilization": utilization,
        "Late Payments 12m": late,
        "AGEP": age,
        "months_employed": months,
        "loan_amount": loan,
        "num_open_accounts": accounts,
        "credit_inquiries_6m": inquiries,
    }
    numeric_null: dict[str, BoolArray] = {}
    for name in NUMERIC_FEATURES:
        rate: FloatArray | float = NUMERIC_NULL_RATES.get(name, 0.0)
        if name == _NULL_SPIKE.subject:
            rate = np.where(_NULL_SPIKE.active_days(day), MONTHS_EMPLOYED_SPIKE_NULL_RATE, rate)
        numeric_null[name] = rng.random(n) < rate
    categorical = {
        "region": region,
        "device": device,
        "employment_type": employment,
        "loan_purpose": purpose,
    }
    for name in CATEGORICAL_FEATURES:
        missing = rng.random(n) < CATEGORICAL_NULL_RATES.get(name, 0.0)
        categorical[name] = np.where(missing, -1, categorical[name])
    return _Population(
        numeric=numeric,
        numeric_null=numeric_null,
        categorical=categorical,
        sex=sex,
        age_band=age_band.astype(np.int64),
        channel=channel,
        eta=eta,
        hidden=hidden,
    )


def _champion_score(pop: _Population) -> FloatArray:
    """P(default | features): calibrated while the world is stationary."""
    return _logistic_normal_mean(pop.eta, HIDDEN_SD)


def _challenger_score(rng: np.random.Generator, pop: _Population) -> FloatArray:
    """A different, better model: it also sees a noisy signal of the hidden risk."""
    signal = pop.hidden + rng.normal(0.0, CHALLENGER_SIGNAL_SD, pop.eta.shape[0])
    k = HIDDEN_SD**2 / (HIDDEN_SD**2 + CHALLENGER_SIGNAL_SD**2)
    return _logistic_normal_mean(pop.eta + k * signal, HIDDEN_SD * np.sqrt(1.0 - k))


def _true_probability(pop: _Population, day: IntArray) -> FloatArray:
    shift = np.where(
        _CALIBRATION.active_days(day),
        CALIBRATION_LOGIT_SHIFT_PER_DAY * (day - (_CALIBRATION.start_day - 1)),
        0.0,
    )
    return expit(pop.eta + pop.hidden + shift)


# --------------------------------------------------------------------------------------------
# the prediction log and the label feed, as columns


@dataclass
class _Log:
    """Prediction rows; ``request`` indexes the population the features come from."""

    request: IntArray
    request_num: IntArray
    prediction_num: IntArray
    is_shadow: BoolArray
    is_canary: BoolArray
    predicted_at: IntArray  # microseconds since the epoch
    predicted_at_null: BoolArray
    score: FloatArray
    score_null: BoolArray
    latency_ms: FloatArray
    status_code: IntArray
    cost_usd: FloatArray

    def append(self, other: _Log) -> _Log:
        return _Log(
            **{
                name: np.concatenate([getattr(self, name), getattr(other, name)])
                for name in self.__dataclass_fields__
            }
        )


@dataclass
class _Labels:
    prediction_num: IntArray
    label: IntArray
    label_null: BoolArray
    labeled_at: IntArray
    labeled_at_null: BoolArray

    def append(self, other: _Labels) -> _Labels:
        return _Labels(
            **{
                name: np.concatenate([getattr(self, name), getattr(other, name)])
                for name in self.__dataclass_fields__
            }
        )


def _day_counts(scale: float, days: int, start: dt.date) -> IntArray:
    weekday = (start.weekday() + np.arange(days)) % 7
    counts = np.round(PREDICTIONS_PER_DAY * scale * np.asarray(WEEKDAY_FACTORS)[weekday])
    return np.maximum(counts.astype(np.int64), MIN_PREDICTIONS_PER_DAY)


def _status_codes(rng: np.random.Generator, n: int) -> IntArray:
    """~99.2% 200, ~0.5% 4xx, ~0.3% 5xx; the score is logged on error rows too."""
    u = rng.random(n)
    client = np.asarray((400, 422, 429))[rng.integers(0, 3, n)]
    server = np.asarray((500, 503))[rng.integers(0, 2, n)]
    return np.where(u < 0.005, client, np.where(u < 0.008, server, 200)).astype(np.int64)


def _latency(rng: np.random.Generator, n: int, median_ms: float, sigma: float) -> FloatArray:
    """Lognormal with a 2% slow tail (x2 to x6)."""
    latency = np.exp(rng.normal(np.log(median_ms), sigma, n))
    return latency * np.where(rng.random(n) < 0.02, rng.uniform(2.0, 6.0, n), 1.0)


@dataclass
class _Simulation:
    pop: _Population
    day: IntArray  # day index of each request
    day_start: IntArray  # index of the first request of each day (and the total at the end)
    log: _Log
    labels: _Labels


def _simulate(
    streams: list[np.random.Generator], counts: IntArray, epoch_us: int, end_us: int
) -> _Simulation:
    rng_features, rng_serving, rng_labels, rng_canary = streams
    days = counts.shape[0]
    day = np.repeat(np.arange(days, dtype=np.int64), counts)
    n = day.shape[0]
    # requests uniform over each day, in time order; ids follow that order
    offset = np.floor(rng_features.random(n) * _US_PER_DAY).astype(np.int64)
    offset = offset[np.lexsort((offset, day))]
    ts = epoch_us + day * _US_PER_DAY + offset
    pop = _draw_population(rng_features, day)

    champion = _champion_score(pop)
    champion = np.where(
        _FAIRNESS.active_days(day) & (pop.age_band == CATEGORIES["age_band"].index(FAIRNESS_GROUP)),
        champion * FAIRNESS_SCORE_FACTOR,
        champion,
    )
    challenger = _challenger_score(rng_serving, pop)
    # the canary serves a share of requests in the champion's place, with a noisier score
    canary = INCIDENTS["bad_canary"].active_days(day) & (rng_canary.random(n) < CANARY_SHARE)
    noisy = expit(
        np.log(champion / (1.0 - champion)) + rng_canary.normal(0.0, CANARY_SCORE_NOISE_SD, n)
    )
    champion = np.where(canary, noisy, champion)
    canary_errors = canary & (rng_canary.random(n) < CANARY_SERVER_ERROR_RATE)
    outcome = (rng_labels.random(n) < _true_probability(pop, day)).astype(np.int64)

    latency_c = _latency(rng_serving, n, 40.0, 0.35)
    latency_c *= np.where(_LATENCY.active_days(day), LATENCY_FACTOR, 1.0)
    latency_s = _latency(rng_serving, n, 55.0, 0.4)
    request = np.arange(n, dtype=np.int64)
    no = np.zeros(2 * n, dtype=bool)
    log = _Log(
        request=np.concatenate([request, request]),
        request_num=np.concatenate([request, request]) + 1,
        prediction_num=np.concatenate([2 * request + 1, 2 * request + 2]),
        is_shadow=np.repeat(np.asarray([False, True]), n),
        is_canary=np.concatenate([canary, np.zeros(n, dtype=bool)]),
        predicted_at=np.concatenate([ts, ts]),
        predicted_at_null=no,
        score=np.concatenate([champion, challenger]),
        score_null=no,
        latency_ms=np.round(np.concatenate([latency_c, latency_s]), 2),
        status_code=np.concatenate(
            [
                np.where(canary_errors, 503, _status_codes(rng_serving, n)),
                _status_codes(rng_serving, n),
            ]
        ),
        cost_usd=np.round(
            np.concatenate(
                [
                    0.0004 * np.exp(rng_serving.normal(0.0, 0.1, n)),
                    0.0006 * np.exp(rng_serving.normal(0.0, 0.1, n)),
                ]
            ),
            8,
        ),
    )

    # One outcome per request, reported for both of its prediction rows at the same time.
    labelled = rng_labels.random(n) < LABEL_COVERAGE
    span = MAX_LABEL_DELAY_DAYS - MIN_LABEL_DELAY_DAYS
    delay = MIN_LABEL_DELAY_DAYS + span * rng_labels.beta(1.0, 6.0, n)
    corrected = labelled & (rng_labels.random(n) < LABEL_CORRECTION_RATE)
    # a correction arrives 1-10 days after the first report, at most 30 days after the prediction
    correction_delay = np.minimum(delay + rng_labels.uniform(1.0, 10.0, n), MAX_LABEL_DELAY_DAYS)
    first_at = ts + np.floor(delay * _US_PER_DAY).astype(np.int64)
    second_at = ts + np.floor(correction_delay * _US_PER_DAY).astype(np.int64)
    # a corrected outcome is first reported flipped; the later correction carries the truth
    first_label = np.where(corrected, 1 - outcome, outcome)
    first = np.flatnonzero(labelled & (first_at < end_us))
    second = np.flatnonzero(corrected & (second_at < end_us))
    rows = np.concatenate([first, first, second, second])
    shadow = np.concatenate(
        [
            np.zeros(first.shape[0], bool),
            np.ones(first.shape[0], bool),
            np.zeros(second.shape[0], bool),
            np.ones(second.shape[0], bool),
        ]
    )
    is_correction = np.arange(rows.shape[0]) >= 2 * first.shape[0]
    labels = _Labels(
        prediction_num=2 * rows + 1 + shadow,
        label=np.where(is_correction, outcome[rows], first_label[rows]),
        label_null=np.zeros(rows.shape[0], dtype=bool),
        labeled_at=np.where(is_correction, second_at[rows], first_at[rows]),
        labeled_at_null=np.zeros(rows.shape[0], dtype=bool),
    )
    day_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return _Simulation(pop=pop, day=day, day_start=day_start, log=log, labels=labels)


def _bad_rows(
    rng: np.random.Generator, sim: _Simulation, days: int, epoch_us: int
) -> tuple[_Log, _Labels]:
    """The BAD_ROW_GROUPS rows: extra prediction rows and extra label rows."""
    n = sim.day.shape[0]
    champion = sim.log  # the first n rows are the champion's, in request order
    next_request = n + 1
    next_prediction = 2 * n + 1
    logs: list[_Log] = []
    labels: list[_Labels] = []
    for group in BAD_ROW_GROUPS:
        d = min(group.day, days - 1)
        lo, hi = int(sim.day_start[d]), int(sim.day_start[d + 1])
        k = group.count
        no = np.zeros(k, dtype=bool)
        if group.table == "predictions":
            picks = np.sort(rng.choice(np.arange(lo, hi), size=k, replace=False))
            row = _Log(
                request=picks,
                request_num=champion.request_num[picks],
                prediction_num=champion.prediction_num[picks],
                is_shadow=no,
                is_canary=no,
                predicted_at=champion.predicted_at[picks],
                predicted_at_null=no,
                score=champion.score[picks],
                score_null=no,
                latency_ms=champion.latency_ms[picks],
                status_code=champion.status_code[picks],
                cost_usd=champion.cost_usd[picks],
            )
            if group.kind != "resend":
                # a separate request (a retry) whose only row is this broken champion row
                row.request_num = np.arange(next_request, next_request + k, dtype=np.int64)
                row.prediction_num = np.arange(next_prediction, next_prediction + k, dtype=np.int64)
                next_request += k
                next_prediction += k
                offsets = np.sort(np.floor(rng.random(k) * _US_PER_DAY).astype(np.int64))
                row.predicted_at = epoch_us + d * _US_PER_DAY + offsets
                row.predicted_at_null = np.full(k, group.kind == "null_predicted_at")
                row.score_null = np.full(k, group.kind == "null_score")
                if group.kind in _SPECIAL_SCORES:
                    row.score = np.asarray(_SPECIAL_SCORES[group.kind], dtype=np.float64)
            logs.append(row)
        else:
            picks = np.arange(lo, lo + k)  # the day's first champion predictions
            row_labels = _Labels(
                prediction_num=champion.prediction_num[picks],
                label=np.zeros(k, dtype=np.int64),
                label_null=no,
                labeled_at=champion.predicted_at[picks] + 36 * _US_PER_HOUR,
                labeled_at_null=no,
            )
            if group.kind == "label_two":
                row_labels.label = np.full(k, 2, dtype=np.int64)
            elif group.kind == "null_label":
                row_labels.label_null = np.ones(k, dtype=bool)
            elif group.kind == "null_labeled_at":
                row_labels.labeled_at_null = np.ones(k, dtype=bool)
            elif group.kind == "unknown_prediction":
                row_labels.prediction_num = UNKNOWN_PREDICTION_ID_BASE + np.arange(1, k + 1)
                row_labels.labeled_at = (
                    epoch_us + d * _US_PER_DAY + _US_PER_HOUR * np.arange(1, k + 1)
                )
            labels.append(row_labels)
    log = logs[0]
    for extra in logs[1:]:
        log = log.append(extra)
    label_rows = labels[0]
    for extra in labels[1:]:
        label_rows = label_rows.append(extra)
    return log, label_rows


# --------------------------------------------------------------------------------------------
# arrow tables and loading


def _dictionary(codes: IntArray, name: str) -> pa.DictionaryArray:
    indices = pa.array(codes.astype(np.int8), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(CATEGORIES[name])))


def _float(values: FloatArray, null: BoolArray | None = None) -> pa.Array:
    return pa.array(values.astype(np.float64), mask=null)


def _timestamp(us: IntArray, null: BoolArray) -> pa.Array:
    return pa.array(us.astype(np.int64), type=pa.timestamp("us"), mask=null)


@functools.cache
def _five_digits() -> npt.NDArray[np.uint8]:
    """Row i holds the ASCII digits of i zero-padded to 5 characters."""
    values = np.arange(100_000, dtype=np.int64)
    powers = 10 ** np.arange(4, -1, -1, dtype=np.int64)
    return (ord("0") + (values[:, None] // powers) % 10).astype(np.uint8)


def _ids(prefix: str, numbers: IntArray) -> pa.Array:
    """prefix + the number zero-padded to 10 digits, so text order is numeric order."""
    n = numbers.shape[0]
    chars = np.empty((n, 11), dtype=np.uint8)
    chars[:, 0] = ord(prefix)
    chars[:, 1:6] = _five_digits()[numbers // 100_000]
    chars[:, 6:] = _five_digits()[numbers % 100_000]
    offsets = np.arange(0, 11 * (n + 1), 11, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.reshape(-1)))


def _roles(shadow: BoolArray, canary: BoolArray, names: tuple[str, str, str]) -> pa.DictionaryArray:
    """names[0] for champion rows, names[1] for shadow rows, names[2] for canary rows."""
    codes = np.where(canary, 2, np.where(shadow, 1, 0)).astype(np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(names)))


def _labelled(flags: BoolArray, if_false: str, if_true: str) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(flags.astype(np.int8)), pa.array([if_false, if_true])
    )


def _feature_columns(pop: _Population, rows: IntArray) -> dict[str, pa.Array]:
    """Logged feature and attribute columns of the given requests."""
    cols: dict[str, pa.Array] = {}
    for name in NUMERIC_FEATURES:
        cols[name] = _float(pop.numeric[name][rows], pop.numeric_null[name][rows])
    for name in CATEGORICAL_FEATURES:
        cols[name] = _dictionary(pop.categorical[name][rows], name)
    cols["sex"] = _dictionary(pop.sex[rows], "sex")
    cols["age_band"] = _dictionary(pop.age_band[rows], "age_band")
    cols["channel"] = _dictionary(pop.channel[rows], "channel")
    return cols


def _logged_features(
    pop: _Population, rows: IntArray, day: IntArray, epoch_us: int, predicted_at: IntArray
) -> dict[str, pa.Array]:
    """The prediction log's feature columns: the population's, with the segment drift in one
    region's logged num_open_accounts, and the type-change feature as text (with its unit on the
    type-change day, by predicted_at; rows without a timestamp keep the number)."""
    cols = _feature_columns(pop, rows)
    segment = INCIDENTS["segment_drift"]
    central = pop.categorical["region"][rows] == CATEGORIES["region"].index(SEGMENT_DRIFT_REGION)
    accounts = pop.numeric[segment.subject][rows]
    cols[segment.subject] = _float(
        np.where(segment.active_days(day) & central, accounts + SEGMENT_DRIFT_ACCOUNTS, accounts),
        pop.numeric_null[segment.subject][rows],
    )
    change = INCIDENTS["type_change"]
    logged_day = (predicted_at - epoch_us) // _US_PER_DAY
    values = pa.compute.cast(cols[TYPE_CHANGE_FEATURE], pa.int64())
    text = pa.compute.cast(values, pa.string())
    with_unit = pa.compute.binary_join_element_wise(text, TYPE_CHANGE_SUFFIX, "")
    cols[TYPE_CHANGE_FEATURE] = pa.compute.if_else(
        pa.array(change.active_days(logged_day)), with_unit, text
    )
    return cols


def _predictions_table(log: _Log, pop: _Population, day: IntArray, epoch_us: int) -> pa.Table:
    """Rows ordered by predicted_at (nulls last), prediction_id."""
    time_key = np.where(log.predicted_at_null, np.iinfo(np.int64).max, log.predicted_at)
    order = np.lexsort((log.prediction_num, time_key))
    n = order.shape[0]
    shadow = log.is_shadow[order]
    canary = log.is_canary[order]
    requests = log.request[order]
    return pa.table(
        {
            "prediction_id": _ids("p", log.prediction_num[order]),
            "request_id": _ids("r", log.request_num[order]),
            "model_name": _labelled(np.zeros(n, dtype=bool), MODEL_NAME, MODEL_NAME),
            "model_version": _roles(
                shadow, canary, (CHAMPION_VERSION, CHALLENGER_VERSION, CANARY_VERSION)
            ),
            "deployment_role": _roles(shadow, canary, ("champion", "shadow", "canary")),
            "predicted_at": _timestamp(log.predicted_at[order], log.predicted_at_null[order]),
            "score": _float(log.score[order], log.score_null[order]),
            "latency_ms": _float(log.latency_ms[order]),
            "status_code": pa.array(log.status_code[order].astype(np.int32)),
            "cost_usd": _float(log.cost_usd[order]),
            **_logged_features(
                pop,
                requests,
                day[requests],
                epoch_us,
                np.where(log.predicted_at_null[order], -1, log.predicted_at[order]),
            ),
        }
    )


def _labels_table(labels: _Labels) -> pa.Table:
    """Rows ordered by labeled_at (nulls last), prediction_id, label (nulls last)."""
    big = np.iinfo(np.int64).max
    order = np.lexsort(
        (
            np.where(labels.label_null, big, labels.label),
            labels.prediction_num,
            np.where(labels.labeled_at_null, big, labels.labeled_at),
        )
    )
    return pa.table(
        {
            "prediction_id": _ids("p", labels.prediction_num[order]),
            "label": pa.array(labels.label[order].astype(np.int32), mask=labels.label_null[order]),
            "labeled_at": _timestamp(labels.labeled_at[order], labels.labeled_at_null[order]),
        }
    )


def _reference_table(rng: np.random.Generator, rows: int) -> pa.Table:
    pop = _draw_population(rng, np.full(rows, -1, dtype=np.int64))
    label = rng.random(rows) < _true_probability(pop, np.full(rows, -1, dtype=np.int64))
    return pa.table(
        {
            **_feature_columns(pop, np.arange(rows)),
            "score": _float(_champion_score(pop)),
            "label": pa.array(label.astype(np.int32)),
        }
    )


def _load(con: duckdb.DuckDBPyConnection, table: pa.Table, target: str) -> None:
    """create or replace ``target`` from an arrow table, keeping its row order."""
    view = "__modelwatch_demo_rows"
    con.register(view, table)
    try:
        con.execute(f"create or replace table {target} as select * from {view}")
    finally:
        con.unregister(view)


def _append(con: duckdb.DuckDBPyConnection, table: pa.Table, target: str) -> None:
    """Append rows by column name, adding the columns ``target`` lacks (null on its rows)."""
    view = "__modelwatch_demo_rows"
    con.register(view, table)
    try:
        existing = {row[0] for row in con.execute(f"describe {target}").fetchall()}
        for name, kind, *_ in con.execute(f"describe {view}").fetchall():
            if name not in existing:
                con.execute(f"alter table {target} add column {identifiers.quote(name)} {kind}")
        con.execute(f"insert into {target} by name select * from {view}")
    finally:
        con.unregister(view)


def generate_demo(
    con: duckdb.DuckDBPyConnection,
    scale: float = 1.0,
    days: int = DEMO_DAYS,
    seed: int = 42,
    schema: str = "main",
    start: dt.date = DEMO_START,
    with_bad_rows: bool = True,
    with_task_models: bool = True,
) -> dict[str, int]:
    """Writes tables {schema}.predictions, {schema}.labels, {schema}.training_reference
    (replacing them) and returns row counts per table. with_task_models appends the regression
    and multiclass models' rows (demo_tasks) after the credit model's, which stay identical."""
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    # a sixth stream for the canary (the first five are the same as before it existed);
    # streams 7 and 8 for the regression and multiclass models: the first six are unchanged
    rng_features, rng_serving, rng_labels, rng_reference, rng_bad, rng_canary, rng_reg, rng_mc = (
        np.random.default_rng(seed).spawn(8)
    )
    epoch_us = (dt.datetime.combine(start, dt.time()) - dt.datetime(1970, 1, 1)) // dt.timedelta(
        microseconds=1
    )
    end_us = epoch_us + days * _US_PER_DAY

    counts = _day_counts(scale, days, start)
    sim = _simulate([rng_features, rng_serving, rng_labels, rng_canary], counts, epoch_us, end_us)
    log, labels = sim.log, sim.labels
    if with_bad_rows:
        bad_log, bad_labels = _bad_rows(rng_bad, sim, days, epoch_us)
        log, labels = log.append(bad_log), labels.append(bad_labels)
    reference_rows = max(MIN_REFERENCE_ROWS, int(round(REFERENCE_ROWS * scale)))

    tables = {
        "predictions": _predictions_table(log, sim.pop, sim.day, epoch_us),
        "labels": _labels_table(labels),
        "training_reference": _reference_table(rng_reference, reference_rows),
    }
    con.execute(f"create schema if not exists {identifiers.quote(schema)}")
    ((preserve,),) = con.execute("select current_setting('preserve_insertion_order')").fetchall()
    if not preserve:
        con.execute("set preserve_insertion_order = true")
    extra = (
        task_tables([rng_reg, rng_mc], scale, days, epoch_us, end_us, MIN_PREDICTIONS_PER_DAY)
        if with_task_models
        else None
    )
    counts_out = {name: table.num_rows for name, table in tables.items()}
    try:
        for name, table in tables.items():
            _load(con, table, identifiers.relation(schema, name))
        if extra is not None:
            # the reference names its model now; the credit rows keep every value
            reference = identifiers.relation(schema, "training_reference")
            con.execute(
                f"alter table {reference} add column model_name varchar default '{MODEL_NAME}'"
            )
            for name, table in (
                ("predictions", extra.predictions),
                ("labels", extra.labels),
                ("training_reference", extra.reference),
            ):
                _append(con, table, identifiers.relation(schema, name))
                counts_out[name] += table.num_rows
    finally:
        if not preserve:
            con.execute("set preserve_insertion_order = false")
    return counts_out


def demo_config(schema: str = "main", granularity: str = "day") -> dict[str, Any]:
    """The `modelwatch` dbt var for the demo (dict whose top-level key is NOT included: return
    the inner mapping), following /work/main/docs/configuration.md."""
    return {
        "granularity": granularity,
        "inputs": {
            "predictions": f"{schema}.predictions",
            "labels": f"{schema}.labels",
            "reference": f"{schema}.training_reference",
        },
        "columns": {
            "predictions": {
                "prediction_id": "prediction_id",
                "model_name": "model_name",
                "model_version": "model_version",
                "predicted_at": "predicted_at",
                "score": "score",
                "request_id": "request_id",
                "deployment_role": "deployment_role",
                "predicted_label": None,
                "latency_ms": "latency_ms",
                "status_code": "status_code",
                "cost_usd": "cost_usd",
                "predicted_class": "predicted_class",
            },
            "labels": {
                "prediction_id": "prediction_id",
                "label": "label",
                "labeled_at": "labeled_at",
            },
            "reference": {
                "model_name": "model_name",
                "score": "score",
                "label": "label",
                "predicted_class": "predicted_class",
            },
        },
        # drift per region too: the segment drift is visible only there
        "drift": {"deployment_roles": ["champion"], "segments": ["region"]},
        "fairness": {"intersections": [list(PROTECTED_ATTRIBUTES)]},
        # the demo's serving SLOs: champion p95 ~75 ms (380 ms in the latency spike), shadow
        # ~115 ms; errors ~0.8%; cost 0.40 (champion) and 0.60 (shadow) USD per 1k predictions
        "checks": {
            "latency_p95_ms": {"warn": 150, "error": 250},
            "error_rate": {"warn": 0.02, "error": 0.05},
            "cost_per_1k_usd": {"warn": 0.75, "error": 1.0},
        },
        "models": [
            {
                "name": MODEL_NAME,
                "threshold": THRESHOLD,
                "features": {
                    "numeric": list(NUMERIC_FEATURES),
                    "categorical": list(CATEGORICAL_FEATURES),
                },
                "protected_attributes": list(PROTECTED_ATTRIBUTES),
                "slices": list(SLICES),
            },
            *task_model_configs(),
        ],
    }
