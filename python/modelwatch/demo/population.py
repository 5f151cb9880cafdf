"""Requests as they really are: feature values drawn per day (with the drift incidents), the
true risk behind them, and the champion's and challenger's scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from modelwatch.demo.incidents import (
    CALIBRATION_LOGIT_SHIFT_PER_DAY,
    DTI_DRIFT_SD_PER_DAY,
    INCIDENTS,
    MONTHS_EMPLOYED_SPIKE_NULL_RATE,
)
from modelwatch.demo.scenario import (
    AGE_BAND_LOWER,
    CATEGORICAL_FEATURES,
    CATEGORICAL_NULL_RATES,
    CHALLENGER_SIGNAL_SD,
    CHANNEL_MIX,
    DEVICE_MIX,
    DEVICE_MIX_AFTER_SHIFT,
    DTI_EFFECT,
    DTI_MEAN,
    DTI_SD,
    EMPLOYMENT_EFFECT,
    EMPLOYMENT_LOG_INCOME,
    EMPLOYMENT_MIX,
    HIDDEN_SD,
    INTERCEPT,
    LOAN_PURPOSE_EFFECT,
    LOAN_PURPOSE_MIX,
    NUMERIC_FEATURES,
    NUMERIC_NULL_RATES,
    REGION_MIX,
    SEX_MIX,
    BoolArray,
    FloatArray,
    IntArray,
)

_DTI_DRIFT = INCIDENTS["gradual_mean_drift"]
_DEVICE_SHIFT = INCIDENTS["category_mix_shift"]
_NULL_SPIKE = INCIDENTS["null_rate_spike"]
_CALIBRATION = INCIDENTS["calibration_decay"]


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
class Population:
    """Feature values of n requests as they really are, with their true-model terms."""

    numeric: dict[str, FloatArray]
    numeric_null: dict[str, BoolArray]  # True where the log lost the value
    categorical: dict[str, IntArray]  # codes into CATEGORIES; -1 is logged as NULL
    sex: IntArray
    age_band: IntArray
    channel: IntArray
    eta: FloatArray  # logit of the risk the features show
    hidden: FloatArray  # logit of the risk they do not show


def draw_population(rng: np.random.Generator, day: IntArray) -> Population:
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
    return Population(
        numeric=numeric,
        numeric_null=numeric_null,
        categorical=categorical,
        sex=sex,
        age_band=age_band.astype(np.int64),
        channel=channel,
        eta=eta,
        hidden=hidden,
    )


def champion_score(pop: Population) -> FloatArray:
    """P(default | features): calibrated while the world is stationary."""
    return _logistic_normal_mean(pop.eta, HIDDEN_SD)


def challenger_score(rng: np.random.Generator, pop: Population) -> FloatArray:
    """A different, better model: it also sees a noisy signal of the hidden risk."""
    signal = pop.hidden + rng.normal(0.0, CHALLENGER_SIGNAL_SD, pop.eta.shape[0])
    k = HIDDEN_SD**2 / (HIDDEN_SD**2 + CHALLENGER_SIGNAL_SD**2)
    return _logistic_normal_mean(pop.eta + k * signal, HIDDEN_SD * np.sqrt(1.0 - k))


def true_probability(pop: Population, day: IntArray) -> FloatArray:
    shift = np.where(
        _CALIBRATION.active_days(day),
        CALIBRATION_LOGIT_SHIFT_PER_DAY * (day - (_CALIBRATION.start_day - 1)),
        0.0,
    )
    return expit(pop.eta + pop.hidden + shift)
