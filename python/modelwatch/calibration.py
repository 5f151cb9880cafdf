"""Recalibration maps: refit the score -> probability map without retraining the model.

Two classic fits on labeled recent predictions, both in plain numpy:

* Platt scaling: ``p = sigmoid(slope * logit(score) + intercept)``, maximum likelihood by Newton's
  method (equals an unpenalised scikit-learn ``LogisticRegression`` on ``logit(score)``);
* isotonic regression: the pool-adjacent-violators fit of ``label`` on ``score`` (equals
  scikit-learn's ``IsotonicRegression(out_of_bounds='clip', y_min=0, y_max=1)``), stored as the
  breakpoints its ``predict`` interpolates between.

A fitted map is a small JSON document; ``apply_map`` turns scores into calibrated probabilities
anywhere (a serving path, a notebook) from that document alone.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: scores are clipped to [SCORE_EPS, 1 - SCORE_EPS] before the logit
SCORE_EPS = 1e-6


def ece(scores: npt.ArrayLike, labels: npt.ArrayLike, n_bins: int = 10) -> float | None:
    """Expected calibration error on sklearn.calibration.calibration_curve's uniform bins:
    sum over non-empty bins of (n_b / n) * |mean score_b - positive rate_b|."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if s.size == 0:
        return None
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], s)
    count = np.bincount(bins, minlength=n_bins)
    score_sum = np.bincount(bins, weights=s, minlength=n_bins)
    label_sum = np.bincount(bins, weights=y, minlength=n_bins)
    seen = count > 0
    gap = np.abs(score_sum[seen] / count[seen] - label_sum[seen] / count[seen])
    return float(np.sum(count[seen] * gap) / s.size)


def _logit(scores: FloatArray) -> FloatArray:
    s = np.clip(scores, SCORE_EPS, 1.0 - SCORE_EPS)
    return np.log(s / (1.0 - s))


def _sigmoid(z: FloatArray) -> FloatArray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit_platt(
    scores: npt.ArrayLike, labels: npt.ArrayLike, max_iter: int = 100, tol: float = 1e-12
) -> dict[str, Any]:
    """Maximum-likelihood (slope, intercept) of sigmoid(slope * logit(score) + intercept)."""
    x = _logit(np.asarray(scores, dtype=np.float64))
    y = np.asarray(labels, dtype=np.float64)
    if x.size == 0 or y.min() == y.max():
        raise ValueError("Platt scaling needs labeled rows of both classes")
    design = np.column_stack([x, np.ones_like(x)])
    beta = np.array([1.0, 0.0])
    for _ in range(max_iter):
        p = _sigmoid(design @ beta)
        gradient = design.T @ (y - p)
        hessian = (design * (p * (1.0 - p))[:, None]).T @ design
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    return {"method": "platt", "slope": float(beta[0]), "intercept": float(beta[1])}


def fit_isotonic(scores: npt.ArrayLike, labels: npt.ArrayLike) -> dict[str, Any]:
    """Pool-adjacent-violators fit of label on score (non-decreasing), as breakpoints."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if s.size == 0:
        raise ValueError("isotonic regression needs labeled rows")
    # ties in the score are pooled first, weighted by their count (as scikit-learn does)
    x, inverse = np.unique(s, return_inverse=True)
    weight = np.bincount(inverse).astype(np.float64)
    mean = np.bincount(inverse, weights=y) / weight
    # blocks: (weighted mean, weight, number of unique x)
    means: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for m, w in zip(mean.tolist(), weight.tolist(), strict=True):
        means.append(m)
        weights.append(w)
        sizes.append(1)
        while len(means) > 1 and means[-2] >= means[-1]:
            w2 = weights[-2] + weights[-1]
            m2 = (means[-2] * weights[-2] + means[-1] * weights[-1]) / w2
            n2 = sizes[-2] + sizes[-1]
            del means[-1], weights[-1], sizes[-1]
            means[-1], weights[-1], sizes[-1] = m2, w2, n2
    fitted = np.repeat(np.clip(means, 0.0, 1.0), sizes)
    # keep the ends of every constant run: np.interp between them reproduces the fit
    keep = np.ones(x.size, dtype=bool)
    if x.size > 2:
        same_prev = fitted[1:-1] == fitted[:-2]
        same_next = fitted[1:-1] == fitted[2:]
        keep[1:-1] = ~(same_prev & same_next)
    return {"method": "isotonic", "x": x[keep].tolist(), "y": fitted[keep].tolist()}


def apply_map(calibration_map: dict[str, Any] | str, scores: npt.ArrayLike) -> FloatArray:
    """Calibrated probabilities for scores, from a fitted map (dict or its JSON text)."""
    spec = json.loads(calibration_map) if isinstance(calibration_map, str) else calibration_map
    s = np.asarray(scores, dtype=np.float64)
    if spec["method"] == "platt":
        return _sigmoid(spec["slope"] * _logit(s) + spec["intercept"])
    if spec["method"] == "isotonic":
        return np.interp(s, np.asarray(spec["x"]), np.asarray(spec["y"]))
    raise ValueError(f"unknown calibration method {spec['method']!r}")


def holdout_mask(ids: npt.ArrayLike, share: float) -> npt.NDArray[np.bool_]:
    """A deterministic split: True for about ``share`` of the ids, the same on every run."""
    return _id_hash(ids) % 10_000 < round(share * 10_000)


def _id_hash(ids: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    import pandas as pd

    values = pd.Series(np.asarray(ids, dtype=object)).astype(str)
    return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)


def capped(ids: npt.ArrayLike, max_rows: int) -> npt.NDArray[np.bool_]:
    """A deterministic sample of at most ``max_rows`` ids (those with the smallest hashes)."""
    h = _id_hash(ids)
    if h.size <= max_rows:
        return np.ones(h.size, dtype=bool)
    cutoff = np.partition(h, max_rows - 1)[max_rows - 1]
    return h <= cutoff


def recalibrate(
    ids: npt.ArrayLike,
    scores: npt.ArrayLike,
    labels: npt.ArrayLike,
    holdout_share: float,
    max_rows: int,
    n_bins: int = 10,
) -> list[dict[str, Any]]:
    """Fit Platt and isotonic maps on a deterministic split of the rows and measure them on the
    held-out part: one record per method with ECE and Brier score before and after."""
    ids = np.asarray(ids, dtype=object)
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    keep = capped(ids, max_rows)
    ids, s, y = ids[keep], s[keep], y[keep]
    test = holdout_mask(ids, holdout_share)
    fit_s, fit_y, test_s, test_y = s[~test], y[~test], s[test], y[test]
    base = {
        "fit_count": int(fit_s.size),
        "holdout_count": int(test_s.size),
        "ece_before": ece(test_s, test_y, n_bins),
        "brier_before": float(np.mean((test_s - test_y) ** 2)) if test_s.size else None,
    }
    out = []
    for method, fit in (("platt", fit_platt), ("isotonic", fit_isotonic)):
        record: dict[str, Any] = {"method": method, **base}
        try:
            spec = fit(fit_s, fit_y)
        except ValueError as error:
            record.update(map=None, ece_after=None, brier_after=None, note=str(error))
            out.append(record)
            continue
        calibrated = apply_map(spec, test_s)
        record.update(
            map=spec,
            ece_after=ece(calibrated, test_y, n_bins),
            brier_after=float(np.mean((calibrated - test_y) ** 2)) if test_s.size else None,
            note=None,
        )
        out.append(record)
    return out
