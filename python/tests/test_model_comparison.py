"""model_comparison equals numpy / scikit-learn / scipy on the raw rows: champion and shadow
paired on request_id per window (counts exact; rates, correlation = numpy.corrcoef and AUCs =
roc_auc_score within 1e-9; McNemar = scipy's exact binomial test or the continuity-corrected
chi-square, 1e-9); rows without a partner are counted, never dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_performance import labeled_predictions
from scipy.stats import binomtest, chi2
from sklearn.metrics import roc_auc_score

from modelwatch.demo import MODEL_NAME, THRESHOLD
from modelwatch.stats import MCNEMAR_EXACT_BELOW, mcnemar_p_value

RTOL, ATOL = 1e-9, 1e-12


def expected_comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (window, candidate version) from labeled_predictions-style rows."""
    champion = rows[rows.deployment_role == "champion"]
    out = []
    candidates = rows[~rows.deployment_role.isin(["champion", "canary"])]
    for (version, role), cand in candidates.groupby(["model_version", "deployment_role"]):
        merged = champion.merge(
            cand, on="request_id", how="outer", suffixes=("_b", "_c"), indicator=True
        )
        merged["window_start"] = merged.window_start_b.fillna(merged.window_start_c)
        for window, g in merged.groupby("window_start"):
            both = g[g._merge == "both"]
            label = both.label_b.fillna(both.label_c)
            lab = both[label.notna()]
            y = label[label.notna()].to_numpy(dtype=int)
            right_b = lab.decision_b.to_numpy() == y
            right_c = lab.decision_c.to_numpy() == y
            b, c = int((right_b & ~right_c).sum()), int((~right_b & right_c).sum())
            two = len(np.unique(y)) == 2
            out.append(
                {
                    "window_start": window,
                    "candidate_version": version,
                    "role": role,
                    "paired_count": len(both),
                    "unpaired_baseline_count": int((g._merge == "left_only").sum()),
                    "unpaired_candidate_count": int((g._merge == "right_only").sum()),
                    "disagreement_rate": float((both.decision_b != both.decision_c).mean()),
                    "mean_abs_score_diff": float((both.score_b - both.score_c).abs().mean()),
                    "score_correlation": float(np.corrcoef(both.score_b, both.score_c)[0, 1]),
                    "labeled_pair_count": len(lab),
                    "baseline_roc_auc": roc_auc_score(y, lab.score_b) if two else np.nan,
                    "candidate_roc_auc": roc_auc_score(y, lab.score_c) if two else np.nan,
                    "baseline_only_correct": b,
                    "candidate_only_correct": c,
                    "mcnemar_p_value": reference_mcnemar(b, c),
                }
            )
    return pd.DataFrame(out)


def reference_mcnemar(b: int, c: int) -> float:
    if b + c == 0:
        return np.nan
    if b + c < MCNEMAR_EXACT_BELOW:
        return binomtest(min(b, c), b + c, 0.5).pvalue
    return chi2.sf((abs(b - c) - 1) ** 2 / (b + c), 1)


def assert_matches(table: pd.DataFrame, expected: pd.DataFrame) -> None:
    merged = expected.merge(
        table, on=["window_start", "candidate_version"], suffixes=("", "_sql"), how="outer"
    )
    assert len(merged) == len(expected) == len(table)
    for column in expected.columns:
        if column in ("window_start", "candidate_version"):
            continue
        a, b = merged[column], merged[f"{column}_sql"]
        if column == "role":
            assert (a == b).all()
            continue
        a, b = a.astype(float).to_numpy(), b.astype(float).to_numpy()
        assert (np.isnan(a) == np.isnan(b)).all(), column
        np.testing.assert_allclose(
            b[~np.isnan(b)], a[~np.isnan(a)], rtol=RTOL, atol=ATOL, err_msg=column
        )


def test_demo_comparison_equals_reference(demo_built):
    predictions = demo_built.df("select * from main.predictions")
    labels = demo_built.df("select * from main.labels")
    rows = labeled_predictions(predictions, labels, [MODEL_NAME], THRESHOLD)
    table = demo_built.df("select * from modelwatch.model_comparison")
    assert (table.baseline_version == "v1").all()
    assert_matches(table, expected_comparison(rows))
    # the better challenger: higher AUC in most windows, and McNemar sees it on some
    assert (table.candidate_roc_auc > table.baseline_roc_auc).mean() > 0.9


@pytest.fixture(scope="module")
def unpaired(builder):
    rng = np.random.default_rng(9)
    day = pd.Timestamp("2026-02-02")
    rows = []
    for i in range(120):
        at = day + pd.Timedelta(days=i % 2, minutes=i)
        score = float(rng.uniform(0, 1))
        if i % 10 != 3:  # champion rows missing for some requests
            rows.append(("c", i, "v1", "champion", at, score))
        if i % 10 != 7:  # shadow rows missing for others
            rows.append(
                ("s", i, "v2", "shadow", at, float(np.clip(score + rng.normal(0, 0.2), 0, 1)))
            )
    predictions = pd.DataFrame(
        {
            "prediction_id": [f"{p}{i}" for p, i, *_ in rows],
            "model_name": "m",
            "model_version": [r[2] for r in rows],
            "request_id": [f"r{r[1]}" for r in rows],
            "deployment_role": [r[3] for r in rows],
            "predicted_at": pd.Series([r[4] for r in rows]).astype("datetime64[us]"),
            "score": [r[5] for r in rows],
            "x": rng.normal(0, 1, len(rows)),
        }
    )
    labeled = predictions.sample(frac=0.8, random_state=1)
    labels = pd.DataFrame(
        {
            "prediction_id": labeled.prediction_id.to_numpy(),
            "label": (rng.random(len(labeled)) < labeled.score.to_numpy()).astype(int),
            "labeled_at": (labeled.predicted_at + pd.Timedelta(days=1)).to_numpy(),
        }
    )
    reference = pd.DataFrame({"x": rng.normal(0, 1, 300), "score": rng.uniform(0, 1, 300)})
    config = {
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "columns": {
            "predictions": {"request_id": "request_id", "deployment_role": "deployment_role"}
        },
        "models": [{"name": "m", "features": {"numeric": ["x"]}}],
    }
    tables = {"predictions": predictions, "labels": labels, "training_reference": reference}
    return builder(tables, config, "comparison_unpaired"), tables


def test_unpaired_rows_are_counted(unpaired):
    built, tables = unpaired
    rows = labeled_predictions(tables["predictions"], tables["labels"], ["m"], 0.5)
    table = built.df("select * from modelwatch.model_comparison")
    assert table.unpaired_baseline_count.sum() == 12 and table.unpaired_candidate_count.sum() == 12
    assert_matches(table, expected_comparison(rows))


@pytest.mark.parametrize("b,c", [(0, 0), (0, 1), (3, 9), (12, 12), (2, 22), (10, 15), (40, 61)])
def test_mcnemar_equals_scipy(b, c):
    expected, actual = reference_mcnemar(b, c), mcnemar_p_value(b, c)
    assert (np.isnan(expected) and np.isnan(actual)) or np.isclose(actual, expected, rtol=1e-12)


def comparison_log(rng: np.random.Generator) -> pd.DataFrame:
    """20 days of a champion and a shadow (10 requests a day), a challenger from day 15, and two
    requests whose sides fall 12 days apart: a champion on day 5 whose shadow row comes on day
    16, and a shadow on day 3 whose champion comes on day 17."""
    start = pd.Timestamp("2026-03-02")
    rows = []
    for day in range(20):
        for i in range(10):
            request, at = f"d{day}r{i}", start + pd.Timedelta(days=day, hours=i)
            score = float(rng.uniform(0, 1))
            rows.append((f"c{request}", request, "v1", "champion", at, score))
            rows.append((f"s{request}", request, "v2", "shadow", at, float(rng.uniform(0, 1))))
            if day >= 15:
                rows.append(
                    (f"h{request}", request, "v3", "challenger", at, float(rng.uniform(0, 1)))
                )
    for pid, request, version, role, day in [
        ("c_late_shadow", "x1", "v1", "champion", 5),
        ("s_late_shadow", "x1", "v2", "shadow", 16),
        ("s_late_champion", "x2", "v2", "shadow", 3),
        ("c_late_champion", "x2", "v1", "champion", 17),
    ]:
        at = start + pd.Timedelta(days=day, hours=20)
        rows.append((pid, request, version, role, at, float(rng.uniform(0, 1))))
    return pd.DataFrame(
        {
            "prediction_id": [r[0] for r in rows],
            "model_name": "m",
            "model_version": [r[2] for r in rows],
            "request_id": [r[1] for r in rows],
            "deployment_role": [r[3] for r in rows],
            "predicted_at": pd.Series([r[4] for r in rows]).astype("datetime64[us]"),
            "score": [r[5] for r in rows],
            "x": rng.normal(0, 1, len(rows)),
        }
    )


def test_incremental_comparison_equals_full_refresh(tmp_path):
    """A run after 5 more days equals a full refresh: a challenger that first appears then shows
    its missing partners in every old champion window, and a request's other side arriving
    12 days later re-pairs its old window, outside the lookback and final."""
    from conftest import run_modelwatch, write_tables
    from tables import OUTPUT_TABLES, assert_tables_equal

    rng = np.random.default_rng(4)
    predictions = comparison_log(rng)
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id,
            "label": (rng.random(len(predictions)) < predictions.score).astype(int),
            "labeled_at": predictions.predicted_at + pd.Timedelta(hours=6),
        }
    )
    reference = pd.DataFrame({"x": rng.normal(0, 1, 300), "score": rng.uniform(0, 1, 300)})
    config = {
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "columns": {
            "predictions": {"request_id": "request_id", "deployment_role": "deployment_role"}
        },
        "models": [{"name": "m", "features": {"numeric": ["x"]}}],
        "performance": {"max_label_delay_days": 2},
    }
    cutoff = pd.Timestamp("2026-03-17")  # days 0-14 first
    first = {
        "predictions": predictions[predictions.predicted_at < cutoff],
        "labels": labels[labels.labeled_at < cutoff],
        "training_reference": reference,
    }
    everything = {"predictions": predictions, "labels": labels, "training_reference": reference}
    incremental_path, full_path = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    # only the operations job, which holds model_comparison and everything upstream of it
    jobs = ["operations"]
    write_tables(incremental_path, first)
    before = run_modelwatch(incremental_path, config, tmp_path / "a", jobs=jobs).df(
        "select * from modelwatch.model_comparison"
    )
    write_tables(incremental_path, everything)
    incremental = run_modelwatch(
        incremental_path, config, tmp_path / "b", full_refresh=False, jobs=jobs
    )
    write_tables(full_path, everything)
    full = run_modelwatch(full_path, config, tmp_path / "c", jobs=jobs)

    query = "select * from modelwatch.model_comparison"
    keys = OUTPUT_TABLES["model_comparison"]
    after, rebuilt = incremental.df(query), full.df(query)
    assert_tables_equal(after, rebuilt, keys)
    # the cases the test is for happened: the challenger reaches day 0, the old windows re-paired
    day = lambda n: pd.Timestamp("2026-03-02") + pd.Timedelta(days=n)  # noqa: E731
    assert ((after.candidate_version == "v3") & (after.window_start == day(0))).any()
    assert not (before.candidate_version == "v3").any()
    for window, column in [
        (day(5), "unpaired_baseline_count"),
        (day(3), "unpaired_candidate_count"),
    ]:
        was = before[(before.window_start == window) & (before.candidate_version == "v2")]
        now = after[(after.window_start == window) & (after.candidate_version == "v2")]
        assert int(was[column].iloc[0]) == 1 and int(now[column].iloc[0]) == 0
    assert_matches(
        after.drop(columns=["baseline_version"]).assign(model_name="m"),
        expected_comparison(labeled_predictions(predictions, labels, ["m"], 0.5)),
    )
