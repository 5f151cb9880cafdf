"""Fairness: every group metric and parity figure equals fairlearn on the raw rows.

fairness_metrics and fairness_parity are recomputed from the raw input tables: the population is
the valid champion (or role-less) predictions with their winning label; groups come from
fairlearn.metrics.MetricFrame (selection_rate, true_positive_rate, false_positive_rate, sklearn
precision) and parity from fairlearn's demographic_parity_difference / _ratio,
equalized_odds_difference and MetricFrame.difference() / .ratio() between groups. Wilson
intervals are statsmodels' proportion_confint(method='wilson'), ECE comes from sklearn's
calibration_curve bins, ROC AUC from roc_auc_score. Tolerance 1e-9 relative (1e-12 absolute);
the noise-aware bounds use a normal quantile approximation good to 1.2e-9, compared at 1e-8.

Where fairlearn reports 0 for a rate a group cannot have (true positive rate without positives,
false positive rate without negatives) the tables report null and leave the group out of that
rate's max and min: the tests assert exactly that.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from reference_performance import ece, labeled_predictions
from scipy.stats import norm
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_score, roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from modelwatch.demo import INCIDENTS, MODEL_NAME, PROTECTED_ATTRIBUTES, THRESHOLD

RTOL, ATOL = 1e-9, 1e-12
BOUND_RTOL = 1e-8
ALPHA = 0.05
Z95 = float(norm.isf(0.025))


# --- the reference: fairlearn on the raw rows ----------------------------------------------


def population(predictions, labels, model_names, threshold, roles=("champion",)) -> pd.DataFrame:
    rows = labeled_predictions(predictions, labels, model_names, threshold)
    role = rows["deployment_role"]
    return rows[role.isna() | role.isin(roles)].copy()


def group_values(rows: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'__null__' for a missing or blank value; intersections joined by ' x '."""
    parts = []
    for column in columns:
        text = rows[column].astype("string").str.strip()
        parts.append(text.where(text.notna() & (text != ""), "__null__"))
    out = parts[0]
    for part in parts[1:]:
        out = out + " x " + part
    return out.astype(str)


def attribute_specs(protected: list[str], intersections: list[list[str]]):
    return [(name, [name]) for name in protected] + [(" x ".join(i), i) for i in intersections]


def wilson(count: int, nobs: int, alpha: float = ALPHA) -> tuple[float, float]:
    if nobs == 0:
        return (np.nan, np.nan)
    low, high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    return float(low), float(high)


def ece_lower(score: np.ndarray, label: np.ndarray) -> float:
    """ECE with each calibration_curve bin's gap reduced by 1.96 * its calibrated-bin SE."""
    prob_true, prob_pred = calibration_curve(label, score, n_bins=10, strategy="uniform")
    index = np.searchsorted(np.linspace(0, 1, 11)[1:-1], score)
    counts = np.bincount(index, minlength=10)
    counts = counts[counts > 0]
    allowance = Z95 * np.sqrt(prob_pred * (1 - prob_pred) / counts)
    return float(
        np.sum(counts * np.maximum(0, np.abs(prob_true - prob_pred) - allowance)) / len(score)
    )


def expected_groups(rows: pd.DataFrame, specs) -> pd.DataFrame:
    """One row per (window, attribute, group) with fairlearn's per-group rates."""
    out = []
    tpr = partial(true_positive_rate, pos_label=1)
    fpr = partial(false_positive_rate, pos_label=1)
    ppv = partial(precision_score, zero_division=np.nan)
    for window, w in rows.groupby("window_start"):
        for name, columns in [("__all__", None), *specs]:
            groups = (
                pd.Series("__all__", index=w.index) if columns is None else group_values(w, columns)
            )
            every = MetricFrame(
                metrics={"selection_rate": selection_rate},
                y_true=np.zeros(len(w), dtype=int),
                y_pred=w["decision"].to_numpy(),
                sensitive_features=groups.to_numpy(),
            ).by_group
            labeled = w["label"].notna()
            y = w.loc[labeled, "label"].to_numpy(dtype=int)
            d = w.loc[labeled, "decision"].to_numpy(dtype=int)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rated = (
                    MetricFrame(
                        metrics={"tpr": tpr, "fpr": fpr, "ppv": ppv},
                        y_true=y,
                        y_pred=d,
                        sensitive_features=groups[labeled].to_numpy(),
                    ).by_group
                    if labeled.any()
                    else pd.DataFrame(columns=["tpr", "fpr", "ppv"])
                )
            for value, g in w.groupby(groups):
                lab = g[g["label"].notna()]
                ly, ld, ls = (
                    lab["label"].to_numpy(dtype=int),
                    lab["decision"].to_numpy(dtype=int),
                    lab["score"].to_numpy(dtype=float),
                )
                positives, negatives = int((ly == 1).sum()), int((ly == 0).sum())
                tp, fp = int(((ly == 1) & (ld == 1)).sum()), int(((ly == 0) & (ld == 1)).sum())
                selected = int(g["decision"].sum())
                rates = rated.loc[value] if value in rated.index else None
                row = {
                    "window_start": window,
                    "attribute_name": name,
                    "group_value": value,
                    "prediction_count": len(g),
                    "labeled_count": len(lab),
                    "selected_count": selected,
                    "positive_count": positives,
                    "negative_count": negatives,
                    "true_positives": tp,
                    "false_positives": fp,
                    "selection_rate": float(every.loc[value, "selection_rate"]),
                    # fairlearn says 0 where the rate is undefined; the table says null
                    "true_positive_rate": float(rates["tpr"]) if positives else np.nan,
                    "false_positive_rate": float(rates["fpr"]) if negatives else np.nan,
                    "positive_predictive_value": float(rates["ppv"])
                    if rates is not None
                    else np.nan,
                    "roc_auc": float(roc_auc_score(ly, ls)) if positives and negatives else np.nan,
                    "ece": ece(ls, ly) if len(lab) else np.nan,
                    "ece_lower": ece_lower(ls, ly) if len(lab) else np.nan,
                }
                row["selection_rate_lower"], row["selection_rate_upper"] = wilson(selected, len(g))
                row["true_positive_rate_lower"], row["true_positive_rate_upper"] = wilson(
                    tp, positives
                )
                row["false_positive_rate_lower"], row["false_positive_rate_upper"] = wilson(
                    fp, negatives
                )
                out.append(row)
    return pd.DataFrame(out)


def rate_difference(frame: pd.DataFrame, metric, rows_mask) -> float:
    """MetricFrame(metric).difference() over the groups of frame[rows_mask]; NaN with < 2."""
    sub = frame[rows_mask]
    if sub["_group"].nunique() < 2:
        return np.nan
    return float(
        MetricFrame(
            metrics=metric,
            y_true=sub["label"].to_numpy(dtype=int),
            y_pred=sub["decision"].to_numpy(dtype=int),
            sensitive_features=sub["_group"].to_numpy(),
        ).difference(method="between_groups")
    )


def expected_parity(
    rows: pd.DataFrame, specs, groups: pd.DataFrame, min_group_size: int, min_labeled: int
) -> pd.DataFrame:
    out = []
    for window, w in rows.groupby("window_start"):
        for name, columns in specs:
            w = w.copy()
            w["_group"] = group_values(w, columns)
            g = groups[(groups.window_start == window) & (groups.attribute_name == name)]
            compared = g[g.prediction_count >= min_group_size]
            row = {
                "window_start": window,
                "attribute_name": name,
                "group_count": len(g),
                "sufficient_group_count": len(compared),
                "groups_compared": ", ".join(sorted(compared.group_value)) or None,
                "groups_below_minimum": ", ".join(
                    sorted(g[g.prediction_count < min_group_size].group_value)
                )
                or None,
            }
            s = w[w["_group"].isin(set(compared.group_value))]
            if len(compared) >= 2:
                y_all = s["label"].fillna(0).to_numpy(dtype=int)  # ignored by selection_rate
                row["demographic_parity_difference"] = demographic_parity_difference(
                    y_all, s["decision"], sensitive_features=s["_group"]
                )
                with np.errstate(invalid="ignore", divide="ignore"):
                    row["demographic_parity_ratio"] = demographic_parity_ratio(
                        y_all, s["decision"], sensitive_features=s["_group"]
                    )
                row["passes_four_fifths_rule"] = (
                    None
                    if np.isnan(row["demographic_parity_ratio"])
                    else bool(row["demographic_parity_ratio"] >= 0.8)
                )
            lab = s[s["label"].notna()]
            has_pos = lab.groupby("_group")["label"].transform(lambda v: (v == 1).any())
            has_neg = lab.groupby("_group")["label"].transform(lambda v: (v == 0).any())
            tpr = partial(true_positive_rate, pos_label=1)
            fpr = partial(false_positive_rate, pos_label=1)
            eo = rate_difference(lab, tpr, has_pos.astype(bool)) if len(lab) else np.nan
            fd = rate_difference(lab, fpr, has_neg.astype(bool)) if len(lab) else np.nan
            row["equal_opportunity_difference"] = eo
            row["false_positive_rate_difference"] = fd
            row["equalized_odds_difference"] = (
                np.nanmax([eo, fd]) if not np.isnan([eo, fd]).all() else np.nan
            )
            if (
                len(lab)
                and bool(has_pos.all())
                and bool(has_neg.all())
                and lab["_group"].nunique() >= 2
            ):
                # every group has both rates: fairlearn's own function agrees
                assert np.isclose(
                    row["equalized_odds_difference"],
                    equalized_odds_difference(
                        lab["label"].astype(int), lab["decision"], sensitive_features=lab["_group"]
                    ),
                    rtol=RTOL,
                    atol=ATOL,
                )
            # the noise-aware figures the checks judge
            k = len(compared)
            if k >= 2:
                lo_hi = [
                    wilson(r.selected_count, r.prediction_count, ALPHA / k)
                    for r in compared.itertuples()
                ]
                upper_min = min(h for _, h in lo_hi)
                lower_max = max(lo for lo, _ in lo_hi)
                row["demographic_parity_ratio_bound"] = (
                    1.0 if lower_max <= 0 else min(1.0, upper_min / lower_max)
                )
            enough = compared[compared.labeled_count >= min_labeled]
            gaps = []
            for successes, trials in (
                ("true_positives", "positive_count"),
                ("false_positives", "negative_count"),
            ):
                defined = enough[enough[trials] > 0]
                if len(defined) >= 2:
                    kk = len(defined)
                    bounds = [
                        wilson(getattr(r, successes), getattr(r, trials), ALPHA / kk)
                        for r in defined.itertuples()
                    ]
                    gaps.append(max(lo for lo, _ in bounds) - min(h for _, h in bounds))
            if gaps:
                row["equalized_odds_difference_bound"] = max(0.0, *gaps)
            eces = enough.ece.dropna()
            if len(eces) >= 2:
                row["calibration_gap"] = eces.max() - eces.min()
                row["calibration_gap_bound"] = enough.ece_lower.max() - eces.min()
            overall = groups[(groups.window_start == window) & (groups.attribute_name == "__all__")]
            aucs = enough.roc_auc.dropna()
            if len(aucs) and len(overall):
                row["auc_gap"] = overall.roc_auc.iloc[0] - aucs.min()
            out.append(row)
    return pd.DataFrame(out)


GROUP_COLUMNS = [
    "prediction_count", "labeled_count", "selected_count", "positive_count", "negative_count",
    "true_positives", "false_positives", "selection_rate", "selection_rate_lower",
    "selection_rate_upper", "true_positive_rate", "true_positive_rate_lower",
    "true_positive_rate_upper", "false_positive_rate", "false_positive_rate_lower",
    "false_positive_rate_upper", "positive_predictive_value", "roc_auc", "ece", "ece_lower",
]  # fmt: skip
PARITY_COLUMNS = [
    "group_count", "sufficient_group_count", "groups_compared", "groups_below_minimum",
    "demographic_parity_difference", "demographic_parity_ratio", "equal_opportunity_difference",
    "false_positive_rate_difference", "equalized_odds_difference", "passes_four_fifths_rule",
    "calibration_gap", "auc_gap",
]  # fmt: skip
BOUND_COLUMNS = [
    "demographic_parity_ratio_bound", "equalized_odds_difference_bound", "calibration_gap_bound",
]  # fmt: skip


def assert_value(actual, expected, what, rtol=RTOL) -> None:
    if expected is None or (isinstance(expected, float) and np.isnan(expected)):
        assert actual is None or pd.isna(actual), (what, actual)
    elif isinstance(expected, str | bool | np.bool_):
        assert actual == expected, (what, actual, expected)
    else:
        assert actual is not None and not pd.isna(actual), (what, expected)
        assert np.isclose(float(actual), float(expected), rtol=rtol, atol=ATOL), (
            what,
            actual,
            expected,
        )


def compare(table: pd.DataFrame, expected: pd.DataFrame, keys, columns, rtol=RTOL) -> int:
    indexed = table.set_index(keys)
    assert len(indexed) == len(expected), (len(indexed), len(expected))
    for _, row in expected.iterrows():
        actual = indexed.loc[tuple(row[k] for k in keys)]
        for column in columns:
            assert_value(
                actual[column], row.get(column, np.nan), (column, *[row[k] for k in keys]), rtol
            )
    return len(expected)


# --- the demo warehouse ----------------------------------------------------------------------

DEMO_SPECS = attribute_specs(list(PROTECTED_ATTRIBUTES), [list(PROTECTED_ATTRIBUTES)])


@pytest.fixture(scope="module")
def demo(demo_built):
    rows = population(
        demo_built.df("select * from main.predictions"),
        demo_built.df("select * from main.labels"),
        [MODEL_NAME],
        THRESHOLD,
    )
    groups = expected_groups(rows, DEMO_SPECS)
    parity = expected_parity(rows, DEMO_SPECS, groups, 30, 100)
    return groups, parity


def test_demo_group_metrics_equal_fairlearn(demo_built, demo):
    groups, _ = demo
    table = demo_built.df("select * from modelwatch.fairness_metrics")
    keys = ["window_start", "attribute_name", "group_value"]
    assert compare(table, groups, keys, GROUP_COLUMNS) == len(table)
    assert set(table.attribute_name) == {"__all__", "sex", "age_band", "sex x age_band"}
    assert "F x 18-25" in set(table.group_value)


def test_demo_parity_equals_fairlearn(demo_built, demo):
    _, parity = demo
    table = demo_built.df("select * from modelwatch.fairness_parity")
    keys = ["window_start", "attribute_name"]
    compare(table, parity, keys, PARITY_COLUMNS)
    compare(table, parity, keys, BOUND_COLUMNS, rtol=BOUND_RTOL)


FAIRNESS_ALERTS = [
    "fairness_parity_demographic_parity_ratio",
    "fairness_parity_equalized_odds_difference",
    "fairness_parity_calibration_gap",
]


def stored_breaches(built) -> pd.DataFrame:
    frames = []
    for test in FAIRNESS_ALERTS:
        for level in ("warn", "error"):
            frame = built.df(f"select * from modelwatch_audit.{test}_{level}")
            frames.append(frame.assign(test=f"{test}_{level}"))
    return pd.concat(frames, ignore_index=True)


def test_demo_fairness_regression_alerts_from_its_first_window(demo_built):
    start = pd.Timestamp(INCIDENTS["fairness_regression"].dates()[0])
    breaches = stored_breaches(demo_built)
    # nothing fairness-related fires before the incident ...
    assert (breaches.window_start >= start).all(), breaches[breaches.window_start < start]
    # ... it pages in the window it starts, on the age band and on the intersection
    first = breaches[breaches.window_start == start]
    paged = first[first.severity == "error"]
    assert {"age_band", "sex x age_band"} <= set(paged.attribute_name), first
    assert "fairness_parity_demographic_parity_ratio_error" in set(paged.test)
    assert "sex" not in set(breaches.attribute_name)  # the incident does not involve sex
    alerts = demo_built.alerts()
    assert alerts["fairness_parity_demographic_parity_ratio_error"] == "error"
    # the parity figures show the collapse: point ratios before and after
    parity = demo_built.df(
        "select window_start, demographic_parity_ratio, passes_four_fifths_rule "
        "from modelwatch.fairness_parity where attribute_name = 'age_band'"
    )
    after = parity[parity.window_start >= start]
    assert (after.demographic_parity_ratio < 0.3).all() and not after.passes_four_fifths_rule.any()


# --- a small fixture with every edge case -----------------------------------------------------

ATTRIBUTE, BAND = "Sex Code", "band"  # a name with a space and capitals: always quoted
FIXTURE_SPECS = attribute_specs([ATTRIBUTE, BAND], [[ATTRIBUTE, BAND]])


def make_tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for day in range(2):
        n = 600
        band = rng.choice(["young", "old"], n)
        band[:12] = "rare"  # a group below the minimum size, every window
        sex = rng.choice(["F", "M"], n).astype(object)
        sex[12:30] = None  # missing -> '__null__'
        sex[30:40] = "  "  # blank -> '__null__'
        score = rng.beta(2, 3, n)
        frames.append(
            pd.DataFrame(
                {
                    "prediction_id": [f"d{day}-{i}" for i in range(n)],
                    "model_name": "m",
                    "model_version": "v1",
                    "deployment_role": np.where(np.arange(n) % 10 == 0, None, "champion"),
                    "predicted_at": pd.Timestamp("2026-03-02")
                    + pd.Timedelta(days=day)
                    + pd.to_timedelta(np.arange(n) * 100, unit="s"),
                    "score": score,
                    "x": rng.normal(0, 1, n),
                    ATTRIBUTE: sex,
                    BAND: band,
                }
            )
        )
    predictions = pd.concat(frames, ignore_index=True)
    # a shadow scoring some of the same requests: not part of the fairness population
    shadow = predictions.iloc[:200].copy()
    shadow["prediction_id"] = "s-" + shadow["prediction_id"]
    shadow["model_version"], shadow["deployment_role"] = "v2", "shadow"
    shadow["score"] = 1.0
    predictions = pd.concat([predictions, shadow], ignore_index=True)
    labeled = predictions[rng.random(len(predictions)) < 0.8]
    truth = (rng.random(len(labeled)) < labeled.score).astype("int64")
    # day 1: the 'old' band has no positive outcome at all -> its TPR is undefined
    no_positives = labeled.prediction_id.str.startswith("d1-") & (labeled[BAND] == "old")
    truth = np.where(no_positives, 0, truth)
    labels = pd.DataFrame(
        {
            "prediction_id": labeled.prediction_id.to_numpy(),
            "label": truth,
            "labeled_at": (labeled.predicted_at + pd.Timedelta(days=1)).to_numpy(),
        }
    )
    reference = pd.DataFrame({"x": rng.normal(0, 1, 500), "score": rng.beta(2, 3, 500)})
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


FIXTURE_CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"predictions": {"deployment_role": "deployment_role"}},
    "fairness": {"intersections": [[ATTRIBUTE, BAND]], "min_labeled_count": 40},
    "models": [
        {
            "name": "m",
            "threshold": 0.4,
            "features": {"numeric": ["x"]},
            "protected_attributes": [ATTRIBUTE, BAND],
        }
    ],
}


@pytest.fixture(scope="module")
def fixture(builder):
    tables = make_tables()
    built = builder(tables, FIXTURE_CONFIG, "fairness")
    rows = population(tables["predictions"], tables["labels"], ["m"], 0.4)
    groups = expected_groups(rows, FIXTURE_SPECS)
    parity = expected_parity(rows, FIXTURE_SPECS, groups, 30, 40)
    return built, groups, parity


def test_fixture_groups_equal_fairlearn(fixture):
    built, groups, _ = fixture
    table = built.df("select * from modelwatch.fairness_metrics")
    keys = ["window_start", "attribute_name", "group_value"]
    assert compare(table, groups, keys, GROUP_COLUMNS) == len(table)
    # every population row is counted once per attribute: the shadow is left out, nulls kept
    per_attribute = table.groupby(["window_start", "attribute_name"]).prediction_count.sum()
    assert (per_attribute == 600).all()


def test_null_and_blank_values_are_a_group(fixture):
    built, *_ = fixture
    table = built.df(
        f"select * from modelwatch.fairness_metrics where attribute_name = '{ATTRIBUTE}'"
    )
    assert set(table.group_value) == {"F", "M", "__null__"}
    assert (table[table.group_value == "__null__"].prediction_count == 28).all()
    inter = built.df(
        "select distinct group_value from modelwatch.fairness_metrics "
        f"where attribute_name = '{ATTRIBUTE} x {BAND}'"
    )
    assert {"F x old", "M x rare"} <= set(inter.group_value)
    assert any(v.startswith("__null__ x ") for v in inter.group_value)


def test_small_group_is_reported_but_not_compared(fixture):
    built, *_ = fixture
    rare = built.df(
        f"select * from modelwatch.fairness_metrics where attribute_name = '{BAND}' "
        "and group_value = 'rare'"
    )
    assert len(rare) == 2 and (rare.prediction_count == 12).all() and not rare.is_sufficient.any()
    parity = built.df(f"select * from modelwatch.fairness_parity where attribute_name = '{BAND}'")
    assert (parity.groups_compared == "old, young").all()
    assert (parity.groups_below_minimum == "rare").all()
    assert (parity.sufficient_group_count == 2).all() and (parity.group_count == 3).all()


def test_group_without_positives_has_null_tpr(fixture):
    built, groups, _ = fixture
    old = built.df(
        f"select * from modelwatch.fairness_metrics where attribute_name = '{BAND}' "
        "and group_value = 'old' order by window_start"
    )
    assert old.positive_count.iloc[1] == 0 and old.labeled_count.iloc[1] > 0
    assert pd.isna(old.true_positive_rate.iloc[1]) and pd.isna(old.true_positive_rate_lower.iloc[1])
    assert pd.isna(old.roc_auc.iloc[1]) and not pd.isna(old.false_positive_rate.iloc[1])
    # fairlearn would say 0 here; with one group left, equal opportunity has nothing to compare
    parity = built.df(
        f"select * from modelwatch.fairness_parity where attribute_name = '{BAND}' "
        "order by window_start"
    )
    assert pd.isna(parity.equal_opportunity_difference.iloc[1])
    assert parity.equalized_odds_difference.iloc[1] == parity.false_positive_rate_difference.iloc[1]
    assert not pd.isna(parity.equal_opportunity_difference.iloc[0])


def test_fixture_parity_equals_fairlearn(fixture):
    built, _, parity = fixture
    table = built.df("select * from modelwatch.fairness_parity")
    keys = ["window_start", "attribute_name"]
    assert compare(table, parity, keys, PARITY_COLUMNS) == len(table)
    compare(table, parity, keys, BOUND_COLUMNS, rtol=BOUND_RTOL)
    # the intersection compares only its sufficient groups
    inter = table[table.attribute_name == f"{ATTRIBUTE} x {BAND}"]
    assert inter.groups_below_minimum.str.contains("rare").all()
