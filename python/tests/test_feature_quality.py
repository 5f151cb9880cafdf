"""Feature-level data quality and the drift questions asked next, on one warehouse built for them.

Four daily windows of 2,000 champion predictions against a 4,000-row reference:
day 0 is clean (every new check quiet); day 1 breaks value rules (age 200, 15 and nulls) and
raises the predicted positive rate; day 2 logs 30% of `income` values as text that is not a
number and doubles the label positive rate; day 3 brings an unseen region and an income shift
in region `west` only. `income` is a text column (as a JSON-fed log has it); `device` is a
drift segment the reference lacks, `region` one it has. Every figure is checked against pandas,
numpy, scipy or statsmodels; every new check is shown firing and quiet.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
from reference_impl import (
    categorical_bin_counts,
    categorical_bins,
    numeric_bin_counts,
    numeric_edges,
    psi,
)
from scipy.spatial.distance import jensenshannon
from statsmodels.stats.proportion import proportions_ztest
from tables import assert_tables_equal

from modelwatch.config import ConfigError, resolve_warehouse
from modelwatch.runner import DbtProject

START = pd.Timestamp("2026-03-02")
N_DAY = 2000
N_REF = 4000
BAD_TEXT = ["N/A", "", "1,200", "abc", "12.5kg"]
GOOD_TEXT = ["1e1", "+45", "-0.5"]  # numbers all the same, in other spellings
KIOSK_ROWS = 12  # a segment too small for its sampling noise to count as drift

CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"reference": {"label": "label"}},
    "drift": {"segments": ["region", "device"]},
    "models": [
        {
            "name": "m1",
            "features": {"numeric": ["income", "age"], "categorical": ["region"]},
            "slices": ["region"],
            "rules": {
                "age": {"min": 18, "max": 80, "not_null": True},
                "region": {"allowed_values": ["north", "south", "west"]},
            },
            "custom_metrics": [
                {
                    "name": "fraud_caught_usd",
                    "expression": 'sum(case when label = 1 and score >= 0.8 then "Amount USD" end)',
                },
                {
                    "name": "approval_rate",
                    "expression": "avg(case when score < 0.5 then 1.0 else 0.0 end)",
                    "direction": "below",
                    "warn": 0.4,
                    "error": 0.2,
                },
            ],
        }
    ],
}


def parse_number(text):
    """What a number-typed column would hold, as Python reads it (None: not a number)."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def make_tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    # income misses 1% of values in the reference and in the log alike
    reference_income = rng.normal(50, 10, N_REF)
    reference_income[rng.random(N_REF) < 0.01] = np.nan
    reference = pd.DataFrame(
        {
            "income": reference_income,
            "age": rng.integers(18, 81, N_REF).astype("float64"),
            "region": rng.choice(["north", "south", "west"], N_REF, p=[0.4, 0.4, 0.2]),
            "score": rng.uniform(0, 1, N_REF),
            "label": (rng.random(N_REF) < 0.3).astype("int64"),
        }
    )
    frames = []
    for day in range(4):
        region = rng.choice(["north", "south", "west"], N_DAY, p=[0.4, 0.4, 0.2])
        if day == 3:
            region = np.where(rng.random(N_DAY) < 0.2, "east", region)
        income = rng.normal(50, 10, N_DAY) + np.where((day == 3) & (region == "west"), 25, 0)
        income_text = np.array([repr(float(v)) for v in income], dtype=object)
        income_text[:3] = GOOD_TEXT
        income_text[rng.random(N_DAY) < 0.01] = None
        if day == 2:
            bad = rng.random(N_DAY) < 0.3
            income_text[bad] = rng.choice(BAD_TEXT, bad.sum())
        age = rng.integers(20, 79, N_DAY).astype("float64")
        if day == 1:
            u = rng.random(N_DAY)
            age = np.where(u < 0.03, 200.0, np.where(u < 0.05, 15.0, age))
            age[(u >= 0.05) & (u < 0.07)] = np.nan
        score = rng.uniform(0.3 if day == 1 else 0.0, 1.0, N_DAY)
        device = rng.choice(["ios", "android"], N_DAY)
        device[:KIOSK_ROWS] = "kiosk"
        frames.append(
            pd.DataFrame(
                {
                    "prediction_id": [f"d{day}-{i}" for i in range(N_DAY)],
                    "model_name": "m1",
                    "model_version": "v1",
                    "predicted_at": START
                    + pd.Timedelta(days=day)
                    + pd.to_timedelta(rng.uniform(0, 86_000, N_DAY), unit="s"),
                    "score": score,
                    "income": income_text,
                    "age": age,
                    "region": region,
                    "device": device,
                    "Amount USD": rng.uniform(1, 100, N_DAY).round(2),
                    "label": (rng.random(N_DAY) < (0.6 if day == 2 else 0.3)).astype("int64"),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["predicted_at"] = frame["predicted_at"].astype("datetime64[us]")
    frame["income"] = frame["income"].astype(pd.StringDtype())
    labels = pd.DataFrame(
        {
            "prediction_id": frame.prediction_id,
            "label": frame.label,
            "labeled_at": frame.predicted_at + pd.Timedelta(hours=1),
        }
    )
    predictions = frame.drop(columns="label")
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


# the grain of each table the comparisons below read
GRAINS = {
    "feature_quality": ["model_name", "window_start", "feature_name"],
    "quarantined_feature_values": ["prediction_id", "feature_name"],
    "feature_drift": ["window_start", "feature_name", "segment_key", "segment_value"],
    "feature_bin_counts": [
        "window_start",
        "feature_name",
        "segment_key",
        "segment_value",
        "bin_index",
    ],
    "prior_drift": ["window_start", "prior_name"],
    "dataset_drift": ["window_start"],
    "custom_metrics": ["window_start", "slice_key", "slice_value", "metric_name"],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


@pytest.fixture(scope="module")
def built(builder, tables):
    return builder(tables, CONFIG, "feature_quality")


@pytest.fixture(scope="module")
def current(tables) -> pd.DataFrame:
    frame = tables["predictions"].merge(tables["labels"][["prediction_id", "label"]])
    frame["day"] = (frame.predicted_at - START).dt.days
    frame["income_raw"] = frame.income.astype(object).where(frame.income.notna(), None)
    frame["income_value"] = [parse_number(v) for v in frame.income_raw]
    frame["income_value"] = frame.income_value.astype("float64")
    frame["income_type_error"] = frame.income_raw.notna() & frame.income_value.isna()
    return frame


def by_day(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["day"] = (frame.window_start - START).dt.days
    return frame.set_index("day").sort_index()


def alerts(built, check: str) -> pd.DataFrame:
    return by_day(
        built.df(
            "select window_start, subject, severity, observed_value, evidence "
            f"from modelwatch.alerts where check_name = '{check}'"
        )
    )


# --------------------------------------------------------------------------------------------
# type errors: counted exactly, kept, never a crash


def test_type_errors_are_counted_exactly_and_kept(built, current):
    quality = by_day(
        built.df("select * from modelwatch.feature_quality where feature_name = 'income'")
    )
    expected = current.groupby("day").income_type_error.sum()
    assert quality.type_error_count.to_dict() == expected.to_dict()
    assert expected[2] > 400 and expected[[0, 1, 3]].sum() == 0
    np.testing.assert_allclose(quality.type_error_rate, expected / N_DAY, rtol=1e-12)
    quarantined = built.df("select * from modelwatch.quarantined_feature_values")
    wanted = current[current.income_type_error]
    assert sorted(quarantined.prediction_id) == sorted(wanted.prediction_id)
    raw = dict(zip(quarantined.prediction_id, quarantined.raw_value, strict=True))
    assert all(raw[p] == v for p, v in zip(wanted.prediction_id, wanted.income_raw, strict=True))
    assert set(quarantined.quarantine_reason) == {"type_error"}


def test_row_accounting_still_sums_to_the_input(built, current):
    """Every row is valid (the prediction is kept), and per feature: values + nulls in the
    drift table plus type errors = the window's rows."""
    quality = built.df("select * from modelwatch.input_quality")
    assert quality.prediction_rows.sum() == len(current) == quality.valid_prediction_rows.sum()
    drift = built.df(
        "select d.window_start, d.feature_name, d.current_count, q.type_error_count, "
        "q.row_count, q.null_count, d.null_rate_current "
        "from modelwatch.feature_drift as d inner join modelwatch.feature_quality as q "
        "using (model_name, window_start, feature_name) where d.segment_key = '__all__'"
    )
    assert len(drift) == 3 * 4
    assert (drift.current_count + drift.type_error_count == drift.row_count).all()
    assert (drift.row_count == N_DAY).all()
    np.testing.assert_allclose(drift.null_count / drift.current_count, drift.null_rate_current)
    income = by_day(drift[drift.feature_name == "income"].copy())
    nulls = current.groupby("day").apply(lambda f: (f.income_raw.isna()).sum())
    assert income.null_count.to_dict() == nulls.to_dict()


def test_income_drift_is_computed_on_the_values_that_cast(built, current):
    """The text column gives the same drift as the numbers it holds (type errors left out)."""
    reference = built.df("select * from main.training_reference").income
    drift = by_day(
        built.df(
            "select window_start, psi, ks_statistic from modelwatch.feature_drift "
            "where feature_name = 'income' and segment_key = '__all__'"
        )
    )
    edges = numeric_edges(reference)
    for day, rows in current.groupby("day"):
        values = rows.income_value[~rows.income_type_error]
        r = numeric_bin_counts(reference, edges)
        c = numeric_bin_counts(values, edges)
        assert drift.psi[day] == pytest.approx(psi(c / c.sum(), r / r.sum()), rel=1e-9)


def test_type_error_rate_pages_and_feeds_investigate(built):
    fired = alerts(built, "type_error_rate")
    assert fired.index.tolist() == [2] and fired.severity[2] == "error"
    assert fired.subject[2] == "income"
    actions = by_day(built.df("select * from modelwatch.retraining_recommendations"))
    assert actions.action[2] == "investigate"
    assert "type_error_rate error on income" in actions.bug_details[2]
    assert built.alerts()["feature_quality_type_error_rate_error"] == "error"


# --------------------------------------------------------------------------------------------
# value rules, out-of-range values and unseen categories


def test_rule_and_range_shares_equal_pandas(built, current, tables):
    quality = built.df("select * from modelwatch.feature_quality")
    reference = tables["training_reference"]
    for (feature, day), row in quality.set_index(
        ["feature_name", (quality.window_start - START).dt.days]
    ).iterrows():
        rows = current[current.day == day]
        if feature == "income":
            values = rows.income_value.where(~rows.income_type_error)
        else:
            values = rows[feature]
        n = len(rows)
        assert row.row_count == n
        if feature in ("income", "age"):
            low, high = reference[feature].min(), reference[feature].max()
            outside = ((values < low) | (values > high)).sum()
            assert row.out_of_range_count == outside, (feature, day)
            assert row.out_of_range_share == pytest.approx(outside / n, rel=1e-12)
            assert row.reference_min == low and row.reference_max == high
            assert pd.isna(row.unseen_category_share)
        else:
            unseen = (~values.isin(set(reference.region)) & values.notna()).sum()
            assert row.unseen_category_count == unseen
            assert row.unseen_category_share == pytest.approx(unseen / n, rel=1e-12)
            assert pd.isna(row.out_of_range_share)
        if feature == "age":
            broken = {
                "not_null": values.isna(),
                "min": values < 18,
                "max": values > 80,
            }
        elif feature == "region":
            broken = {"allowed_values": values.notna() & ~values.isin(["north", "south", "west"])}
        else:
            broken = {}
        for rule in ("not_null", "min", "max", "allowed_values"):
            if rule in broken:
                assert row[f"{rule}_violations"] == broken[rule].sum(), (feature, day, rule)
                assert row[f"{rule}_violation_share"] == pytest.approx(broken[rule].sum() / n)
            else:
                assert pd.isna(row[f"{rule}_violations"]), (feature, rule)
        if broken:
            anyone = np.logical_or.reduce(list(broken.values()))
            assert row.rule_violation_count == anyone.sum()
            assert row.rule_violation_share == pytest.approx(anyone.sum() / n)
        else:
            assert pd.isna(row.rule_violation_share)


def test_quality_checks_fire_on_their_days_and_stay_quiet_on_day_0(built):
    rules = alerts(built, "rule_violation_share")
    assert sorted(set(zip(rules.index, rules.subject, strict=True))) == [(1, "age"), (3, "region")]
    assert (rules.severity == "error").all()
    ranges = alerts(built, "out_of_range_share")
    # day 3: region west's shifted incomes pass the reference's maximum
    ranged = sorted(set(zip(ranges.index, ranges.subject, strict=True)))
    assert ranged == [(1, "age"), (3, "income")]
    unseen = alerts(built, "unseen_category_share")
    assert sorted(set(zip(unseen.index, unseen.subject, strict=True))) == [(3, "region")]
    new_checks = (
        "type_error_rate",
        "out_of_range_share",
        "unseen_category_share",
        "rule_violation_share",
        "segment_psi",
        "label_prior_shift",
        "prediction_prior_shift",
        "drifted_feature_share",
        "psi",
        "null_rate_increase",
    )
    listed = ", ".join(f"'{c}'" for c in new_checks)
    day0 = by_day(
        built.df(
            "select window_start, check_name, subject from modelwatch.alerts "
            f"where check_name in ({listed}) or check_name like 'custom_metric.%'"
        )
    )
    assert 0 not in day0.index, day0.loc[[0]] if 0 in day0.index else None


# --------------------------------------------------------------------------------------------
# drift by segment


def segment_rows(built, key: str, value: str) -> pd.DataFrame:
    return built.df(
        "select * from modelwatch.feature_drift "
        f"where segment_key = '{key}' and segment_value = '{value}'"
    )


@pytest.fixture(scope="module")
def ios_only(builder, tables):
    """The same inputs, only the device 'ios' rows of the log, no segments."""
    filtered = dict(tables)
    filtered["predictions"] = tables["predictions"][tables["predictions"].device == "ios"]
    config = copy.deepcopy(CONFIG)
    del config["drift"]
    return builder(filtered, config, "feature_quality_ios")


def test_segment_drift_equals_the_unsegmented_run_on_the_filtered_log(built, ios_only):
    """device is not in the reference: the segment is compared with the whole reference."""
    columns = (
        "model_name, window_start, feature_name, feature_type, reference_count, current_count, "
        "null_rate_reference, null_rate_current, null_rate_increase, psi, js_distance, "
        "chi2_statistic, chi2_dof, drift_severity"
    )
    segment = built.df(
        f"select {columns} from modelwatch.feature_drift "
        "where segment_key = 'device' and segment_value = 'ios'"
    )
    overall = ios_only.df(f"select {columns} from modelwatch.feature_drift")
    assert_tables_equal(segment, overall, ["window_start", "feature_name"], rtol=1e-9)
    bins = "model_name, window_start, feature_name, bin_index, current_count, current_total, "
    bins += "current_proportion, reference_proportion, psi_contribution"
    assert_tables_equal(
        built.df(
            f"select {bins} from modelwatch.feature_bin_counts "
            "where segment_key = 'device' and segment_value = 'ios'"
        ),
        ios_only.df(f"select {bins} from modelwatch.feature_bin_counts"),
        ["window_start", "feature_name", "bin_index"],
        rtol=1e-9,
    )


def test_unpivot_scan_gives_the_union_tables(builder, tables, built):
    """DuckDB reads features as one narrow scan per feature below drift.unpivot_min_features and
    as one UNPIVOT scan per model from there on: forced here on this fixture (text values that do
    not cast, segments, a categorical), every drift table equals the union build."""
    config = copy.deepcopy(CONFIG)
    config["drift"] = {**config["drift"], "unpivot_min_features": 1}
    unpivoted = builder(tables, config, "feature_quality_unpivot")
    compiled = unpivoted.project.target_path / "compiled"
    ks_sql = next(compiled.rglob("int_modelwatch__feature_drift_ks.sql")).read_text()
    assert "unpivot include nulls" in ks_sql  # the path under test was taken
    grains = {**GRAINS, "reference_bins": ["model_name", "feature_name", "bin_index"]}
    for table, keys in grains.items():
        assert_tables_equal(
            built.df(f"select * from modelwatch.{table}"),
            unpivoted.df(f"select * from modelwatch.{table}"),
            keys,
            rtol=1e-12,
            skip=("config_fingerprint",),
        )


def test_segment_with_its_own_reference_equals_numpy(built, current, tables):
    """region is in the reference: the segment's reference rows, on the whole reference's bins."""
    reference = tables["training_reference"]
    west_ref = reference[reference.region == "west"]
    drift = by_day(segment_rows(built, "region", "west").query("feature_name == 'income'"))
    edges = numeric_edges(reference.income)
    categories = categorical_bins(reference.region)
    for day, rows in current[current.region == "west"].groupby("day"):
        values = rows.income_value[~rows.income_type_error]
        r = numeric_bin_counts(west_ref.income, edges)
        c = numeric_bin_counts(values, edges)
        assert drift.psi[day] == pytest.approx(psi(c / c.sum(), r / r.sum()), rel=1e-9)
        assert drift.js_distance[day] == pytest.approx(
            jensenshannon(r / r.sum(), c / c.sum(), base=2), rel=1e-9, abs=1e-12
        )
        assert drift.reference_count[day] == len(west_ref)
        assert pd.isna(drift.ks_statistic[day])
    region = by_day(segment_rows(built, "region", "west").query("feature_name == 'region'"))
    r = categorical_bin_counts(west_ref.region, categories)
    c = categorical_bin_counts(
        current[(current.region == "west") & (current.day == 0)].region, categories
    )
    assert region.psi[0] == pytest.approx(psi(c / c.sum(), r / r.sum()), rel=1e-9)


def test_segment_only_drift_alerts_with_the_segment_named(built):
    fired = alerts(built, "segment_psi")
    west = fired[fired.subject == "income [region=west]"]
    assert west.index.tolist() == [3] and west.severity[3] == "error"
    # the overall alert names the segment driving it first
    overall = alerts(built, "psi")
    income = overall[overall.subject == "income"]
    assert 3 in income.index
    top = json.loads(income.evidence[3])["top_segments"]
    assert top[0]["segment"] == "region=west"


def test_noise_floor_keeps_a_tiny_segment_quiet(built):
    kiosk = segment_rows(built, "device", "kiosk")
    assert (kiosk.current_count <= KIOSK_ROWS).all()  # (less on day 2: type errors)
    assert (kiosk.psi >= 0.1).any()  # sampling noise alone, on 12 rows
    fired = alerts(built, "segment_psi")
    assert not fired.subject.str.contains("kiosk").any()


def test_existing_consumers_read_overall_rows(built):
    drift_alerts = built.df(
        "select slice_key from modelwatch.alerts where check_name in ('psi', 'js_distance', "
        "'ks_statistic', 'null_rate_increase')"
    )
    assert drift_alerts.slice_key.isna().all()
    dataset = built.df("select monitored_feature_count from modelwatch.dataset_drift")
    assert (dataset.monitored_feature_count == 3).all()


# --------------------------------------------------------------------------------------------
# label and prediction priors, dataset drift


def test_prior_drift_equals_statsmodels(built, current, tables):
    priors = built.df("select * from modelwatch.prior_drift")
    reference = tables["training_reference"]
    baseline = {
        "label": (reference.label.sum(), len(reference)),
        "prediction": ((reference.score >= 0.5).sum(), len(reference)),
    }
    for _, row in priors.iterrows():
        rows = current[current.day == (row.window_start - START).days]
        positives = (rows.label if row.prior_name == "label" else rows.score >= 0.5).sum()
        base_pos, base_n = baseline[row.prior_name]
        z, p = proportions_ztest([positives, base_pos], [len(rows), base_n])
        assert row.current_positive_count == positives and row.baseline_count == base_n
        assert row.rate_difference == pytest.approx(positives / len(rows) - base_pos / base_n)
        assert row.z_statistic == pytest.approx(z, rel=1e-9)
        assert row.p_value == pytest.approx(p, abs=2e-7)


def test_prior_checks_fire_and_stay_quiet(built):
    label = alerts(built, "label_prior_shift")
    assert label.index.tolist() == [2] and label.severity[2] == "error"
    prediction = alerts(built, "prediction_prior_shift")
    assert prediction.index.tolist() == [1] and prediction.severity[1] == "error"


def test_dataset_drift_counts_the_drifted_features(built):
    drift = built.df(
        "select window_start, feature_name, is_drifted from modelwatch.feature_drift "
        "where segment_key = '__all__' and feature_name != 'score'"
    )
    dataset = by_day(built.df("select * from modelwatch.dataset_drift"))
    for day, rows in by_day(drift).groupby(level=0):
        names = sorted(rows.feature_name[rows.is_drifted])
        assert dataset.drifted_feature_count[day] == len(names)
        assert dataset.drifted_feature_share[day] == pytest.approx(len(names) / 3)
        assert dataset.drifted_features[day] == ", ".join(names)
    assert dataset.drifted_feature_count[0] == 0
    assert dataset.drifted_features[3] == "income, region"
    fired = alerts(built, "drifted_feature_share")
    assert fired.severity.to_dict() == {1: "warn", 3: "error"}


# --------------------------------------------------------------------------------------------
# custom metrics


def test_custom_metrics_equal_pandas(built, current):
    metrics = built.df("select * from modelwatch.custom_metrics")
    frame = current.assign(
        fraud_caught_usd=np.where(
            (current.label == 1) & (current.score >= 0.8), current["Amount USD"], np.nan
        ),
        approval_rate=(current.score < 0.5).astype(float),
    )
    groups = {
        ("__all__", "__all__"): frame.assign(slice_value="__all__"),
        ("region", None): frame.assign(slice_value=frame.region),
    }
    for (key, _), sliced in groups.items():
        expected = sliced.groupby(["day", "slice_value"]).agg(
            fraud_caught_usd=("fraud_caught_usd", "sum"),
            approval_rate=("approval_rate", "mean"),
            prediction_count=("prediction_id", "count"),
        )
        for name in ("fraud_caught_usd", "approval_rate"):
            got = metrics[(metrics.slice_key == key) & (metrics.metric_name == name)].copy()
            got["day"] = (got.window_start - START).dt.days
            got = got.set_index(["day", "slice_value"]).sort_index()
            np.testing.assert_allclose(got.metric_value, expected.loc[got.index, name], rtol=1e-9)
            assert (got.prediction_count == expected.loc[got.index, "prediction_count"]).all()
            assert len(got) == len(expected)


def test_custom_metric_check_fires_below_and_stays_quiet(built):
    fired = alerts(built, "custom_metric.approval_rate")
    assert fired.severity.to_dict() == {1: "warn"}
    assert fired.subject[1] == "v1"
    assert built.alerts()["custom_metrics_warn"] == "warn"
    assert "custom_metrics_error" not in built.alerts()


HOSTILE = {
    "statement": ("sum(score); drop table main.labels", "contains ';'"),
    "comment": ("sum(score) -- hidden", "contains '--'"),
    "block_comment": ("sum(score) /* x */", "contains '/*'"),
    "subquery": ("sum((select count(*) from labels))", "uses 'select'"),
    "unknown_function": (
        "sum(read_csv('x'))",
        "calls 'read_csv', which is not an allowed function",
    ),
    "not_an_aggregate": ("score * 2", "must aggregate the window's rows"),
    "open_string": ("sum(case when device = 'ios then 1 end)", "cannot read"),
    "qualified_column": ("sum(p.score)", "cannot read '.'"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_expression_is_refused_with_a_clear_error(case, built, tmp_path):
    expression, message = HOSTILE[case]
    config = copy.deepcopy(built.config)
    config["models"][0]["custom_metrics"] = [{"name": "evil", "expression": expression}]
    project = DbtProject(config, resolve_warehouse(config).env, target_path=tmp_path / "target")
    with pytest.raises(ConfigError) as raised:
        project.invoke(["compile"])  # the config is validated while dbt parses
    text = str(raised.value)
    assert "models[m1].custom_metrics[evil]" in text and message in text, text


# --------------------------------------------------------------------------------------------
# PostgreSQL: the same tables


def test_same_tables_on_postgres(built, tmp_path):
    import os

    from pg import build_on_postgres, pg_df

    if os.environ.get("MODELWATCH_TEST_POSTGRES") != "1":
        pytest.skip("MODELWATCH_TEST_POSTGRES=1 runs the PostgreSQL comparison")
    outcome = build_on_postgres(
        built.path,
        built.config,
        ["predictions", "labels", "training_reference"],
        "feature_quality_in",
        "feature_quality_out",
        tmp_path / "target",
    )
    assert outcome.build_ok, outcome.build_errors
    for table, keys in GRAINS.items():
        duck = built.df(f"select * from modelwatch.{table}")
        pg = pg_df(f"select * from feature_quality_out.{table}")
        # exact KS p-values (Python layer) on DuckDB only; the fingerprint hashes the inputs
        skip = ("ks_p_value", "config_fingerprint")
        assert_tables_equal(duck, pg, keys, rtol=1e-9, skip=skip)
    duck_alerts = built.df(
        "select check_name, subject, window_start, severity from modelwatch.alerts"
    )
    pg_alerts = pg_df(
        "select check_name, subject, window_start, severity from feature_quality_out.alerts"
    )
    assert_tables_equal(duck_alerts, pg_alerts, ["check_name", "subject", "window_start"])
