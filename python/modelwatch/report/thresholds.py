"""The warn and error threshold lines drawn over a check's time series, read from the alert
engine's table of every observation with the thresholds that applied (noise floors and
dynamic thresholds move per window).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from modelwatch import identifiers
from modelwatch.report.formatters import as_number, sort_key
from modelwatch.report.reader import EVALUATED, Data, Row, for_model
from modelwatch.svg import SEVERITY_COLORS, Series


def threshold_rows(data: Data, model: str, check: str, subject: Any = None) -> list[Row]:
    """The observations of one check (and subject) with their warn / error thresholds."""
    where = f"check_name = {identifiers.literal(check)}"
    rows = for_model(data.rows(EVALUATED, where), model)
    if subject is not None:
        rows = [r for r in rows if str(r.get("subject")) == str(subject)]
    return rows


def threshold_series(
    data: Data,
    model: str,
    check: str,
    windows: Sequence[Any],
    subject: Any = None,
    transform: Callable[[Row, float], float | None] | None = None,
) -> list[Series]:
    """Dashed warn and error threshold lines of a check over these windows (per window: noise
    floors and dynamic thresholds move); none when the check has no threshold here."""
    rows = threshold_rows(data, model, check, subject)
    if not rows:
        return []
    if subject is None:
        # several subjects (versions): the one observed most
        counts: dict[Any, int] = defaultdict(int)
        for r in rows:
            counts[r.get("subject")] += 1
        top = max(counts, key=lambda k: (counts[k], sort_key(k)))
        rows = [r for r in rows if r.get("subject") == top]
    by_window = {r.get("window_start"): r for r in rows}
    out = []
    for level in ("warn", "error"):
        values = []
        for w in windows:
            row = by_window.get(w)
            value = as_number(row.get(f"{level}_threshold")) if row else None
            if value is not None and transform is not None:
                value = transform(row, value)
            values.append(value)
        if any(v is not None for v in values):
            label = f"{check} {level}" + (f" ({subject})" if subject is not None else "")
            out.append(Series(label, values, SEVERITY_COLORS[level], dashed=True))
    return out


def threshold_keys(series: Sequence[Series]) -> list[tuple[str, str, bool]]:
    return [(s.name, s.color, True) for s in series]
