"""Every drift statistic of the demo warehouse equals numpy/scipy on the raw rows.

Tolerance: 1e-9 relative (1e-12 absolute) for statistics and p-values; counts and bins exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_impl import expected_drift, numeric_edges, valid_predictions

from modelwatch.demo import CATEGORICAL_FEATURES, MODEL_NAME, NUMERIC_FEATURES, TYPE_CHANGE_FEATURE

RTOL, ATOL = 1e-9, 1e-12


def close(actual: float | None, expected: float | None) -> bool:
    if expected is None or (isinstance(expected, float) and np.isnan(expected)):
        return actual is None or pd.isna(actual)
    return bool(np.isclose(actual, expected, rtol=RTOL, atol=ATOL))


@pytest.fixture(scope="module")
def raw(demo_built):
    predictions = demo_built.df("select * from main.predictions")
    reference = demo_built.df(
        f"select * from main.training_reference where model_name = '{MODEL_NAME}'"
    )
    monitored = valid_predictions(predictions, [MODEL_NAME])
    monitored = monitored[monitored["deployment_role"] == "champion"].copy()
    monitored["window_start"] = monitored["predicted_at"].dt.floor("D")
    # logged as text: what does not read as a number is a type error, left out of its drift
    text = monitored[TYPE_CHANGE_FEATURE]
    monitored[TYPE_CHANGE_FEATURE] = pd.to_numeric(text, errors="coerce")
    monitored["type_error"] = text.notna() & monitored[TYPE_CHANGE_FEATURE].isna()
    assert monitored.type_error.any()
    return reference, monitored


FEATURES = (
    [(f, "numeric") for f in NUMERIC_FEATURES]
    + [(f, "categorical") for f in CATEGORICAL_FEATURES]
    + [("score", "numeric")]
)


def test_reference_bins_match_numpy_quantiles(demo_built, raw):
    reference, _ = raw
    bins = demo_built.df(
        f"select * from modelwatch.reference_bins where model_name = '{MODEL_NAME}'"
    )
    for feature in NUMERIC_FEATURES + ["score"]:
        rows = bins[bins.feature_name == feature].sort_values("bin_index")
        edges = numeric_edges(reference[feature])
        lower = rows[~rows.is_null_bin].lower_bound.to_numpy()[1:]
        assert len(lower) == len(edges), feature
        np.testing.assert_allclose(lower, edges, rtol=RTOL, atol=ATOL)
        assert pd.isna(rows.lower_bound.iloc[0]) and pd.isna(
            rows[~rows.is_null_bin].upper_bound.iloc[-1]
        )
        assert rows.is_null_bin.iloc[-1] and rows.is_null_bin.sum() == 1
        assert rows.reference_count.sum() == len(reference)


def test_feature_drift_matches_scipy(demo_built, raw):
    reference, monitored = raw
    overall = f"where model_name = '{MODEL_NAME}' and segment_key = '__all__'"
    drift = demo_built.df(f"select * from modelwatch.feature_drift {overall}")
    counts = demo_built.df(f"select * from modelwatch.feature_bin_counts {overall}")
    windows = sorted(monitored.window_start.unique())
    assert len(windows) == 63
    # the type-change day has no drift row for that feature: none of its values reads
    whole_day_errors = monitored.groupby("window_start").type_error.all()
    assert whole_day_errors.sum() == 1
    assert len(drift) == len(windows) * len(FEATURES) - 1
    mismatches = []
    for window in windows:
        rows = monitored[monitored.window_start == window]
        for feature, kind in FEATURES:
            current = rows[~rows.type_error] if feature == TYPE_CHANGE_FEATURE else rows
            if current.empty:
                assert drift[(drift.window_start == window) & (drift.feature_name == feature)].empty
                continue
            exp = expected_drift(reference[feature], current[feature], kind)
            row = drift[(drift.window_start == window) & (drift.feature_name == feature)].iloc[0]
            got_counts = (
                counts[(counts.window_start == window) & (counts.feature_name == feature)]
                .sort_values("bin_index")
                .current_count.to_numpy()
            )
            checks = {
                "feature_type": row.feature_type == kind,
                "current_count": row.current_count == len(current),
                "reference_count": row.reference_count == len(reference),
                "bin_counts": np.array_equal(got_counts, exp.bin_counts_current),
                "psi": close(row.psi, exp.psi),
                "js_distance": close(row.js_distance, exp.js_distance),
                "null_rate_reference": close(row.null_rate_reference, exp.null_rate_reference),
                "null_rate_current": close(row.null_rate_current, exp.null_rate_current),
                "ks_statistic": close(row.ks_statistic, exp.ks_statistic),
                "ks_p_value": close(row.ks_p_value, exp.ks_p_value),
                "chi2_statistic": close(row.chi2_statistic, exp.chi2_statistic),
                "chi2_p_value": close(row.chi2_p_value, exp.chi2_p_value),
                "chi2_dof": (exp.chi2_dof is None and pd.isna(row.chi2_dof))
                or row.chi2_dof == exp.chi2_dof,
            }
            mismatches += [(str(window), feature, name) for name, ok in checks.items() if not ok]
    assert not mismatches, mismatches[:20]


def test_psi_contributions_sum_to_psi(demo_built):
    check = demo_built.df(
        """
        select d.window_start, d.feature_name, d.psi, sum(c.psi_contribution) as total
        from modelwatch.feature_drift as d
        join modelwatch.feature_bin_counts as c
            using (model_name, window_start, feature_name, segment_key, segment_value)
        group by d.window_start, d.feature_name, d.segment_key, d.segment_value, d.psi
        """
    )
    np.testing.assert_allclose(check.psi, check.total, rtol=RTOL, atol=ATOL)


def test_score_distribution_matches_numpy(demo_built):
    predictions = demo_built.df("select * from main.predictions")
    valid = valid_predictions(predictions, [MODEL_NAME])
    valid["window_start"] = valid["predicted_at"].dt.floor("D")
    table = demo_built.df(
        f"select * from modelwatch.score_distribution where model_name = '{MODEL_NAME}'"
    )
    assert len(table) == valid.groupby(["model_version", "window_start"]).ngroups
    for (version, window), group in valid.groupby(["model_version", "window_start"]):
        row = table[(table.model_version == version) & (table.window_start == window)].iloc[0]
        s = group.score.to_numpy()
        assert row.prediction_count == len(s)
        assert close(row.score_mean, s.mean())
        for p in (5, 25, 50, 75, 95):
            assert close(row[f"score_p{p:02d}"], np.percentile(s, p)), (version, window, p)
        assert close(row.saturation_low_share, np.mean(s <= 0.01))
        assert close(row.saturation_high_share, np.mean(s >= 0.99))
        assert close(row.predicted_positive_rate, np.mean(s >= 0.5))
