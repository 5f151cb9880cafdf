"""The `modelwatch` config of the demo: inputs, columns, checks and the three models."""

from __future__ import annotations

from typing import Any

from modelwatch.demo.scenario import (
    CATEGORICAL_FEATURES,
    MODEL_NAME,
    NUMERIC_FEATURES,
    PROTECTED_ATTRIBUTES,
    SLICES,
    THRESHOLD,
)
from modelwatch.demo.tasks import task_model_configs


def demo_config(schema: str = "main", granularity: str = "day") -> dict[str, Any]:
    """The `modelwatch` dbt var for the demo (dict whose top-level key is NOT included: return
    the inner mapping), following /work/main/docs/configuration.md."""
    return {
        "granularity": granularity,
        "inputs": {
            "predictions": f"{schema}.predictions",
            "labels": f"{schema}.labels",
            "reference": f"{schema}.training_reference",
        },
        "columns": {
            "predictions": {
                "prediction_id": "prediction_id",
                "model_name": "model_name",
                "model_version": "model_version",
                "predicted_at": "predicted_at",
                "score": "score",
                "request_id": "request_id",
                "deployment_role": "deployment_role",
                "predicted_label": None,
                "latency_ms": "latency_ms",
                "status_code": "status_code",
                "cost_usd": "cost_usd",
                "predicted_class": "predicted_class",
            },
            "labels": {
                "prediction_id": "prediction_id",
                "label": "label",
                "labeled_at": "labeled_at",
            },
            "reference": {
                "model_name": "model_name",
                "score": "score",
                "label": "label",
                "predicted_class": "predicted_class",
            },
        },
        # drift per region too: the segment drift is visible only there
        "drift": {"deployment_roles": ["champion"], "segments": ["region"]},
        "fairness": {"intersections": [list(PROTECTED_ATTRIBUTES)]},
        # the demo's serving SLOs: champion p95 ~75 ms (380 ms in the latency spike), shadow
        # ~115 ms; errors ~0.8%; cost 0.40 (champion) and 0.60 (shadow) USD per 1k predictions
        "checks": {
            "latency_p95_ms": {"warn": 150, "error": 250},
            "error_rate": {"warn": 0.02, "error": 0.05},
            "cost_per_1k_usd": {"warn": 0.75, "error": 1.0},
        },
        "models": [
            {
                "name": MODEL_NAME,
                "threshold": THRESHOLD,
                "features": {
                    "numeric": list(NUMERIC_FEATURES),
                    "categorical": list(CATEGORICAL_FEATURES),
                },
                "protected_attributes": list(PROTECTED_ATTRIBUTES),
                "slices": list(SLICES),
            },
            *task_model_configs(),
        ],
    }
