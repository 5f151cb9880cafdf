"""NannyML contender: UnivariateDriftCalculator, one chunk covering the whole current set.

continuous_methods=['kolmogorov_smirnov', 'jensen_shannon'],
categorical_methods=['chi2', 'jensen_shannon'], chunk_number=1; fit on reference, calculate on
current. "seconds" runs from the start of reading (Python imports excluded; they are reported as
import_seconds): DuckDB file -> pandas (reference and current) -> fit -> calculate -> to_df().
(NannyML's fit also computes the reference-period results; that is part of its API and so part
of its time.) NannyML warns that one chunk is too few to derive
thresholds; the drift values themselves are what we time.

    .bench-venv/bin/python benchmarks/peers/nannyml_drift.py --db benchmarks/data/bench_1m.duckdb
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_common import emit, read_frames  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    args = ap.parse_args()

    t_import = time.perf_counter()
    import nannyml as nml

    import_seconds = time.perf_counter() - t_import

    started = t0 = time.perf_counter()
    reference, current, numeric, categorical = read_frames(args.db)
    read_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*number of chunks is too low.*")
        calc = nml.UnivariateDriftCalculator(
            column_names=numeric + categorical,
            treat_as_categorical=categorical,
            continuous_methods=["kolmogorov_smirnov", "jensen_shannon"],
            categorical_methods=["chi2", "jensen_shannon"],
            chunk_number=1,
        )
        calc.fit(reference)
        results = calc.calculate(current)
        df = results.filter(period="analysis").to_df()
    compute_seconds = time.perf_counter() - t1

    # features with at least one method above its alert threshold (thresholds are degenerate with
    # a single reference chunk, so this is informational only)
    alerted = sorted(
        {c[0] for c in df.columns if len(c) == 3 and c[2] == "alert" and bool(df[c].any())}
    )

    emit(
        "nannyml",
        started,
        len(reference),
        len(current),
        len(numeric) + len(categorical),
        version=nml.__version__,
        import_seconds=round(import_seconds, 3),
        read_seconds=round(read_seconds, 3),
        compute_seconds=round(compute_seconds, 3),
        result_cells=int(df.size),
        alerted_features=len(alerted),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
