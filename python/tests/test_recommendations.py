"""Retraining recommendations: every action reached from a window built for it, and the demo's
incidents giving the expected actions.

One model, daily windows of 1,500 predictions against a calibrated, labeled reference:
days 0-9 stationary and labeled (none); day 10 input drift with labels (retrain); day 11 the
same drift before any label arrived (wait_for_labels); day 12 scores that still rank but are
miscalibrated (recalibrate); day 13 a null spike (investigate); day 14 a categorical whose
values all fall outside the reference's categories (investigate); day 15 scores that no longer
rank (retrain on the performance drop).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

START = pd.Timestamp("2026-06-01")
N = 1500
EXPECTED = {
    **{d: "none" for d in range(10)},
    10: "retrain",
    11: "wait_for_labels",
    12: "recalibrate",
    13: "investigate",
    14: "investigate",
    15: "retrain",
}
# day 15's labels arrive on day 16, which logs no prediction: the prediction feed stopped
# (missing_window, a bug-like signal)
EXPECTED_WINDOWS = {**EXPECTED, 16: "investigate"}


def make_tables(seed: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def population(n, shift=0.0):
        x = rng.normal(shift, 1, n)
        risk = 1 / (1 + np.exp(-(1.5 * rng.normal(0, 1, n) - 1)))
        return x, risk

    x, risk = population(4000)
    reference = pd.DataFrame(
        {
            "x": x,
            "color": rng.choice(["red", "green", "blue"], 4000, p=[0.5, 0.3, 0.2]),
            "score": risk,
            "label": (rng.random(4000) < risk).astype(int),
        }
    )
    frames, label_frames = [], []
    for day in EXPECTED:
        x, risk = population(N, shift=1.5 if day in (10, 11) else 0.0)
        score = risk.copy()
        truth = rng.random(N) < risk
        if day == 12:  # ranks as well, but outcomes run far above the scores
            truth = rng.random(N) < np.clip(risk + 0.25, 0, 1)
        if day == 13:
            x[rng.random(N) < 0.5] = np.nan
        if day == 15:  # the score no longer ranks
            score = rng.permutation(risk)
        color = rng.choice(["red", "green", "blue"], N, p=[0.5, 0.3, 0.2])
        if day == 14:
            color = rng.choice(["RED", "GREEN", "BLUE"], N, p=[0.5, 0.3, 0.2])
        predicted_at = (
            START + pd.Timedelta(days=day) + pd.to_timedelta(rng.uniform(0, 86_000, N), unit="s")
        )
        ids = [f"d{day}-{i}" for i in range(N)]
        frames.append(
            pd.DataFrame(
                {
                    "prediction_id": ids,
                    "model_name": "m",
                    "model_version": "v1",
                    "predicted_at": predicted_at,
                    "score": score,
                    "x": x,
                    "color": color,
                }
            )
        )
        if day != 11:  # day 11's labels have not arrived
            label_frames.append(
                pd.DataFrame(
                    {
                        "prediction_id": ids,
                        "label": truth.astype(int),
                        "labeled_at": predicted_at + pd.Timedelta(days=1),
                    }
                )
            )
    predictions = pd.concat(frames, ignore_index=True)
    predictions["predicted_at"] = predictions["predicted_at"].astype("datetime64[us]")
    labels = pd.concat(label_frames, ignore_index=True)
    labels["labeled_at"] = labels["labeled_at"].astype("datetime64[us]")
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
        {
            "name": "m",
            "features": {"numeric": ["x"], "categorical": ["color"]},
            "monitor_score": False,
        }
    ],
}


@pytest.fixture(scope="module")
def built(builder):
    return builder(make_tables(), CONFIG, "recommendations")


@pytest.fixture(scope="module")
def actions(built) -> pd.DataFrame:
    frame = built.df(
        "select * from modelwatch.retraining_recommendations order by window_start"
    ).set_index("window_start")
    frame.index = ((frame.index - START) / pd.Timedelta(days=1)).astype(int)
    return frame


def test_each_action_is_reached_from_its_window(actions):
    assert actions.action.to_dict() == EXPECTED_WINDOWS, actions[["action", "reasons"]]


def test_reasons_spell_out_the_evidence(actions):
    assert (actions.loc[actions.action == "none", "reasons"] == "").all()
    assert "psi" in actions.reasons[10] and "x" in actions.reasons[10]
    assert "fresh labels cover the window" in actions.reasons[10]
    assert "too few labels" in actions.reasons[11] and "coverage 0.000" in actions.reasons[11]
    assert "calibration degraded while ranking holds" in actions.reasons[12]
    assert "ece" in actions.calibration_details[12]
    assert "null_rate_increase" in actions.bug_details[13]
    assert "unseen categories on color" in actions.bug_details[14]
    assert "roc_auc_drop" in actions.performance_details[15]
    assert "missing_window" in actions.bug_details[16]
    assert actions.has_fresh_labels[10] and not actions.has_fresh_labels[11]


def test_drift_without_labels_never_says_retrain(actions):
    stale = actions[~actions.has_fresh_labels]
    assert not (stale.action == "retrain").any()


# --------------------------------------------------------------------------------------------
# the demo


def test_demo_incidents_give_the_expected_actions(demo_built):
    from modelwatch.demo import DEMO_DAYS, DEMO_START, INCIDENTS

    frame = demo_built.df(
        "select window_start, action, reasons, has_fresh_labels "
        "from modelwatch.retraining_recommendations where model_name = 'credit_default' "
        "order by window_start"
    )
    frame["day"] = (frame.window_start - pd.Timestamp(DEMO_START)).dt.days
    action = frame.set_index("day").action
    assert len(action) == DEMO_DAYS
    # the stationary period asks for nothing
    first_incident = min(i.start_day for i in INCIDENTS.values())
    assert (action[action.index < first_incident] == "none").all(), action[:first_incident]
    # the null spike is a bug to investigate, on each of its days
    spike = INCIDENTS["null_rate_spike"]
    assert (action[spike.start_day : spike.end_day] == "investigate").all()
    # debt_to_income drifts from day 26 (psi_alert_day, +-1 at this scale); its windows have
    # fresh labels by the end of the data, so the first drifted windows say retrain
    drift_day = INCIDENTS["gradual_mean_drift"].psi_alert_day
    assert action[drift_day + 1] == "retrain" and action[drift_day + 2] == "retrain"
    # calibration decays while AUC holds: recalibrate somewhere between the two
    decay = INCIDENTS["calibration_decay"].start_day
    assert "recalibrate" in set(action[decay : spike.start_day])
    # the newest windows drift with too few labels yet: wait for them
    assert action[DEMO_DAYS - 1] == "wait_for_labels"
    assert not (frame.has_fresh_labels & (frame.action == "wait_for_labels")).any()
