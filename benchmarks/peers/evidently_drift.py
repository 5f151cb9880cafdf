"""Evidently contender: Report([DataDriftPreset()]) on reference vs current pandas frames.

"seconds" runs from the start of reading (Python imports excluded; they are reported as
import_seconds): DuckDB file -> pandas (reference and current) -> Evidently Dataset -> Report.run ->
snapshot.dict() (forces every metric result). Evidently picks its default
per-column tests (for >1000 rows: Wasserstein distance (normed) for numeric, Jensen-Shannon
distance for categorical); the methods it used are reported in the JSON line.

    .bench-venv/bin/python benchmarks/peers/evidently_drift.py --db benchmarks/data/bench_1m.duckdb
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("ITERATIVE_DO_NOT_TRACK", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_common import emit, read_frames  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    args = ap.parse_args()

    t_import = time.perf_counter()
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    import_seconds = time.perf_counter() - t_import

    started = t0 = time.perf_counter()
    reference, current, numeric, categorical = read_frames(args.db)
    read_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    report = Report([DataDriftPreset()])
    snapshot = report.run(
        reference_data=Dataset.from_pandas(reference, data_definition=definition),
        current_data=Dataset.from_pandas(current, data_definition=definition),
    )
    result = snapshot.dict()
    compute_seconds = time.perf_counter() - t1

    drifted = None
    methods = set()
    for metric in result.get("metrics", []):
        cfg = metric.get("config", {})
        if cfg.get("type", "").endswith("DriftedColumnsCount"):
            drifted = metric.get("value", {}).get("count")
        if cfg.get("method"):
            methods.add(cfg["method"])

    emit(
        "evidently",
        started,
        len(reference),
        len(current),
        len(numeric) + len(categorical),
        version=__import__("evidently").__version__,
        import_seconds=round(import_seconds, 3),
        read_seconds=round(read_seconds, 3),
        compute_seconds=round(compute_seconds, 3),
        drifted_features=drifted,
        methods=sorted(methods),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
