"""Synthetic demo data for modelwatch: a credit-default model with a shadow challenger.

``generate_demo`` writes three tables into DuckDB: the prediction log (champion ``v1`` and shadow
challenger ``v2`` scoring every request), the delayed label feed and the training reference. The
data is stationary except for the incidents in ``INCIDENTS`` and, optionally, a small fixed set of
malformed rows (``BAD_ROWS``) that the quality layer must quarantine. docs/demo_data.md describes
every distribution, incident and bad row.

Generation is vectorised numpy drawn from ``numpy.random.default_rng(seed)`` streams, so the same
arguments always produce the same tables, row for row.

Layout:
- scenario.py     the world while nothing goes wrong: dates, volume, features, the true model
- incidents.py    INCIDENTS (what goes wrong, when, how much) and BAD_ROW_GROUPS (bad rows)
- population.py   requests as they really are, their true risk and the models' scores
- simulation.py   the prediction log and label feed as columns (plus the bad rows)
- tables.py       arrow tables and generate_demo (writes them into DuckDB)
- config.py       demo_config (the modelwatch config of the demo)
- tasks.py        the regression and multiclass models logged next to the credit model
"""

from modelwatch.demo.config import demo_config
from modelwatch.demo.incidents import (
    BAD_LABEL_ROWS,
    BAD_PREDICTION_ROWS,
    BAD_ROW_GROUPS,
    BAD_ROWS,
    CALIBRATION_LOGIT_SHIFT_PER_DAY,
    CANARY_SCORE_NOISE_SD,
    CANARY_SERVER_ERROR_RATE,
    CANARY_SHARE,
    DEVICE_SHIFT_PSI,
    DTI_DRIFT_SD_PER_DAY,
    FAIRNESS_GROUP,
    FAIRNESS_SCORE_FACTOR,
    INCIDENTS,
    LATENCY_FACTOR,
    MONTHS_EMPLOYED_SPIKE_NULL_RATE,
    SCORE_PSI_ALERT_DAY,
    SEGMENT_DRIFT_ACCOUNTS,
    SEGMENT_DRIFT_REGION,
    TYPE_CHANGE_FEATURE,
    TYPE_CHANGE_SUFFIX,
    UNKNOWN_PREDICTION_ID_BASE,
    BadRow,
    Incident,
)
from modelwatch.demo.scenario import (
    CANARY_VERSION,
    CATEGORICAL_FEATURES,
    CATEGORIES,
    CHALLENGER_VERSION,
    CHAMPION_VERSION,
    DEMO_DAYS,
    DEMO_START,
    DTI_MEAN,
    DTI_SD,
    LABEL_CORRECTION_RATE,
    LABEL_COVERAGE,
    MAX_LABEL_DELAY_DAYS,
    MIN_LABEL_DELAY_DAYS,
    MIN_PREDICTIONS_PER_DAY,
    MIN_REFERENCE_ROWS,
    MODEL_NAME,
    NUMERIC_FEATURES,
    PREDICTIONS_PER_DAY,
    PROTECTED_ATTRIBUTES,
    REFERENCE_ROWS,
    SLICES,
    THRESHOLD,
)
from modelwatch.demo.simulation import day_counts
from modelwatch.demo.tables import generate_demo

__all__ = [
    "BAD_LABEL_ROWS",
    "BAD_PREDICTION_ROWS",
    "BAD_ROWS",
    "BAD_ROW_GROUPS",
    "BadRow",
    "CALIBRATION_LOGIT_SHIFT_PER_DAY",
    "CANARY_SCORE_NOISE_SD",
    "CANARY_SERVER_ERROR_RATE",
    "CANARY_SHARE",
    "CANARY_VERSION",
    "CATEGORICAL_FEATURES",
    "CATEGORIES",
    "CHALLENGER_VERSION",
    "CHAMPION_VERSION",
    "DEMO_DAYS",
    "DEMO_START",
    "DEVICE_SHIFT_PSI",
    "DTI_DRIFT_SD_PER_DAY",
    "DTI_MEAN",
    "DTI_SD",
    "FAIRNESS_GROUP",
    "FAIRNESS_SCORE_FACTOR",
    "INCIDENTS",
    "Incident",
    "LABEL_CORRECTION_RATE",
    "LABEL_COVERAGE",
    "LATENCY_FACTOR",
    "MAX_LABEL_DELAY_DAYS",
    "MIN_LABEL_DELAY_DAYS",
    "MIN_PREDICTIONS_PER_DAY",
    "MIN_REFERENCE_ROWS",
    "MODEL_NAME",
    "MONTHS_EMPLOYED_SPIKE_NULL_RATE",
    "NUMERIC_FEATURES",
    "PREDICTIONS_PER_DAY",
    "PROTECTED_ATTRIBUTES",
    "REFERENCE_ROWS",
    "SCORE_PSI_ALERT_DAY",
    "SEGMENT_DRIFT_ACCOUNTS",
    "SEGMENT_DRIFT_REGION",
    "SLICES",
    "THRESHOLD",
    "TYPE_CHANGE_FEATURE",
    "TYPE_CHANGE_SUFFIX",
    "UNKNOWN_PREDICTION_ID_BASE",
    "day_counts",
    "demo_config",
    "generate_demo",
]
