"""Threshold kinds on a fixture built for them, each shown firing and staying quiet:

- dynamic (latency_p95_ms): trailing mean + k sd of the previous windows, recomputed here with
  numpy for every window; a spike that would not reach the error level if its own window were
  in the statistics is at error level, so the judged window is never used;
- zero variance (cost_per_1k_usd, dynamic with static warn / error): on a constant history the
  dynamic threshold would be the mean itself; the static thresholds judge instead, so a small
  move stays quiet and a large one alerts at the static level;
- persistence (error_rate): an isolated breach stays quiet, the second of three windows alerts;
- the noise floor (psi, js_distance, ks_statistic): a 20-row window drawn from the reference
  distribution stays quiet (and alerts with the floor off), a 20-row window that moved does not.

Also: one row per (model, window, check, subject), deterministic alert ids, consecutive windows.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from modelwatch.runner import ALERT_TAG, DbtProject

START = pd.Timestamp("2026-05-04")
DAYS = 30
SPIKE_DAY = 25  # latency p95 jumps
ISOLATED_ERROR_DAY = 10  # error rate breaches once
PERSISTENT_ERROR_DAYS = (20, 21)  # error rate breaches twice in a row
SMALL_QUIET_DAY = 5  # 20 rows from the reference distribution
SMALL_SHIFTED_DAY = 6  # 20 rows far above the reference
# cost: 0.5 USD a request (sums exact in binary, so cost_per_1k is exactly 500 and its history
# exactly constant), except a day at 1.0 and a day where 1% of requests cost 0.625
COST_SPIKE_DAY = 15  # 1000 per 1k: beyond the static warn 750, below error 1500
COST_NUDGE_DAY = 27  # 501.25 per 1k: above the constant mean 500, below static warn


def make_tables(seed: int = 11) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 3000), "score": rng.beta(2, 5, 3000)})
    days = []
    for day in range(DAYS):
        n = 20 if day in (SMALL_QUIET_DAY, SMALL_SHIFTED_DAY) else 1500
        x = rng.normal(8 if day == SMALL_SHIFTED_DAY else 0, 1, n)
        base_latency = 40 * (2.0 if day == SPIKE_DAY else 1.0) * (1 + 0.01 * rng.normal())
        error_share = 0.08 if day == ISOLATED_ERROR_DAY or day in PERSISTENT_ERROR_DAYS else 0.005
        days.append(
            pd.DataFrame(
                {
                    "prediction_id": [f"d{day}-{i}" for i in range(n)],
                    "model_name": "m",
                    "model_version": "v1",
                    "predicted_at": START
                    + pd.Timedelta(days=day)
                    + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s"),
                    "score": rng.beta(2, 5, n),
                    "latency_ms": base_latency * rng.lognormal(0, 0.05, n),
                    "status_code": np.where(rng.random(n) < error_share, 503, 200),
                    "x": x,
                    "cost_usd": np.where(
                        day == COST_SPIKE_DAY,
                        1.0,
                        np.where((day == COST_NUDGE_DAY) & (np.arange(n) < n // 100), 0.625, 0.5),
                    ),
                }
            )
        )
    predictions = pd.concat(days, ignore_index=True)
    predictions["predicted_at"] = predictions["predicted_at"].astype("datetime64[us]")
    labels = pd.DataFrame(
        {"prediction_id": ["none"], "label": [0], "labeled_at": [pd.Timestamp("2026-01-01")]}
    ).iloc[:0]
    return {"predictions": predictions, "labels": labels, "training_reference": reference}


CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {
        "predictions": {
            "latency_ms": "latency_ms",
            "status_code": "status_code",
            "cost_usd": "cost_usd",
        }
    },
    "checks": {
        "latency_p95_ms": {
            "kind": "dynamic",
            "lookback_windows": 14,
            "min_windows": 7,
            "warn_sigma": 3,
            "error_sigma": 4,
        },
        "cost_per_1k_usd": {
            "kind": "dynamic",
            "lookback_windows": 7,
            "min_windows": 7,
            "warn": 750,
            "error": 1500,
        },
        "error_rate": {
            "kind": "persistence",
            "warn": 0.05,
            "error": 0.5,
            "persist_windows": 3,
            "persist_min_breaches": 2,
        },
        "ks_statistic": {"warn": 0.1, "error": 0.5},
        "js_distance": {"warn": 0.2, "error": 0.5},
    },
    "models": [{"name": "m", "features": {"numeric": ["x"]}}],
}


@pytest.fixture(scope="module")
def built(builder):
    return builder(make_tables(), CONFIG, "alert_kinds")


def day(d: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=d)


def alerts(built, check: str) -> pd.DataFrame:
    return built.df(
        f"select * from modelwatch.alerts where check_name = '{check}' order by window_start"
    )


def test_dynamic_threshold_equals_numpy_on_previous_windows_only(built):
    ops = built.df(
        "select window_start, latency_p95_ms from modelwatch.operational_metrics "
        "order by window_start"
    )
    values = ops.latency_p95_ms.to_numpy()
    expected = {}
    for i, value in enumerate(values):
        history = values[max(0, i - 14) : i]  # the 14 windows before, never window i
        if len(history) < 7:
            continue
        mean, sd = history.mean(), history.std(ddof=1)
        if value > mean + 4 * sd:
            expected[ops.window_start[i]] = ("error", mean + 4 * sd)
        elif value > mean + 3 * sd:
            expected[ops.window_start[i]] = ("warn", mean + 3 * sd)
    got = alerts(built, "latency_p95_ms")
    assert (got.threshold_kind == "dynamic").all()
    assert {w: s for w, s in zip(got.window_start, got.severity, strict=True)} == {
        w: s for w, (s, _) in expected.items()
    }
    for row in got.itertuples():
        assert np.isclose(row.threshold, expected[row.window_start][1], rtol=1e-9)
    # the spike pages; with its own window in the statistics it would only warn
    assert expected[day(SPIKE_DAY)][0] == "error"
    with_itself = values[SPIKE_DAY - 13 : SPIKE_DAY + 1]
    assert values[SPIKE_DAY] < with_itself.mean() + 4 * with_itself.std(ddof=1)
    # quiet before min_windows of history and on the steady days
    assert got.window_start.min() >= day(7)


def test_zero_variance_history_falls_back_to_the_static_thresholds(built):
    ops = built.df(
        "select window_start, cost_per_1k_usd from modelwatch.operational_metrics "
        "order by window_start"
    ).set_index("window_start")
    cost = ops.cost_per_1k_usd
    # both judged windows follow 7 windows of exactly the same value (sd 0)
    for d in (COST_SPIKE_DAY, COST_NUDGE_DAY):
        history = cost.loc[day(d - 7) : day(d - 1)].to_numpy()
        assert len(history) == 7 and np.std(history) == 0 and history[0] == 500
    assert cost.loc[day(COST_SPIKE_DAY)] == 1000 and cost.loc[day(COST_NUDGE_DAY)] == 501.25
    evaluated = built.df(
        "select window_start, severity, threshold_kind, warn_threshold, error_threshold "
        "from modelwatch.alert_evaluations "
        "where check_name = 'cost_per_1k_usd' order by window_start"
    ).set_index("window_start")
    # mean + 3 x 0 = 500 would page on both; the static 750 / 1500 judge instead
    spike, nudge = evaluated.loc[day(COST_SPIKE_DAY)], evaluated.loc[day(COST_NUDGE_DAY)]
    assert (spike.warn_threshold, spike.error_threshold) == (750, 1500)
    assert (nudge.warn_threshold, nudge.error_threshold) == (750, 1500)
    assert nudge.severity == "ok"
    got = alerts(built, "cost_per_1k_usd")
    assert got.window_start.tolist() == [day(COST_SPIKE_DAY)]
    assert got.severity.tolist() == ["warn"] and got.threshold.tolist() == [750]
    assert (got.threshold_kind == "dynamic").all()


def test_persistence_needs_two_of_three_windows(built):
    got = alerts(built, "error_rate")
    # day 10 breaches alone (quiet); day 20 is the first of two (quiet), day 21 the second
    assert got.window_start.tolist() == [day(PERSISTENT_ERROR_DAYS[1])]
    assert got.severity.tolist() == ["warn"] and (got.threshold_kind == "persistence").all()
    assert got.consecutive_windows.tolist() == [1]
    ops = built.df("select window_start, error_rate from modelwatch.operational_metrics")
    breaching = set(ops[ops.error_rate >= 0.05].window_start)
    assert breaching == {day(ISOLATED_ERROR_DAY), *map(day, PERSISTENT_ERROR_DAYS)}


def test_noise_floor_keeps_small_windows_quiet_unless_they_moved(built):
    drift = built.df(
        "select window_start, psi, js_distance, ks_statistic, current_count "
        "from modelwatch.feature_drift where feature_name = 'x' order by window_start"
    ).set_index("window_start")
    quiet, shifted = drift.loc[day(SMALL_QUIET_DAY)], drift.loc[day(SMALL_SHIFTED_DAY)]
    # sampling noise alone takes a 20-row window past the static thresholds...
    assert quiet.current_count == 20
    assert quiet.psi >= 0.25 and quiet.ks_statistic >= 0.1 and quiet.js_distance >= 0.2
    for check in ("psi", "js_distance", "ks_statistic"):
        got = alerts(built, check)
        # ...but not past its noise floor; the moved 20 rows page
        assert day(SMALL_QUIET_DAY) not in set(got.window_start), check
        moved = got[got.window_start == day(SMALL_SHIFTED_DAY)]
        assert moved.severity.tolist() == ["error"], check
        assert (moved.threshold >= moved.noise_floor - 1e-12).all()
        assert (moved.noise_floor > 0).all()
    # large windows are judged on the configured thresholds (their floor is lower)
    psi = alerts(built, "psi")
    assert set(psi.window_start) == {day(SMALL_SHIFTED_DAY)}
    assert shifted.psi > 5


def test_psi_noise_floor_equals_the_chi_square_quantile(built):
    from scipy.stats import chi2, norm

    got = alerts(built, "psi").iloc[0]
    bins = built.df("select count(*) as n from modelwatch.reference_bins where feature_name = 'x'")
    df = int(bins.n[0]) - 1
    chi_square_term = (1 / 20 + 1 / 3000) * chi2.ppf(1 - 0.001, df)
    # empty bins: upper 0.001 quantile (normal approximation) of Binomial(df, (1 - 1/df)^20)
    z, r, eps = norm.ppf(1 - 0.001), 1 / df, 0.0001
    p0 = (1 - r) ** 20
    empty_term = (df * p0 + z * np.sqrt(df * p0 * (1 - p0))) * (r - eps) * np.log(r / eps)
    expected = chi_square_term + empty_term
    # Wilson-Hilferty and an approximate normal quantile: within 1% of scipy's quantiles
    assert np.isclose(got.noise_floor, expected, rtol=0.01), (got.noise_floor, expected)
    js = alerts(built, "js_distance").iloc[0]
    assert np.isclose(js.noise_floor, np.sqrt(chi_square_term / (8 * np.log(2))), rtol=0.01)
    ks = alerts(built, "ks_statistic").iloc[0]
    assert np.isclose(ks.noise_floor, np.sqrt(-np.log(0.0005) / 2) * np.sqrt(1 / 20 + 1 / 3000))


def test_without_the_noise_floor_the_small_window_alerts(built):
    config = copy.deepcopy(built.config)
    config["checks"]["psi"] = {"noise_floor": False}
    project = DbtProject(config, built.project.env, target_path=built.project.target_path)
    result = project.invoke(["test", "--select", f"tag:{ALERT_TAG},test_name:threshold"])
    failures = {r.node.name: int(r.failures or 0) for r in result.result.results}
    stored = built.df(
        "select window_start from modelwatch_audit.feature_drift_psi_error "
        "union all select window_start from modelwatch_audit.feature_drift_psi_warn"
    )
    assert day(SMALL_QUIET_DAY) in set(stored.window_start)
    assert failures["feature_drift_psi_error"] + failures["feature_drift_psi_warn"] >= 2


def test_one_row_per_subject_and_stable_ids(built, tmp_path):
    table = built.df("select * from modelwatch.alerts")
    keys = ["model_name", "window_start", "check_name", "subject"]
    assert not table.duplicated(keys).any() and table.alert_id.is_unique
    assert set(table.severity) <= {"warn", "error"}
    # a rebuild from scratch gives the same ids and rows
    from conftest import run_modelwatch
    from tables import assert_tables_equal

    rebuilt = run_modelwatch(built.path, built.config, tmp_path)
    again = rebuilt.df("select * from modelwatch.alerts")
    assert set(again.alert_id) == set(table.alert_id)
    assert_tables_equal(again, table, ["alert_id"])


def test_consecutive_windows_count_the_streak(built):
    psi = built.df(
        "select window_start, severity, consecutive_windows "
        "from modelwatch.alert_evaluations "
        "where check_name = 'latency_p95_ms' order by window_start"
    )
    streak = 0
    for row in psi.itertuples():
        streak = streak + 1 if row.severity != "ok" else 0
        assert row.consecutive_windows == streak


SEVERITY_OF_ROW = """
    select d.window_start, d.psi, d.drift_severity,
        coalesce(max(case e.severity when 'error' then 2 when 'warn' then 1 else 0 end), 0)
            as alert_level
    from modelwatch.feature_drift as d
    left join modelwatch.alert_evaluations as e
        on e.model_name = d.model_name and e.window_start = d.window_start
        and e.feature_name = d.feature_name
        and e.check_name in ('psi', 'js_distance', 'ks_statistic', 'null_rate_increase')
    where d.segment_key = '__all__' and d.feature_name = 'x'
    group by d.window_start, d.psi, d.drift_severity
    order by d.window_start
"""


def _assert_drift_severity_is_the_alerts(built) -> pd.DataFrame:
    rows = built.df(SEVERITY_OF_ROW)
    levels = {0: "ok", 1: "warn", 2: "error"}
    assert rows.drift_severity.tolist() == [levels[v] for v in rows.alert_level]
    return rows


def test_drift_severity_is_the_alerts_judgement(built, builder):
    # static thresholds with the noise floor (this fixture): the same rows as the alerts
    static = _assert_drift_severity_is_the_alerts(built)
    assert set(static[static.drift_severity != "ok"].window_start) == {day(SMALL_SHIFTED_DAY)}
    # a dynamic psi (1 / 2 sd): windows far below the static 0.1 breach, in alerts and here
    config = copy.deepcopy(CONFIG)
    config["checks"]["psi"] = {
        "kind": "dynamic",
        "lookback_windows": 7,
        "min_windows": 3,
        "warn_sigma": 1,
        "error_sigma": 2,
    }
    dynamic = _assert_drift_severity_is_the_alerts(
        builder(make_tables(), config, "drift_severity_dynamic")
    )
    flagged = dynamic[(dynamic.drift_severity != "ok") & (dynamic.psi < 0.1)]
    assert len(flagged) >= 2, dynamic
