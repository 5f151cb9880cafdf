"""Deterministic data generator for the drift benchmark.

Writes benchmarks/data/bench_<scenario>.duckdb with

* main.reference   -- f_num_01..f_num_20 DOUBLE, f_cat_01..f_cat_05 VARCHAR, score DOUBLE
* main.predictions -- the modelwatch prediction-log contract (prediction_id, model_name,
                      model_version, predicted_at, score) plus the same feature columns; every
                      row lies in the calendar week starting Monday 2026-09-07
* main.labels      -- (prediction_id, label, labeled_at), empty
* main.bench_meta  -- one row describing how the file was generated (the harness checks it)

Scenarios: 1m = 1M reference + 1M current rows, 10m = 1M reference + 10M current rows. The
reference table is identical in both scenarios. Data are generated in chunks (default 1M rows)
with numpy and appended through Arrow, so memory stays at a few hundred MB whatever the size.
The same seed always gives the same file contents.

Drift built into the current data (vs reference):
  f_num_01 mean +0.25 sd, f_num_02 sd x1.5, f_num_03 lognormal sigma 0.75 -> 0.95,
  f_num_16 integer distribution tilted towards high values,
  f_cat_01 probabilities changed, f_cat_04 gains an unseen category (~2%).
Nulls: ~1% in f_num_04, f_num_05, f_num_20 and f_cat_02 of the current data
  (reference: 0.1% in f_num_20 only).

    python benchmarks/make_data.py --scenario all [--force]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

GENERATOR_VERSION = 1
DEFAULT_SEED = 20260907
SCENARIOS = {
    "1m": {"reference_rows": 1_000_000, "current_rows": 1_000_000},
    "10m": {"reference_rows": 1_000_000, "current_rows": 10_000_000},
}
NUMERIC = [f"f_num_{i:02d}" for i in range(1, 21)]
CATEGORICAL = [f"f_cat_{i:02d}" for i in range(1, 6)]
WEEK_START = np.datetime64("2026-09-07T00:00:00", "us")  # a Monday
WEEK_US = 7 * 24 * 3600 * 1_000_000

# categorical vocabularies and probabilities (reference, current)
_CAT_SIZES = {"f_cat_01": 3, "f_cat_02": 5, "f_cat_03": 10, "f_cat_04": 20, "f_cat_05": 40}
CAT_VALUES = {
    name: np.array(
        [f"{name[-2:]}_v{k:02d}" for k in range(size)] + [f"{name[-2:]}_unseen"], dtype=object
    )
    for name, size in _CAT_SIZES.items()
}


def _zipf_probs(size: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, size + 1) ** a
    return w / w.sum()


def _cat_probs(name: str, drift: bool) -> np.ndarray:
    """Probabilities over CAT_VALUES[name] (last entry = the unseen category)."""
    size = _CAT_SIZES[name]
    if name == "f_cat_01":
        p = [0.40, 0.35, 0.25] if drift else [0.60, 0.30, 0.10]
    elif name == "f_cat_03":
        p = list(_zipf_probs(size, 1.1))
    elif name == "f_cat_04":
        base = _zipf_probs(size, 0.6)
        p = list(base * 0.98) if drift else list(base)
        return np.array(p + ([0.02] if drift else [0.0]))
    else:
        p = [1.0 / size] * size
    return np.array(p + [0.0])


def _numeric(rng: np.random.Generator, n: int, drift: bool) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    out["f_num_01"] = rng.normal(0.25 if drift else 0.0, 1.0, n)
    out["f_num_02"] = rng.normal(10.0, 3.0 if drift else 2.0, n)
    out["f_num_03"] = rng.lognormal(0.0, 0.95 if drift else 0.75, n)
    out["f_num_04"] = rng.exponential(1.0, n)
    out["f_num_05"] = rng.uniform(0.0, 100.0, n)
    out["f_num_06"] = rng.gamma(2.0, 2.0, n)
    out["f_num_07"] = rng.normal(50.0, 10.0, n)
    out["f_num_08"] = rng.beta(2.0, 5.0, n)
    out["f_num_09"] = rng.poisson(3.0, n).astype(np.float64)  # repeated values -> tied edges
    mix = rng.random(n) < 0.3
    out["f_num_10"] = np.where(mix, rng.normal(-2.0, 0.5, n), rng.normal(2.0, 1.0, n))
    out["f_num_11"] = rng.standard_t(5.0, n)
    out["f_num_12"] = rng.normal(-3.0, 0.5, n)
    out["f_num_13"] = rng.uniform(-1.0, 1.0, n)
    out["f_num_14"] = rng.lognormal(2.0, 0.3, n)
    out["f_num_15"] = rng.weibull(1.5, n)
    p16 = np.linspace(1.0, 2.0, 10) if drift else np.ones(10)
    out["f_num_16"] = rng.choice(10, size=n, p=p16 / p16.sum()).astype(np.float64)
    out["f_num_17"] = np.round(rng.normal(0.0, 1.0, n), 2)
    out["f_num_18"] = rng.chisquare(4.0, n)
    out["f_num_19"] = rng.laplace(0.0, 1.0, n)
    out["f_num_20"] = rng.normal(100.0, 25.0, n)
    return out


def _null_mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray | None:
    return (rng.random(n) < rate) if rate > 0 else None


def _chunk(seed: int, table: str, chunk_index: int, n: int, drift: bool) -> dict[str, pa.Array]:
    table_id = {"reference": 1, "predictions": 2}[table]
    rng = np.random.default_rng([seed, table_id, chunk_index])
    nums = _numeric(rng, n, drift)
    null_rates = (
        {"f_num_04": 0.01, "f_num_05": 0.01, "f_num_20": 0.01, "f_cat_02": 0.01}
        if drift
        else {"f_num_20": 0.001}
    )
    cols: dict[str, pa.Array] = {}
    for name in NUMERIC:
        cols[name] = pa.array(nums[name], mask=_null_mask(rng, n, null_rates.get(name, 0.0)))
    for name in CATEGORICAL:
        values = CAT_VALUES[name]
        idx = rng.choice(len(values), size=n, p=_cat_probs(name, drift)).astype(np.int32)
        mask = _null_mask(rng, n, null_rates.get(name, 0.0))
        dict_arr = pa.DictionaryArray.from_arrays(
            pa.array(idx, mask=mask), pa.array(values.tolist(), pa.string())
        )
        cols[name] = dict_arr.cast(pa.string())
    # score: a logistic function of a few features (some of which drift), always inside (0, 1)
    logit = (
        0.8 * nums["f_num_01"]
        + 0.3 * (nums["f_num_02"] - 10.0) / 2.0
        - 0.5 * nums["f_num_13"]
        + rng.normal(0.0, 1.0, n)
        - 0.5
    )
    cols["score"] = pa.array(1.0 / (1.0 + np.exp(-logit)))
    return cols


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    feats = ",\n".join(
        [f"    {c} DOUBLE" for c in NUMERIC] + [f"    {c} VARCHAR" for c in CATEGORICAL]
    )
    con.execute(f"CREATE TABLE main.reference (\n{feats},\n    score DOUBLE\n)")
    con.execute(
        "CREATE TABLE main.predictions (\n"
        "    prediction_id VARCHAR,\n    model_name VARCHAR,\n    model_version VARCHAR,\n"
        f"    predicted_at TIMESTAMP,\n    score DOUBLE,\n{feats}\n)"
    )
    con.execute(
        "CREATE TABLE main.labels (prediction_id VARCHAR, label INTEGER, labeled_at TIMESTAMP)"
    )
    con.execute(
        "CREATE TABLE main.bench_meta (scenario VARCHAR, generator_version INTEGER, seed BIGINT, "
        "reference_rows BIGINT, current_rows BIGINT, generated_at TIMESTAMP)"
    )


def generate(scenario: str, out_dir: Path, seed: int, chunk_rows: int, force: bool) -> Path:
    spec = SCENARIOS[scenario]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench_{scenario}.duckdb"
    if path.exists() and not force and is_complete(path, scenario, seed):
        print(f"make_data: {path} already complete; use --force to regenerate")
        return path
    tmp = path.with_suffix(".duckdb.partial")
    for p in (tmp, Path(str(tmp) + ".wal")):
        if p.exists():
            p.unlink()
    t0 = time.perf_counter()
    con = duckdb.connect(str(tmp), config={"memory_limit": "2GB", "threads": 2})
    _create_tables(con)
    feature_cols = ", ".join(NUMERIC + CATEGORICAL)

    n_ref = spec["reference_rows"]
    for ci, start in enumerate(range(0, n_ref, chunk_rows)):
        n = min(chunk_rows, n_ref - start)
        chunk = pa.table(_chunk(seed, "reference", ci, n, drift=False))
        con.register("chunk_ref", chunk)
        con.execute(f"INSERT INTO main.reference SELECT {feature_cols}, score FROM chunk_ref")
        con.unregister("chunk_ref")

    n_cur = spec["current_rows"]
    for ci, start in enumerate(range(0, n_cur, chunk_rows)):
        n = min(chunk_rows, n_cur - start)
        rng_ts = np.random.default_rng([seed, 3, ci])
        idx = np.arange(start, start + n, dtype=np.int64)
        # evenly spread over the week in arrival order, jittered within each row's slot
        offs = ((idx + rng_ts.random(n)) * (WEEK_US / n_cur)).astype(np.int64)
        offs = np.minimum(offs, WEEK_US - 1)
        cols = _chunk(seed, "predictions", ci, n, drift=True)
        cols["row_idx"] = pa.array(idx)
        cols["predicted_at"] = pa.array(
            WEEK_START + offs.astype("timedelta64[us]"), pa.timestamp("us")
        )
        chunk = pa.table(cols)
        con.register("chunk_cur", chunk)
        con.execute(
            "INSERT INTO main.predictions SELECT printf('pred-%010d', row_idx) AS prediction_id, "
            "'bench_model' AS model_name, 'v1' AS model_version, predicted_at, score, "
            f"{feature_cols} FROM chunk_cur"
        )
        con.unregister("chunk_cur")
        print(f"make_data: {scenario}: predictions {start + n:,}/{n_cur:,}", flush=True)

    con.execute(
        "INSERT INTO main.bench_meta VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [scenario, GENERATOR_VERSION, seed, n_ref, n_cur],
    )
    con.execute("CHECKPOINT")
    con.close()
    os.replace(tmp, path)
    print(
        f"make_data: wrote {path} ({path.stat().st_size / 2**20:,.0f} MiB) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return path


def is_complete(path: Path, scenario: str, seed: int = DEFAULT_SEED) -> bool:
    """True when `path` was fully written by this generator version for `scenario`."""
    if not path.exists():
        return False
    spec = SCENARIOS[scenario]
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute(
                "SELECT generator_version, seed, reference_rows, current_rows FROM main.bench_meta "
                "WHERE scenario = ?",
                [scenario],
            ).fetchone()
            counts = con.execute(
                "SELECT (SELECT count(*) FROM main.reference), "
                "(SELECT count(*) FROM main.predictions)"
            ).fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return False
    return row == (
        GENERATOR_VERSION,
        seed,
        spec["reference_rows"],
        spec["current_rows"],
    ) and counts == (spec["reference_rows"], spec["current_rows"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    ap.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent / "data")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--chunk-rows", type=int, default=1_000_000)
    ap.add_argument("--force", action="store_true", help="regenerate even if the file is complete")
    args = ap.parse_args(argv)
    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for s in scenarios:
        generate(s, args.out_dir, args.seed, args.chunk_rows, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
