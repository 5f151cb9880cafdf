"""Helpers shared by the benchmark contenders (peers/*.py and floor_query.py).

Kept dependency-free apart from duckdb so it imports in both the project venv and the peer venv.
"""

from __future__ import annotations

import json
import sys
import time

REFERENCE_TABLE = "main.reference"
CURRENT_TABLE = "main.predictions"


def feature_columns(con) -> tuple[list[str], list[str]]:
    """(numeric, categorical) feature columns of the reference table: f_num_* and f_cat_*."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = 'reference' ORDER BY ordinal_position"
    ).fetchall()
    names = [r[0] for r in rows]
    numeric = [n for n in names if n.startswith("f_num_")]
    categorical = [n for n in names if n.startswith("f_cat_")]
    if not numeric and not categorical:
        raise SystemExit("no f_num_* / f_cat_* columns in main.reference")
    return numeric, categorical


def emit(
    contender: str, started: float, rows_reference: int, rows_current: int, features: int, **extra
) -> None:
    """Print the one-line JSON result every contender ends with (on stdout)."""
    out = {
        "contender": contender,
        "seconds": round(time.perf_counter() - started, 3),
        "rows_reference": int(rows_reference),
        "rows_current": int(rows_current),
        "features": int(features),
    }
    out.update(extra)
    sys.stdout.write(json.dumps(out, default=str) + "\n")
    sys.stdout.flush()


def read_frames(db_path: str):
    """(reference, current, numeric, categorical): both peers' read step, timed as their work."""
    import duckdb

    con = duckdb.connect(db_path, read_only=True)
    try:
        numeric, categorical = feature_columns(con)
        cols = ", ".join(numeric + categorical)
        reference = con.execute(f"SELECT {cols} FROM {REFERENCE_TABLE}").df()
        current = con.execute(f"SELECT {cols} FROM {CURRENT_TABLE}").df()
    finally:
        con.close()
    return reference, current, numeric, categorical
