"""Feed health: request volume against its trailing windows (dynamic), missing windows in the
prediction log and label freshness, each shown firing and quiet.

Three models over 30 days, ~300 requests a day, labels two hours after each prediction:
`live` flows throughout (every feed check quiet); `stopped` logs nothing after day 19 while
`live` goes on, so its windows from day 20 are missing and its labels go stale; `bursty` drops
to 90 requests on day 24 and jumps to 900 on day 27.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

START = pd.Timestamp("2026-02-02")
DAYS = 30
STOP_DAY = 20
DROP_DAY, SPIKE_DAY = 24, 27
FEED_CHECKS = ("request_volume_drop", "request_volume_spike", "missing_window",
               "label_freshness_days")  # fmt: skip


def volume(model: str, day: int, rng: np.random.Generator) -> int:
    if model == "stopped" and day >= STOP_DAY:
        return 0
    if model == "bursty" and day == DROP_DAY:
        return 90
    if model == "bursty" and day == SPIKE_DAY:
        return 900
    return int(rng.poisson(300))


def make_tables(seed: int = 2) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for model in ("live", "stopped", "bursty"):
        for day in range(DAYS):
            n = volume(model, day, rng)
            if not n:
                continue
            score = rng.beta(2, 5, n)
            frames.append(
                pd.DataFrame(
                    {
                        "prediction_id": [f"{model}-{day}-{i}" for i in range(n)],
                        "model_name": model,
                        "model_version": "v1",
                        "predicted_at": START
                        + pd.Timedelta(days=day)
                        + pd.to_timedelta(np.sort(rng.uniform(0, 86_000, n)), unit="s"),
                        "score": score,
                        "x": rng.normal(0, 1, n),
                    }
                )
            )
    predictions = pd.concat(frames, ignore_index=True)
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id,
            "label": (rng.random(len(predictions)) < predictions.score).astype("int64"),
            "labeled_at": predictions.predicted_at + pd.Timedelta(hours=2),
        }
    )
    # the data ends with the period: no label arrives after it
    labels = labels[labels.labeled_at < START + pd.Timedelta(days=DAYS)]
    reference_score = rng.beta(2, 5, 3000)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 3000),
            "score": reference_score,
            "label": (rng.random(3000) < reference_score).astype(int),
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
        {"name": name, "features": {"numeric": ["x"]}} for name in ("live", "stopped", "bursty")
    ],
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_tables()


@pytest.fixture(scope="module")
def built(builder, tables):
    return builder(tables, CONFIG, "feed_health")


def days(frame: pd.DataFrame, column: str = "window_start") -> list[int]:
    return sorted(((frame[column] - START) / pd.Timedelta(days=1)).astype(int).tolist())


@pytest.fixture(scope="module")
def alerts(built) -> pd.DataFrame:
    return built.df(
        "select model_name, check_name, subject, window_start, severity, observed_value "
        f"from modelwatch.alerts where check_name in ({', '.join(repr(c) for c in FEED_CHECKS)})"
    )


def fired(alerts: pd.DataFrame, model: str, check: str) -> dict[int, str]:
    rows = alerts[(alerts.model_name == model) & (alerts.check_name == check)]
    return dict(zip(days(rows), rows.sort_values("window_start").severity, strict=True))


def test_feed_health_counts_every_window_to_the_data_clock(built, tables):
    health = built.df("select * from modelwatch.feed_health")
    predictions = tables["predictions"]
    for model in ("live", "stopped", "bursty"):
        mine = health[health.model_name == model].sort_values("window_start")
        # every window from the model's first to the data's latest event, none skipped
        assert days(mine) == list(range(DAYS)), model
        counts = (
            predictions[predictions.model_name == model]
            .groupby((predictions.predicted_at - START).dt.days)
            .size()
        )
        expected = [int(counts.get(d, 0)) for d in range(DAYS)]
        assert mine.request_count.tolist() == expected, model
        assert mine.is_missing_window.tolist() == [c == 0 for c in expected], model


def test_label_staleness_is_days_since_the_last_label(built, tables):
    health = built.df("select * from modelwatch.feed_health where model_name = 'stopped'")
    labels = tables["labels"]
    arrivals = labels[labels.prediction_id.str.startswith("stopped-")].labeled_at.sort_values()
    clock = max(tables["predictions"].predicted_at.max(), tables["labels"].labeled_at.max())
    for row in health.itertuples():
        end = min(row.window_end, clock)
        before = arrivals[arrivals < row.window_end]
        if before.empty:
            assert pd.isna(row.label_staleness_days)
            continue
        expected = (end - before.iloc[-1]) / pd.Timedelta(days=1)
        # measured in whole seconds (dbt.datediff)
        assert row.label_staleness_days == pytest.approx(expected, abs=1.5 / 86400), (
            row.window_start
        )


def test_a_flowing_feed_is_quiet(alerts):
    assert alerts[alerts.model_name == "live"].empty, alerts[alerts.model_name == "live"]


def test_a_stopped_feed_fires(alerts, built):
    # every window without a prediction, while another model's data goes on
    assert fired(alerts, "stopped", "missing_window") == dict.fromkeys(
        range(STOP_DAY, DAYS), "warn"
    )
    # no new labels: warn after 3 days, error after 7 (checks.label_freshness_days)
    health = built.df("select * from modelwatch.feed_health where model_name = 'stopped'")
    health = health.sort_values("window_start")
    stale = pd.Series(health.label_staleness_days.to_numpy(), index=days(health))
    expected = {
        day: "error" if value >= 7 else "warn" for day, value in stale.items() if value >= 3
    }
    assert expected and min(expected) > STOP_DAY and "error" in expected.values()
    assert fired(alerts, "stopped", "label_freshness_days") == expected
    # the windows it did log were ordinary
    assert not fired(alerts, "stopped", "request_volume_drop")
    # one incident each, still open
    incidents = built.df(
        "select check_name, status, opened_window_start from modelwatch.alert_incidents "
        "where model_name = 'stopped' and check_category = 'feed'"
    )
    assert sorted(incidents.check_name) == ["label_freshness_days", "missing_window"]
    assert (incidents.status == "open").all()


def test_volume_drop_and_spike_against_trailing_windows(alerts):
    assert fired(alerts, "bursty", "request_volume_drop") == {DROP_DAY: "error"}
    assert fired(alerts, "bursty", "request_volume_spike") == {SPIKE_DAY: "error"}
    assert not fired(alerts, "bursty", "missing_window")
    assert not fired(alerts, "bursty", "label_freshness_days")
