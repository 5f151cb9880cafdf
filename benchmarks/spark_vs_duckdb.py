"""Wall time of one build on a local Spark session vs DuckDB, and where Spark's time goes (JVM
start-up, loading the inputs, dbt's parse, per-statement overhead, the slow models).

Each engine runs in its own subprocess (a fresh JVM for Spark), on the same data. Two modes:

    .venv/bin/python benchmarks/spark_vs_duckdb.py --scale 0.02 --days 14
        the demo: the whole project on generate_demo data
    .venv/bin/python benchmarks/spark_vs_duckdb.py --data 10m
        the drift job (`--jobs drift`) on benchmarks/make_data.py's data with bench_config.yml

print a Markdown table and write benchmarks/results/spark_vs_duckdb_<scale>_<days>d.json or
spark_vs_duckdb_drift_<data>.json. Loading the inputs (Spark: DuckDB -> parquet -> Spark table;
DuckDB: a copy of the file, which modelwatch writes into) is timed apart from the build. Needs
./scripts/spark.sh. The figures depend on the machine's load (2 shared cores here).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import run_measured

HERE = Path(__file__).resolve().parent
# what a user would set for small data on few cores (the test suite uses the same)
SPARK_SETTINGS = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# 10M rows on 2 cores: code generation pays off again, a few shuffle partitions (AQE, on by
# default, coalesces them further), room for 26 columns of aggregation state in the driver
SPARK_SETTINGS_LARGE = {
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "6g",
    "spark.sql.adaptive.enabled": "true",
}
DRIFT_TABLES = {"predictions": "predictions", "labels": "labels", "reference": "reference"}


def spark_warehouse(workdir: Path, settings: dict) -> dict:
    return {
        "type": "spark",
        "warehouse_dir": str(workdir / "spark-warehouse"),
        "metastore": str(workdir / "spark-metastore"),
        "settings": settings,
    }


def setup_demo(engine: str, workdir: Path, scale: float, days: int, out: dict) -> dict:
    """The demo config for `engine`, its inputs generated (DuckDB) or loaded (Spark)."""
    import duckdb

    from modelwatch.demo import demo_config, generate_demo

    source = workdir / "source.duckdb"
    con = duckdb.connect(str(source))
    generate_demo(con, scale=scale, days=days)
    con.close()
    if engine == "duckdb":
        config = demo_config()
        config["warehouse"] = {"type": "duckdb", "path": str(source)}
        return config
    config = demo_config(schema="mw_inputs")
    config["warehouse"] = spark_warehouse(workdir, SPARK_SETTINGS)
    spark = start_spark(config, out)
    t = time.perf_counter()
    spark.sql("create database if not exists mw_inputs")
    con = duckdb.connect(str(source), read_only=True)
    for table in ("predictions", "labels", "training_reference"):
        frame = con.execute(f"select * from {table}").df()
        spark.createDataFrame(frame).write.mode("overwrite").saveAsTable(f"mw_inputs.{table}")
    con.close()
    out["load_inputs_s"] = time.perf_counter() - t
    return config


def setup_drift(engine: str, workdir: Path, data: str, out: dict) -> dict:
    """bench_config.yml for `engine` on benchmarks/data/bench_<data>.duckdb."""
    import duckdb

    from modelwatch.config import load_config

    source = HERE / "data" / f"bench_{data}.duckdb"
    config = load_config(HERE / "bench_config.yml")
    if engine == "duckdb":
        t = time.perf_counter()
        copy = workdir / source.name  # modelwatch writes its tables into the warehouse file
        shutil.copyfile(source, copy)
        out["load_inputs_s"] = time.perf_counter() - t
        config["warehouse"] = {**config["warehouse"], "path": str(copy)}
        return config
    config["warehouse"] = spark_warehouse(workdir, {**SPARK_SETTINGS_LARGE})
    config["inputs"] = {key: f"bench_inputs.{table}" for key, table in DRIFT_TABLES.items()}
    spark = start_spark(config, out)
    t = time.perf_counter()
    con = duckdb.connect(str(source), read_only=True)
    for table in DRIFT_TABLES.values():
        con.execute(f"copy main.{table} to '{workdir / table}.parquet' (format parquet)")
    con.close()
    out["parquet_export_s"] = time.perf_counter() - t
    spark.sql("create database if not exists bench_inputs")
    for table in DRIFT_TABLES.values():
        frame = spark.read.parquet(f"{workdir / table}.parquet")
        # DuckDB's TIMESTAMP arrives as TIMESTAMP_NTZ; the inputs hold session-zone timestamps
        frame = frame.select(
            *(
                frame[c].cast("timestamp").alias(c) if kind == "timestamp_ntz" else frame[c]
                for c, kind in frame.dtypes
            )
        )
        frame.write.mode("overwrite").saveAsTable(f"bench_inputs.{table}")
    out["load_inputs_s"] = time.perf_counter() - t
    return config


def start_spark(config: dict, out: dict):
    from modelwatch.config import resolve_warehouse
    from modelwatch.warehouse import spark_session

    t = time.perf_counter()
    spark = spark_session(resolve_warehouse(config).env)
    out["jvm_session_start_s"] = time.perf_counter() - t
    return spark


def child(engine: str, workdir: Path, args) -> dict:
    """One build in this process; returns its timings."""
    from modelwatch.config import resolve_warehouse
    from modelwatch.runner import DbtProject

    started = time.perf_counter()
    out: dict = {"engine": engine}
    if args.data:
        config = setup_drift(engine, workdir, args.data, out)
        out["settings"] = config["warehouse"].get("settings")
    else:
        config = setup_demo(engine, workdir, args.scale, args.days, out)
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "target")
    t = time.perf_counter()
    outcome = project.run(full_refresh=True, jobs=["drift"] if args.data else None)
    out["dbt_build_s"] = time.perf_counter() - t
    out["build_ok"] = outcome.build_ok
    # the head names the model, the tail holds Spark's cause
    out["build_errors"] = [e[:800] + " ... " + e[-2500:] for e in outcome.build_errors[:5]]
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    times: dict[str, list[float]] = {"model": [], "test": [], "seed": []}
    for result in results:
        times.setdefault(result["unique_id"].split(".")[0], []).append(result["execution_time"])
    out["statements"] = {k: len(v) for k, v in times.items() if v}
    out["models_s"] = sum(times["model"]) + sum(times["seed"])
    out["tests_s"] = sum(times["test"])
    out["median_model_s"] = statistics.median(times["model"]) if times["model"] else None
    out["median_test_s"] = statistics.median(times["test"]) if times["test"] else None
    out["slowest_models"] = sorted(
        (
            (round(float(r["execution_time"]), 2), r["unique_id"].split(".")[-1])
            for r in results
            if r["unique_id"].startswith("model.")
        ),
        reverse=True,
    )[:5]
    out["dbt_overhead_s"] = out["dbt_build_s"] - out["models_s"] - out["tests_s"]
    out["total_s"] = time.perf_counter() - started
    return out


KEYS = [
    "process_wall_s",
    "jvm_session_start_s",
    "load_inputs_s",
    "dbt_build_s",
    "models_s",
    "tests_s",
    "median_model_s",
    "median_test_s",
    "dbt_overhead_s",
    "peak_tree_rss_mb",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--data", choices=["1m", "10m"], help="the drift job on make_data.py's")
    parser.add_argument("--engines", default="duckdb,spark", help="comma-separated")
    parser.add_argument("--timeout-minutes", type=float, default=60)
    parser.add_argument("--child", choices=["duckdb", "spark"])
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.workdir), args)))
        return
    if args.data:  # returns at once when the file is already complete
        subprocess.run(
            [sys.executable, str(HERE / "make_data.py"), "--scenario", args.data], check=True
        )
    rows = []
    with tempfile.TemporaryDirectory(prefix="mw-spark-bench-") as tmp:
        for engine in args.engines.split(","):
            workdir = Path(tmp) / engine
            workdir.mkdir()
            cmd = [sys.executable, __file__, "--child", engine, "--workdir", str(workdir)]
            cmd += ["--scale", str(args.scale), "--days", str(args.days)]
            cmd += ["--data", args.data] if args.data else []
            # the whole process tree's RSS (Spark's JVM is a child of Python), sampled each second
            measured = run_measured(
                cmd,
                env=None,
                cwd=HERE.parent,
                timeout_s=args.timeout_minutes * 60,
                mem_cap_bytes=0,
                stdout_path=workdir / "stdout",
                stderr_path=workdir / "stderr",
            )
            lines = (workdir / "stdout").read_text().strip().splitlines()
            if measured["returncode"] != 0 or not lines:
                tail = (workdir / "stderr").read_text().splitlines()[-20:]
                row = {"engine": engine, "failed": measured, "stderr_tail": tail}
            else:
                row = json.loads(lines[-1])
            row["process_wall_s"] = measured["wall_seconds"]
            row["peak_tree_rss_mb"] = measured["sampled_peak_tree_rss_mb"]
            rows.append(row)
    name = f"drift_{args.data}" if args.data else f"{args.scale:g}_{args.days}d"
    path = HERE / "results" / f"spark_vs_duckdb_{name}.json"
    # an engine measured on its own (--engines) replaces only its row
    engines = {row["engine"] for row in rows}
    if path.exists():
        rows += [row for row in json.loads(path.read_text()) if row["engine"] not in engines]
    rows.sort(key=lambda row: row["engine"])
    path.write_text(json.dumps(rows, indent=2) + "\n")
    print("| engine | " + " | ".join(KEYS) + " |")
    print("|---" * (len(KEYS) + 1) + "|")
    for row in rows:
        cells = [f"{row[k]:.1f}" if isinstance(row.get(k), float) else "-" for k in KEYS]
        print(f"| {row['engine']} | " + " | ".join(cells) + " |")
    for row in rows:
        print(row["engine"], row.get("statements"), "slowest:", row.get("slowest_models"))
        if "failed" in row:
            print(row["engine"], "FAILED", row["failed"], *row["stderr_tail"], sep="\n")


if __name__ == "__main__":
    main()
