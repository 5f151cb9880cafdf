"""Incremental cost curve (issue 16): what one scheduled run costs as the history grows.

For each history length H (days) it
  1. writes a DuckDB warehouse in a temp dir with the demo generator (python/modelwatch/demo):
     H + 1 days are generated, ending today (UTC), and the last day's predictions and the
     labels that arrive on it (labeled_at on day H + 1) are held back in schema `holdback`, so
     the first H days are exactly what a warehouse holds before that day,
  2. builds it once (`modelwatch run --full-refresh`),
  3. appends the held-back day to main.predictions / main.labels,
  4. times an incremental `modelwatch run` in a fresh subprocess: wall, CPU (user + sys of the
     child and its reaped children), peak RSS (ru_maxrss of the child, os.wait4) and the node
     execution times of dbt's target/run_results.json; --repeat times (default 3), each on a
     fresh copy of the appended warehouse, reporting the run of median CPU.

It prints a Markdown table (ratios against the smallest H) and writes
benchmarks/results/incremental_cost_<days>.json after every H, so a cut-short run keeps what it
measured. Data lives in a temp dir and is deleted.

    .venv/bin/python benchmarks/incremental_cost.py --days 30,90,180,365
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from modelwatch.demo import PREDICTIONS_PER_DAY, demo_config, generate_demo
from modelwatch.project import project_dir

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import log, run_measured  # noqa: E402

MODELWATCH = HERE.parent / ".venv" / "bin" / "modelwatch"
RESULTS_DIR = HERE / "results"
TOP_NODES = 8


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", default="30,90,180,365", help="history lengths, comma-separated")
    parser.add_argument(
        "--rows-per-day", type=int, default=20_000, help="credit-model predictions per day"
    )
    parser.add_argument("--timeout-minutes", type=float, default=30.0, help="per modelwatch run")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (prints them)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="incremental runs per H (the median by CPU is shown)"
    )
    return parser.parse_args()


def write_warehouse(path: Path, days: int, rows_per_day: int) -> dict[str, int]:
    """H days of demo history in main.*, day H + 1 in holdback.*; returns row counts."""
    # the demo logs every request twice (champion and shadow challenger): scale 1.0 = 40k rows
    scale = rows_per_day / (2 * PREDICTIONS_PER_DAY)
    # the held-back day is today (UTC): a history that ran past the load time would be
    # quarantined as predicted_at_in_future (the demo's own start date is fixed)
    start = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=days)
    cutoff = dt.datetime.combine(start + dt.timedelta(days=days), dt.time())
    con = duckdb.connect(str(path))
    try:
        generate_demo(con, scale=scale, days=days + 1, start=start)
        con.execute("create schema holdback")
        for table, column in (("predictions", "predicted_at"), ("labels", "labeled_at")):
            where = f"{column} >= timestamp '{cutoff}'"
            con.execute(f"create table holdback.{table} as from main.{table} where {where}")
            con.execute(f"delete from main.{table} where {where}")
        return {
            f"{schema}_{table}": con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            for schema in ("main", "holdback")
            for table in ("predictions", "labels")
        }
    finally:
        con.close()


def append_day(path: Path) -> None:
    """Move the held-back day into the input tables, as the day's loader would."""
    con = duckdb.connect(str(path))
    try:
        for table in ("predictions", "labels"):
            con.execute(f"insert into main.{table} by name select * from holdback.{table}")
        con.execute("drop schema holdback cascade")
    finally:
        con.close()


def write_config(workdir: Path, warehouse: Path) -> Path:
    config = demo_config()
    config["warehouse"] = {"type": "duckdb", "path": str(warehouse)}
    path = workdir / "modelwatch.yml"
    path.write_text(json.dumps({"modelwatch": config}))  # JSON is YAML
    return path


def modelwatch_run(config: Path, workdir: Path, label: str, full_refresh: bool, timeout_s: float):
    """One `modelwatch run` as a measured child process; raises if it fails."""
    timings = workdir / f"{label}_timings.json"
    cmd = [str(MODELWATCH), "run", "--config", str(config), "--no-fail-on-alerts"]
    cmd += ["--timings-json", str(timings)] + (["--full-refresh"] if full_refresh else [])
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    stderr = workdir / f"{label}.stderr"
    measured = run_measured(
        cmd,
        env=env,
        cwd=workdir,
        timeout_s=timeout_s,
        mem_cap_bytes=0,
        stdout_path=workdir / f"{label}.stdout",
        stderr_path=stderr,
    )
    if measured["returncode"] != 0:
        tail = stderr.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{label} failed ({measured}):\n{tail}")
    measured["dbt_models_seconds"] = round(json.loads(timings.read_text())["models_seconds"], 3)
    return measured


def node_seconds(since: float) -> dict[str, float]:
    """Execution time per node of the newest run_results.json written after `since`."""
    candidates = [
        p
        for p in (project_dir() / "target" / "runs").glob("*/run_results.json")
        if p.stat().st_mtime >= since
    ]
    if not candidates:
        raise RuntimeError("no run_results.json written by the incremental run")
    results = json.loads(max(candidates, key=lambda p: p.stat().st_mtime).read_text())["results"]
    return {
        r["unique_id"].split(".")[-1] if r["unique_id"].startswith("model.") else r["unique_id"]: (
            round(r["execution_time"], 3)
        )
        for r in results
    }


def in_child(func, *args):
    """Run func in a spawned process: the harness stays small, because a child started by
    exec inherits its parent's peak RSS in ru_maxrss (Linux copies the old mm's high-water mark
    at exec), so a harness that generated 7M rows itself would inflate every child's peak."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(func, args)


def measure(days: int, rows_per_day: int, timeout_s: float, keep: bool, repeat: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"mw_incr_{days}d_"))
    warehouse = workdir / "warehouse.duckdb"
    t0 = time.perf_counter()
    rows = in_child(write_warehouse, warehouse, days, rows_per_day)
    log(f"H={days}: data written in {time.perf_counter() - t0:.0f} s: {rows}")
    config = write_config(workdir, warehouse)
    full = modelwatch_run(config, workdir, "full", True, timeout_s)
    log(f"H={days}: full build {full['wall_seconds']:.0f} s wall, {full['cpu_seconds']:.0f} s CPU")
    in_child(append_day, warehouse)
    # the same incremental run `repeat` times, each on a fresh copy of the appended warehouse:
    # the median by CPU is reported (one run on a shared machine varies by several seconds)
    snapshot = workdir / "appended.duckdb"
    if repeat > 1:
        shutil.copyfile(warehouse, snapshot)
    attempts = []
    for attempt in range(repeat):
        if attempt:
            shutil.copyfile(snapshot, warehouse)
        started = time.time()
        run = modelwatch_run(config, workdir, f"incremental_{attempt + 1}", False, timeout_s)
        attempts.append((run, node_seconds(started)))
        log(f"H={days}: incremental {run['wall_seconds']:.1f} s wall, {run['cpu_seconds']:.1f} CPU")
    incremental, nodes = sorted(attempts, key=lambda a: a[0]["cpu_seconds"])[len(attempts) // 2]
    if keep:
        log(f"kept {workdir}")
    else:
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        workdir.rmdir()
    return {
        "days": days,
        "rows": rows,
        "full_refresh": full,
        "incremental": incremental,
        "incremental_cpu_seconds_all": [a[0]["cpu_seconds"] for a in attempts],
        "nodes_seconds": dict(sorted(nodes.items(), key=lambda kv: -kv[1])),
    }


def growing_nodes(first: dict, last: dict, top: int = TOP_NODES) -> list[str]:
    """The nodes whose time grew most from the smallest H to this one."""
    before, after = first["nodes_seconds"], last["nodes_seconds"]
    return sorted(after, key=lambda n: before.get(n, 0.0) - after[n])[:top]


KEYS = (("wall_seconds", 1), ("cpu_seconds", 1), ("peak_rss_mb", 0), ("dbt_models_seconds", 1))


def _with_ratio(value: float, first: float, digits: int, show: bool) -> str:
    return f"{value:.{digits}f}" + (f" ({value / first:.2f}x)" if show else "")


def markdown(runs: list[dict]) -> str:
    base = runs[0]
    head = "| H (days) | rows in the log | wall s | CPU s | peak RSS MB | dbt models s |"
    lines = [
        head + " top growing nodes (s) |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        inc, first = run["incremental"], base["incremental"]
        cells = [_with_ratio(inc[key], first[key], digits, run is not base) for key, digits in KEYS]
        grown = ", ".join(
            f"{n} {base['nodes_seconds'].get(n, 0):.2f}→{run['nodes_seconds'][n]:.2f}"
            for n in growing_nodes(base, run, 3)
        )
        rows = run["rows"]["main_predictions"] + run["rows"]["holdback_predictions"]
        lines.append(
            f"| {run['days']} | {rows:,} | "
            + " | ".join(cells)
            + f" | {grown if run is not base else ''} |"
        )
    nodes = growing_nodes(base, runs[-1])
    lines += ["", "| node | " + " | ".join(f"H={r['days']}" for r in runs) + " |"]
    lines.append("|---|" + "---:|" * len(runs))
    for node in nodes:
        cells = " | ".join(f"{r['nodes_seconds'].get(node, 0):.2f}" for r in runs)
        lines.append(f"| {node} | {cells} |")
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    days = sorted(int(d) for d in args.days.split(","))
    out = RESULTS_DIR / f"incremental_cost_{'_'.join(map(str, days))}.json"
    runs: list[dict] = []
    for h in days:
        runs.append(
            measure(h, args.rows_per_day, args.timeout_minutes * 60, args.keep, args.repeat)
        )
        report = {
            "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "rows_per_day": args.rows_per_day,
            "runs": runs,
            "markdown": markdown(runs),
        }
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(report["markdown"] + "\n", flush=True)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
