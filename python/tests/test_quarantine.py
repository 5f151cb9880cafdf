"""Bad input rows are quarantined with exactly their reason and every input row is counted once.

A handcrafted warehouse holds one row of every kind of bad prediction and label next to valid
rows; a clean variant (the same valid rows only) shows the quarantine-rate alert staying quiet.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from modelwatch.checks import quarantine_reasons

MODEL = "m1"
DAY1 = pd.Timestamp("2024-03-04")
DAY2 = pd.Timestamp("2024-03-05")

CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"predictions": {"deployment_role": "deployment_role"}},
    "models": [{"name": MODEL, "features": {"numeric": ["income"], "categorical": ["region"]}}],
}

# every reason a binary model's rows can get (macros/quality/quarantine_reasons.sql)
PREDICTION_REASONS = [r["reason"] for r in quarantine_reasons("predictions", task="binary")]
LABEL_REASONS = [r["reason"] for r in quarantine_reasons("labels", task="binary")]

# Bad prediction rows (all on day 1 unless noted): (prediction_id, reason, overrides)
BAD_PREDICTIONS = [
    (None, "null_prediction_id", {}),
    ("bad_null_model", "null_model_name", {"model_name": None}),
    ("bad_null_version", "null_model_version", {"model_version": None}),
    ("bad_null_ts", "null_predicted_at", {"predicted_at": pd.NaT}),
    ("bad_null_score", "null_score", {"score": None}),
    ("bad_nan", "score_not_finite", {"score": math.nan}),
    ("bad_pos_inf", "score_not_finite", {"score": math.inf}),
    ("bad_neg_inf", "score_not_finite", {"score": -math.inf}),
    ("bad_high", "score_out_of_range", {"score": 1.5}),
    ("bad_low", "score_out_of_range", {"score": -0.1}),
]
UNMONITORED_ID = "other_001"

# Label cases: (prediction_id, raw label text, labeled_at, expected reason or None if valid)
VALID_TEXT_LABELS = {
    "d1_010": ("0", 0),
    "d1_011": ("false", 0),
    "d1_012": ("1.0", 1),
    "d1_013": ("0.0", 0),
    "d1_014": ("TRUE", 1),
    "d1_015": ("False", 0),
    "d1_016": ("1", 1),
}


def _predictions(with_bad_rows: bool) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []

    def add(pid, day, minute, score, **overrides):
        row = {
            "prediction_id": pid,
            "model_name": MODEL,
            "model_version": "v1",
            "predicted_at": day + pd.Timedelta(minutes=minute),
            "score": score,
            "deployment_role": "champion",
            "income": float(rng.normal(50.0, 10.0)),
            "region": str(rng.choice(["north", "south", "east"])),
        }
        row.update(overrides)
        rows.append(row)

    for i in range(1, 41):
        add(f"d1_{i:03d}", DAY1, 10 * i, float(rng.uniform(0.05, 0.95)))
    # the closed interval [0, 1] is valid at both ends
    rows[38]["score"], rows[39]["score"] = 0.0, 1.0
    for i in range(1, 61):
        add(f"d2_{i:03d}", DAY2, 10 * i, float(rng.uniform(0.05, 0.95)))
    add("s2_001", DAY2, 5, 0.4, deployment_role="shadow", model_version="v2")
    add("s2_002", DAY2, 6, 0.6, deployment_role="shadow", model_version="v2")

    if with_bad_rows:
        for pid, _, overrides in BAD_PREDICTIONS:
            add(pid, DAY1, 700, **{"score": 0.5, **overrides})
        # an exact re-send of a day-1 row, a re-send with another score a minute later, and an
        # exact re-send on day 2
        rows.append(dict(rows[0]))
        add("d1_002", DAY1, 21, 0.99)
        rows.append(dict(rows[40]))
        add(UNMONITORED_ID, DAY1, 15, 0.3, model_name="other_model")

    frame = pd.DataFrame(rows)
    # pandas turns None into NaN and DuckDB reads a pandas NaN as NULL; an Arrow column built
    # from the rows keeps NULL and NaN apart
    frame["score"] = pd.Series(
        pa.array([row["score"] for row in rows], type=pa.float64(), from_pandas=False),
        dtype=pd.ArrowDtype(pa.float64()),
    )
    frame["predicted_at"] = frame["predicted_at"].astype("datetime64[us]")
    return frame


def _label_cases(with_bad_rows: bool) -> list[tuple[str | None, str | None, object, str | None]]:
    at1 = DAY1 + pd.Timedelta(hours=30)
    at2 = DAY2 + pd.Timedelta(hours=30)
    cases: list[tuple[str | None, str | None, object, str | None]] = [
        ("d1_001", "1", at1, None),  # its prediction was re-sent: still one label
        ("d1_002", "true", at1, None),
        *[(pid, text, at1, None) for pid, (text, _) in VALID_TEXT_LABELS.items()],
        *[(f"d2_{i:03d}", str(i % 2), at2, None) for i in range(1, 6)],
    ]
    if with_bad_rows:
        cases += [
            (None, "1", at1, "null_prediction_id"),
            ("d1_003", None, at1, "null_label"),
            ("d1_004", "2", at1, "invalid_label"),
            ("d1_005", "yes", at1, "invalid_label"),
            ("d1_006", "1", pd.NaT, "null_labeled_at"),
            ("nope_999", "1", at1, "unknown_prediction"),
            ("bad_nan", "1", at1, "prediction_quarantined"),
            ("bad_null_ts", "0", at1, "prediction_quarantined"),
            # a label cannot be known before the prediction was made
            ("d1_007", "1", DAY1 - pd.Timedelta(hours=1), "labeled_before_prediction"),
            # a correction: the later label wins, the earlier is superseded
            ("d1_020", "0", at1, "superseded_by_correction"),
            ("d1_020", "1", at1 + pd.Timedelta(days=2), None),
            # a later but invalid "correction" does not displace the valid label
            ("d1_021", "1", at1, None),
            ("d1_021", "maybe", at1 + pd.Timedelta(days=2), "invalid_label"),
        ]
    return cases


def _tables(with_bad_rows: bool) -> dict[str, pd.DataFrame]:
    cases = _label_cases(with_bad_rows)
    labels = pd.DataFrame(
        {
            "prediction_id": pd.Series([c[0] for c in cases], dtype=object),
            "label": pd.Series([c[1] for c in cases], dtype=object),
            "labeled_at": pd.Series([c[2] for c in cases], dtype="datetime64[us]"),
        }
    )
    rng = np.random.default_rng(11)
    reference = pd.DataFrame(
        {
            "income": rng.normal(50.0, 10.0, 300),
            "region": rng.choice(["north", "south", "east"], 300),
            "score": rng.uniform(0.05, 0.95, 300),
        }
    )
    return {
        "predictions": _predictions(with_bad_rows),
        "labels": labels,
        "training_reference": reference,
    }


@pytest.fixture(scope="module")
def bad(builder):
    return builder(_tables(with_bad_rows=True), CONFIG, "quarantine_bad")


@pytest.fixture(scope="module")
def clean(builder):
    return builder(_tables(with_bad_rows=False), CONFIG, "quarantine_clean")


def test_build_and_accounting_test_pass(bad):
    assert bad.outcome.build_ok, bad.outcome.build_errors
    # the singular test is part of the build and stores its (zero) failing rows
    stored = bad.df(
        "select count(*) as n from modelwatch_audit.assert_input_quality_counts_every_row"
    )
    assert stored.n.iloc[0] == 0


def test_each_bad_prediction_quarantined_with_its_reason(bad):
    quarantined = bad.df(
        "select prediction_id, model_name, score, predicted_at, quarantine_reason "
        "from modelwatch.quarantined_predictions"
    )
    got = sorted(
        (pid if isinstance(pid, str) else "<null>", reason)
        for pid, reason in zip(
            quarantined.prediction_id, quarantined.quarantine_reason, strict=True
        )
    )
    expected = sorted(
        [(pid if pid is not None else "<null>", reason) for pid, reason, _ in BAD_PREDICTIONS]
        + [
            ("d1_001", "duplicate_prediction_id"),
            ("d1_002", "duplicate_prediction_id"),
            ("d2_001", "duplicate_prediction_id"),
        ]
    )
    assert got == expected
    # the re-send with another score is the one quarantined: the first arrival is kept
    resend = quarantined[quarantined.prediction_id == "d1_002"]
    assert resend.score.tolist() == [0.99]
    assert resend.predicted_at.tolist() == [DAY1 + pd.Timedelta(minutes=21)]
    # the unmonitored model is counted, not quarantined
    assert UNMONITORED_ID not in set(quarantined.prediction_id)
    assert "other_model" not in set(quarantined.model_name.dropna())


def test_non_finite_scores_keep_their_values(bad):
    rows = bad.df(
        "select prediction_id, score, isnan(score) as is_nan "
        "from modelwatch.quarantined_predictions where quarantine_reason = 'score_not_finite'"
    ).set_index("prediction_id")
    assert bool(rows.loc["bad_nan", "is_nan"])
    assert rows.loc["bad_pos_inf", "score"] == math.inf
    assert rows.loc["bad_neg_inf", "score"] == -math.inf


def test_valid_predictions_are_not_quarantined(bad):
    kept = bad.df(
        "select prediction_id, count(*) as n from main.predictions "
        "where prediction_id like 'd%' or prediction_id like 's%' group by 1"
    )
    staged = bad.df(
        "select prediction_id, quarantine_reason, id_occurrence "
        "from modelwatch.stg_modelwatch__predictions "
        "where prediction_id like 'd%' or prediction_id like 's%'"
    )
    firsts = staged[staged.id_occurrence == 1]
    assert len(firsts) == len(kept) == 40 + 60 + 2
    assert firsts.quarantine_reason.isna().all(), firsts[firsts.quarantine_reason.notna()]
    # the boundary scores 0 and 1 are valid
    edges = bad.df(
        "select prediction_id from modelwatch.stg_modelwatch__predictions "
        "where score in (0, 1) and quarantine_reason is null"
    )
    assert sorted(edges.prediction_id) == ["d1_039", "d1_040"]


def test_each_bad_label_quarantined_with_its_reason(bad):
    quarantined = bad.df(
        "select prediction_id, raw_label, labeled_at, quarantine_reason "
        "from modelwatch.quarantined_labels"
    )
    got = sorted(
        (
            "<null>" if pd.isna(pid) else pid,
            "<null>" if pd.isna(raw) else raw,
            reason,
        )
        for pid, raw, reason in zip(
            quarantined.prediction_id,
            quarantined.raw_label,
            quarantined.quarantine_reason,
            strict=True,
        )
    )
    expected = sorted(
        (
            "<null>" if pid is None else pid,
            "<null>" if text is None else text.lower(),
            reason,
        )
        for pid, text, _, reason in _label_cases(with_bad_rows=True)
        if reason is not None
    )
    assert got == expected
    superseded = quarantined[quarantined.quarantine_reason == "superseded_by_correction"]
    assert superseded.labeled_at.tolist() == [DAY1 + pd.Timedelta(hours=30)]


def test_valid_labels_are_parsed_and_used(bad):
    valid = bad.df(
        "select prediction_id, label, raw_label, labeled_at "
        "from modelwatch.int_modelwatch__labels_validated "
        "where quarantine_reason is null"
    ).set_index("prediction_id")
    expected_ids = {pid for pid, _, _, reason in _label_cases(True) if reason is None}
    assert set(valid.index) == expected_ids
    assert valid.index.is_unique  # one label in use per prediction
    for pid, (_, value) in VALID_TEXT_LABELS.items():
        assert valid.loc[pid, "label"] == value, pid
    assert valid.loc["d1_001", "label"] == 1
    assert valid.loc["d1_002", "label"] == 1  # 'true'
    # the correction's later label wins; the invalid later label does not
    assert valid.loc["d1_020", "label"] == 1
    assert valid.loc["d1_020", "labeled_at"] == DAY1 + pd.Timedelta(hours=30, days=2)
    assert valid.loc["d1_021", "label"] == 1


def test_input_quality_reason_counts_equal_injected(bad):
    totals = bad.df("select * from modelwatch.input_quality").sum(numeric_only=True)
    expected_predictions = {reason: 0 for reason in PREDICTION_REASONS}
    for _, reason, _ in BAD_PREDICTIONS:
        expected_predictions[reason] += 1
    expected_predictions["duplicate_prediction_id"] += 3
    for reason, count in expected_predictions.items():
        assert totals[f"predictions_{reason}"] == count, reason
    assert totals["unmonitored_prediction_rows"] == 1
    assert totals["quarantined_prediction_rows"] == len(BAD_PREDICTIONS) + 3

    expected_labels = {reason: 0 for reason in LABEL_REASONS}
    for _, _, _, reason in _label_cases(True):
        if reason is not None:
            expected_labels[reason] += 1
    for reason, count in expected_labels.items():
        assert totals[f"labels_{reason}"] == count, reason
    assert totals["quarantined_label_rows"] == sum(expected_labels.values())


def test_input_quality_counts_every_row_once(bad):
    quality = bad.df("select * from modelwatch.input_quality")
    assert (
        quality.valid_prediction_rows
        + quality.unmonitored_prediction_rows
        + quality.quarantined_prediction_rows
        == quality.prediction_rows
    ).all()
    assert (quality.valid_label_rows + quality.quarantined_label_rows == quality.label_rows).all()
    per_reason_predictions = quality[[f"predictions_{r}" for r in PREDICTION_REASONS]].sum(axis=1)
    assert (per_reason_predictions == quality.quarantined_prediction_rows).all()
    per_reason_labels = quality[[f"labels_{r}" for r in LABEL_REASONS]].sum(axis=1)
    assert (per_reason_labels == quality.quarantined_label_rows).all()

    raw = bad.df(
        "select (select count(*) from main.predictions) as p, "
        "(select count(*) from main.labels) as l"
    )
    assert quality.prediction_rows.sum() == raw.p.iloc[0]
    assert quality.label_rows.sum() == raw.l.iloc[0]
    assert quality.valid_label_rows.sum() == len([c for c in _label_cases(True) if c[3] is None])


def test_input_quality_groups_and_rates(bad):
    quality = bad.df("select * from modelwatch.input_quality")
    by_group = {
        (row.model_name, None if pd.isna(row.window_start) else row.window_start): row
        for row in quality.itertuples()
    }
    assert set(by_group) == {
        (MODEL, DAY1),
        (MODEL, DAY2),
        (MODEL, None),  # the prediction without a timestamp and its label
        ("__unknown__", DAY1),  # the prediction without a model name
        ("__unknown__", None),  # labels without a (known) prediction
        ("other_model", DAY1),
    }
    day1, day2 = by_group[(MODEL, DAY1)], by_group[(MODEL, DAY2)]
    assert (day1.prediction_rows, day1.quarantined_prediction_rows) == (50, 10)
    assert (day2.prediction_rows, day2.quarantined_prediction_rows) == (63, 1)
    assert day1.quarantine_rate == pytest.approx(10 / 50)
    assert day2.quarantine_rate == pytest.approx(1 / 63)
    assert by_group[("__unknown__", DAY1)].quarantine_rate == pytest.approx(1.0)
    # no window, or nothing monitored: counted but not rated
    assert pd.isna(by_group[(MODEL, None)].quarantine_rate)
    assert pd.isna(by_group[("__unknown__", None)].quarantine_rate)
    other = by_group[("other_model", DAY1)]
    assert (other.prediction_rows, other.unmonitored_prediction_rows) == (1, 1)
    assert pd.isna(other.quarantine_rate)
    unknown_labels = by_group[("__unknown__", None)]
    assert (unknown_labels.prediction_rows, unknown_labels.label_rows) == (0, 2)


def test_quarantine_rate_alert_fires_at_the_expected_levels(bad):
    # default thresholds warn 0.01, error 0.05: day 1 (10/50) and the nameless row (1/1) are
    # errors, day 2 (1/63 = 0.016) is a warning
    alerts = bad.alerts()
    assert alerts.get("input_quality_quarantine_rate_error") == "error"
    assert alerts.get("input_quality_quarantine_rate_warn") == "warn"
    assert bad.outcome.has_error_alerts

    def subjects(level: str) -> set[tuple[str, pd.Timestamp]]:
        stored = bad.df(
            "select model_name, window_start, observed_value, threshold "
            f"from modelwatch_audit.input_quality_quarantine_rate_{level}"
        )
        expected_threshold = {"warn": 0.01, "error": 0.05}[level]
        assert (stored.threshold == expected_threshold).all()
        return set(zip(stored.model_name, stored.window_start, strict=True))

    assert subjects("error") == {(MODEL, DAY1), ("__unknown__", DAY1)}
    assert subjects("warn") == {(MODEL, DAY2)}


def test_clean_variant_has_no_quarantine_and_no_alert(clean):
    assert clean.outcome.build_ok, clean.outcome.build_errors
    alerts = clean.alerts()
    assert "input_quality_quarantine_rate_error" not in alerts
    assert "input_quality_quarantine_rate_warn" not in alerts
    assert clean.df("select count(*) as n from modelwatch.quarantined_predictions").n[0] == 0
    assert clean.df("select count(*) as n from modelwatch.quarantined_labels").n[0] == 0
    quality = clean.df("select * from modelwatch.input_quality")
    assert set(quality.model_name) == {MODEL}
    assert (quality.quarantine_rate == 0).all()
    assert (quality.valid_prediction_rows == quality.prediction_rows).all()
    assert (quality.valid_label_rows == quality.label_rows).all()
