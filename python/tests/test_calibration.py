"""modelwatch.calibration equals scikit-learn: isotonic fit (predictions, 1e-12), Platt scaling
(parameters, 1e-6: sklearn's lbfgs stops at its own tolerance), ECE from calibration_curve
(1e-12); the holdout split is deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from reference_performance import ece as sklearn_ece
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from modelwatch.calibration import (
    apply_map,
    capped,
    ece,
    fit_isotonic,
    fit_platt,
    holdout_mask,
    recalibrate,
)


@pytest.fixture(params=[0, 1, 2])
def sample(request):
    rng = np.random.default_rng(request.param)
    n = 4000
    # rounded scores create ties; labels from a miscalibrated truth
    score = np.round(rng.beta(2, 4, n), 3)
    label = (rng.random(n) < np.clip(score * 1.4 + 0.05, 0, 1)).astype(int)
    return score, label


def test_isotonic_equals_sklearn(sample):
    score, label = sample
    reference = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(score, label)
    spec = fit_isotonic(score, label)
    grid = np.r_[np.linspace(-0.2, 1.2, 2001), score]
    np.testing.assert_allclose(apply_map(spec, grid), reference.predict(grid), atol=1e-12)


def test_platt_equals_unpenalised_logistic_regression(sample):
    score, label = sample
    x = np.clip(score, 1e-6, 1 - 1e-6)
    logit = np.log(x / (1 - x))
    reference = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(logit[:, None], label)
    spec = fit_platt(score, label)
    np.testing.assert_allclose(
        [spec["slope"], spec["intercept"]],
        [reference.coef_[0, 0], reference.intercept_[0]],
        atol=1e-6,
    )


def test_ece_equals_calibration_curve(sample):
    score, label = sample
    assert np.isclose(ece(score, label), sklearn_ece(score, label), rtol=1e-12)


def test_fits_refuse_one_class():
    with pytest.raises(ValueError, match="both classes"):
        fit_platt([0.2, 0.3], [1, 1])


def test_recalibration_lowers_holdout_ece(sample):
    score, label = sample
    ids = [f"id{i}" for i in range(len(score))]
    fits = recalibrate(ids, score, label, holdout_share=0.3, max_rows=10_000)
    for fit in fits:
        assert fit["ece_after"] < fit["ece_before"], fit["method"]
    assert fits == recalibrate(ids, score, label, holdout_share=0.3, max_rows=10_000)


def test_split_and_cap_are_deterministic():
    ids = [f"p{i}" for i in range(20_000)]
    mask = holdout_mask(ids, 0.3)
    assert 0.28 < mask.mean() < 0.32
    np.testing.assert_array_equal(mask, holdout_mask(list(reversed(ids)), 0.3)[::-1])
    kept = capped(ids, 5000)
    assert kept.sum() == 5000
