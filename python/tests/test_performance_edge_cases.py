"""Label-joined metrics on windows built to be awkward, against scikit-learn (1e-9).

Day 1 is ordinary (with tied scores and a label correction), day 2 has one class only (roc_auc
null, recall null), day 3 has no labels at all, day 4 has one score for every row, day 5 puts
scores exactly on the calibration bin edges and at 0 and 1 (log-loss clipping). A slice column
has a null value. No row may be lost or counted twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_performance import (
    estimated_metrics,
    histogram_map,
    labeled_predictions,
    window_metrics,
)
from test_performance_metrics import ESTIMATED, REALIZED, assert_close

DAY = pd.Timestamp("2026-05-04")
EDGES = np.linspace(0.0, 1.0, 11)


def make_tables(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    blocks = []

    def day(d: int, scores: np.ndarray, label_share: float, label_fn) -> None:
        n = len(scores)
        frame = pd.DataFrame(
            {
                "prediction_id": [f"p{d}-{i}" for i in range(n)],
                "model_name": "m",
                "model_version": "v1",
                "predicted_at": DAY
                + pd.Timedelta(days=d)
                + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s"),
                "score": scores,
                "x": rng.normal(0, 1, n),
                "segment": rng.choice(
                    np.array(["a", "b", None], dtype=object), n, p=[0.5, 0.4, 0.1]
                ),
            }
        )
        frame["_labeled"] = rng.random(n) < label_share
        frame["_label"] = label_fn(scores)
        blocks.append(frame)

    day(0, np.round(rng.uniform(0, 1, 300), 2), 0.9, lambda s: (rng.random(len(s)) < s).astype(int))
    day(1, rng.uniform(0, 1, 120), 1.0, lambda s: np.zeros(len(s), dtype=int))
    day(2, rng.uniform(0, 1, 60), 0.0, lambda s: np.zeros(len(s), dtype=int))
    day(3, np.full(90, 0.5), 1.0, lambda s: (rng.random(len(s)) < 0.3).astype(int))
    on_edges = np.r_[EDGES, EDGES, [0.0, 1.0, 0.0, 1.0], rng.uniform(0, 1, 40)]
    day(4, on_edges, 1.0, lambda s: (rng.random(len(s)) < 0.5).astype(int))
    rows = pd.concat(blocks, ignore_index=True)
    lab = rows[rows._labeled]
    labels = pd.DataFrame(
        {
            "prediction_id": lab.prediction_id.to_numpy(),
            "label": lab._label.to_numpy(),
            "labeled_at": (lab.predicted_at + pd.Timedelta(days=1)).to_numpy(),
        }
    )
    # a correction: first reported flipped, corrected two days later
    first = lab.iloc[0]
    labels.loc[0, "label"] = 1 - int(first._label)
    correction = pd.DataFrame(
        {
            "prediction_id": [first.prediction_id],
            "label": [int(first._label)],
            "labeled_at": [first.predicted_at + pd.Timedelta(days=3)],
        }
    )
    labels = pd.concat([labels, correction], ignore_index=True)
    labels["labeled_at"] = labels["labeled_at"].astype("datetime64[us]")
    predictions = rows.drop(columns=["_labeled", "_label"])
    predictions["predicted_at"] = predictions["predicted_at"].astype("datetime64[us]")
    ref_score = rng.uniform(0, 1, 2000)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 2000),
            "score": ref_score,
            "label": (rng.random(2000) < ref_score).astype(int),
        }
    )
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"reference": {"label": "label"}},
    "models": [
        {"name": "m", "threshold": 0.5, "features": {"numeric": ["x"]}, "slices": ["segment"]}
    ],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


@pytest.fixture(scope="module")
def built(builder, tables):
    return builder(tables, CONFIG, "performance_edges")


@pytest.fixture(scope="module")
def expected_rows(tables) -> pd.DataFrame:
    return labeled_predictions(tables["predictions"], tables["labels"], ["m"], 0.5)


def test_every_window_and_slice_equals_sklearn(built, expected_rows):
    table = built.df("select * from modelwatch.model_performance")
    assert table.prediction_count[table.slice_key == "__all__"].sum() == len(expected_rows)
    seen = 0
    for key, values in (("__all__", None), ("segment", "segment")):
        grouped = expected_rows.groupby(
            ["window_start"]
            + ([expected_rows[values].astype("string").fillna("__null__")] if values else [])
        )
        for group_key, g in grouped:
            window = group_key[0]
            value = "__all__" if values is None else group_key[1]
            row = table[
                (table.window_start == window)
                & (table.slice_key == key)
                & (table.slice_value == value)
            ]
            assert len(row) == 1, (key, value, window)
            expected = window_metrics(g)
            for metric in REALIZED:
                assert_close(
                    row[metric].iloc[0], expected.get(metric), (metric, key, value, window)
                )
            seen += 1
    assert seen == len(table)


def assert_estimates_equal_cbpe(table: pd.DataFrame, rows: pd.DataFrame, calibrate) -> None:
    """Every window and slice's CBPE estimates against sklearn on the baseline's map."""
    seen = 0
    for key in ("__all__", "segment"):
        values = rows["segment"].astype("string").fillna("__null__")
        by = ["window_start"] + ([values] if key == "segment" else [])
        for group_key, g in rows.groupby(by):
            value = "__all__" if key == "__all__" else group_key[1]
            row = table[
                (table.window_start == group_key[0])
                & (table.slice_key == key)
                & (table.slice_value == value)
            ]
            s = g.score.to_numpy()
            expected = estimated_metrics(s, g.decision.to_numpy(), calibrate(s))
            for metric in ESTIMATED:
                assert_close(row[metric].iloc[0], expected[metric], (metric, key, value))
            seen += 1
    assert seen == len(table)


def test_estimates_equal_cbpe_in_every_window_and_slice(built, tables, expected_rows):
    # tied scores, one score for a whole window, scores on the calibration edges
    reference = tables["training_reference"]
    calibrate = histogram_map(reference.score.to_numpy(), reference.label.to_numpy())
    table = built.df("select * from modelwatch.model_performance")
    assert_estimates_equal_cbpe(table, expected_rows, calibrate)


@pytest.fixture(scope="module")
def built_with_a_one_score_baseline(builder, tables):
    """The baseline is day 4, where every score is 0.5: the map's edges collapse to one, so
    scores below 0.5 fall in a bin without baseline rows, which maps each score to itself."""
    config = {
        **CONFIG,
        "inputs": {
            **CONFIG["inputs"],
            "reference": {"predictions_between": ["2026-05-07", "2026-05-08"]},
        },
    }
    return builder(tables, config, "performance_one_score_baseline")


def test_estimates_with_an_identity_bin_equal_cbpe(built_with_a_one_score_baseline, expected_rows):
    baseline = expected_rows[
        (expected_rows.window_start == DAY + pd.Timedelta(days=3)) & expected_rows.label.notna()
    ]
    assert (baseline.score == 0.5).all()
    calibrate = histogram_map(baseline.score.to_numpy(), baseline.label.to_numpy())
    below = expected_rows.score.to_numpy() < 0.5
    np.testing.assert_array_equal(
        calibrate(expected_rows.score.to_numpy())[below], expected_rows.score.to_numpy()[below]
    )
    table = built_with_a_one_score_baseline.df("select * from modelwatch.model_performance")
    assert_estimates_equal_cbpe(table, expected_rows, calibrate)


def test_edge_windows_are_null_not_errors(built):
    overall = built.df(
        "select * from modelwatch.model_performance where slice_key = '__all__' "
        "order by window_start"
    )
    one_class, unlabeled, constant = overall.iloc[1], overall.iloc[2], overall.iloc[3]
    assert pd.isna(one_class.roc_auc) and pd.isna(one_class.recall)
    assert one_class.f1 == 0  # false positives only: defined, and 0
    assert one_class.positive_rate == 0 and one_class.labeled_count == 120
    assert unlabeled.labeled_count == 0 and unlabeled.prediction_count == 60
    assert unlabeled[["roc_auc", "log_loss", "brier_score", "accuracy", "ece"]].isna().all()
    assert constant.roc_auc == 0.5


def test_scores_on_bin_edges_fall_in_the_lower_bin(built, tables):
    bins = built.df(
        "select bin_index, prediction_count from modelwatch.calibration_bins "
        "where window_start = timestamp '2026-05-08' order by bin_index"
    )
    scores = tables["predictions"].score[tables["predictions"].prediction_id.str.startswith("p4-")]
    expected = np.bincount(np.searchsorted(EDGES[1:-1], scores.to_numpy()), minlength=10)
    np.testing.assert_array_equal(bins.prediction_count, expected)


def test_the_correction_wins(built, tables):
    labels = tables["labels"]
    corrected = labels.prediction_id.iloc[-1]
    stored = built.df(
        "select label, quarantine_reason from modelwatch.quarantined_labels "
        f"where prediction_id = '{corrected}'"
    )
    assert stored.quarantine_reason.tolist() == ["superseded_by_correction"]
    assert stored.label.iloc[0] == labels.label.iloc[0]


@pytest.fixture(scope="module")
def built_without_reference_labels(builder, tables):
    """The reference has no label column configured: the baseline is the first final windows."""
    config = {
        **CONFIG,
        "columns": {"reference": {"label": None}},
        "performance": {"baseline_windows": 2, "max_label_delay_days": 1},
    }
    return builder(tables, config, "performance_window_baseline")


def test_baseline_falls_back_to_the_first_final_windows(
    built_without_reference_labels, expected_rows
):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    built = built_without_reference_labels
    baseline = built.df("select * from modelwatch.performance_baseline").iloc[0]
    status = built.df(
        "select window_start, is_final from modelwatch.model_performance "
        "where slice_key = '__all__' order by window_start"
    )
    first_two = status[status.is_final].window_start.iloc[:2]
    rows = expected_rows[expected_rows.window_start.isin(first_two) & expected_rows.label.notna()]
    y, s = rows.label.to_numpy(dtype=int), rows.score.to_numpy()
    assert baseline.baseline_source == "first_final_windows"
    assert baseline.labeled_count == len(rows)
    assert_close(baseline.roc_auc, roc_auc_score(y, s), "roc_auc")
    assert_close(baseline.brier_score, brier_score_loss(y, s), "brier_score")
    # the drop is measured from that baseline
    perf = built.df(
        "select roc_auc, baseline_roc_auc, roc_auc_drop from modelwatch.model_performance "
        "where slice_key = '__all__' and roc_auc is not null"
    )
    np.testing.assert_allclose(perf.baseline_roc_auc, baseline.roc_auc, rtol=1e-9)
    np.testing.assert_allclose(perf.roc_auc_drop, baseline.roc_auc - perf.roc_auc, rtol=1e-9)


@pytest.fixture(scope="module")
def built_with_date_range_reference(builder, tables):
    """The reference is a date range of the log: its labeled predictions are the baseline."""
    config = {
        **CONFIG,
        "inputs": {
            **CONFIG["inputs"],
            "reference": {"predictions_between": ["2026-05-04", "2026-05-05"]},
        },
    }
    return builder(tables, config, "performance_range_baseline")


def test_baseline_from_a_reference_date_range(built_with_date_range_reference, expected_rows):
    from sklearn.metrics import log_loss, roc_auc_score

    baseline = built_with_date_range_reference.df(
        "select * from modelwatch.performance_baseline"
    ).iloc[0]
    rows = expected_rows[(expected_rows.window_start == DAY) & expected_rows.label.notna()]
    y, s = rows.label.to_numpy(dtype=int), rows.score.to_numpy()
    assert baseline.baseline_source == "reference" and baseline.labeled_count == len(rows)
    assert_close(baseline.roc_auc, roc_auc_score(y, s), "roc_auc")
    assert_close(baseline.log_loss, log_loss(y, s), "log_loss")
