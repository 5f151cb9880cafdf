"""The demo's calibration decay raises the performance alerts; its stationary period does not;
estimates track realized values while the world is stationary; the recalibration table refits
the calibrator the decay broke.

Estimated vs realized, overall rows of both versions on the stationary days (0-27) with at
least 100 labels, at the test scale (~1,800 labels a window, where realized AUC alone has a
sampling error of about 0.012): |estimated - realized| has mean <= 0.015 and max <= 0.04 for
roc_auc, mean <= 0.015 and max <= 0.03 for accuracy, and the mean signed difference is within
0.01 (no bias).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelwatch.calibration import apply_map, ece, holdout_mask
from modelwatch.demo import DEMO_START, INCIDENTS

CALIBRATION = INCIDENTS["calibration_decay"]
DECAY_START = pd.Timestamp(DEMO_START) + pd.Timedelta(days=CALIBRATION.start_day)
PERFORMANCE_CHECKS = [
    "roc_auc_drop", "brier_score_increase", "ece", "estimated_roc_auc_drop", "label_coverage",
]  # fmt: skip


def day(d: int) -> pd.Timestamp:
    return pd.Timestamp(DEMO_START) + pd.Timedelta(days=d)


def stored(demo_built, check: str, level: str) -> pd.DataFrame:
    return demo_built.df(f"select * from modelwatch_audit.model_performance_{check}_{level}")


@pytest.mark.parametrize("check", PERFORMANCE_CHECKS)
def test_stationary_period_is_quiet(demo_built, check):
    for level in ("warn", "error"):
        rows = stored(demo_built, check, level)
        assert (rows.window_start >= DECAY_START).all(), (check, level, rows.window_start.min())


def test_calibration_decay_alerts_on_ece(demo_built):
    alerts = demo_built.alerts()
    assert alerts["model_performance_ece_warn"] == "warn"
    assert alerts["model_performance_ece_error"] == "error"
    champion = [
        stored(demo_built, "ece", level).query("model_version == 'v1'")
        for level in ("warn", "error")
    ]
    first = min(frame.window_start.min() for frame in champion)
    # the documented gap (mean outcome - mean score) crosses 0.05 around day 36 (+0.058 on 37)
    assert day(33) <= first <= day(39), first
    # from day 42 (gap > 0.09) every champion window with enough labels is at error level
    errors = set(champion[1].window_start)
    perf = demo_built.df(
        "select window_start from modelwatch.model_performance where slice_key = '__all__' "
        "and model_version = 'v1' and labeled_count >= 100"
    )
    late = {w for w in perf.window_start if w >= day(42)}
    assert late and late <= errors


def test_label_coverage_is_fine_once_due(demo_built):
    due = demo_built.df(
        "select label_coverage from modelwatch.model_performance "
        "where slice_key = '__all__' and is_label_coverage_due"
    )
    assert len(due) > 0 and due.label_coverage.min() > 0.8


def test_estimates_track_realized_in_the_stationary_period(demo_built):
    frame = demo_built.df(
        "select * from modelwatch.model_performance where slice_key = '__all__' "
        f"and window_start < timestamp '{DECAY_START}' and labeled_count >= 100"
    )
    assert len(frame) >= 50
    for metric, mean_tol, max_tol in (("roc_auc", 0.015, 0.04), ("accuracy", 0.015, 0.03)):
        diff = frame[f"estimated_{metric}"] - frame[metric]
        assert diff.abs().mean() <= mean_tol, (metric, diff.abs().mean())
        assert diff.abs().max() <= max_tol, (metric, diff.abs().max())
        assert abs(diff.mean()) <= 0.01, (metric, diff.mean())


@pytest.fixture(scope="module")
def recalibration(demo_built) -> pd.DataFrame:
    return demo_built.df("select * from modelwatch.recalibration order by model_version, method")


def test_recalibration_refits_the_decayed_calibrator(recalibration):
    assert set(recalibration.method) == {"platt", "isotonic"}
    champion = recalibration[recalibration.model_version == "v1"]
    assert champion.is_calibration_degraded.all()
    recommended = champion[champion.is_recommended]
    assert len(recommended) == 1
    best = recommended.iloc[0]
    assert best.ece_after == champion.ece_after.min()
    assert best.ece_after < best.ece_before / 3 and best.brier_after < best.brier_before


def test_stored_maps_reproduce_their_holdout_figures(demo_built, recalibration):
    rows = demo_built.df("select * from modelwatch.int_modelwatch__performance_recalibration_rows")
    for _, fit in recalibration.iterrows():
        group = rows[rows.model_version == fit.model_version]
        test = holdout_mask(group.prediction_id, float(group.holdout_share.iloc[0]))
        assert test.sum() == fit.holdout_count and (~test).sum() == fit.fit_count
        score, label = group.score[test].to_numpy(), group.label[test].to_numpy()
        assert np.isclose(ece(score, label), fit.ece_before, rtol=1e-12)
        calibrated = apply_map(fit.map_json, score)
        assert np.isclose(ece(calibrated, label), fit.ece_after, rtol=1e-12)
        assert np.isclose(np.mean((calibrated - label) ** 2), fit.brier_after, rtol=1e-12)
