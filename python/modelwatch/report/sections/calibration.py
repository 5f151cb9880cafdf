"""Calibration curves: the latest final window and, when newer, a provisional one."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from modelwatch.report.formatters import (
    as_bool,
    as_number,
    fmt_when,
    latest_windows,
    missing_note,
    note,
    sort_key,
    version_colors,
)
from modelwatch.report.reader import Data, Row, for_model
from modelwatch.svg import (
    fmt_number,
    legend,
    xy_chart,
)

MIN_PROVISIONAL_LABELS = 100  # a not-yet-final window is drawn once it has this many labels


def _calibration_windows(mine: list[Row]) -> list[tuple[Any, bool]]:
    """(window, is_final): the latest final window and, when newer, the latest window with
    enough labels to draw a provisional curve."""
    labeled: dict[Any, float] = defaultdict(float)
    for r in mine:
        labeled[r.get("window_start")] += as_number(r.get("labeled_count")) or 0.0
    final = latest_windows([r for r in mine if as_bool(r.get("is_final"))])
    chosen = [(final[-1], True)] if final else []
    recent = [w for w in latest_windows(mine) if labeled[w] >= MIN_PROVISIONAL_LABELS]
    if recent and (not final or sort_key(recent[-1]) > sort_key(final[-1])):
        chosen.append((recent[-1], False))
    return chosen


def render(data: Data, models: list[str]) -> str:
    bins = data.rows("calibration_bins")
    if bins is None:
        return missing_note("calibration_bins")
    perf = data.rows("model_performance", "slice_key = '__all__'") or []
    out = []
    for model in models:
        rows = for_model(bins, model)
        if not rows:
            continue
        versions = sorted({r.get("model_version") for r in rows}, key=sort_key)
        colors = version_colors(versions)
        curves, notes = [], []
        for version in versions:
            mine = [r for r in rows if r.get("model_version") == version]
            for window, is_final in _calibration_windows(mine):
                points = sorted(
                    (
                        r
                        for r in mine
                        if r.get("window_start") == window
                        and as_number(r.get("observed_rate")) is not None
                    ),
                    key=lambda r: as_number(r.get("bin_index")) or 0.0,
                )
                status = "final" if is_final else "provisional"
                curves.append(
                    (
                        f"{version} · {fmt_when(window)} ({status})",
                        colors[version],
                        not is_final,
                        [
                            (
                                as_number(p.get("mean_score")),
                                as_number(p.get("observed_rate")),
                                f"{version} {fmt_when(window)} bin {p.get('bin_index')}: "
                                f"mean score {fmt_number(as_number(p.get('mean_score')))}, "
                                f"observed {fmt_number(as_number(p.get('observed_rate')))} "
                                f"(labeled {p.get('labeled_count')})",
                            )
                            for p in points
                        ],
                    )
                )
                ece = next(
                    (
                        as_number(p.get("ece"))
                        for p in perf
                        if str(p.get("model_name")) == model
                        and p.get("model_version") == version
                        and p.get("window_start") == window
                    ),
                    None,
                )
                notes.append(
                    f"<li><strong>{escape(str(version))}</strong> window "
                    f"{escape(fmt_when(window))} ({status}): ECE {escape(fmt_number(ece))}</li>"
                )
        if not curves:
            continue
        out.append(f"<h3>{escape(model)}</h3>" if len(models) > 1 else "")
        out.append(
            legend(
                [(name, color, dashed) for name, color, dashed, _ in curves]
                + [("perfectly calibrated", "#888888", True)]
            )
        )
        out.append(
            '<div class="row">'
            + xy_chart(curves, title="Observed positive rate vs mean score")
            + f'<div><ul class="side">{"".join(notes)}</ul>'
            + note(
                "Solid: the latest final window (labels complete). Dashed: the latest window "
                f"with at least {MIN_PROVISIONAL_LABELS} labels so far, which may still change."
            )
            + "</div></div>"
        )
    return "".join(out) or note("No labeled calibration bins yet.")
