"""The demo's world while nothing goes wrong: dates and volume, the credit model and its
versions, feature distributions and null rates, the true risk model and the label feed.
docs/demo_data.md describes every number.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

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
# draw_population) and hidden ~ N(0, HIDDEN_SD) the risk no feature shows. The champion scores
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

US_PER_DAY = 86_400_000_000
US_PER_HOUR = 3_600_000_000
