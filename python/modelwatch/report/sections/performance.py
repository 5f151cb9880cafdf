"""Performance and label coverage per model version: realized metrics, the
label-free CBPE estimate and the thresholds that judge them.
"""

from __future__ import annotations

from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_bool,
    as_number,
    capped_note,
    fmt_when,
    latest_windows,
    missing_note,
    note,
    sort_key,
    version_colors,
)
from modelwatch.report.reader import Data, for_model
from modelwatch.report.thresholds import threshold_keys, threshold_series
from modelwatch.svg import (
    Reference,
    Series,
    fmt_number,
    legend,
    line_chart,
)

# the charts of a regression or multiclass model: (metric, title, baseline column)
TASK_CHARTS = {
    "regression": [
        ("rmse", "RMSE", "baseline_rmse"),
        ("mae", "MAE", "baseline_mae"),
        (
            "mean_error",
            "Mean error (prediction - outcome; above 0 over-predicts)",
            "baseline_mean_error",
        ),
        ("r2", "R²", None),
    ],
    "multiclass": [
        ("macro_f1", "Macro F1", "baseline_macro_f1"),
        ("accuracy", "Accuracy", None),
        ("roc_auc", "ROC AUC (macro one-vs-rest)", None),
        ("log_loss", "Log loss", None),
    ],
}


def render(data: Data, models: list[str]) -> str:
    perf = data.rows("model_performance", "slice_key = '__all__'")
    if perf is None:
        return missing_note("model_performance")
    out = [
        note(
            "Solid lines: realized metrics on the labels received so far (open markers: the "
            "window is not final yet, more labels are due). Dashed: the label-free CBPE estimate."
        )
    ]
    for model in models:
        rows = for_model(perf, model)
        if not rows:
            continue
        windows = latest_windows(rows)
        labels = [fmt_when(w) for w in windows]
        versions = sorted({r.get("model_version") for r in rows}, key=sort_key)
        colors = version_colors(versions)
        by_key = {(r.get("model_version"), r.get("window_start")): r for r in rows}

        def series(metric: str, version: Any, dashed: bool = False, name: str = "") -> Series:
            points = [by_key.get((version, w)) for w in windows]  # noqa: B023
            return Series(
                name or f"{version} {metric}",
                [as_number(p.get(metric)) if p else None for p in points],
                colors[version],  # noqa: B023
                dashed,
                [bool(p) and as_bool(p.get("is_final")) is False for p in points],
            )

        coverage = [series("label_coverage", v) for v in versions]
        task = rows[0].get("task") or "binary"
        if task != "binary":
            out.append(f"<h3>{escape(model)} ({escape(task)})</h3>")
            out.append(legend([(f"{v}", colors[v], False) for v in versions]))
            for metric, title, baseline in TASK_CHARTS[task]:
                base = (
                    sorted({as_number(r.get(baseline)) for r in rows} - {None}) if baseline else []
                )
                refs = (
                    [Reference(base[0], f"baseline {fmt_number(base[0])}")]
                    if len(base) == 1
                    else []
                )
                chart = [series(metric, v) for v in versions]
                out.append(line_chart(labels, chart, title=title, references=refs))
            out.append(
                line_chart(
                    labels,
                    coverage,
                    title="Label coverage (share of predictions labeled)",
                    y_range=(0.0, 1.0),
                    fmt=lambda v: f"{100 * v:.0f}%",
                )
            )
            out.append(capped_note(len(latest_windows(rows, 10**9)), len(windows)))
            continue
        baselines = sorted({as_number(r.get("baseline_roc_auc")) for r in rows} - {None})
        refs = (
            [Reference(baselines[0], f"baseline AUC {fmt_number(baselines[0])}")]
            if len(baselines) == 1
            else []
        )
        auc = [series("roc_auc", v) for v in versions] + [
            series("estimated_roc_auc", v, dashed=True) for v in versions
        ]

        # the drop's thresholds as AUC values: the baseline less them
        baseline = baselines[0] if len(baselines) == 1 else None
        auc_limits = (
            threshold_series(
                data, model, "roc_auc_drop", windows, transform=lambda _, drop, b=baseline: b - drop
            )
            if baseline is not None
            else []
        )
        ece = [series("ece", v) for v in versions]
        ece_limits = threshold_series(data, model, "ece", windows)
        coverage_limits = threshold_series(data, model, "label_coverage", windows)
        accuracy = [series("accuracy", v) for v in versions] + [
            series("estimated_accuracy", v, dashed=True) for v in versions
        ]
        keys = [(f"{v}", colors[v], False) for v in versions] + [
            ("realized", "#555555", False),
            ("estimated (CBPE)", "#555555", True),
        ]
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(legend(keys + threshold_keys(auc_limits + ece_limits)))
        out.append(
            line_chart(labels, auc + auc_limits, title="ROC AUC (dashed red / amber: the "
                       "roc_auc_drop thresholds, noise floor included)", references=refs)
        )  # fmt: skip
        out.append(line_chart(labels, ece + ece_limits, title="Expected calibration error (ECE)"))
        out.append(line_chart(labels, accuracy, title="Accuracy at the decision threshold"))
        out.append(
            line_chart(
                labels,
                coverage + coverage_limits,
                title="Label coverage (share of predictions labeled)",
                y_range=(0.0, 1.0),
                fmt=lambda v: f"{100 * v:.0f}%",
            )
        )
        out.append(capped_note(len(latest_windows(rows, 10**9)), len(windows)))
    return "".join(out)
