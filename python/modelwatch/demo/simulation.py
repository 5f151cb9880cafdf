"""The prediction log and the label feed as columns: requests per day, the champion, shadow and
canary rows with latency, status and cost, delayed and corrected labels, and the bad rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from modelwatch.demo.incidents import (
    BAD_ROW_GROUPS,
    CANARY_SCORE_NOISE_SD,
    CANARY_SERVER_ERROR_RATE,
    CANARY_SHARE,
    FAIRNESS_GROUP,
    FAIRNESS_SCORE_FACTOR,
    INCIDENTS,
    LATENCY_FACTOR,
    SPECIAL_SCORES,
    UNKNOWN_PREDICTION_ID_BASE,
)
from modelwatch.demo.population import (
    Population,
    challenger_score,
    champion_score,
    draw_population,
    true_probability,
)
from modelwatch.demo.scenario import (
    CATEGORIES,
    LABEL_CORRECTION_RATE,
    LABEL_COVERAGE,
    MAX_LABEL_DELAY_DAYS,
    MIN_LABEL_DELAY_DAYS,
    MIN_PREDICTIONS_PER_DAY,
    PREDICTIONS_PER_DAY,
    US_PER_DAY,
    US_PER_HOUR,
    WEEKDAY_FACTORS,
    BoolArray,
    FloatArray,
    IntArray,
)

_FAIRNESS = INCIDENTS["fairness_regression"]
_LATENCY = INCIDENTS["latency_spike"]


@dataclass
class Log:
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

    def append(self, other: Log) -> Log:
        return Log(
            **{
                name: np.concatenate([getattr(self, name), getattr(other, name)])
                for name in self.__dataclass_fields__
            }
        )


@dataclass
class Labels:
    prediction_num: IntArray
    label: IntArray
    label_null: BoolArray
    labeled_at: IntArray
    labeled_at_null: BoolArray

    def append(self, other: Labels) -> Labels:
        return Labels(
            **{
                name: np.concatenate([getattr(self, name), getattr(other, name)])
                for name in self.__dataclass_fields__
            }
        )


def day_counts(scale: float, days: int, start: dt.date) -> IntArray:
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
class Simulation:
    pop: Population
    day: IntArray  # day index of each request
    day_start: IntArray  # index of the first request of each day (and the total at the end)
    log: Log
    labels: Labels


def simulate(
    streams: list[np.random.Generator], counts: IntArray, epoch_us: int, end_us: int
) -> Simulation:
    rng_features, rng_serving, rng_labels, rng_canary = streams
    days = counts.shape[0]
    day = np.repeat(np.arange(days, dtype=np.int64), counts)
    n = day.shape[0]
    # requests uniform over each day, in time order; ids follow that order
    offset = np.floor(rng_features.random(n) * US_PER_DAY).astype(np.int64)
    offset = offset[np.lexsort((offset, day))]
    ts = epoch_us + day * US_PER_DAY + offset
    pop = draw_population(rng_features, day)

    champion = champion_score(pop)
    champion = np.where(
        _FAIRNESS.active_days(day) & (pop.age_band == CATEGORIES["age_band"].index(FAIRNESS_GROUP)),
        champion * FAIRNESS_SCORE_FACTOR,
        champion,
    )
    challenger = challenger_score(rng_serving, pop)
    # the canary serves a share of requests in the champion's place, with a noisier score
    canary = INCIDENTS["bad_canary"].active_days(day) & (rng_canary.random(n) < CANARY_SHARE)
    noisy = expit(
        np.log(champion / (1.0 - champion)) + rng_canary.normal(0.0, CANARY_SCORE_NOISE_SD, n)
    )
    champion = np.where(canary, noisy, champion)
    canary_errors = canary & (rng_canary.random(n) < CANARY_SERVER_ERROR_RATE)
    outcome = (rng_labels.random(n) < true_probability(pop, day)).astype(np.int64)

    latency_c = _latency(rng_serving, n, 40.0, 0.35)
    latency_c *= np.where(_LATENCY.active_days(day), LATENCY_FACTOR, 1.0)
    latency_s = _latency(rng_serving, n, 55.0, 0.4)
    request = np.arange(n, dtype=np.int64)
    no = np.zeros(2 * n, dtype=bool)
    log = Log(
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
    first_at = ts + np.floor(delay * US_PER_DAY).astype(np.int64)
    second_at = ts + np.floor(correction_delay * US_PER_DAY).astype(np.int64)
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
    labels = Labels(
        prediction_num=2 * rows + 1 + shadow,
        label=np.where(is_correction, outcome[rows], first_label[rows]),
        label_null=np.zeros(rows.shape[0], dtype=bool),
        labeled_at=np.where(is_correction, second_at[rows], first_at[rows]),
        labeled_at_null=np.zeros(rows.shape[0], dtype=bool),
    )
    day_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Simulation(pop=pop, day=day, day_start=day_start, log=log, labels=labels)


def bad_rows(
    rng: np.random.Generator, sim: Simulation, days: int, epoch_us: int
) -> tuple[Log, Labels]:
    """The BAD_ROW_GROUPS rows: extra prediction rows and extra label rows."""
    n = sim.day.shape[0]
    champion = sim.log  # the first n rows are the champion's, in request order
    next_request = n + 1
    next_prediction = 2 * n + 1
    logs: list[Log] = []
    labels: list[Labels] = []
    for group in BAD_ROW_GROUPS:
        d = min(group.day, days - 1)
        lo, hi = int(sim.day_start[d]), int(sim.day_start[d + 1])
        k = group.count
        no = np.zeros(k, dtype=bool)
        if group.table == "predictions":
            picks = np.sort(rng.choice(np.arange(lo, hi), size=k, replace=False))
            row = Log(
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
                offsets = np.sort(np.floor(rng.random(k) * US_PER_DAY).astype(np.int64))
                row.predicted_at = epoch_us + d * US_PER_DAY + offsets
                row.predicted_at_null = np.full(k, group.kind == "null_predicted_at")
                row.score_null = np.full(k, group.kind == "null_score")
                if group.kind in SPECIAL_SCORES:
                    row.score = np.asarray(SPECIAL_SCORES[group.kind], dtype=np.float64)
            logs.append(row)
        else:
            picks = np.arange(lo, lo + k)  # the day's first champion predictions
            row_labels = Labels(
                prediction_num=champion.prediction_num[picks],
                label=np.zeros(k, dtype=np.int64),
                label_null=no,
                labeled_at=champion.predicted_at[picks] + 36 * US_PER_HOUR,
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
                    epoch_us + d * US_PER_DAY + US_PER_HOUR * np.arange(1, k + 1)
                )
            labels.append(row_labels)
    log = logs[0]
    for extra in logs[1:]:
        log = log.append(extra)
    label_rows = labels[0]
    for extra in labels[1:]:
        label_rows = label_rows.append(extra)
    return log, label_rows
