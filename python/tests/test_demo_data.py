"""The demo data generator: deterministic, well-formed, and every incident and bad row where
docs/demo_data.md says it is. Small scales only: the whole file runs in a few seconds."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from modelwatch import demo
from modelwatch.demo import (
    BAD_LABEL_ROWS,
    BAD_PREDICTION_ROWS,
    BAD_ROWS,
    CANARY_SHARE,
    CATEGORICAL_FEATURES,
    DEMO_DAYS,
    DEMO_START,
    INCIDENTS,
    MODEL_NAME,
    NUMERIC_FEATURES,
    PROTECTED_ATTRIBUTES,
    SLICES,
    demo_config,
    generate_demo,
)

SMALL = {"scale": 0.05, "days": 14}
TABLES = ("predictions", "labels", "training_reference")


def build(**kwargs) -> tuple[duckdb.DuckDBPyConnection, dict[str, int]]:
    """The credit model's tables (the regression and multiclass models: test_demo_tasks.py)."""
    kwargs.setdefault("with_task_models", False)
    con = duckdb.connect()
    counts = generate_demo(con, **kwargs)
    return con, counts


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    ((value,),) = con.execute(sql).fetchall()
    return value


@pytest.fixture(scope="module")
def small():
    con, counts = build(**SMALL)
    yield con, counts
    con.close()


@pytest.fixture(scope="module")
def clean():
    con, counts = build(**SMALL, with_bad_rows=False)
    yield con, counts
    con.close()


@pytest.fixture(scope="module")
def full():
    """All 63 days at a small scale (~1,000 champion rows a day), without bad rows."""
    con, _ = build(scale=0.05, with_bad_rows=False)
    frame = fetch(con, "select * from predictions")
    frame["day"] = (frame.predicted_at - pd.Timestamp(DEMO_START)).dt.days
    labels = fetch(
        con,
        "select prediction_id, arg_max(label, labeled_at) as label from labels group by 1",
    )
    reference = fetch(con, "select * from training_reference")
    yield frame, labels, reference
    con.close()


# --------------------------------------------------------------------------------------------
# shape and determinism


def test_same_arguments_give_identical_tables(small):
    con, _ = small
    other, _ = build(**SMALL)
    for table in TABLES:
        # row order included; NaN scores compare equal here, unlike with arrow's equals
        pd.testing.assert_frame_equal(
            fetch(con, f"select * from {table}"), fetch(other, f"select * from {table}")
        )
    different, _ = build(**SMALL, seed=7)
    assert not fetch(con, "select score from predictions").equals(
        fetch(different, "select score from predictions")
    )


def test_row_counts(small, clean):
    con, counts = small
    assert counts == {t: scalar(con, f"select count(*) from {t}") for t in TABLES}
    per_day = demo.day_counts(SMALL["scale"], SMALL["days"], DEMO_START)
    assert per_day.sum() == 14_000  # weekday factors average to 1 over whole weeks
    assert counts["predictions"] == 2 * per_day.sum() + BAD_PREDICTION_ROWS
    assert counts["training_reference"] == demo.MIN_REFERENCE_ROWS
    clean_counts = clean[1]
    assert clean_counts["predictions"] == 2 * per_day.sum()
    assert clean_counts["labels"] == counts["labels"] - BAD_LABEL_ROWS
    # weekdays carry more traffic than weekends
    days = fetch(
        con,
        "select cast(predicted_at as date) as d, count(*) as n from predictions "
        "where deployment_role = 'shadow' group by 1 order by 1",
    )
    assert days.n.tolist() == per_day.tolist()


def test_columns_and_types(small):
    con, _ = small
    described = {row[0]: row[1] for row in con.execute("describe predictions").fetchall()}
    expected = {
        "prediction_id": "VARCHAR",
        "request_id": "VARCHAR",
        "model_name": "VARCHAR",
        "model_version": "VARCHAR",
        "deployment_role": "VARCHAR",
        "predicted_at": "TIMESTAMP",
        "score": "DOUBLE",
        "latency_ms": "DOUBLE",
        "status_code": "INTEGER",
        "cost_usd": "DOUBLE",
        **{name: "DOUBLE" for name in NUMERIC_FEATURES},
        # logged as text, so the type-change incident can reach the warehouse
        demo.TYPE_CHANGE_FEATURE: "VARCHAR",
        **{name: "VARCHAR" for name in CATEGORICAL_FEATURES},
        "sex": "VARCHAR",
        "age_band": "VARCHAR",
        "channel": "VARCHAR",
    }
    assert described == expected
    assert "Late Payments 12m" in described and "AGEP" in described
    labels = {row[0]: row[1] for row in con.execute("describe labels").fetchall()}
    assert labels == {"prediction_id": "VARCHAR", "label": "INTEGER", "labeled_at": "TIMESTAMP"}
    reference = [row[0] for row in con.execute("describe training_reference").fetchall()]
    assert reference == [
        *NUMERIC_FEATURES,
        *CATEGORICAL_FEATURES,
        "sex",
        "age_band",
        "channel",
        "score",
        "label",
    ]
    assert scalar(con, "select count(distinct model_name) from predictions") == 1
    assert scalar(con, "select min(model_name) from predictions") == MODEL_NAME


def test_rows_are_stored_in_time_order(small):
    con, _ = small
    rows = fetch(con, "select predicted_at, prediction_id from predictions")
    timed = rows[rows.predicted_at.notna()]
    keys = list(zip(timed.predicted_at, timed.prediction_id, strict=True))
    assert keys == sorted(keys)
    assert rows.predicted_at.isna().sum() == BAD_ROWS["null_predicted_at"]
    assert rows.predicted_at.tail(BAD_ROWS["null_predicted_at"]).isna().all()


def test_writes_into_the_given_schema_and_replaces_tables():
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    generate_demo(con, scale=0.001, days=2, schema="demo data")
    counts = generate_demo(con, scale=0.001, days=3, schema="demo data")
    assert scalar(con, 'select count(*) from "demo data".predictions') == counts["predictions"]
    assert scalar(con, "select current_setting('preserve_insertion_order')") is False
    assert (
        scalar(con, "select count(*) from information_schema.tables where table_schema = 'main'")
        == 0
    )


# --------------------------------------------------------------------------------------------
# champion and shadow


def test_prediction_ids_unique_apart_from_resends(small, clean):
    con, _ = small
    total = scalar(con, "select count(*) from predictions")
    distinct_ids = scalar(con, "select count(distinct prediction_id) from predictions")
    assert total - distinct_ids == BAD_ROWS["duplicate_prediction_id"]
    # the re-sends are exact copies of their originals
    assert scalar(con, "select count(*) from (select distinct * from predictions)") == distinct_ids
    con_clean, _ = clean
    assert (
        scalar(con_clean, "select count(*) - count(distinct prediction_id) from predictions") == 0
    )


def test_every_request_is_scored_by_champion_and_shadow(clean):
    con, _ = clean
    pairs = fetch(
        con,
        f"""
        select
            request_id,
            count(*) as n,
            count(distinct predicted_at) as times,
            string_agg(deployment_role || '/' || model_version, ',' order by deployment_role)
                as roles,
            count(distinct ({", ".join(f'"{c}"' for c in NUMERIC_FEATURES)})) as numeric_rows,
            count(distinct ({", ".join(CATEGORICAL_FEATURES)}, sex, age_band, channel))
                as categorical_rows
        from predictions
        group by request_id
        """,
    )
    assert (pairs.n == 2).all()
    # these 14 days come before the canary rollout (test_canary_serves_its_share covers it)
    assert set(pairs.roles) == {"champion/v1,shadow/v2"}
    assert (pairs.times == 1).all()
    assert (pairs.numeric_rows == 1).all() and (pairs.categorical_rows == 1).all()
    corr = scalar(
        con,
        "select corr(c.score, s.score) from predictions c join predictions s using (request_id) "
        "where c.deployment_role = 'champion' and s.deployment_role = 'shadow'",
    )
    assert 0.85 < corr < 0.95


def test_bad_rows_only_add_rows(small, clean):
    con, _ = small
    con.execute("attach ':memory:' as clean_copy")
    try:
        for table in ("predictions", "labels"):
            con.register("clean_rows", clean[0].table(table).arrow().read_all())
            con.execute(f"create table clean_copy.{table} as select * from clean_rows")
            con.unregister("clean_rows")
        extra_predictions = scalar(
            con,
            "select count(*) from (select * from predictions except all "
            "select * from clean_copy.predictions)",
        )
        missing = scalar(
            con,
            "select count(*) from (select * from clean_copy.predictions except all "
            "select * from predictions)",
        )
        extra_labels = scalar(
            con,
            "select count(*) from (select * from labels except all "
            "select * from clean_copy.labels)",
        )
    finally:
        con.execute("detach clean_copy")
    assert (extra_predictions, missing, extra_labels) == (BAD_PREDICTION_ROWS, 0, BAD_LABEL_ROWS)


def test_serving_columns(small):
    con, _ = small
    stats = fetch(
        con,
        """
        select
            avg(case when status_code = 200 then 1.0 else 0 end) as ok,
            avg(case when status_code between 400 and 499 then 1.0 else 0 end) as client,
            avg(case when status_code >= 500 then 1.0 else 0 end) as server,
            count(*) filter (where status_code <> 200 and score is null) as error_without_score,
            min(latency_ms) as min_latency,
            min(cost_usd) as min_cost
        from predictions
        """,
    ).iloc[0]
    assert 0.985 < stats.ok < 0.997
    assert 0.002 < stats.client < 0.009 and 0.001 < stats.server < 0.006
    assert stats.error_without_score == 0
    assert stats.min_latency > 0 and stats.min_cost > 0


# --------------------------------------------------------------------------------------------
# labels


def test_label_delays_within_one_to_thirty_days(small):
    con, _ = small
    delays = fetch(
        con,
        """
        select
            extract(epoch from l.labeled_at - p.predicted_at) / 86400 as delay_days,
            l.labeled_at
        from labels as l
        join (select distinct prediction_id, predicted_at from predictions) as p
            using (prediction_id)
        where l.labeled_at is not null and p.predicted_at is not null
        """,
    )
    assert delays.delay_days.min() >= 1.0
    assert delays.delay_days.max() <= 30.0
    assert (delays.delay_days <= 7).mean() > 0.7  # skewed: most within a week
    end = pd.Timestamp(DEMO_START + dt.timedelta(days=SMALL["days"]))
    assert delays.labeled_at.max() < end  # labels due later have not arrived yet


def test_labels_coverage_and_corrections(clean):
    con, _ = clean
    per_prediction = fetch(
        con,
        """
        select
            p.prediction_id,
            p.request_id,
            p.deployment_role,
            cast(p.predicted_at as date) as d,
            count(l.label) as label_rows,
            count(distinct l.label) as distinct_labels,
            arg_max(l.label, l.labeled_at) as latest_label
        from predictions as p
        left join labels as l using (prediction_id)
        group by all
        """,
    )
    assert set(per_prediction.label_rows) <= {0, 1, 2}
    # a second row is always a correction with the other label
    corrected = per_prediction[per_prediction.label_rows == 2]
    assert (corrected.distinct_labels == 2).all()
    first_day = per_prediction[per_prediction.d.dt.date == DEMO_START]
    coverage = (first_day.label_rows > 0).mean()
    assert 0.84 < coverage < 0.92  # 90% of outcomes are reported, nearly all within 13 days
    labelled_early = per_prediction[
        (per_prediction.d.dt.date <= DEMO_START + dt.timedelta(days=3))
        & (per_prediction.label_rows > 0)
    ]
    assert 0.004 < (labelled_early.label_rows == 2).mean() < 0.018  # ~1% get corrected
    # champion and shadow rows of a request get the same labels
    served = per_prediction.assign(
        served_by=per_prediction.deployment_role.replace({"canary": "champion"})
    )
    by_role = served.pivot(index="request_id", columns="served_by")
    assert (by_role.label_rows.champion == by_role.label_rows.shadow).all()
    both = by_role.latest_label.dropna()
    assert (both.champion == both.shadow).all()


# --------------------------------------------------------------------------------------------
# bad rows


def test_bad_row_counts_match_bad_rows(small):
    con, _ = small
    found = {
        "null_score": scalar(con, "select count(*) from predictions where score is null"),
        "score_not_finite": scalar(
            con, "select count(*) from predictions where score is not null and not isfinite(score)"
        ),
        "score_out_of_range": scalar(
            con,
            "select count(*) from predictions where isfinite(score) and (score < 0 or score > 1)",
        ),
        "null_predicted_at": scalar(
            con, "select count(*) from predictions where predicted_at is null"
        ),
        "duplicate_prediction_id": scalar(
            con, "select count(*) - count(distinct prediction_id) from predictions"
        ),
        "invalid_label": scalar(con, "select count(*) from labels where label not in (0, 1)"),
        "null_label": scalar(con, "select count(*) from labels where label is null"),
        "null_labeled_at": scalar(con, "select count(*) from labels where labeled_at is null"),
        "unknown_prediction": scalar(
            con,
            "select count(*) from labels where prediction_id not in "
            "(select prediction_id from predictions)",
        ),
    }
    assert found == BAD_ROWS
    assert sum(BAD_ROWS.values()) == BAD_PREDICTION_ROWS + BAD_LABEL_ROWS
    assert scalar(con, "select count(*) from predictions where isnan(score)") == 2
    assert scalar(con, "select count(*) from predictions where score = 'Infinity'::double") == 2
    # each quarantine-worthy problem sits on its documented day, a few rows per day at most
    per_day = fetch(
        con,
        """
        select cast(predicted_at as date) as d, count(*) as n
        from predictions
        where score is null or not isfinite(score) or score < 0 or score > 1
        group by 1
        """,
    )
    expected_days = {
        DEMO_START + dt.timedelta(days=g.day)
        for g in demo.BAD_ROW_GROUPS
        if g.table == "predictions" and g.reason.startswith(("null_score", "score"))
    }
    assert set(per_day.d.dt.date) == expected_days
    assert per_day.n.max() <= 3


# --------------------------------------------------------------------------------------------
# the incidents (all 63 days at a small scale)


def champion(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame.deployment_role == "champion"]


def f_day(frame: pd.DataFrame) -> pd.Series:
    """Before / from the device shift, for the champion rows of ``frame``."""
    return champion(frame).day >= INCIDENTS["category_mix_shift"].start_day


def test_stationary_period_is_calibrated_and_fair(full):
    frame, labels, reference = full
    assert abs(reference.score.mean() - reference.label.mean()) < 0.02
    early = champion(frame[frame.day < 21]).merge(labels, on="prediction_id")
    assert abs(early.score.mean() - early.label.mean()) < 0.015
    selected = early.assign(selected=early.score >= 0.5).groupby("age_band").selected.mean()
    assert selected.max() - selected.min() < 0.04
    assert 0.20 < reference.label.mean() < 0.30


def test_gradual_mean_drift(full):
    frame, _, reference = full
    incident = INCIDENTS["gradual_mean_drift"]
    daily = champion(frame).groupby("day").debt_to_income.mean()
    base = reference.debt_to_income.mean()
    assert (daily[: incident.start_day] - base).abs().max() < 0.015
    drifting = daily[incident.start_day :]
    slope = np.polyfit(drifting.index, drifting.to_numpy(), 1)[0]
    assert slope == pytest.approx(demo.DTI_DRIFT_SD_PER_DAY * demo.DTI_SD, rel=0.1)
    # the other numeric features stay put
    for name in ("income", "credit_utilization", "loan_amount", "AGEP"):
        medians = champion(frame).groupby("day")[name].median()
        assert medians.std() / reference[name].median() < 0.05, name


def test_category_mix_shift(full):
    frame, _, reference = full
    day = INCIDENTS["category_mix_shift"].start_day
    mobile = champion(frame).assign(m=lambda f: f.device == "mobile").groupby("day").m.mean()
    assert mobile[:day].between(0.25, 0.35).all()
    assert mobile[day:].between(0.60, 0.70).all()
    assert abs((reference.device == "mobile").mean() - 0.30) < 0.02
    after = champion(frame[frame.day >= day])
    assert after.device.isna().mean() < 0.012  # the null share does not move
    # other categorical columns keep their mix
    south = champion(frame).assign(s=lambda f: f.region == "south").groupby(f_day(frame)).s.mean()
    assert south.between(0.24, 0.30).all()


def test_null_rate_spike(full):
    frame, _, _ = full
    incident = INCIDENTS["null_rate_spike"]
    nulls = champion(frame).groupby("day").months_employed.apply(lambda s: s.isna().mean())
    spike = nulls.index.isin(range(incident.start_day, incident.end_day + 1))
    assert nulls[spike].between(0.35, 0.45).all()
    assert nulls[~spike].max() < 0.04
    other = champion(frame).groupby("day").income.apply(lambda s: s.isna().mean())
    assert other.max() < 0.03


def test_calibration_decay(full):
    frame, labels, _ = full
    joined = champion(frame).merge(labels, on="prediction_id")
    young = joined.age_band == "18-25"
    gap = (joined.label - joined.score)[~young].groupby(joined.day[~young]).mean()
    assert gap[:28].mean() == pytest.approx(0.0, abs=0.01)
    assert gap[35:41].mean() > 0.04
    assert gap[45:52].mean() > 0.1


def test_fairness_regression(full):
    frame, _, _ = full
    rows = frame.assign(selected=frame.score >= 0.5, young=frame.age_band == "18-25")
    rates = rows.groupby(["deployment_role", "young", rows.day >= 40]).selected.mean()
    assert rates["champion", True, True] < 0.08
    assert rates["champion", False, True] > 0.25
    assert abs(rates["champion", True, False] - rates["champion", False, False]) < 0.03
    # the shadow challenger is untouched
    assert abs(rates["shadow", True, True] - rates["shadow", False, True]) < 0.03


def test_canary_serves_its_share_in_the_champions_place(full):
    frame, _, _ = full
    bad_canary = INCIDENTS["bad_canary"]
    served = frame[frame.deployment_role != "shadow"]
    roles = served.groupby(served.day >= bad_canary.start_day).deployment_role.value_counts(
        normalize=True
    )
    assert roles[False].index.tolist() == ["champion"]
    assert 0.7 * CANARY_SHARE < roles[True]["canary"] < 1.3 * CANARY_SHARE
    assert (frame[frame.deployment_role == "canary"].model_version == "v3").all()
    # every request keeps exactly one served row (champion or canary) and one shadow row
    per_request = frame.groupby("request_id").deployment_role.agg(lambda r: ",".join(sorted(r)))
    assert set(per_request) == {"champion,shadow", "canary,shadow"}
    assert bad_canary.end_day is None and bad_canary.start_day < DEMO_DAYS


def test_latency_spike(full):
    frame, _, _ = full
    incident = INCIDENTS["latency_spike"]
    medians = frame.groupby(["deployment_role", "day"]).latency_ms.median()
    spike = list(range(incident.start_day, incident.end_day + 1))
    normal = medians["champion"].drop(spike)
    assert normal.between(36, 44).all()
    assert (medians["champion"][spike] / normal.median()).between(4.5, 5.5).all()
    assert medians["shadow"].between(48, 62).all()


# --------------------------------------------------------------------------------------------
# metadata


def test_incidents_are_documented_consistently():
    kinds = {
        "gradual_mean_drift": "debt_to_income",
        "category_mix_shift": "device",
        "null_rate_spike": "months_employed",
        "calibration_decay": "label",
        "fairness_regression": "age_band",
        "bad_canary": "model_version",
        "latency_spike": "latency_ms",
        "type_change": "credit_inquiries_6m",
        "segment_drift": "num_open_accounts",
    }
    assert {name: i.subject for name, i in INCIDENTS.items()} == kinds
    for name, incident in INCIDENTS.items():
        assert incident.name == name
        assert 0 <= incident.start_day < demo.DEMO_DAYS
        assert incident.end_day is None or incident.start_day <= incident.end_day
        assert incident.description and incident.magnitude
        if incident.psi_alert_day is not None:
            assert incident.start_day <= incident.psi_alert_day < demo.DEMO_DAYS
    assert INCIDENTS["null_rate_spike"].dates() == (dt.date(2026, 9, 17), dt.date(2026, 9, 19))
    assert INCIDENTS["latency_spike"].active(51) and not INCIDENTS["latency_spike"].active(52)
    assert DEMO_START.weekday() == 0


def test_demo_config_matches_the_data():
    config = demo_config(schema="demo", granularity="week")
    assert "modelwatch" not in config
    assert config["granularity"] == "week"
    assert config["inputs"] == {
        "predictions": "demo.predictions",
        "labels": "demo.labels",
        "reference": "demo.training_reference",
    }
    model, *task_models = config["models"]
    assert [m["task"] for m in task_models] == ["regression", "multiclass"]
    assert model["name"] == MODEL_NAME
    assert model["features"] == {"numeric": NUMERIC_FEATURES, "categorical": CATEGORICAL_FEATURES}
    assert model["protected_attributes"] == PROTECTED_ATTRIBUTES == ["sex", "age_band"]
    assert model["slices"] == SLICES == ["region", "channel"]
    assert config["columns"]["reference"]["label"] == "label"
    known = {"warehouse", "granularity", "inputs", "columns", "drift", "fairness", "incremental"}
    assert set(config) <= known | {"alerts", "checks", "models", "python_models", "score"}
    assert config["fairness"]["intersections"] == [PROTECTED_ATTRIBUTES]
