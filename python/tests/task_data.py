"""Generated tables for the regression / multiclass / no-label fixtures (test_model_tasks.py).

One prediction log and one label table shared by three models: `b` (binary), `r` (regression,
predictions and outcomes are small counts: many ties and zero labels) and `c` (multiclass, classes
a / b / c with one probability column each, drawn from a few fixed vectors: many ties). The
label column is text, as a feed shared by the three tasks must be. Windows are days:
day 0 ordinary; day 1 constant / one-class labels; day 2 a class missing in labels and
predictions (multiclass) and no zero label (regression: MAPE defined); day 3 no labels at all;
day 4 ordinary plus malformed rows of every task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = pd.Timestamp("2026-05-04")
CLASSES = ["a", "b", "c"]
PROBABILITY_COLUMNS = {"a": "p_a", "b": "p_b", "c": "p_c"}
VECTORS = np.array(
    [[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5], [0.75, 0.125, 0.125],
     [0.125, 0.75, 0.125], [0.125, 0.125, 0.75], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]
)  # fmt: skip


def task_config(with_labels: bool = True) -> dict:
    models = [
        {"name": "b", "features": {"numeric": ["x"]}, "slices": ["segment"]},
        {"name": "r", "task": "regression", "features": {"numeric": ["x"]}, "slices": ["segment"]},
        {
            "name": "c",
            "task": "multiclass",
            "classes": CLASSES,
            "probability_columns": PROBABILITY_COLUMNS,
            "features": {"numeric": ["x"]},
            "slices": ["segment"],
        },
    ]
    inputs = {"predictions": "main.predictions", "reference": "main.reference"}
    if with_labels:
        inputs["labels"] = "main.labels"
    return {
        "inputs": inputs,
        "columns": {
            "predictions": {"predicted_class": "predicted_class"},
            "reference": {
                "model_name": "model_name",
                "score": "score",
                "label": "label",
                "predicted_class": "predicted_class",
            },
        },
        "performance": {"min_labeled_count": 5},
        "models": models,
    }


def make_task_tables(seed: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    blocks: list[pd.DataFrame] = []
    label_rows: list[pd.DataFrame] = []

    def emit(model: str, day: int, frame: pd.DataFrame, labels: list, label_share: float) -> None:
        n = len(frame)
        frame = frame.assign(
            prediction_id=[f"{model}{day}-{i}" for i in range(n)],
            model_name=model,
            model_version=np.where(rng.random(n) < 0.8, "v1", "v2"),
            predicted_at=DAY
            + pd.Timedelta(days=day)
            + pd.to_timedelta(rng.uniform(0, 86_000, n), unit="s"),
            x=rng.normal(0, 1, n),
            segment=rng.choice(np.array(["s1", "s2", None], dtype=object), n, p=[0.5, 0.4, 0.1]),
        )
        blocks.append(frame)
        keep = rng.random(n) < label_share
        label_rows.append(
            pd.DataFrame(
                {
                    "prediction_id": frame.prediction_id[keep].to_numpy(),
                    "label": np.asarray(labels, dtype=object)[keep],
                    "labeled_at": (frame.predicted_at[keep] + pd.Timedelta(hours=30)).to_numpy(),
                }
            )
        )

    def binary(day: int, n: int, share: float) -> None:
        score = np.round(rng.uniform(0, 1, n), 1)
        label = (rng.random(n) < score).astype(int).astype(str)
        emit("b", day, pd.DataFrame({"score": score}), list(label), share)

    def regression(day: int, n: int, share: float, outcome) -> None:
        prediction = np.round(rng.gamma(2.0, 1.5, n), 1)
        emit(
            "r",
            day,
            pd.DataFrame({"score": prediction}),
            [_text(v) for v in outcome(prediction)],
            share,
        )

    def multiclass(
        day: int, n: int, share: float, true_class, classes=(0, 1, 2, 3, 4, 5, 6, 7)
    ) -> None:
        vectors = VECTORS[rng.choice(np.asarray(classes), n)]
        predicted = np.asarray(CLASSES)[vectors.argmax(axis=1)]
        frame = pd.DataFrame(
            {
                "score": vectors.max(axis=1),
                "predicted_class": predicted,
                "p_a": vectors[:, 0],
                "p_b": vectors[:, 1],
                "p_c": vectors[:, 2],
            }
        )
        emit("c", day, frame, list(true_class(vectors)), share)

    def drawn(vectors: np.ndarray) -> np.ndarray:
        u = rng.random(len(vectors))[:, None]
        return np.asarray(CLASSES)[(u > vectors.cumsum(axis=1)).sum(axis=1).clip(0, 2)]

    for day in range(5):
        share = 0.0 if day == 3 else 0.85
        binary(day, 80, share)
    regression(0, 200, 0.85, lambda p: rng.poisson(p).astype(float))
    regression(1, 60, 1.0, lambda p: np.full(len(p), 2.0))  # constant labels: r2 by force_finite
    regression(2, 150, 0.9, lambda p: rng.poisson(p).astype(float) + 1.0)  # no zero label
    regression(3, 50, 0.0, lambda p: p)
    regression(4, 150, 0.85, lambda p: rng.poisson(p * 1.5).astype(float))
    multiclass(0, 240, 0.85, drawn)
    multiclass(1, 90, 1.0, lambda v: np.full(len(v), "a"))  # one class only
    multiclass(2, 150, 0.9, lambda v: np.where(v[:, 0] > v[:, 1], "a", "b"), classes=(0, 1, 3, 4))
    multiclass(3, 60, 0.0, drawn)
    multiclass(4, 200, 0.85, drawn)

    predictions = pd.concat(blocks, ignore_index=True)
    labels = pd.concat(label_rows, ignore_index=True)
    bad_predictions, bad_labels = _bad_rows(predictions)
    predictions = pd.concat([predictions, bad_predictions], ignore_index=True)
    labels = pd.concat([labels, bad_labels], ignore_index=True)
    predictions["predicted_at"] = predictions["predicted_at"].astype("datetime64[us]")
    labels["labeled_at"] = labels["labeled_at"].astype("datetime64[us]")
    labels["label"] = labels["label"].astype(object)
    return {"predictions": predictions, "labels": labels, "reference": _reference(rng)}


def _text(value: float) -> str:
    return repr(float(value))


def _bad_rows(predictions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Malformed rows of every task, each expecting one reason (the column `_expected`)."""
    at = DAY + pd.Timedelta(days=4, hours=12)
    base = {"model_version": "v1", "predicted_at": at, "x": 0.0, "segment": "s1"}
    p = [0.5, 0.25, 0.25]
    rows = [
        ("r", {"score": -np.inf}, "score_not_finite"),
        ("r", {"score": None}, "null_score"),
        ("r", {"score": np.inf}, "score_not_finite"),
        ("r", {"score": -40.0}, None),  # any finite prediction is valid for regression
        ("b", {"score": 1.5}, "score_out_of_range"),
        (
            "c",
            {"predicted_class": None, "p_a": p[0], "p_b": p[1], "p_c": p[2]},
            "null_predicted_class",
        ),
        (
            "c",
            {"predicted_class": "z", "p_a": p[0], "p_b": p[1], "p_c": p[2]},
            "unknown_predicted_class",
        ),
        ("c", {"predicted_class": "a", "p_a": None, "p_b": p[1], "p_c": p[2]}, "null_probability"),
        (
            "c",
            {"predicted_class": "a", "p_a": 1.5, "p_b": -0.25, "p_c": -0.25},
            "probability_out_of_range",
        ),
        (
            "c",
            {"predicted_class": "a", "p_a": np.inf, "p_b": 0.5, "p_c": 0.5},
            "probability_out_of_range",
        ),
        (
            "c",
            {"predicted_class": "a", "p_a": 0.5, "p_b": 0.5, "p_c": 0.5},
            "probabilities_not_normalized",
        ),
        (
            "c",
            {"predicted_class": "a", "score": 1.5, "p_a": p[0], "p_b": p[1], "p_c": p[2]},
            "score_out_of_range",
        ),
        ("c", {"predicted_class": "a", "score": None, "p_a": p[0], "p_b": p[1], "p_c": p[2]}, None),
    ]
    frames = []
    for i, (model, values, expected) in enumerate(rows):
        row = {"prediction_id": f"bad-{i}", "model_name": model, "score": 0.5, **base, **values}
        row["_expected"] = expected
        frames.append(row)
    bad_predictions = pd.DataFrame(frames)
    # labels: one valid prediction of each task gets a label its task rejects
    first = {
        m: predictions[
            (predictions.model_name == m)
            & (predictions.predicted_at >= at - pd.Timedelta(hours=12))
        ].prediction_id.iloc[-1]
        for m in "brc"
    }
    bad_labels = pd.DataFrame(
        {
            "prediction_id": [first["b"], first["r"], first["r"], first["c"], "bad-3"],
            "label": ["2", "abc", "nan", "zz", "1.5"],
            "labeled_at": [at + pd.Timedelta(days=2)] * 5,
            "_expected": [
                "invalid_label",
                "invalid_label",
                "invalid_label",
                "unknown_label_class",
                None,
            ],
        }
    )
    return bad_predictions, bad_labels


def _reference(rng: np.random.Generator) -> pd.DataFrame:
    n = 600
    prediction = np.round(rng.gamma(2.0, 1.5, n), 1)
    vectors = VECTORS[rng.integers(0, len(VECTORS), n)]
    u = rng.random(n)[:, None]
    true_class = np.asarray(CLASSES)[(u > vectors.cumsum(axis=1)).sum(axis=1).clip(0, 2)]
    score_b = rng.uniform(0, 1, n)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "model_name": "b",
                    "x": rng.normal(0, 1, n),
                    "score": score_b,
                    "label": (rng.random(n) < score_b).astype(int).astype(str),
                    "predicted_class": None,
                }
            ),
            pd.DataFrame(
                {
                    "model_name": "r",
                    "x": rng.normal(0, 1, n),
                    "score": prediction,
                    "label": [_text(v) for v in rng.poisson(prediction)],
                    "predicted_class": None,
                }
            ),
            pd.DataFrame(
                {
                    "model_name": "c",
                    "x": rng.normal(0, 1, n),
                    "score": vectors.max(axis=1),
                    "label": true_class,
                    "predicted_class": np.asarray(CLASSES)[vectors.argmax(axis=1)],
                }
            ),
        ],
        ignore_index=True,
    )
