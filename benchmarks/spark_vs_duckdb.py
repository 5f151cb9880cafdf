"""Wall time of one full build of the demo on a local Spark session vs DuckDB, and where Spark's
time goes (JVM start-up, loading the inputs, dbt's parse, per-statement overhead).

Each engine runs in its own subprocess (a fresh JVM for Spark), on the same demo data:

    .venv/bin/python benchmarks/spark_vs_duckdb.py --scale 0.02 --days 14

prints a Markdown table and writes benchmarks/results/spark_vs_duckdb_<scale>_<days>d.json.
Needs ./scripts/spark.sh. The figures depend on the machine's load (2 shared cores here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# what a user would set for small data on few cores (the test suite uses the same)
SPARK_SETTINGS = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def child(engine: str, workdir: Path, scale: float, days: int) -> dict:
    """One build in this process; returns its timings."""
    import duckdb

    from modelwatch.config import resolve_warehouse
    from modelwatch.demo import demo_config, generate_demo
    from modelwatch.runner import DbtProject

    started = time.perf_counter()
    source = workdir / "source.duckdb"
    if not source.exists():
        con = duckdb.connect(str(source))
        generate_demo(con, scale=scale, days=days)
        con.close()
    out: dict = {"engine": engine}
    if engine == "duckdb":
        config = demo_config()
        config["warehouse"] = {"type": "duckdb", "path": str(source)}
        warehouse = resolve_warehouse(config)
    else:
        config = demo_config(schema="mw_inputs")
        config["warehouse"] = {
            "type": "spark",
            "warehouse_dir": str(workdir / "spark-warehouse"),
            "metastore": str(workdir / "spark-metastore"),
            "settings": SPARK_SETTINGS,
        }
        warehouse = resolve_warehouse(config)
        from modelwatch.warehouse import spark_session

        t = time.perf_counter()
        spark = spark_session(warehouse.env)
        out["jvm_session_start_s"] = time.perf_counter() - t
        t = time.perf_counter()
        spark.sql("create database if not exists mw_inputs")
        con = duckdb.connect(str(source), read_only=True)
        for table in ("predictions", "labels", "training_reference"):
            frame = con.execute(f"select * from {table}").df()
            spark.createDataFrame(frame).write.mode("overwrite").saveAsTable(f"mw_inputs.{table}")
        con.close()
        out["load_inputs_s"] = time.perf_counter() - t
    project = DbtProject(config, warehouse.env, target_path=workdir / engine / "target")
    t = time.perf_counter()
    outcome = project.run(full_refresh=True)
    out["dbt_build_s"] = time.perf_counter() - t
    out["build_ok"] = outcome.build_ok
    results = json.loads((workdir / engine / "target" / "run_results.json").read_text())
    times = {"model": [], "test": [], "seed": []}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        times.setdefault(kind, []).append(float(result["execution_time"]))
    out["statements"] = {k: len(v) for k, v in times.items() if v}
    out["models_s"] = sum(times["model"]) + sum(times["seed"])
    out["tests_s"] = sum(times["test"])
    out["median_test_s"] = statistics.median(times["test"]) if times["test"] else None
    out["slowest_models"] = sorted(
        (
            (float(r["execution_time"]), r["unique_id"].split(".")[-1])
            for r in results["results"]
            if r["unique_id"].startswith("model.")
        ),
        reverse=True,
    )[:5]
    out["dbt_overhead_s"] = out["dbt_build_s"] - out["models_s"] - out["tests_s"]
    out["total_s"] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--child", choices=["duckdb", "spark"])
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.workdir), args.scale, args.days)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="mw-spark-bench-") as tmp:
        for engine in ("duckdb", "spark"):
            workdir = Path(tmp) / engine
            workdir.mkdir()
            started = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--child", engine, "--workdir", str(workdir)]
                + ["--scale", str(args.scale), "--days", str(args.days)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            result["process_wall_s"] = time.perf_counter() - started
            rows.append(result)
    name = f"spark_vs_duckdb_{args.scale:g}_{args.days}d.json"
    (HERE / "results" / name).write_text(json.dumps(rows, indent=2) + "\n")
    keys = [
        "process_wall_s",
        "jvm_session_start_s",
        "load_inputs_s",
        "dbt_build_s",
        "models_s",
        "tests_s",
        "median_test_s",
        "dbt_overhead_s",
    ]
    print("| engine | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for row in rows:
        cells = [f"{row[k]:.1f}" if isinstance(row.get(k), float) else "-" for k in keys]
        print(f"| {row['engine']} | " + " | ".join(cells) + " |")
    for row in rows:
        print(row["engine"], "statements", row["statements"], "slowest", row["slowest_models"])


if __name__ == "__main__":
    main()
