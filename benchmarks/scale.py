"""Benchmark 2, scale (issue 16): the drift job and the full job set on 10M-100M-row logs.

For each row count it
  1. writes a DuckDB warehouse in a temp dir, in 1M-row chunks (memory stays flat whatever the
     size): `predictions` spread over 30 daily windows (make_data.py's drifted features, the
     first 10 numeric and 3 categorical ones, and its score), `labels` (every prediction
     labeled 1-20 days later, label ~ Bernoulli(score)) and a 1M-row `reference` (make_data.py's
     reference features, score and a label),
  2. runs `modelwatch run --full-refresh --no-fail-on-alerts` with `memory_limit: 4GB` (the run's
     budget; DuckDB's buffer pool gets 4/5 of it),
     once per job set (default: `--jobs drift`, then the whole project), each in its own
     session: wall time, CPU (user + sys of the process and its reaped children), peak RSS
     (ru_maxrss from os.wait4, and the process tree's RSS sampled from /proc each second;
     measure.run_measured) and dbt's node times from run_results.json,
  3. writes benchmarks/results/scale_<rows>.json after every run (a cut-short run keeps what it
     measured) and prints a Markdown table. The data is deleted at the end (--keep keeps it).

Both job sets run on the same warehouse file, one after the other (each --full-refresh
rebuilds every table it selects; the inputs are never written). A run that fails (DuckDB Out of
Memory, say) is recorded with its failing node and message, and the next one still runs.

    .venv/bin/python benchmarks/scale.py --rows 10000000
    .venv/bin/python benchmarks/scale.py --rows 100000000 --timeout-minutes 120  # by hand
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_data  # noqa: E402
from incremental_cost import in_child, node_seconds  # noqa: E402
from measure import failure_reason, log, run_measured, tail  # noqa: E402

RESULTS_DIR = HERE / "results"
NUMERIC = make_data.NUMERIC[:10]
CATEGORICAL = make_data.CATEGORICAL[:3]
REFERENCE_ROWS = 1_000_000
WINDOWS_START = "2026-09-01"  # 30 daily windows, well before any run date
MEMORY_LIMIT = "4GB"
JOB_SETS = {"drift": ["--jobs", "drift"], "all": []}
CHUNK_ROWS = 1_000_000
DAY_US = 86_400_000_000
TOP_NODES = 10


def modelwatch_executable() -> Path:
    """The CLI installed beside this interpreter (the project venv), else the repo's .venv."""
    for candidate in (
        Path(sys.executable).parent / "modelwatch",
        HERE.parent / ".venv" / "bin" / "modelwatch",
    ):
        if candidate.exists():
            return candidate
    raise SystemExit("no modelwatch executable: install the project (`.venv/bin/pip install -e .`)")


def write_warehouse(path: Path, rows: int, days: int, seed: int) -> dict[str, int]:
    """The inputs, chunk by chunk (run in a spawned child: the harness's peak RSS stays small)."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    con = duckdb.connect(str(path), config={"memory_limit": "2GB", "threads": 2})
    con.execute("set enable_progress_bar = false")
    features = ", ".join(NUMERIC + CATEGORICAL)
    start_us = int(np.datetime64(WINDOWS_START, "us").astype(np.int64))
    try:
        for first in range(0, rows, CHUNK_ROWS):
            index = first // CHUNK_ROWS
            n = min(CHUNK_ROWS, rows - first)
            cols = make_data._chunk(seed, "predictions", index, n, drift=True)
            rng = np.random.default_rng([seed, 4, index])
            ids = np.arange(first, first + n, dtype=np.int64)
            predicted_us = start_us + (ids * days // rows) * DAY_US + rng.integers(0, DAY_US, n)
            score = cols["score"].to_numpy()
            cols["row_idx"] = pa.array(ids)
            cols["predicted_at"] = pa.array(predicted_us, pa.timestamp("us"))
            cols["label"] = pa.array((rng.random(n) < score).astype(np.int32))
            cols["labeled_at"] = pa.array(
                predicted_us + rng.integers(DAY_US, 20 * DAY_US, n), pa.timestamp("us")
            )
            con.register("chunk", pa.table(cols))
            prediction_id = "printf('p%010d', row_idx) as prediction_id"
            sql = {
                "predictions": f"select {prediction_id}, 'bench_model' as model_name, "
                f"'v1' as model_version, predicted_at, score, {features} from chunk",
                "labels": f"select {prediction_id}, label, labeled_at from chunk",
            }
            for table, select in sql.items():
                verb = (
                    f"create table main.{table} as" if first == 0 else f"insert into main.{table}"
                )
                con.execute(f"{verb} {select}")
            con.unregister("chunk")
            if (index + 1) % 10 == 0 or first + n == rows:
                log(f"data: {first + n:,}/{rows:,} predictions")
        cols = make_data._chunk(seed, "reference", 0, REFERENCE_ROWS, drift=False)
        rng = np.random.default_rng([seed, 5])
        cols["label"] = pa.array(
            (rng.random(REFERENCE_ROWS) < cols["score"].to_numpy()).astype(np.int32)
        )
        con.register("chunk", pa.table(cols))
        con.execute(f"create table main.reference as select {features}, score, label from chunk")
        con.unregister("chunk")
        con.execute("checkpoint")
        return {
            table: con.execute(f"select count(*) from main.{table}").fetchone()[0]
            for table in ("predictions", "labels", "reference")
        }
    finally:
        con.close()


def write_config(workdir: Path, warehouse: Path) -> Path:
    config = {
        "warehouse": {"type": "duckdb", "path": str(warehouse), "memory_limit": MEMORY_LIMIT},
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.reference",
        },
        "columns": {"reference": {"label": "label"}},
        "models": [
            {
                "name": "bench_model",
                "threshold": 0.5,
                "features": {"numeric": NUMERIC, "categorical": CATEGORICAL},
            }
        ],
    }
    path = workdir / "modelwatch.yml"
    path.write_text(json.dumps({"modelwatch": config}, indent=2))  # JSON is YAML
    return path


def failure(measured: dict, stderr: Path, nodes_error: list[str]) -> str:
    """What failed: dbt's failing nodes (with DuckDB's message), else measure.failure_reason's
    reading of the exit (timeout, signal, the stderr's last error)."""
    if nodes_error:
        return "; ".join(nodes_error)
    return failure_reason(measured, tail(stderr, 40))


def newest_run_results() -> dict:
    from modelwatch.project import project_dir

    newest = max(
        (project_dir() / "target" / "runs").glob("*/run_results.json"),
        key=lambda p: p.stat().st_mtime,
    )
    return json.loads(newest.read_text())


def run_results(since: float) -> tuple[dict[str, float], list[str]]:
    """(node seconds, failing nodes with their messages) of the newest run after `since`."""
    try:
        seconds = node_seconds(since)
    except RuntimeError:
        return {}, []
    errors = [
        f"{r['unique_id'].split('.')[-1]}: {(r.get('message') or '').strip()[:300]}"
        for r in newest_run_results()["results"]
        if r["status"] in ("error", "fail", "runtime error")
    ]
    return dict(sorted(seconds.items(), key=lambda kv: -kv[1])), errors


def peak_rss_by_node(samples: list[tuple[float, int]], since: float) -> dict[str, float]:
    """MiB: the highest process-tree RSS sampled while each node ran (compile to end), the
    highest first. Samples outside every node (start-up, tests' compile) are left out."""
    if not samples:
        return {}
    try:
        node_seconds(since)  # raises when no run of this job wrote results
    except RuntimeError:
        return {}
    peaks = {}
    for result in newest_run_results()["results"]:
        spans = [
            (
                dt.datetime.fromisoformat(t["started_at"].replace("Z", "+00:00")).timestamp(),
                dt.datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00")).timestamp(),
            )
            for t in result.get("timing", [])
            if t.get("started_at") and t.get("completed_at")
        ]
        if not spans:
            continue
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        during = [rss for at, rss in samples if start <= at <= end + 1.0]
        if during:
            peaks[result["unique_id"].split(".")[2]] = round(max(during) / 2**20)
    return dict(sorted(peaks.items(), key=lambda kv: -kv[1]))


def run_job(job: str, config: Path, workdir: Path, timeout_s: float) -> dict:
    timings = workdir / f"{job}_timings.json"
    cmd = [str(modelwatch_executable()), "run", "--config", str(config), "--full-refresh"]
    cmd += ["--no-fail-on-alerts", "--timings-json", str(timings), *JOB_SETS[job]]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONUNBUFFERED": "1"}
    stderr = workdir / f"{job}.stderr"
    load_before = os.getloadavg()
    started = time.time()
    log(f"{job}: {' '.join(cmd)}")
    measured = run_measured(
        cmd,
        env=env,
        cwd=HERE.parent,
        timeout_s=timeout_s,
        mem_cap_bytes=0,
        stdout_path=workdir / f"{job}.stdout",
        stderr_path=stderr,
        min_free_bytes=2**30,
        keep_samples=True,
    )
    samples = measured.pop("rss_samples")
    nodes, errors = run_results(started)
    ok = measured["returncode"] == 0 and not measured["killed_for"] and not errors
    result = {
        "job": job,
        "command": " ".join(cmd),
        "status": "ok" if ok else "failed",
        "reason": None if ok else failure(measured, stderr, errors),
        "started_at": dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        **measured,
        "peak_tree_rss_mb": max(measured["peak_rss_mb"], measured["sampled_peak_tree_rss_mb"]),
        "timings": json.loads(timings.read_text()) if timings.exists() else None,
        "nodes_seconds": nodes,
        "nodes_peak_rss_mib": dict(list(peak_rss_by_node(samples, started).items())[:TOP_NODES]),
    }
    if not ok:
        result["stderr_tail"] = tail(stderr, 30)
    log(
        f"{job}: {result['status']} wall {measured['wall_seconds']:.0f} s, CPU "
        f"{measured['cpu_seconds']:.0f} s, peak RSS {result['peak_tree_rss_mb']:,.0f} MB"
        + (f" ({result['reason']})" if result["reason"] else "")
    )
    return result


def markdown(report: dict) -> str:
    lines = [
        "| rows | job | status | wall s | CPU s | peak RSS MB (tree) | slowest nodes (s) |",
        "|---:|---|---|---:|---:|---:|---|",
    ]
    for run in report["runs"]:
        slow = ", ".join(f"{n} {s:.0f}" for n, s in list(run["nodes_seconds"].items())[:4])
        lines.append(
            f"| {report['rows']:,} | {run['job']} | {run['status']} | {run['wall_seconds']:.0f} "
            f"| {run['cpu_seconds']:.0f} | {run['peak_tree_rss_mb']:,.0f} | {slow} |"
        )
    return "\n".join(lines)


def measure(rows: int, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"mw_scale_{rows}_", dir=args.work_dir))
    warehouse = workdir / "warehouse.duckdb"
    out = RESULTS_DIR / f"scale_{rows}.json"
    report = {
        "rows": rows,
        "windows": args.days,
        "reference_rows": REFERENCE_ROWS,
        "features": {"numeric": NUMERIC, "categorical": CATEGORICAL},
        "memory_limit": MEMORY_LIMIT,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": [],
    }
    try:
        t0 = time.perf_counter()
        cpu0 = os.times()
        report["input_rows"] = in_child(write_warehouse, warehouse, rows, args.days, args.seed)
        cpu1 = os.times()
        report["data"] = {
            "wall_seconds": round(time.perf_counter() - t0, 1),
            "cpu_seconds": round(
                cpu1.children_user
                + cpu1.children_system
                - cpu0.children_user
                - cpu0.children_system,
                1,
            ),
            "file_mib": round(warehouse.stat().st_size / 2**20),
        }
        log(f"{rows:,} rows: data written: {report['data']}")
        config = write_config(workdir, warehouse)
        for job in args.jobs.split(","):
            report["runs"].append(run_job(job, config, workdir, args.timeout_minutes * 60))
            report["measured_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            report["markdown"] = markdown(report)
            out.write_text(json.dumps(report, indent=2) + "\n")
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            for path in sorted(workdir.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            workdir.rmdir()
    log(f"wrote {out}")
    return report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000000", help="prediction rows, comma-separated")
    parser.add_argument("--days", type=int, default=30, help="daily windows")
    parser.add_argument("--jobs", default="drift,all", help="job sets to run: drift, all")
    parser.add_argument("--seed", type=int, default=make_data.DEFAULT_SEED)
    parser.add_argument("--timeout-minutes", type=float, default=120.0, help="per run")
    parser.add_argument("--work-dir", default=None, help="where the temp dir goes ($TMPDIR)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (prints it)")
    args = parser.parse_args()
    unknown = set(args.jobs.split(",")) - set(JOB_SETS)
    if unknown:
        parser.error(f"--jobs: unknown {sorted(unknown)} (known: {', '.join(JOB_SETS)})")
    return args


def main() -> int:
    args = parse_args()
    for rows in (int(r) for r in args.rows.split(",")):
        print(markdown(measure(rows, args)) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
