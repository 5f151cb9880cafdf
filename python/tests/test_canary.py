"""Canary verdicts on windows built to be clearly worse, clearly better and inconclusive; the
z statistics equal a numpy computation (pooled two-proportion z; Hanley-McNeil z for the AUC
difference with sklearn's AUCs), 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_performance import labeled_predictions
from sklearn.metrics import roc_auc_score

DAY = pd.Timestamp("2026-07-06")
RTOL = 1e-9


def arm(rng, n, day, version, role, signal, error_share, prefix):
    """n requests whose outcome the score ranks with strength `signal`."""
    truth = rng.random(n) < 0.3
    score = 1 / (1 + np.exp(-(signal * (truth - 0.3) + rng.normal(0, 1, n))))
    return pd.DataFrame(
        {
            "prediction_id": [f"{prefix}{i}" for i in range(n)],
            "model_name": "m",
            "model_version": version,
            "deployment_role": role,
            "predicted_at": (
                DAY + pd.Timedelta(days=day) + pd.to_timedelta(rng.uniform(0, 80_000, n), unit="s")
            ).astype("datetime64[us]"),
            "score": score,
            "status_code": np.where(rng.random(n) < error_share, 503, 200),
            "x": rng.normal(0, 1, n),
            "_truth": truth.astype(int),
        }
    )


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(21)
    parts = [
        # day 0: the canary errors 10x as often and ranks worse -> rollback
        arm(rng, 3000, 0, "v1", "champion", 1.0, 0.005, "c0-"),
        arm(rng, 1500, 0, "v3", "canary", 0.3, 0.05, "k0-"),
        # day 1: the canary ranks better, errors as often -> promote
        arm(rng, 3000, 1, "v1", "champion", 1.0, 0.005, "c1-"),
        arm(rng, 1500, 1, "v3", "canary", 1.6, 0.005, "k1-"),
        # day 2: a handful of canary requests -> hold
        arm(rng, 3000, 2, "v1", "champion", 1.0, 0.005, "c2-"),
        arm(rng, 40, 2, "v3", "canary", 1.0, 0.005, "k2-"),
    ]
    rows = pd.concat(parts, ignore_index=True)
    labels = pd.DataFrame(
        {
            "prediction_id": rows.prediction_id,
            "label": rows._truth,
            "labeled_at": rows.predicted_at + pd.Timedelta(hours=6),
        }
    )
    predictions = rows.drop(columns="_truth")
    reference = pd.DataFrame({"x": rng.normal(0, 1, 500), "score": rng.uniform(0, 1, 500)})
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


@pytest.fixture(scope="module")
def built(builder, tables):
    config = {
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "columns": {
            "predictions": {"deployment_role": "deployment_role", "status_code": "status_code"}
        },
        "models": [{"name": "m", "features": {"numeric": ["x"]}}],
    }
    return builder(tables, config, "canary")


def test_verdicts(built):
    verdicts = built.df("select * from modelwatch.canary_verdicts order by window_start")
    assert verdicts.verdict.tolist() == ["rollback", "promote", "hold"]
    worse, better, small = verdicts.iloc[0], verdicts.iloc[1], verdicts.iloc[2]
    assert worse.is_error_regression and worse.is_auc_regression
    assert "error rate significantly higher" in worse.reasons
    assert better.roc_auc_diff > 0 and better.reasons == ""
    assert not small.has_enough_requests and "too few requests" in small.reasons


def z_two_proportions(x1, n1, x2, n2):
    p = (x1 + x2) / (n1 + n2)
    return (x1 / n1 - x2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


def hanley_mcneil_variance(auc, n1, n0):
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    return (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0)


def test_statistics_equal_numpy(built, tables):
    rows = labeled_predictions(tables["predictions"], tables["labels"], ["m"], 0.5)
    verdicts = built.df("select * from modelwatch.canary_verdicts").set_index("window_start")
    for window, g in rows.groupby("window_start"):
        k, c = g[g.deployment_role == "canary"], g[g.deployment_role == "champion"]
        row = verdicts.loc[window]
        expected_pos = z_two_proportions(k.decision.sum(), len(k), c.decision.sum(), len(c))
        err_k, err_c = (k.status_code >= 400).sum(), (c.status_code >= 400).sum()
        expected_err = z_two_proportions(err_k, len(k), err_c, len(c))
        auc_k, auc_c = roc_auc_score(k.label, k.score), roc_auc_score(c.label, c.score)
        var = hanley_mcneil_variance(auc_k, k.label.sum(), (k.label == 0).sum())
        var += hanley_mcneil_variance(auc_c, c.label.sum(), (c.label == 0).sum())
        assert np.isclose(row.positive_rate_z, expected_pos, rtol=RTOL)
        assert np.isclose(row.error_rate_z, expected_err, rtol=RTOL)
        assert np.isclose(row.canary_roc_auc, auc_k, rtol=RTOL)
        assert np.isclose(row.roc_auc_z, (auc_k - auc_c) / np.sqrt(var), rtol=RTOL)
        assert row.canary_requests == len(k) and row.control_requests == len(c)


def test_postgres_verdicts_equal_duckdb(built, tmp_path):
    from pg import build_on_postgres, pg_df
    from tables import OUTPUT_TABLES, assert_tables_equal

    outcome = build_on_postgres(
        built.path,
        built.config,
        ["predictions", "labels", "training_reference"],
        "mw_canary_in",
        "mw_canary",
        tmp_path / "target",
    )
    assert outcome.build_ok, outcome.build_errors
    actual = pg_df('select * from "mw_canary"."canary_verdicts"')
    expected = built.df("select * from modelwatch.canary_verdicts")
    assert len(expected) == 3
    assert_tables_equal(
        actual, expected, OUTPUT_TABLES["canary_verdicts"], rtol=1e-9, skip=("config_fingerprint",)
    )


def test_demo_bad_canary_is_rolled_back(demo_built):
    from modelwatch.demo import DEMO_START, INCIDENTS

    verdicts = demo_built.df("select * from modelwatch.canary_verdicts order by window_start")
    start = pd.Timestamp(DEMO_START) + pd.Timedelta(days=INCIDENTS["bad_canary"].start_day)
    assert len(verdicts) == 63 - INCIDENTS["bad_canary"].start_day
    assert verdicts.window_start.min() == start
    assert (verdicts.verdict == "rollback").all(), verdicts[["window_start", "reasons"]]
    assert (verdicts.control_version == "v1").all() and (verdicts.canary_version == "v3").all()
    assert verdicts.is_error_regression.all()
