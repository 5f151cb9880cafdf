# Over 300 lines on purpose: the argparse tree and each command's body read together, one
# screen per command; the logic lives in runner, report, notify and summary.
"""The `modelwatch` command line.

  modelwatch demo                 generate demo data into an embedded DuckDB file and monitor it
  modelwatch run --config FILE    monitor your own tables (--jobs drift,...: only those jobs)
  modelwatch validate --config F  check the config against its schema (every problem at once,
                                  no dbt), then against the warehouse without building
  modelwatch alerts --config F    list incidents with news; --notify posts each incident event
                                  (opened, escalated, resolved) to the webhook once
  modelwatch report               write report.html from the demo's warehouse.duckdb
  modelwatch report --config FILE --output report.html [--model NAME]
                                  one self-contained HTML report of the output tables

Exit codes: 0 ok; 1 an error-level alert fired (unless --no-fail-on-alerts); 2 the build or the
configuration failed (alerts --notify: a delivery failed), or any other error: one line on
stderr (`modelwatch: error: ...`), the traceback with --debug; 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import traceback
import urllib.parse
from pathlib import Path
from typing import Any

from modelwatch import __version__, identifiers
from modelwatch.config import ConfigError, load_config, resolve_warehouse, warehouse_errors
from modelwatch.config_schema import schema_errors
from modelwatch.progress import Progress
from modelwatch.report import ReportError, write_report
from modelwatch.runlock import WarehouseBusy, warehouse_lock
from modelwatch.runner import JOBS, DbtProject, ProjectNotFound, RunOutcome, compile_errors
from modelwatch.summary import render

EXIT_OK, EXIT_ALERTS, EXIT_FAILED = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
DEBUG_HELP = "on an unexpected error, print the traceback (else one line)"


def _run(
    config: dict[str, Any],
    args: argparse.Namespace,
    fail_on_alerts: bool,
    source: str,
) -> int:
    """Build, then the summary; `source` names the config for the next commands
    (`--config FILE` or `--warehouse FILE`)."""
    warehouse = resolve_warehouse(config)
    verbose = getattr(args, "verbose", False)
    project = DbtProject(config, warehouse.env, quiet=not verbose)
    jobs = _parse_jobs(getattr(args, "jobs", None))
    # progress on stderr (a bar on a terminal, plain lines in logs); dbt's own log with --verbose
    progress = None if verbose else Progress(sys.stderr)
    try:
        # before dbt parses: a second run on the same warehouse stops here, in a second
        with warehouse_lock(warehouse, "run"):
            outcome: RunOutcome = project.run(
                full_refresh=getattr(args, "full_refresh", False), jobs=jobs, progress=progress
            )
    except BaseException:
        if progress is not None:
            progress.abort()  # the error is the one line the user sees
        raise
    if progress is not None:
        progress.finish()
    next_commands = [
        (f"modelwatch report {source} --output report.html", "then open report.html"),
        (f"modelwatch alerts {source}", "every incident; --notify posts new events"),
    ]
    print(render(outcome, warehouse, next_commands if outcome.build_ok else None))
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
        print(f"modelwatch: dbt's log: {project.log_path / 'dbt.log'}", file=sys.stderr)
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
    return _run(
        config, args, fail_on_alerts=not args.no_fail_on_alerts, source=f"--config {args.config}"
    )


def _print_problems(problems: list[str]) -> None:
    """One line for one problem; a list for several."""
    shown = [identifiers.terminal_safe(problem) for problem in problems]
    if len(shown) == 1:
        print(f"modelwatch: the config is not valid: {shown[0]}", file=sys.stderr)
        return
    print(f"modelwatch: the config is not valid ({len(shown)} problems):", file=sys.stderr)
    for problem in shown:
        print(f"  - {problem}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    # first what the schema and the warehouse section judge, all at once and without dbt
    warehouse, problems = warehouse_errors(config)
    problems = schema_errors(config) + problems
    if problems or warehouse is None:
        _print_problems(problems)
        return EXIT_FAILED
    # then the rules between keys and the tables and columns, while dbt compiles
    project = DbtProject(config, warehouse.env, quiet=not args.verbose)
    result = project.invoke(["compile"])
    if result.success:
        print("modelwatch: the config is valid: every table and column it names was found")
        return EXIT_OK
    # every problem the warehouse checks found (a message per model that met it, deduplicated)
    problems = list(dict.fromkeys(compile_errors(result)))
    if not problems:
        problems = [str(result.exception or "see the dbt log (--verbose)")]
    _print_problems(problems)
    print(f"modelwatch: dbt's log: {project.log_path / 'dbt.log'}", file=sys.stderr)
    return EXIT_FAILED


def cmd_demo(args: argparse.Namespace) -> int:
    import duckdb

    from modelwatch.demo import demo_config, generate_demo

    path = Path(args.warehouse).resolve()
    config = demo_config()
    config["warehouse"] = {"type": "duckdb", "path": str(path)}
    with warehouse_lock(resolve_warehouse(config), "demo"):
        print(
            f"modelwatch demo: writing demo data (scale {args.scale}, {args.days} days) to {path}"
        )
        con = duckdb.connect(str(path))
        try:
            counts = generate_demo(con, scale=args.scale, days=args.days, seed=args.seed)
        finally:
            con.close()
        print("  " + ", ".join(f"{table}: {rows:,} rows" for table, rows in counts.items()))
        code = _run(
            config, args, fail_on_alerts=args.fail_on_alerts, source=f"--warehouse {args.warehouse}"
        )
    if args.report and code != EXIT_FAILED:
        _write_report(config, args.report, None)
    return code


def _write_report(config: dict[str, Any], output: str, model: str | None) -> int:
    warehouse = resolve_warehouse(config)
    if warehouse.duckdb_path is not None and not warehouse.duckdb_path.is_file():
        raise ReportError(f"no DuckDB warehouse at {warehouse.duckdb_path}")
    path = write_report(warehouse, output, model=model)
    size = path.stat().st_size
    print(f"modelwatch: report written to {path} ({size / 1024:,.0f} KiB)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    if args.config:
        config = load_config(args.config)
    else:
        config = {"warehouse": {"type": "duckdb", "path": args.warehouse}}
    if args.schema:
        config = {**config, "warehouse": {**(config.get("warehouse") or {}), "schema": args.schema}}
    return _write_report(config, args.output, args.model)


def _webhook_host(url: str) -> str:
    # the webhook's path is its secret (Slack): never print it
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}"


def _json_incident(incident: dict[str, Any]) -> dict[str, Any]:
    from modelwatch import notify

    return {
        **notify.incident_record(incident),
        "events": incident["events"],
        "deliveries": incident["deliveries"],
        "pending_events": incident["pending_events"],
    }


def _unhandled_page(incident: dict[str, Any]) -> bool:
    """An open error-level incident whose news has not been delivered: someone must act."""
    return (
        incident.get("status") == "open"
        and incident.get("current_severity") == "error"
        and bool(incident["pending_events"])
    )


def cmd_alerts(args: argparse.Namespace) -> int:
    from modelwatch import notify

    if args.config:
        config = load_config(args.config)
    else:
        config = {"warehouse": {"type": "duckdb", "path": str(Path(args.warehouse).resolve())}}
    warehouse = resolve_warehouse(config)
    settings = notify.settings_from_config(config)
    if args.min_severity:
        settings.min_severity = args.min_severity
    out = sys.stderr if args.json else sys.stdout
    try:
        if args.notify and not args.dry_run:
            if not settings.webhook_url:
                print(
                    "modelwatch: --notify needs a webhook: set alerts.webhook_url in the config "
                    f"or the {notify.WEBHOOK_ENV} environment variable",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            host = _webhook_host(settings.webhook_url)

            def report(message: dict[str, Any], result: notify.Delivery) -> None:
                incident = message["incident"]
                what = (
                    f"{message['event']}: {incident['model_name']} {incident['check_name']} "
                    f"{incident['subject']}"
                )
                if result.ok:
                    print(f"  delivered {what}", file=out)
                else:
                    print(
                        f"  FAILED {what} after {result.attempts} attempt(s): {result.error}",
                        file=out,
                    )

            with warehouse_lock(warehouse, "alerts --notify"):  # (notify() takes it again)
                print(f"modelwatch: posting new incident events to {host}", file=out)
                outcome = notify.notify(warehouse, settings, model=args.model, on_delivery=report)
            if args.json:
                print(json.dumps([notify.build_payload(m) for m in outcome.messages], indent=2))
            summary = (
                f"modelwatch: {outcome.delivered} delivered, {outcome.failed} failed"
                + (f", {outcome.skipped} not tried" if outcome.skipped else "")
                + f" of {len(outcome.messages)} new incident event(s)"
            )
            print(summary, file=out)
            if outcome.failed or outcome.skipped:
                print(
                    "modelwatch: some events were not delivered; they stay new and the next "
                    "`modelwatch alerts --notify` retries them (ledger: "
                    f"{warehouse.schema}.{notify.LEDGER_TABLE})",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            return EXIT_OK

        incidents = notify.list_incidents(warehouse, settings, model=args.model)
    except notify.NotifyError as exc:
        print(f"modelwatch: {exc}", file=sys.stderr)
        return EXIT_FAILED
    new = [i for i in incidents if i["pending_events"]]
    if args.dry_run:
        # what --notify would post, one JSON message a line; nothing is sent or recorded
        messages = notify.pending_messages(new)
        for message in messages:
            print(json.dumps(notify.build_payload(message, settings.dashboard_url)))
        print(f"modelwatch: dry run: {len(messages)} message(s) would be posted", file=sys.stderr)
        return EXIT_OK
    shown = incidents if args.all else new
    if args.json:
        print(json.dumps([_json_incident(i) for i in shown], indent=2))
    else:
        open_count = sum(i["status"] == "open" for i in incidents)
        errors = sum(i["status"] == "open" and i["current_severity"] == "error" for i in incidents)
        events = sum(len(i["pending_events"]) for i in incidents)
        where = f"in schema '{warehouse.schema}'"
        print(
            f"modelwatch: {len(incidents)} incident(s), {open_count} open ({errors} at error), "
            f"{events} new event(s) to notify {where}"
        )
        if shown:
            print(notify.render_table(shown, show_delivery=args.all))
        elif incidents:
            print("  every incident event has been delivered; --all lists them")
    if not args.no_fail_on_alerts and any(_unhandled_page(i) for i in incidents):
        return EXIT_ALERTS
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modelwatch", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"modelwatch {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    # --debug also after the command; SUPPRESS keeps a subcommand from resetting the global one
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser = functools.partial(sub.add_parser, parents=[debug])

    demo = add_parser("demo", help="generate demo data and monitor it on embedded DuckDB")
    demo.add_argument("--warehouse", default="warehouse.duckdb", help="DuckDB file to write")
    demo.add_argument("--scale", type=float, default=1.0, help="1.0 = ~20k predictions a day")
    demo.add_argument("--days", type=int, default=63, help="days of prediction log")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument(
        "--fail-on-alerts",
        action="store_true",
        help="exit 1 when an error-level alert fires (the demo's incidents do fire)",
    )
    demo.add_argument("--report", metavar="FILE", help="also write the HTML report to FILE")
    demo.add_argument("--timings-json", help="write run timings to this JSON file")
    demo.add_argument("--verbose", action="store_true", help="show dbt's log")
    demo.set_defaults(func=cmd_demo, full_refresh=True)

    run = add_parser("run", help="monitor the tables named in a config file")
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

    validate = add_parser("validate", help="check a config against the warehouse")
    validate.add_argument("--config", required=True)
    validate.add_argument("--verbose", action="store_true")
    validate.set_defaults(func=cmd_validate)

    alerts = add_parser(
        "alerts",
        help=(
            "list incidents with undelivered events; --notify posts each event (opened, "
            "escalated, resolved) to the webhook once"
        ),
    )
    source = alerts.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="YAML file with a top-level 'modelwatch' key")
    source.add_argument("--warehouse", help="a DuckDB file built by `modelwatch demo`")
    alerts.add_argument("--all", action="store_true", help="every incident, delivered ones too")
    alerts.add_argument("--json", action="store_true", help="print the incidents as JSON")
    alerts.add_argument(
        "--notify",
        action="store_true",
        help="post each new incident event to alerts.webhook_url (or $MODELWATCH_WEBHOOK_URL)",
    )
    alerts.add_argument(
        "--dry-run",
        action="store_true",
        help="print the messages --notify would post; send nothing",
    )
    alerts.add_argument("--model", help="only this model's incidents")
    alerts.add_argument(
        "--min-severity",
        choices=["warn", "error"],
        help="overrides alerts.notify_min_severity (default warn)",
    )
    alerts.add_argument(
        "--no-fail-on-alerts",
        action="store_true",
        help="listing: exit 0 even when open error-level incidents have undelivered events",
    )
    alerts.set_defaults(func=cmd_alerts)
    report = add_parser("report", help="write a self-contained HTML report of the tables")
    source = report.add_mutually_exclusive_group()
    source.add_argument("--config", help="YAML config: read the warehouse it names")
    source.add_argument(
        "--warehouse",
        default="warehouse.duckdb",
        help="DuckDB file to read when no config is given (default: the demo's warehouse.duckdb)",
    )
    report.add_argument("--schema", help="output schema (default: the config's, else modelwatch)")
    report.add_argument("--output", default="report.html", help="HTML file to write")
    report.add_argument("--model", help="only this model (default: every model)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = bool(args.debug)
    try:
        return int(args.func(args))
    except (ConfigError, ReportError, ProjectNotFound, WarehouseBusy) as exc:
        # expected mistakes in what the user gave or set up: the message says what to change
        if debug:
            traceback.print_exc()
        print(f"modelwatch: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("modelwatch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- one line and exit 2, never exit 1 (= alerts)
        if debug:
            traceback.print_exc()
        hint = "" if debug else " (--debug shows the traceback)"
        print(f"modelwatch: error: {_one_line(exc)}{hint}", file=sys.stderr)
        return EXIT_FAILED


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    kind = type(exc).__name__
    return f"{kind}: {message}" if message else kind


def entry() -> None:
    """The console script: main(), then exit without tearing the interpreter down.

    After a run the process holds dbt's manifest, adapters and DuckDB's buffers; Python's
    module-by-module teardown of those took 0.65 s of a 13 s benchmark run. The exit handlers
    still run (they release multiprocessing semaphores), output is flushed, then os._exit.
    DuckDB files are closed and checkpointed before main() returns (runner._release_duckdb).
    """
    import atexit
    import logging
    import os

    code = main()
    logging.shutdown()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
