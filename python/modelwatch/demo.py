"""Synthetic demo data for modelwatch: a credit-default model with a shadow challenger.

``generate_demo`` writes three tables into DuckDB: the prediction log (champion ``v1`` and shadow
challenger ``v2`` scoring every request), the delayed label feed and the training reference. The
data is stationary except for the documented incidents in ``INCIDENTS`` and, optionally, a small
fixed set of malformed rows (``BAD_ROWS``) that the quality layer must quarantine.
docs/demo_data.md describes every distribution, incident and bad row.

Everything is vectorised numpy drawn from ``numpy.random.default_rng`` streams derived from the
seed, so the same arguments always produce the same tables, row for row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.special import expit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEMO_START: dt.date = dt.date(2026, 8, 3)  # a Monday
DEMO_DAYS = 63
MODEL_NAME = "credit_default"
CHAMPION_VERSION = "v1"
CHALLENGER_VERSION = "v2"
PREDICTIONS_PER_DAY = 20_000  # champion rows per day at scale 1.0 (the shadow adds as many)
REFERENCE_ROWS = 50_000  # training_reference rows at scale 1.0
MIN_REFERENCE_ROWS = 5_000
MIN_PREDICTIONS_PER_DAY = 20

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

# Share of values missing from the log in the stationary period (logging gaps: the model itself
# saw the value, so scores do not depend on them).
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
    "employment_type": (
        "salaried",
        "self_employed",
        "contract",
        "retired",
        "student",
        "unemployed",
    ),
    "loan_purpose": (
        "debt_consolidation",
        "home_improvement",
        "car",
        "education",
        "medical",
        "business",
        "other",
    ),
    "sex": ("F", "M", "X"),
    "age_band": ("18-25", "26-35", "36-50", "51-65", "66+"),
    "channel": ("online", "branch", "broker"),
}
REGION_MIX = (0.22, 0.27, 0.18, 0.25, 0.08)
DEVICE_MIX = (0.30, 0.50, 0.15, 0.05)
DEVICE_MIX_AFTER_SHIFT = (0.65, 0.25, 0.075, 0.025)
LOAN_PURPOSE_MIX = (0.34, 0.16, 0.18, 0.08, 0.07, 0.07, 0.10)
SEX_MIX = (0.49, 0.495, 0.015)
CHANNEL_MIX = (0.55, 0.25, 0.20)
# employment_type mix by age band (rows follow CATEGORIES["age_band"])
EMPLOYMENT_MIX_BY_AGE_BAND = (
    (0.45, 0.06, 0.17, 0.00, 0.25, 0.07),
    (0.66, 0.12, 0.14, 0.00, 0.03, 0.05),
    (0.64, 0.18, 0.12, 0.01, 0.01, 0.04),
    (0.60, 0.18, 0.10, 0.08, 0.00, 0.04),
    (0.10, 0.10, 0.04, 0.75, 0.00, 0.01),
)
AGE_BAND_LOWER = (18, 26, 36, 51, 66)

# True model: logit of P(default) (see _linear_predictor). The part of the risk the model cannot
# see is a N(0, HIDDEN_SD) logit term; the champion integrates it out, so it is calibrated.
INTERCEPT = -2.35
HIDDEN_SD = 0.8
CHALLENGER_SIGNAL_SD = 1.2  # noise of the challenger's extra view of the hidden term
EMPLOYMENT_EFFECT = (0.0, 0.2, 0.3, -0.1, 0.4, 0.9)
LOAN_PURPOSE_EFFECT = (0.2, -0.1, -0.2, 0.1, 0.3, 0.3, 0.0)
DTI_EFFECT = 0.74  # logit per reference SD of debt_to_income
DTI_MEAN = 4.0 / 12.5  # Beta(4, 8.5)
DTI_SD = float(np.sqrt(4.0 * 8.5 / (12.5**2 * 13.5)))

LABEL_COVERAGE = 0.90  # share of requests whose outcome is ever reported
LABEL_CORRECTION_RATE = 0.01
MIN_LABEL_DELAY_DAYS = 1.0
MAX_LABEL_DELAY_DAYS = 30.0

# Incident parameters (documented in INCIDENTS and docs/demo_data.md).
DTI_DRIFT_SD_PER_DAY = 0.055
CALIBRATION_LOGIT_SHIFT_PER_DAY = 0.035
FAIRNESS_SCORE_FACTOR = 0.6
MONTHS_EMPLOYED_SPIKE_NULL_RATE = 0.40
LATENCY_FACTOR = 5.0

_US_PER_DAY = 86_400_000_000


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
    # First day whose expected PSI of the subject against the reference (10 quantile bins)
    # reaches 0.1; None for incidents that are not distribution drift of the subject.
    psi_alert_day: int | None = None

    def active(self, day: int) -> bool:
        return day >= self.start_day and (self.end_day is None or day <= self.end_day)

    def dates(self, start: dt.date = DEMO_START, days: int = DEMO_DAYS) -> tuple[dt.date, dt.date]:
        """First and last calendar day of the incident within a run of ``days`` days."""
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
                "Applicants carry more debt: debt_to_income rises linearly. The score rises with "
                "it (the model uses the feature) and stays calibrated."
            ),
            magnitude=(
                f"+{DTI_DRIFT_SD_PER_DAY} reference SD ({DTI_DRIFT_SD_PER_DAY * DTI_SD:.4f}) per "
                "day: day d adds 0.04*(d-20) SD, +0.04 SD on day 21, +0.40 SD on day 30, "
                "+1.68 SD on day 62; expected PSI 0.10 on day 29 (0.09 on day 28)"
            ),
            psi_alert_day=29,
        ),
        Incident(
            name="category_mix_shift",
            kind="categorical_drift",
            subject="device",
            start_day=35,
            end_day=None,
            description="A mobile campaign: the device mix changes overnight.",
            magnitude=(
                "mobile/desktop/tablet/other 30/50/15/5% -> 65/25/7.5/2.5% (nulls stay 0.5%); "
                "expected PSI 0.51"
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
                "An upstream bug drops months_employed from the log for three days, then it "
                "recovers. Logging only: the model still saw the value, so scores are unchanged."
            ),
            magnitude="null rate 1.5% -> 40% (null-rate increase +0.385); expected PSI 1.1",
            psi_alert_day=45,
        ),
        Incident(
            name="calibration_decay",
            kind="calibration",
            subject="label",
            start_day=28,
            end_day=None,
            description=(
                "The world changes under the model: outcomes are drawn from a logit shifted "
                "upward a little more each day while scores are unchanged, so the model "
                "increasingly under-predicts default."
            ),
            magnitude=(
                f"true logit + {CALIBRATION_LOGIT_SHIFT_PER_DAY}*(d-27) on day d: +0.035 on day "
                "28, +0.35 on day 37, +1.225 on day 62; mean label - mean score about +0.06 on "
                "day 37 and +0.2 on day 62"
            ),
        ),
        Incident(
            name="fairness_regression",
            kind="fairness",
            subject="age_band",
            start_day=40,
            end_day=None,
            description=(
                "A bad feature-pipeline release: the champion's scores for age_band '18-25' are "
                "scaled down, so that group's selection rate (score >= 0.5) collapses. Labels and "
                "the shadow challenger are unchanged."
            ),
            magnitude=(
                f"champion score x{FAIRNESS_SCORE_FACTOR} for age_band '18-25' (about 19% of "
                "requests); its selection rate about 24% -> 2%"
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
                f"champion latency_ms x{LATENCY_FACTOR:g} (median about 40 ms -> 200 ms); shadow, "
                "status codes and cost unchanged"
            ),
        ),
    )
}


@dataclass(frozen=True)
class BadRow:
    """A group of malformed rows injected on purpose; ``reason`` is the quarantine reason."""

    table: str
    reason: str
    kind: str
    day: int | None  # day index of predicted_at (labels: of the labelled prediction)
    count: int
    description: str


BAD_ROW_GROUPS: tuple[BadRow, ...] = (
    BadRow("predictions", "null_score", "null_score", 2, 3, "score is NULL"),
    BadRow("predictions", "score_not_finite", "nan_score", 4, 2, "score is NaN"),
    BadRow("predictions", "score_not_finite", "inf_score", 5, 2, "score is +Infinity"),
    BadRow("predictions", "score_out_of_range", "score_above_one", 8, 2, "score 1.0000001, 1.7"),
    BadRow("predictions", "score_out_of_range", "score_below_zero", 9, 2, "score -1e-06, -0.3"),
    BadRow(
        "predictions",
        "null_predicted_at",
        "null_predicted_at",
        None,
        3,
        "predicted_at is NULL (features copied from day-13 requests)",
    ),
    BadRow(
        "predictions",
        "duplicate_prediction_id",
        "resend",
        11,
        3,
        "exact re-send of an existing champion row",
    ),
    BadRow(
        "predictions",
        "duplicate_prediction_id",
        "resend",
        12,
        2,
        "exact re-send of an existing champion row",
    ),
    BadRow("labels", "invalid_label", "label_two", 3, 3, "label = 2, labeled_at +36 h"),
    BadRow("labels", "null_label", "null_label", 6, 3, "label is NULL, labeled_at +36 h"),
    BadRow(
        "labels",
        "null_labeled_at",
        "null_labeled_at",
        10,
        2,
        "labeled_at is NULL (label 0/1 is valid)",
    ),
    BadRow(
        "labels",
        "unknown_prediction",
        "unknown_prediction",
        8,
        4,
        "prediction_id p9000000001..p9000000004 does not exist; labeled_at on day 8",
    ),
)


def _bad_row_totals() -> dict[str, int]:
    totals: dict[str, int] = {}
    for group in BAD_ROW_GROUPS:
        totals[group.reason] = totals.get(group.reason, 0) + group.count
    return totals


# quarantine reason -> number of injected rows (reason names as in macros/quality).
BAD_ROWS: dict[str, int] = _bad_row_totals()
BAD_PREDICTION_ROWS = sum(g.count for g in BAD_ROW_GROUPS if g.table == "predictions")
BAD_LABEL_ROWS = sum(g.count for g in BAD_ROW_GROUPS if g.table == "labels")
UNKNOWN_PREDICTION_ID_BASE = 9_000_000_000


# --------------------------------------------------------------------------------------------
# sampling helpers


def _categorical(rng: np.random.Generator, n: int, mix: tuple[float, ...]) -> IntArray:
    cdf = np.cumsum(np.asarray(mix, dtype=np.float64))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int64)


def _categorical_by_row(rng: np.random.Generator, probabilities: FloatArray) -> IntArray:
    """One draw per row from that row's probability vector (rows of ``probabilities``)."""
    cdf = np.cumsum(probabilities, axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(probabilities.shape[0])
    idx = (u[:, None] >= cdf).sum(axis=1)
    return np.minimum(idx, probabilities.shape[1] - 1).astype(np.int64)


def _logistic_normal_mean(mu: FloatArray, sd: float, nodes: int = 24) -> FloatArray:
    """E[sigmoid(mu + sd * Z)], Z ~ N(0, 1), by Gauss-Hermite quadrature."""
    x, w = np.polynomial.hermite.hermgauss(nodes)
    out = np.zeros_like(mu)
    for xi, wi in zip(x, w, strict=True):
        out += wi * expit(mu + np.sqrt(2.0) * sd * xi)
    return out / np.sqrt(np.pi)


@dataclass
class _Population:
    """Complete (pre-logging) feature values of n requests plus their true-model terms."""

    numeric: dict[str, FloatArray]
    categorical: dict[str, IntArray]  # codes into CATEGORIES; -1 is null (logged as NULL)
    numeric_null: dict[str, BoolArray]
    sex: IntArray
    age_band: IntArray
    channel: IntArray
    eta: FloatArray  # logit of the risk the model can see
    hidden: FloatArray  # logit of the risk it cannot see


def _draw_population(rng: np.random.Generator, day: IntArray) -> _Population:
    """Feature values of one request per element of ``day`` (day index; -1 = reference)."""
    n = day.shape[0]
    dti_shift = np.where(day >= 21, DTI_DRIFT_SD_PER_DAY * (day - 20), 0.0) * DTI_SD
    device_shifted = day >= 35
    null_spike = (day >= 45) & (day <= 47)

    age = np.minimum(18.0 + np.floor(rng.gamma(2.2, 9.5, n)), 85.0)
    age_band = (np.searchsorted(np.asarray(AGE_BAND_LOWER), age, side="right") - 1).astype(
        np.int64
    )
    employment = _categorical_by_row(rng, np.asarray(EMPLOYMENT_MIX_BY_AGE_BAND)[age_band])
    employment_effect = np.asarray(EMPLOYMENT_EFFECT)[employment]

    log_income = (
        10.75
        + 0.012 * (np.minimum(age, 55.0) - 35.0)
        + np.asarray((0.0, 0.15, -0.05, -0.25, -0.9, -1.0))[employment]
        + rng.normal(0.0, 0.5, n)
    )
    income = np.round(np.exp(log_income), -2)
    income = np.maximum(income, 1_000.0)
    dti = np.round(rng.beta(4.0, 8.5, n) + dti_shift, 4)
    utilization = np.round(rng.beta(1.8, 3.2, n), 4)
    late = rng.negative_binomial(0.5, 0.5 / 0.95, n).astype(np.float64)
    tenure_cap = np.maximum((age - 16.0) * 12.0, 0.0)
    months = np.floor(np.minimum(rng.gamma(1.6, 40.0, n), tenure_cap))
    months = np.where(employment == 5, 0.0, months)
    log_loan = np.log(12_000.0) + 0.5 * (log_income - 10.75) + rng.normal(0.0, 0.6, n)
    loan = np.maximum(np.round(np.exp(log_loan) / 50.0) * 50.0, 500.0)
    accounts = (rng.poisson(3.5, n) + 1).astype(np.float64)
    inquiries = rng.poisson(1.1, n).astype(np.float64)

    region = _categorical(rng, n, REGION_MIX)
    device_u = rng.random(n)
    device = np.where(
        device_shifted,
        np.searchsorted(np.cumsum(DEVICE_MIX_AFTER_SHIFT), device_u, side="right"),
        np.searchsorted(np.cumsum(DEVICE_MIX), device_u, side="right"),
    ).astype(np.int64)
    device = np.minimum(device, len(DEVICE_MIX) - 1)
    purpose = _categorical(rng, n, LOAN_PURPOSE_MIX)
    sex = _categorical(rng, n, SEX_MIX)
    channel = _categorical(rng, n, CHANNEL_MIX)

    eta = (
        INTERCEPT
        - 0.55 * (np.log(income) - 10.75) / 0.55
        + DTI_EFFECT * (dti - DTI_MEAN) / DTI_SD
        + 0.55 * (utilization - 0.36) / 0.2
        + 0.4 * np.minimum(late, 6.0)
        - 0.025 * (age - 40.0)
        - 0.2 * (np.log1p(months) - 3.6)
        + 0.15 * (np.log(loan) - 9.4) / 0.6
        + 0.03 * (accounts - 4.5)
        + 0.18 * (inquiries - 1.1)
        + employment_effect
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
        if name == "months_employed":
            rate = np.where(null_spike, MONTHS_EMPLOYED_SPIKE_NULL_RATE, rate)
        u = rng.random(n)
        numeric_null[name] = u < rate
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
        categorical=categorical,
        numeric_null=numeric_null,
        sex=sex,
        age_band=age_band,
        channel=channel,
        eta=eta,
        hidden=hidden,
    )


def _champion_score(pop: _Population) -> FloatArray:
    """P(default | what the model sees): calibrated while the world is stationary."""
    return _logistic_normal_mean(pop.eta, HIDDEN_SD)


def _challenger_score(rng: np.random.Generator, pop: _Population) -> FloatArray:
    """The challenger also sees a noisy signal of the hidden risk: a different, better model."""
    signal = pop.hidden + rng.normal(0.0, CHALLENGER_SIGNAL_SD, pop.eta.shape[0])
    k = HIDDEN_SD**2 / (HIDDEN_SD**2 + CHALLENGER_SIGNAL_SD**2)
    return _logistic_normal_mean(pop.eta + k * signal, HIDDEN_SD * np.sqrt(1.0 - k))


def _calibration_shift(day: IntArray) -> FloatArray:
    return np.where(day >= 28, CALIBRATION_LOGIT_SHIFT_PER_DAY * (day - 27), 0.0)


def _dictionary(codes: IntArray, name: str) -> pa.DictionaryArray:
    indices = pa.array(codes.astype(np.int8), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(CATEGORIES[name])))


def _float(values: FloatArray, null: BoolArray | None = None) -> pa.Array:
    return pa.array(values.astype(np.float64), mask=null)


def _feature_columns(pop: _Population, rows: IntArray) -> dict[str, pa.Array]:
    """Logged feature and attribute columns for the given request indices."""
    cols: dict[str, pa.Array] = {}
    for name in NUMERIC_FEATURES:
        cols[name] = _float(pop.numeric[name][rows], pop.numeric_null[name][rows])
    for name in CATEGORICAL_FEATURES:
        cols[name] = _dictionary(pop.categorical[name][rows], name)
    cols["sex"] = _dictionary(pop.sex[rows], "sex")
    cols["age_band"] = _dictionary(pop.age_band[rows], "age_band")
    cols["channel"] = _dictionary(pop.channel[rows], "channel")
    return cols


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write(
    con: duckdb.DuckDBPyConnection, table: pa.Table, target: str, select: str, order_by: str
) -> None:
    view = "__modelwatch_demo_" + target.split(".")[-1]
    con.register(view, table)
    try:
        con.execute(f"create or replace table {target} as select {select} from {view} {order_by}")
    finally:
        con.unregister(view)


# --------------------------------------------------------------------------------------------
# generation


def _day_counts(scale: float, days: int, start: dt.date) -> IntArray:
    weekday = (start.weekday() + np.arange(days)) % 7
    factors = np.asarray(WEEKDAY_FACTORS)[weekday]
    counts = np.round(PREDICTIONS_PER_DAY * scale * factors).astype(np.int64)
    return np.maximum(counts, MIN_PREDICTIONS_PER_DAY)


def _bad_day(day: int | None, days: int) -> int:
    return min(day if day is not None else 13, days - 1)


def generate_demo(
    con: duckdb.DuckDBPyConnection,
    scale: float = 1.0,
    days: int = DEMO_DAYS,
    seed: int = 42,
    schema: str = "main",
    start: dt.date = DEMO_START,
    with_bad_rows: bool = True,
) -> dict[str, int]:
    """Writes tables {schema}.predictions, {schema}.labels, {schema}.training_reference
    (replacing them) and returns row counts per table."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if days < 1:
        raise ValueError("days must be at least 1")
    streams = np.random.default_rng(seed).spawn(5)
    rng_features, rng_serving, rng_labels, rng_reference, rng_bad = streams
    epoch_us = int(
        (dt.datetime.combine(start, dt.time()) - dt.datetime(1970, 1, 1)) // dt.timedelta(
            microseconds=1
        )
    )
    end_us = epoch_us + days * _US_PER_DAY

    # requests: uniform over each day, in time order; ids follow that order
    counts = _day_counts(scale, days, start)
    day = np.repeat(np.arange(days, dtype=np.int64), counts)
    n = day.shape[0]
    offset = np.floor(rng_features.random(n) * _US_PER_DAY).astype(np.int64)
    order = np.lexsort((offset, day))
    offset = offset[order]
    ts = epoch_us + day * _US_PER_DAY + offset
    pop = _draw_population(rng_features, day)

    champion = _champion_score(pop)
    challenger = _challenger_score(rng_serving, pop)
    young = (pop.age_band == 0) & (day >= 40)
    champion = np.where(young, champion * FAIRNESS_SCORE_FACTOR, champion)
    p_true = expit(pop.eta + pop.hidden + _calibration_shift(day))
    outcome = (rng_labels.random(n) < p_true).astype(np.int64)

    # serving telemetry: champion then shadow
    latency_c = np.exp(rng_serving.normal(np.log(40.0), 0.35, n))
    latency_c *= np.where(rng_serving.random(n) < 0.02, rng_serving.uniform(2.0, 6.0, n), 1.0)
    latency_c *= np.where((day >= 50) & (day <= 51), LATENCY_FACTOR, 1.0)
    latency_s = np.exp(rng_serving.normal(np.log(55.0), 0.4, n))
    latency_s *= np.where(rng_serving.random(n) < 0.02, rng_serving.uniform(2.0, 6.0, n), 1.0)

    def status_codes(size: int) -> IntArray:
        u = rng_serving.random(size)
        client = np.asarray((400, 422, 429))[rng_serving.integers(0, 3, size)]
        server = np.asarray((500, 503))[rng_serving.integers(0, 2, size)]
        return np.where(u < 0.005, client, np.where(u < 0.008, server, 200)).astype(np.int64)

    status_c = status_codes(n)
    status_s = status_codes(n)
    cost_c = 0.0004 * np.exp(rng_serving.normal(0.0, 0.1, n))
    cost_s = 0.0006 * np.exp(rng_serving.normal(0.0, 0.1, n))

    request = np.arange(n, dtype=np.int64)
    pred_id_c = 2 * request + 1
    pred_id_s = 2 * request + 2
    rows = np.concatenate([request, request])
    req_num = rows + 1
    is_shadow = np.concatenate([np.zeros(n, dtype=bool), np.ones(n, dtype=bool)])
    pred_num = np.concatenate([pred_id_c, pred_id_s])
    score = np.concatenate([champion, challenger])
    ts_all = np.concatenate([ts, ts])
    latency = np.round(np.concatenate([latency_c, latency_s]), 2)
    status = np.concatenate([status_c, status_s])
    cost = np.round(np.concatenate([cost_c, cost_s]), 8)
    score_null = np.zeros(2 * n, dtype=bool)
    ts_null = np.zeros(2 * n, dtype=bool)

    # labels: one outcome per request, reported for both of its prediction rows
    labelled = rng_labels.random(n) < LABEL_COVERAGE
    delay = MIN_LABEL_DELAY_DAYS + (MAX_LABEL_DELAY_DAYS - MIN_LABEL_DELAY_DAYS) * rng_labels.beta(
        1.0, 6.0, n
    )
    corrected = labelled & (rng_labels.random(n) < LABEL_CORRECTION_RATE)
    correction_delay = delay + (MAX_LABEL_DELAY_DAYS - delay) * rng_labels.uniform(0.2, 1.0, n)
    labeled_at = ts + np.floor(delay * _US_PER_DAY).astype(np.int64)
    corrected_at = ts + np.floor(correction_delay * _US_PER_DAY).astype(np.int64)
    first = labelled & (labeled_at < end_us)
    second = corrected & (corrected_at < end_us)
    first_rows = np.flatnonzero(first)
    second_rows = np.flatnonzero(second)
    first_label = np.where(corrected, 1 - outcome, outcome)[first_rows]
    label_pred = np.concatenate(
        [pred_id_c[first_rows], pred_id_s[first_rows], pred_id_c[second_rows], pred_id_s[second_rows]]
    )
    label_value = np.concatenate(
        [first_label, first_label, outcome[second_rows], outcome[second_rows]]
    )
    label_at = np.concatenate(
        [labeled_at[first_rows], labeled_at[first_rows], corrected_at[second_rows]]
        + [corrected_at[second_rows]]
    )
    label_value_null = np.zeros(label_value.shape[0], dtype=bool)
    label_at_null = np.zeros(label_value.shape[0], dtype=bool)

    if with_bad_rows:
        day_start = np.concatenate([[0], np.cumsum(counts)])
        bad_rows: list[IntArray] = []
        bad_score: list[FloatArray] = []
        bad_ts: list[IntArray] = []
        bad_score_null: list[BoolArray] = []
        bad_ts_null: list[BoolArray] = []
        bad_num: list[IntArray] = []
        bad_req: list[IntArray] = []
        extra_labels: list[tuple[IntArray, IntArray, IntArray, BoolArray, BoolArray]] = []
        next_id = 2 * n + 1
        next_req = n + 1
        special_scores = {
            "nan_score": np.array([np.nan, np.nan]),
            "inf_score": np.array([np.inf, np.inf]),
            "score_above_one": np.array([1.0000001, 1.7]),
            "score_below_zero": np.array([-1e-06, -0.3]),
        }
        for group in BAD_ROW_GROUPS:
            d = _bad_day(group.day, days)
            lo, hi = int(day_start[d]), int(day_start[d + 1])
            if group.table == "predictions":
                picks = rng_bad.choice(np.arange(lo, hi), size=group.count, replace=False)
                picks = np.sort(picks)
                bad_rows.append(picks)
                if group.kind == "resend":
                    bad_req.append(picks + 1)
                    bad_num.append(pred_id_c[picks])
                    bad_score.append(champion[picks])
                    bad_ts.append(ts[picks])
                    bad_score_null.append(np.zeros(group.count, dtype=bool))
                    bad_ts_null.append(np.zeros(group.count, dtype=bool))
                    continue
                # a separate (retried) request whose only row is this broken champion row
                bad_req.append(np.arange(next_req, next_req + group.count, dtype=np.int64))
                next_req += group.count
                bad_num.append(np.arange(next_id, next_id + group.count, dtype=np.int64))
                next_id += group.count
                new_ts = epoch_us + d * _US_PER_DAY
                new_ts += np.sort(np.floor(rng_bad.random(group.count) * _US_PER_DAY))
                bad_ts.append(new_ts.astype(np.int64))
                bad_ts_null.append(np.full(group.count, group.kind == "null_predicted_at"))
                bad_score_null.append(np.full(group.count, group.kind == "null_score"))
                bad_score.append(special_scores.get(group.kind, champion[picks]))
            else:
                picks = np.arange(lo, lo + group.count)
                value = outcome[picks]
                value_null = np.zeros(group.count, dtype=bool)
                at = ts[picks] + 36 * 3_600_000_000
                at_null = np.zeros(group.count, dtype=bool)
                ids = pred_id_c[picks]
                if group.kind == "label_two":
                    value = np.full(group.count, 2, dtype=np.int64)
                elif group.kind == "null_label":
                    value_null[:] = True
                elif group.kind == "null_labeled_at":
                    at_null[:] = True
                elif group.kind == "unknown_prediction":
                    ids = UNKNOWN_PREDICTION_ID_BASE + np.arange(1, group.count + 1)
                    at = epoch_us + d * _US_PER_DAY + 3_600_000_000 * np.arange(1, group.count + 1)
                extra_labels.append((ids, value, at, value_null, at_null))
        extra = np.concatenate(bad_rows)
        rows = np.concatenate([rows, extra])
        is_shadow = np.concatenate([is_shadow, np.zeros(extra.shape[0], dtype=bool)])
        pred_num = np.concatenate([pred_num, *bad_num])
        req_num = np.concatenate([req_num, *bad_req])
        score = np.concatenate([score, *bad_score])
        ts_all = np.concatenate([ts_all, *bad_ts])
        latency = np.concatenate([latency, np.round(latency_c[extra], 2)])
        status = np.concatenate([status, status_c[extra]])
        cost = np.concatenate([cost, np.round(cost_c[extra], 8)])
        score_null = np.concatenate([score_null, *bad_score_null])
        ts_null = np.concatenate([ts_null, *bad_ts_null])
        label_pred = np.concatenate([label_pred, *(e[0] for e in extra_labels)])
        label_value = np.concatenate([label_value, *(e[1] for e in extra_labels)])
        label_at = np.concatenate([label_at, *(e[2] for e in extra_labels)])
        label_value_null = np.concatenate([label_value_null, *(e[3] for e in extra_labels)])
        label_at_null = np.concatenate([label_at_null, *(e[4] for e in extra_labels)])

    con.execute(f"create schema if not exists {_quote(schema)}")
    target = f"{_quote(schema)}."

    predictions = pa.table(
        {
            "pred_num": pa.array(pred_num),
            "req_num": pa.array(req_num),
            "is_shadow": pa.array(is_shadow),
            "predicted_at": pa.array(ts_all, type=pa.timestamp("us"), mask=ts_null),
            "score": _float(score, score_null),
            "latency_ms": _float(latency),
            "status_code": pa.array(status.astype(np.int32)),
            "cost_usd": _float(cost),
            **_feature_columns(pop, rows),
        }
    )
    feature_select = ", ".join(
        _quote(c) for c in [*NUMERIC_FEATURES, *CATEGORICAL_FEATURES, "sex", "age_band", "channel"]
    )
    _write(
        con,
        predictions,
        target + "predictions",
        "'p' || lpad(cast(pred_num as varchar), 10, '0') as prediction_id, "
        "'r' || lpad(cast(req_num as varchar), 10, '0') as request_id, "
        f"'{MODEL_NAME}' as model_name, "
        f"case when is_shadow then '{CHALLENGER_VERSION}' else '{CHAMPION_VERSION}' end "
        "as model_version, "
        "case when is_shadow then 'shadow' else 'champion' end as deployment_role, "
        "predicted_at, score, latency_ms, status_code, cost_usd, " + feature_select,
        "order by predicted_at nulls last, prediction_id",
    )

    labels = pa.table(
        {
            "pred_num": pa.array(label_pred.astype(np.int64)),
            "label": pa.array(label_value.astype(np.int32), mask=label_value_null),
            "labeled_at": pa.array(label_at, type=pa.timestamp("us"), mask=label_at_null),
        }
    )
    _write(
        con,
        labels,
        target + "labels",
        "'p' || lpad(cast(pred_num as varchar), 10, '0') as prediction_id, label, labeled_at",
        "order by labeled_at nulls last, prediction_id, label nulls last",
    )

    n_ref = max(MIN_REFERENCE_ROWS, int(round(REFERENCE_ROWS * scale)))
    ref_pop = _draw_population(rng_reference, np.full(n_ref, -1, dtype=np.int64))
    ref_score = _champion_score(ref_pop)
    ref_label = (rng_reference.random(n_ref) < expit(ref_pop.eta + ref_pop.hidden)).astype(
        np.int32
    )
    reference = pa.table(
        {
            "row_num": pa.array(np.arange(n_ref, dtype=np.int64)),
            **_feature_columns(ref_pop, np.arange(n_ref)),
            "score": _float(ref_score),
            "label": pa.array(ref_label),
        }
    )
    _write(
        con,
        reference,
        target + "training_reference",
        "* exclude (row_num)",
        "order by row_num",
    )

    result: dict[str, int] = {}
    for table in ("predictions", "labels", "training_reference"):
        ((count,),) = con.execute(f"select count(*) from {target}{table}").fetchall()
        result[table] = int(count)
    return result


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
            },
            "labels": {"prediction_id": "prediction_id", "label": "label", "labeled_at": "labeled_at"},
            "reference": {"model_name": None, "score": "score", "label": "label"},
        },
        "drift": {"deployment_roles": ["champion"]},
        "models": [
            {
                "name": MODEL_NAME,
                "threshold": 0.5,
                "features": {
                    "numeric": list(NUMERIC_FEATURES),
                    "categorical": list(CATEGORICAL_FEATURES),
                },
                "protected_attributes": list(PROTECTED_ATTRIBUTES),
                "slices": list(SLICES),
            }
        ],
    }
