"""Arrow tables of the simulated rows and ``generate_demo``, which writes them into DuckDB
(the regression and multiclass models' rows appended after the credit model's).
"""

from __future__ import annotations

import datetime as dt
import functools

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute

from modelwatch import identifiers
from modelwatch.demo.incidents import (
    INCIDENTS,
    SEGMENT_DRIFT_ACCOUNTS,
    SEGMENT_DRIFT_REGION,
    TYPE_CHANGE_FEATURE,
    TYPE_CHANGE_SUFFIX,
)
from modelwatch.demo.population import (
    Population,
    champion_score,
    draw_population,
    true_probability,
)
from modelwatch.demo.scenario import (
    CANARY_VERSION,
    CATEGORICAL_FEATURES,
    CATEGORIES,
    CHALLENGER_VERSION,
    CHAMPION_VERSION,
    DEMO_DAYS,
    DEMO_START,
    MIN_PREDICTIONS_PER_DAY,
    MIN_REFERENCE_ROWS,
    MODEL_NAME,
    NUMERIC_FEATURES,
    REFERENCE_ROWS,
    US_PER_DAY,
    BoolArray,
    FloatArray,
    IntArray,
)
from modelwatch.demo.simulation import (
    Labels,
    Log,
    bad_rows,
    day_counts,
    simulate,
)
from modelwatch.demo.tasks import task_tables


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


def _feature_columns(pop: Population, rows: IntArray) -> dict[str, pa.Array]:
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
    pop: Population, rows: IntArray, day: IntArray, epoch_us: int, predicted_at: IntArray
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
    logged_day = (predicted_at - epoch_us) // US_PER_DAY
    values = pa.compute.cast(cols[TYPE_CHANGE_FEATURE], pa.int64())
    text = pa.compute.cast(values, pa.string())
    with_unit = pa.compute.binary_join_element_wise(text, TYPE_CHANGE_SUFFIX, "")
    cols[TYPE_CHANGE_FEATURE] = pa.compute.if_else(
        pa.array(change.active_days(logged_day)), with_unit, text
    )
    return cols


def _predictions_table(log: Log, pop: Population, day: IntArray, epoch_us: int) -> pa.Table:
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


def _labels_table(labels: Labels) -> pa.Table:
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
    pop = draw_population(rng, np.full(rows, -1, dtype=np.int64))
    label = rng.random(rows) < true_probability(pop, np.full(rows, -1, dtype=np.int64))
    return pa.table(
        {
            **_feature_columns(pop, np.arange(rows)),
            "score": _float(champion_score(pop)),
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
    and multiclass models' rows (tasks.py) after the credit model's, which stay identical."""
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
    end_us = epoch_us + days * US_PER_DAY

    counts = day_counts(scale, days, start)
    sim = simulate([rng_features, rng_serving, rng_labels, rng_canary], counts, epoch_us, end_us)
    log, labels = sim.log, sim.labels
    if with_bad_rows:
        bad_log, bad_labels = bad_rows(rng_bad, sim, days, epoch_us)
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
