"""Wide-table reproduction (issue 18): a 5,000-row prediction log with 200 numeric features and
a 5,000-row reference, built with the warehouse's memory_limit (default 2GB); prints the wall
time and the peak RSS of the build (this process: dbt runs in-process, DuckDB in its threads).

    python benchmarks/wide_table.py [--features 200] [--rows 5000] [--memory-limit 2GB]
        [--threads 1] [--unpivot-min-features N] [--out DIR]

Figures: docs/benchmark.md, "Wide tables".
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from modelwatch.config import resolve_warehouse
from modelwatch.runner import DbtProject


def tables(features: int, rows: int, seed: int = 18) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-05-06")
    names = [f"f_{i:03d}" for i in range(features)]
    predictions = pd.DataFrame(
        {
            "prediction_id": [f"p{i:06d}" for i in range(rows)],
            "model_name": "wide",
            "model_version": "v1",
            # one week, even spread: 7 daily windows
            "predicted_at": start + pd.to_timedelta(np.arange(rows) * (7 * 86400 // rows), "s"),
            "score": rng.uniform(0.01, 0.99, rows),
        }
    )
    shift = np.linspace(0.0, 0.5, features)  # later features drift more
    values = rng.normal(shift, 1.0, (rows, features))
    predictions = pd.concat([predictions, pd.DataFrame(values, columns=names)], axis=1)
    reference = pd.DataFrame(rng.normal(0.0, 1.0, (rows, features)), columns=names)
    reference["model_name"] = "wide"
    reference["score"] = rng.uniform(0.01, 0.99, rows)
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id[: rows // 2],
            "label": rng.integers(0, 2, rows // 2),
            "labeled_at": predictions.predicted_at[: rows // 2] + pd.Timedelta(hours=1),
        }
    )
    return {"predictions": predictions, "training_reference": reference, "labels": labels}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--threads", type=int, default=1, help="warehouse.threads")
    parser.add_argument(
        "--unpivot-min-features", type=int, default=None, help="drift.unpivot_min_features"
    )
    parser.add_argument("--out", default=None, help="work directory (default: a temporary one)")
    args = parser.parse_args()
    workdir = Path(args.out or tempfile.mkdtemp(prefix="mw_wide_"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "wide.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    for name, frame in tables(args.features, args.rows).items():
        con.register("frame", frame)
        con.execute(f"create table main.{name} as select * from frame")
        con.unregister("frame")
    con.close()
    config = {
        "warehouse": {
            "type": "duckdb",
            "path": str(path),
            "memory_limit": args.memory_limit,
            "threads": args.threads,
        },
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "models": [
            {"name": "wide", "features": {"numeric": [f"f_{i:03d}" for i in range(args.features)]}}
        ],
    }
    if args.unpivot_min_features is not None:
        config["drift"] = {"unpivot_min_features": args.unpivot_min_features}
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "target")
    started = time.perf_counter()
    outcome = project.run(full_refresh=True)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the slowest models, from dbt's run_results.json
    run_results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    slowest = sorted(run_results, key=lambda r: -r["execution_time"])[:4]
    result = {
        "features": args.features,
        "rows": args.rows,
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "unpivot_min_features": args.unpivot_min_features,
        "build_ok": outcome.build_ok,
        "errors": [e[:300] for e in outcome.build_errors],
        "seconds": round(seconds, 1),
        "peak_rss_mib": round(peak_mib),
        "slowest_models_seconds": {
            r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in slowest
        },
        "warehouse": str(path),
    }
    print(json.dumps(result, indent=2))
    return 0 if outcome.build_ok else 2


if __name__ == "__main__":
    sys.exit(main())
