"""Drift benchmark harness: modelwatch vs Evidently vs NannyML vs a hand-written floor query.

For each scenario it
  1. generates benchmarks/data/bench_<scenario>.duckdb if missing (make_data.py),
  2. copies it to a temp dir and writes a temp modelwatch config pointing at the copy,
  3. runs each contender as its own subprocess on that copy -- floor query, NannyML, Evidently,
     then modelwatch (last, because it writes its output tables into the warehouse) -- and
     measures wall time (harness clock) and peak RSS (os.wait4 rusage of that child, i.e. the
     child and its reaped descendants),
  4. writes benchmarks/results/<scenario>.json (+ .md) and prints a Markdown table.
The contenders live in drift_contenders.py, the table in drift_report.py, the measuring in
measure.py.

A contender that fails, exceeds --timeout-minutes or the --memory-cap-gb watchdog is killed
(its own process group only) and recorded with the reason; the harness carries on.
Contenders named in --skip keep the entry of the previous results file (marked as carried over),
so e.g. `--skip evidently,nannyml` re-measures only the floor and modelwatch.

    .venv/bin/python benchmarks/run_benchmark.py --scenario all
    .venv/bin/python benchmarks/run_benchmark.py --scenario 10m --skip evidently,nannyml
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from drift_contenders import (
    ALIASES,
    CONTENDERS,
    DATA_DIR,
    HERE,
    MW_RUNS,
    MW_STARTUP_EXCLUDED,
    MW_WARM,
    PROJECT_PY,
    REPO,
    RESULTS_DIR,
    run_contender,
    versions,
)
from drift_report import markdown_table
from measure import log, machine

SCENARIOS = {
    "1m": {"reference_rows": 1_000_000, "current_rows": 1_000_000},
    "10m": {"reference_rows": 1_000_000, "current_rows": 10_000_000},
}


def ensure_data(scenario: str) -> Path:
    path = DATA_DIR / f"bench_{scenario}.duckdb"
    py = PROJECT_PY if PROJECT_PY.exists() else Path(sys.executable)
    # make_data.py returns at once when the file is already complete
    subprocess.run(
        [str(py), str(HERE / "make_data.py"), "--scenario", scenario], check=True, cwd=REPO
    )
    return path


def run_scenario(scenario: str, skip: set[str], args) -> dict:
    spec = SCENARIOS[scenario]
    data = ensure_data(scenario)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    # a run with other DuckDB threads than the config's default (one) gets its own files
    stem = scenario + (f"_threads{args.modelwatch_threads}" if args.modelwatch_threads else "")
    out_json = RESULTS_DIR / f"{stem}.json"
    previous = {}
    if out_json.exists():
        try:
            prev = json.loads(out_json.read_text())
            previous = {
                r["contender"]: dict(
                    r, carried_over_from=r.get("carried_over_from") or prev.get("started_at")
                )
                for r in prev.get("contenders", [])
            }
        except (json.JSONDecodeError, KeyError):
            previous = {}

    result = {
        "scenario": scenario,
        "rows_reference": spec["reference_rows"],
        "rows_current": spec["current_rows"],
        "features": 25,
        "data_file": str(data),
        "data_file_mib": round(data.stat().st_size / 2**20, 1),
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "timeout_minutes": args.timeout_minutes,
        "memory_cap_gb": args.memory_cap_gb,
        "min_free_gb": args.min_free_gb,
        "modelwatch_jobs": args.modelwatch_jobs,
        "modelwatch_threads": args.modelwatch_threads or 1,
        "machine": machine(),
        "versions": versions(),
        "contenders": [],
    }

    def save():
        out_json.write_text(json.dumps(result, indent=2, default=str) + "\n")
        (RESULTS_DIR / f"{stem}.md").write_text(markdown_table(result) + "\n")

    tmp = Path(tempfile.mkdtemp(prefix=f"modelwatch-bench-{scenario}-", dir=args.work_dir))
    try:
        db_copy = tmp / data.name
        log(f"{scenario}: copying {data} -> {db_copy}")
        shutil.copyfile(data, db_copy)
        # rounds: every contender once per round, so that all of them sample the same machine
        # state (this VM's speed drifts by 10-25 % over tens of minutes)
        runs: dict[str, list[list[dict]]] = {name: [] for name in CONTENDERS if name not in skip}
        carried_rows: dict[str, list[dict]] = {}
        for name in CONTENDERS:
            if name not in skip:
                continue
            carried = [
                r
                for key, r in previous.items()
                if key == name or (name == "modelwatch" and key == MW_STARTUP_EXCLUDED)
            ]
            if carried and all(r.get("status") != "skipped" for r in carried):
                log(f"{name}: skipped (--skip); keeping the previous result")
                carried_rows[name] = carried
            else:
                carried_rows[name] = [{"contender": name, "status": "skipped", "reason": "--skip"}]

        def collect() -> None:
            result["contenders"] = []
            for name in CONTENDERS:
                if name in carried_rows:
                    result["contenders"].extend(carried_rows[name])
                elif runs[name]:
                    result["contenders"].extend(_median_run(runs[name]))
            save()

        warm_up_failed = None
        for i in range(args.repeat):
            for name in runs:
                if name in MW_RUNS:
                    # every modelwatch run on an untouched file, at a path of its own: a new
                    # warehouse path is a new config, so dbt parses cold, as on a first run;
                    # the scheduled run keeps one path and is run once first, not measured
                    run_dir = tmp / (name if name == MW_WARM else f"{name}-{i}")
                    run_dir.mkdir(exist_ok=True)
                    run_copy = run_dir / data.name
                    if name == MW_WARM and i == 0:
                        shutil.copyfile(data, run_copy)
                        log(f"{name}: a first run of the config, not measured")
                        first = run_contender(name, scenario, run_copy, tmp, args)[0]
                        if first.get("status") != "ok":
                            warm_up_failed = first.get("reason") or first.get("status")
                    shutil.copyfile(data, run_copy)
                    rows = run_contender(name, scenario, run_copy, tmp, args)
                    if name == MW_WARM and warm_up_failed:
                        # without its first run this one parsed cold: not a scheduled run
                        rows[0].update(
                            status="failed",
                            reason=f"the unmeasured first run failed: {warm_up_failed}",
                        )
                    runs[name].append(rows)
                    if name != MW_WARM or i == args.repeat - 1:
                        shutil.rmtree(run_dir, ignore_errors=True)
                else:
                    runs[name].append(run_contender(name, scenario, db_copy, tmp, args))
                collect()
        collect()
    finally:
        if args.keep_temp:
            log(f"{scenario}: temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    result["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
    save()
    return result


def _median_run(runs: list[list[dict]]) -> list[dict]:
    """The rows of the run with the median wall time (a failed run, if any: failures show)."""
    failed = [rows for rows in runs if rows[0].get("status") != "ok"]
    if len(runs) == 1 or failed:
        return (failed or runs)[0]
    order = sorted(range(len(runs)), key=lambda i: runs[i][0].get("wall_seconds") or 0.0)
    rows = runs[order[(len(runs) - 1) // 2]]
    rows[0]["wall_seconds_runs"] = [runs[i][0].get("wall_seconds") for i in order]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    ap.add_argument(
        "--skip",
        default="",
        help="comma list of contenders not to run: evidently,nannyml,floor,modelwatch_cold,"
        "modelwatch,modelwatch_warm",
    )
    ap.add_argument(
        "--timeout-minutes",
        type=float,
        default=30.0,
        help="per-contender wall-time cap (default 30)",
    )
    ap.add_argument(
        "--memory-cap-gb",
        type=float,
        default=20.0,
        help="kill a contender whose process tree RSS exceeds this (0 = no cap; "
        "default 20 on a 24 GiB machine, to fail before the OOM killer acts)",
    )
    ap.add_argument(
        "--min-free-gb",
        type=float,
        default=1.0,
        help="kill the running contender when the machine's MemAvailable drops below "
        "this (0 = off), so the harness, not the kernel OOM killer, decides",
    )
    ap.add_argument(
        "--modelwatch-jobs",
        default="drift",
        help="what modelwatch builds: `modelwatch run --jobs` value (default drift: the drift "
        "job with staging and its tests, what the peers compute) or all (the whole project)",
    )
    ap.add_argument(
        "--modelwatch-threads",
        type=int,
        default=None,
        help="warehouse.threads for modelwatch (default: the config's, one DuckDB thread, for "
        "byte-identical reruns); results go to <scenario>_threads<N>.json",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds: run every contender once per round, this many rounds, and report each "
        "one's median wall time (the VM's speed drifts by 10-25%% over tens of minutes; "
        "default 1)",
    )
    ap.add_argument("--work-dir", default=None, help="where the temp copy goes (default: $TMPDIR)")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args(argv)

    skip = set()
    for item in filter(None, (s.strip().lower() for s in args.skip.split(","))):
        if item not in ALIASES:
            ap.error(f"--skip: unknown contender '{item}' (known: {', '.join(sorted(ALIASES))})")
        skip.add(ALIASES[item])

    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for scenario in scenarios:
        result = run_scenario(scenario, skip, args)
        print(f"\n## {scenario}\n")
        print(markdown_table(result))
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
