"""The demo's regression and multiclass models, logged next to the credit model.

``claims_count`` (task regression) predicts a member's doctor visits in the coming month from
age, chronic conditions and plan; ``ticket_router`` (task multiclass) routes a support ticket to
billing (class 0), technical (1) or account (2) with one probability column per class. Each has
its own RNG streams (the credit model's data stays identical, row for row) and one scripted
incident in ``TASK_INCIDENTS`` that must raise an alert. docs/demo_data.md describes both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

REGRESSION_MODEL = "claims_count"
MULTICLASS_MODEL = "ticket_router"
TASK_PREDICTIONS_PER_DAY = 1_500  # rows per model and day at scale 1.0
# at least this many a day: the label checks and the class mix need a few hundred labels a day
MIN_TASK_PREDICTIONS_PER_DAY = 150
TASK_REFERENCE_ROWS = 5_000  # reference rows per model at scale 1.0
MIN_TASK_REFERENCE_ROWS = 2_000
TASK_LABEL_COVERAGE = 0.9
TASK_LABEL_DELAY_DAYS = (2.0, 10.0)  # uniform

REGRESSION_NUMERIC = ["member_age", "chronic_conditions"]
REGRESSION_CATEGORICAL = ["plan_type"]
PLAN_TYPES = ("basic", "standard", "premium")
PLAN_MIX = (0.5, 0.35, 0.15)
PLAN_EFFECT = (0.0, 0.15, 0.3)
PREDICTION_NOISE_SD = 0.1  # log-scale noise of the model's rate around the true rate

MULTICLASS_NUMERIC = ["message_length"]
MULTICLASS_CATEGORICAL = ["ticket_source"]
TICKET_SOURCES = ("email", "chat", "phone")
TICKET_SOURCE_MIX = (0.5, 0.35, 0.15)
CLASSES = (0, 1, 2)  # billing, technical, account
CLASS_NAMES = ("billing", "technical", "account")
PROBABILITY_COLUMNS = {0: "p_billing", 1: "p_technical", 2: "p_account"}
CLASS_PRIORS = (0.45, 0.35, 0.20)
CLASS_SIGNAL = 2.0  # logit the model gives the true class, before unit normal noise


@dataclass(frozen=True)
class TaskIncident:
    name: str
    model: str
    start_day: int
    description: str
    magnitude: str
    expected_checks: tuple[str, ...]


TASK_INCIDENTS: dict[str, TaskIncident] = {
    incident.name: incident
    for incident in (
        TaskIncident(
            name="visit_surge",
            model=REGRESSION_MODEL,
            start_day=42,
            description=(
                "A respiratory-illness wave the model never saw: members visit their doctor more "
                "often than predicted. Inputs and predictions do not move; only the outcomes do, "
                "so only the label checks can see it once the visits are reported."
            ),
            magnitude="true visit rate x 1.6 from day 42 on (mean error about -1.2 visits)",
            expected_checks=("rmse_increase", "mae_increase", "bias"),
        ),
        TaskIncident(
            name="technical_surge",
            model=MULTICLASS_MODEL,
            start_day=40,
            description=(
                "A product launch floods support with technical tickets of a kind the model has "
                "not seen: the class mix shifts towards technical and half of the new technical "
                "tickets get a random routing."
            ),
            magnitude=(
                "class priors (0.45, 0.35, 0.20) -> (0.25, 0.60, 0.15); from day 40 half of the "
                "technical tickets carry no signal (the model's logits are pure noise)"
            ),
            expected_checks=("class_prior_shift", "macro_f1_drop"),
        ),
    )
}
_SURGE = TASK_INCIDENTS["visit_surge"]
_TECHNICAL = TASK_INCIDENTS["technical_surge"]
SURGE_FACTOR = 1.6
TECHNICAL_PRIORS = (0.25, 0.60, 0.15)
TECHNICAL_NO_SIGNAL_SHARE = 0.5


@dataclass
class TaskTables:
    predictions: pa.Table
    labels: pa.Table
    reference: pa.Table


def _categorical(rng: np.random.Generator, n: int, mix: tuple[float, ...]) -> IntArray:
    return np.searchsorted(np.cumsum(mix)[:-1], rng.random(n), side="right").astype(np.int64)


def _text(values: tuple[str, ...], codes: IntArray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=object)[codes])


def _regression_rows(rng: np.random.Generator, day: IntArray) -> dict[str, np.ndarray]:
    n = day.shape[0]
    age = np.floor(rng.uniform(18, 81, n))
    chronic = rng.poisson(0.8, n).astype(np.float64)
    plan = _categorical(rng, n, PLAN_MIX)
    rate = np.exp(-0.2 + 0.012 * (age - 45) + 0.35 * chronic + np.asarray(PLAN_EFFECT)[plan])
    prediction = np.round(rate * np.exp(rng.normal(0.0, PREDICTION_NOISE_SD, n)), 2)
    true_rate = rate * np.where(day >= _SURGE.start_day, SURGE_FACTOR, 1.0)
    outcome = rng.poisson(true_rate).astype(np.int64)
    return {
        "member_age": age,
        "chronic_conditions": chronic,
        "plan_type": plan,
        "score": prediction,
        "label": outcome,
    }


def _multiclass_rows(rng: np.random.Generator, day: IntArray) -> dict[str, np.ndarray]:
    n = day.shape[0]
    after = day >= _TECHNICAL.start_day
    u = rng.random(n)
    base = np.searchsorted(np.cumsum(CLASS_PRIORS)[:-1], u, side="right")
    shifted = np.searchsorted(np.cumsum(TECHNICAL_PRIORS)[:-1], u, side="right")
    true_class = np.where(after, shifted, base).astype(np.int64)
    no_signal = after & (true_class == 1) & (rng.random(n) < TECHNICAL_NO_SIGNAL_SHARE)
    logits = rng.normal(0.0, 1.0, (n, 3))
    logits[np.arange(n), true_class] += np.where(no_signal, 0.0, CLASS_SIGNAL)
    # probabilities on a 1/1000 grid that sum to exactly 1 (the last class takes the rest)
    soft = np.exp(logits - logits.max(axis=1, keepdims=True))
    soft /= soft.sum(axis=1, keepdims=True)
    first = np.round(soft[:, 0] * 1000).astype(np.int64)
    second = np.minimum(np.round(soft[:, 1] * 1000).astype(np.int64), 1000 - first)
    probabilities = np.column_stack([first, second, 1000 - first - second]) / 1000.0
    length = np.round(np.exp(rng.normal(5.0 + 0.3 * (true_class == 1), 0.6, n)))
    return {
        "message_length": length,
        "ticket_source": _categorical(rng, n, TICKET_SOURCE_MIX),
        "probabilities": probabilities,
        "predicted_class": probabilities.argmax(axis=1).astype(np.int64),
        "score": probabilities.max(axis=1),
        "label": true_class,
    }


def _ids(prefix: str, numbers: IntArray) -> pa.Array:
    return pa.array([f"{prefix}{k:010d}" for k in numbers.tolist()])


def task_tables(
    streams: list[np.random.Generator],
    scale: float,
    days: int,
    epoch_us: int,
    end_us: int,
    min_per_day: int,
) -> TaskTables:
    """The two models' prediction, label and reference rows (streams: regression, multiclass)."""
    us_per_day = 86_400_000_000
    per_day = max(
        min_per_day, MIN_TASK_PREDICTIONS_PER_DAY, int(round(TASK_PREDICTIONS_PER_DAY * scale))
    )
    reference_rows = max(MIN_TASK_REFERENCE_ROWS, int(round(TASK_REFERENCE_ROWS * scale)))
    predictions, labels, references = [], [], []
    for model, rng, prefix in (
        (REGRESSION_MODEL, streams[0], "c"),
        (MULTICLASS_MODEL, streams[1], "t"),
    ):
        draw = _regression_rows if model == REGRESSION_MODEL else _multiclass_rows
        day = np.repeat(np.arange(days, dtype=np.int64), per_day)
        offset = np.sort(np.floor(rng.random(day.shape[0]) * us_per_day).astype(np.int64))
        offset = offset[np.lexsort((offset, day))]
        predicted_at = epoch_us + day * us_per_day + offset
        rows = draw(rng, day)
        n = day.shape[0]
        ids = _ids(prefix, np.arange(n, dtype=np.int64))
        columns = _columns(model, rows)
        predictions.append(
            pa.table(
                {
                    "prediction_id": ids,
                    "request_id": _ids("q" + prefix, np.arange(n, dtype=np.int64)),
                    "model_name": pa.array([model] * n),
                    "model_version": pa.array(["v1"] * n),
                    "deployment_role": pa.array(["champion"] * n),
                    "predicted_at": pa.array(predicted_at.astype("datetime64[us]")),
                    "score": pa.array(rows["score"].astype(np.float64)),
                    **columns,
                }
            )
        )
        labelled = rng.random(n) < TASK_LABEL_COVERAGE
        delay = rng.uniform(*TASK_LABEL_DELAY_DAYS, n)
        labeled_at = predicted_at + np.floor(delay * us_per_day).astype(np.int64)
        keep = labelled & (labeled_at < end_us)  # outcomes not reported yet are not in the feed
        labels.append(
            pa.table(
                {
                    "prediction_id": ids.filter(pa.array(keep)),
                    "label": pa.array(rows["label"][keep].astype(np.int32)),
                    "labeled_at": pa.array(labeled_at[keep].astype("datetime64[us]")),
                }
            )
        )
        reference = draw(rng, np.full(reference_rows, -1, dtype=np.int64))
        references.append(
            pa.table(
                {
                    "model_name": pa.array([model] * reference_rows),
                    "score": pa.array(reference["score"].astype(np.float64)),
                    "label": pa.array(reference["label"].astype(np.int32)),
                    **_columns(model, reference),
                }
            )
        )
    return TaskTables(
        predictions=pa.concat_tables(predictions, promote_options="default"),
        labels=pa.concat_tables(labels),
        reference=pa.concat_tables(references, promote_options="default"),
    )


def _columns(model: str, rows: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    if model == REGRESSION_MODEL:
        return {
            "member_age": pa.array(rows["member_age"]),
            "chronic_conditions": pa.array(rows["chronic_conditions"]),
            "plan_type": _text(PLAN_TYPES, rows["plan_type"]),
        }
    out: dict[str, pa.Array] = {
        "message_length": pa.array(rows["message_length"]),
        "ticket_source": _text(TICKET_SOURCES, rows["ticket_source"]),
        "predicted_class": pa.array(rows["predicted_class"].astype(np.int32)),
    }
    for k, column in PROBABILITY_COLUMNS.items():
        out[column] = pa.array(rows["probabilities"][:, k])
    return out


def task_model_configs() -> list[dict]:
    """The two models' entries of the demo config's `models`."""
    return [
        {
            "name": REGRESSION_MODEL,
            "task": "regression",
            "features": {
                "numeric": list(REGRESSION_NUMERIC),
                "categorical": list(REGRESSION_CATEGORICAL),
            },
            "slices": ["plan_type"],
        },
        {
            "name": MULTICLASS_MODEL,
            "task": "multiclass",
            "classes": list(CLASSES),
            "probability_columns": dict(PROBABILITY_COLUMNS),
            "features": {
                "numeric": list(MULTICLASS_NUMERIC),
                "categorical": list(MULTICLASS_CATEGORICAL),
            },
            "slices": ["ticket_source"],
            # about 140 labels a day at the test scale: a calm day's label mix reaches PSI 0.14
            "checks": {"class_prior_shift": {"warn": 0.15, "error": 0.25}},
        },
    ]
