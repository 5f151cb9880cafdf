"""The floor: one hand-written DuckDB query that only counts rows per reference quantile bin.

For every numeric feature the 10 bins come from the reference (quantile_cont at 0.1 .. 0.9, bin i
= number of edges at or below the value, nulls in their own bin); for every categorical feature
the "bins" are its values (null included). The query reads the reference once (for the edges)
and the current data once, and returns one histogram per feature for the single weekly window.
No divergence, no statistics, no persistence: anything that computes drift has to do at least
this much work, so it is the lower bound to compare modelwatch with.

"seconds" runs from connecting to the file to having the counts in Python (import excluded).

    .venv/bin/python benchmarks/floor_query.py --db benchmarks/data/bench_1m.duckdb
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import CURRENT_TABLE, REFERENCE_TABLE, emit, feature_columns  # noqa: E402

BINS = 10


def build_query(numeric: list[str], categorical: list[str], bins: int = BINS) -> str:
    probs = ", ".join(f"{k / bins:g}" for k in range(1, bins))
    edge_lists = ",\n        ".join(f"quantile_cont({c}, [{probs}]) AS {c}" for c in numeric)
    edge_scalars = ",\n        ".join(
        f"{c}[{k}] AS {c}__e{k}" for c in numeric for k in range(1, bins)
    )
    bin_exprs = []
    for c in numeric:
        # bin i = [edge_i, edge_i+1): the number of edges at or below the value; nulls -> -1
        steps = " + ".join(f"({c} >= e.{c}__e{k})::INTEGER" for k in range(1, bins))
        bin_exprs.append(f"CASE WHEN {c} IS NULL THEN -1 ELSE {steps} END AS {c}")
    for c in categorical:
        bin_exprs.append(f"coalesce({c}, '<null>') AS {c}")
    binned = ",\n        ".join(bin_exprs)
    hists = ",\n    ".join(f"histogram({c}) AS {c}" for c in numeric + categorical)
    return f"""
WITH edge_lists AS (
    SELECT
        {edge_lists}
    FROM {REFERENCE_TABLE}
),
edges AS (
    SELECT
        {edge_scalars}
    FROM edge_lists
),
binned AS (
    SELECT
        date_trunc('week', p.predicted_at) AS window_start,
        {binned}
    FROM {CURRENT_TABLE} AS p
    CROSS JOIN edges AS e
)
SELECT
    window_start,
    count(*) AS rows_current,
    {hists}
FROM binned
GROUP BY window_start
ORDER BY window_start
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument(
        "--memory-limit",
        default="3GB",
        help="DuckDB memory_limit (the same as bench_config.yml gives modelwatch)",
    )
    ap.add_argument("--print-sql", action="store_true")
    args = ap.parse_args()

    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(args.db, read_only=True, config={"memory_limit": args.memory_limit})
    numeric, categorical = feature_columns(con)
    sql = build_query(numeric, categorical)
    if args.print_sql:
        print(sql, file=sys.stderr)
    rows = con.execute(sql).fetchall()
    rows_reference = con.execute(f"SELECT count(*) FROM {REFERENCE_TABLE}").fetchone()[0]
    con.close()

    rows_current = sum(r[1] for r in rows)
    n_feat = len(numeric) + len(categorical)
    cells = sum(len(h) for r in rows for h in r[2:])
    # every histogram must account for every current row
    for r in rows:
        for h in r[2:]:
            assert sum(h.values()) == r[1], "bin counts do not add up to the row count"
    emit(
        "floor_query",
        started,
        rows_reference,
        rows_current,
        n_feat,
        duckdb_version=duckdb.__version__,
        windows=len(rows),
        bin_cells=cells,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
