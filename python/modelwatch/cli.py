"""The `modelwatch` command line.

  modelwatch demo                 generate demo data into an embedded DuckDB file and monitor it
  modelwatch run --config FILE    monitor your own tables (--jobs drift,...: only those jobs)
  modelwatch validate --config F  check the config against the warehouse without building

Exit codes: 0 ok; 1 an error-level alert fired (unless --no-fail-on-alerts); 2 the build or the
configuration failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from modelwatch import __version__
from modelwatch.config import ConfigError, load_config, resolve_warehouse
from modelwatch.runner import JOBS, DbtProject, RunOutcome
from modelwatch.summary import render

EXIT_OK, EXIT_ALERTS, EXIT_FAILED = 0, 1, 2


def _run(config: dict[str, Any], args: argparse.Namespace, fail_on_alerts: bool) -> int:
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, quiet=not getattr(args, "verbose", False))
    jobs = _parse_jobs(getattr(args, "jobs", None))
    outcome: RunOutcome = project.run(full_refresh=getattr(args, "full_refresh", False), jobs=jobs)
    print(render(outcome, warehouse))
    timings_json = getattr(args, "timings_json", None)
    if timings_json:
        Path(timings_json).write_text(json.dumps(outcome.timings, indent=2))
    print(
        f"modelwatch: finished in {outcome.timings['total_seconds']:.1f} s "
        f"(dbt start-up {outcome.timings['dbt_startup_seconds']:.1f} s"
        + (f"; jobs: {', '.join(jobs)}" if jobs else "")
        + "); "
        f"tables in schema '{warehouse.schema}'"
        + (f" of {warehouse.duckdb_path}" if warehouse.duckdb_path else "")
    )
    if not outcome.build_ok:
        return EXIT_FAILED
    if fail_on_alerts and outcome.has_error_alerts:
        return EXIT_ALERTS
    return EXIT_OK


def _parse_jobs(value: str | None) -> list[str]:
    if not value:
        return []
    return [job.strip() for job in value.split(",") if job.strip()]


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    return _run(config, args, fail_on_alerts=not args.no_fail_on_alerts)


def cmd_validate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    warehouse = resolve_warehouse(config)
    project = DbtProject(config, warehouse.env, quiet=not args.verbose)
    result = project.invoke(["compile"])
    if result.success:
        print("modelwatch: the config is valid: every table and column it names was found")
        return EXIT_OK
    print(f"modelwatch: the config is not valid: {result.exception or 'see the dbt log'}")
    return EXIT_FAILED


def cmd_demo(args: argparse.Namespace) -> int:
    import duckdb

    from modelwatch.demo import demo_config, generate_demo

    path = Path(args.warehouse).resolve()
    print(f"modelwatch demo: writing demo data (scale {args.scale}, {args.days} days) to {path}")
    con = duckdb.connect(str(path))
    try:
        counts = generate_demo(con, scale=args.scale, days=args.days, seed=args.seed)
    finally:
        con.close()
    print("  " + ", ".join(f"{table}: {rows:,} rows" for table, rows in counts.items()))
    config = demo_config()
    config["warehouse"] = {"type": "duckdb", "path": str(path)}
    return _run(config, args, fail_on_alerts=args.fail_on_alerts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modelwatch", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"modelwatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate demo data and monitor it on embedded DuckDB")
    demo.add_argument("--warehouse", default="warehouse.duckdb", help="DuckDB file to write")
    demo.add_argument("--scale", type=float, default=1.0, help="1.0 = ~20k predictions a day")
    demo.add_argument("--days", type=int, default=63, help="days of prediction log")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument(
        "--fail-on-alerts",
        action="store_true",
        help="exit 1 when an error-level alert fires (the demo's incidents do fire)",
    )
    demo.add_argument("--timings-json", help="write run timings to this JSON file")
    demo.add_argument("--verbose", action="store_true", help="show dbt's log")
    demo.set_defaults(func=cmd_demo, full_refresh=True)

    run = sub.add_parser("run", help="monitor the tables named in a config file")
    run.add_argument("--config", required=True, help="YAML file with a top-level 'modelwatch' key")
    run.add_argument("--full-refresh", action="store_true", help="rebuild every window")
    run.add_argument(
        "--no-fail-on-alerts",
        action="store_true",
        help="exit 0 even when an error-level alert fires (for schedules)",
    )
    run.add_argument(
        "--jobs",
        help=(
            "comma list of jobs to build, each with everything upstream and its tests: "
            + ", ".join(JOBS)
            + " (default: all)"
        ),
    )
    run.add_argument("--timings-json", help="write run timings to this JSON file")
    run.add_argument("--verbose", action="store_true", help="show dbt's log")
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check a config against the warehouse")
    validate.add_argument("--config", required=True)
    validate.add_argument("--verbose", action="store_true")
    validate.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"modelwatch: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
