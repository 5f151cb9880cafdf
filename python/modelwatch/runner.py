"""Running the dbt project in-process and reading what it found.

A run is one `dbt build` (parsed once per set of vars). Alert tests carry the tag
modelwatch_alert: their failures are alerts, any other failure is a failed build. Where the
project is (checkout, MODELWATCH_PROJECT_DIR or the wheel's copy): modelwatch.project.
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelwatch.config import ConfigError

# re-exported: the CLI and tests reach these through modelwatch.runner
from modelwatch.project import PACKAGED_PROJECT as PACKAGED_PROJECT
from modelwatch.project import ProjectNotFound as ProjectNotFound
from modelwatch.project import project_dir as project_dir
from modelwatch.project import work_copy as work_copy

ALERT_TAG = "modelwatch_alert"
# `modelwatch run --jobs`: each job is one folder of marts with everything upstream of it
# (staging, intermediate models, seeds) and the tests whose every parent is selected.
JOBS = ("drift", "performance", "quality", "operations", "fairness")
# the alerts of a job: these models judge only the checks whose tables the run builds
ALERT_MODELS = (
    "modelwatch__alert_observations",
    "modelwatch__alert_evaluations",
    "modelwatch__alerts",
    "modelwatch__alert_tests",
    "modelwatch__alert_incidents",
)


def job_selector(jobs: list[str]) -> list[str]:
    """dbt build arguments that build only these jobs (an empty list: everything)."""
    unknown = [job for job in jobs if job not in JOBS]
    if unknown:
        raise ConfigError(f"unknown job(s) {', '.join(unknown)}: choose from {', '.join(JOBS)}")
    if not jobs:
        return []
    paths = [f"+path:models/marts/{job}" for job in dict.fromkeys(jobs)]
    # the alert tests of other jobs would judge nothing the run built
    others = [f"tag:modelwatch_job_{job}" for job in JOBS if job not in jobs]
    return [
        "--select",
        " ".join([*paths, *ALERT_MODELS]),
        *(["--exclude", " ".join(others)] if others else []),
        "--indirect-selection",
        "cautious",
    ]


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a dbt invocation (profiles read them)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass
class Alert:
    """One alert test that found breaching rows."""

    test_name: str
    severity: str  # 'error' pages, 'warn' goes to review
    failures: int
    relation: str | None


@dataclass
class RunOutcome:
    """What a modelwatch run did: build status, the alerts that fired, and timings."""

    build_ok: bool
    build_errors: list[str] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    alert_tests_run: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def has_error_alerts(self) -> bool:
        return any(alert.severity == "error" for alert in self.alerts)


class DbtProject:
    """The dbt project driven in-process with dbtRunner; parses once per set of vars."""

    def __init__(
        self,
        config: dict[str, Any],
        env: dict[str, str],
        target_path: Path | None = None,
        quiet: bool = True,
    ) -> None:
        self.dir = project_dir()
        # the CLI carries the Python package, so its opt-in Python models are on where dbt
        # runs them (the dbt package alone defaults to pure SQL)
        config = {"python_models": "auto", **config}
        # ensure_ascii=False: dbt reads --vars as YAML, which refuses the surrogate-pair escapes
        # json gives non-BMP characters (a feature named `emoji_📈`); UTF-8 text it accepts
        self.vars_json = json.dumps({"modelwatch": config}, sort_keys=True, ensure_ascii=False)
        self.env = env
        if target_path is None:
            # one dbt target dir per config and warehouse: dbt's partial parsing survives only
            # while the vars stay the same, so a scheduled run re-parses nothing
            key = hashlib.sha1((self.vars_json + json.dumps(env, sort_keys=True)).encode())
            target_path = self.dir / "target" / "runs" / key.hexdigest()[:12]
        self.target_path = target_path
        self.quiet = quiet
        self._manifest: Any = None

    @property
    def log_path(self) -> Path:
        """Where dbt writes dbt.log for this config (debug level, whatever is shown)."""
        return self.target_path / "logs"

    def _common_args(self) -> list[str]:
        args = ["--project-dir", str(self.dir), "--profiles-dir", str(self.dir)]
        if self.target_path is not None:
            args += ["--target-path", str(self.target_path)]
        return args

    def invoke(
        self, command: list[str], callbacks: list[Callable[[Any], None]] | None = None
    ) -> Any:
        """Run one dbt command and return dbt's result object (callbacks get dbt's events)."""

        from modelwatch import startup_cache

        startup_cache.install()

        # quiet: nothing on the console (the summary reports alerts and build errors itself, so
        # firing alert tests print no FAIL lines); dbt's log file keeps everything
        flags = ["--log-level", "none"] if self.quiet else []
        if self.target_path is not None:
            flags += ["--log-path", str(self.log_path)]
        with environment(self.env):
            try:
                return self._invoke(command, flags, callbacks)
            finally:
                _release_duckdb()
                startup_cache.save()

    def _invoke(
        self, command: list[str], flags: list[str], callbacks: list[Callable[[Any], None]] | None
    ) -> Any:
        """invoke()'s body: parse once (the project's Jinja validates the config there), then run
        the command on that manifest; invoke() releases DuckDB whichever way this ends."""
        from dbt.cli.main import dbtRunner

        if self.env.get("MODELWATCH_TARGET") == "spark":
            # modelwatch starts the session (with warehouse.settings); dbt-spark joins it
            from modelwatch.warehouse import spark_session

            spark_session(self.env)
        if self._manifest is None and command[0] in ("build", "test", "run", "compile"):
            # (the command that follows writes manifest.json; writing it twice cost 0.15 s)
            # dbt would print a config error itself too; the caller prints it once, cleaned
            parse_flags = ["--log-level", "none"] if self.quiet else flags
            parsed = dbtRunner().invoke(
                [
                    *parse_flags,
                    "parse",
                    "--no-write-json",
                    *self._common_args(),
                    "--vars",
                    self.vars_json,
                ]
            )
            if parsed.success:
                self._manifest = parsed.result
            elif parsed.exception is not None:
                # the project's Jinja validates the config while parsing
                raise ConfigError(config_error_message(parsed.exception)) from parsed.exception
            else:
                return parsed
        runner = dbtRunner(manifest=self._manifest, callbacks=list(callbacks or []))
        return runner.invoke([*flags, *command, *self._common_args(), "--vars", self.vars_json])

    def run(
        self,
        full_refresh: bool = False,
        jobs: list[str] | None = None,
        progress: Callable[[Any], None] | None = None,
    ) -> RunOutcome:
        """One `dbt build`: every model, integrity test and alert test (of `jobs` only, if given).

        The alert tests sit on leaf tables, so a firing alert skips nothing downstream.
        """
        started = time.perf_counter()
        # the project's own unit tests (fixed inputs, their own config) are the developers'
        # tests of the model logic: a monitoring run leaves them out
        build_args = [
            "build",
            *job_selector(list(jobs or [])),
            "--exclude-resource-type",
            "unit_test",
        ]
        if full_refresh:
            build_args.append("--full-refresh")
        build = self.invoke(build_args, callbacks=[progress] if progress else None)
        outcome = RunOutcome(build_ok=True)
        model_seconds = test_seconds = 0.0
        for result in _results(build):
            node = result.node
            status = str(result.status)
            seconds = float(getattr(result, "execution_time", 0.0) or 0.0)
            if status == "skipped":
                continue  # downstream of a failure, which is reported itself
            is_alert = node.resource_type == "test" and ALERT_TAG in (node.tags or [])
            if is_alert:
                test_seconds += seconds
                outcome.alert_tests_run += 1
                if status in ("fail", "warn"):
                    outcome.alerts.append(
                        Alert(
                            test_name=node.name,
                            severity="error" if status == "fail" else "warn",
                            failures=int(result.failures or 0),
                            relation=getattr(node, "relation_name", None),
                        )
                    )
                    continue
            else:
                model_seconds += seconds
            if status in ("error", "fail"):
                outcome.build_ok = False
                outcome.build_errors.append(f"{node.name}: {status}: {result.message}")
        if build.exception is not None:
            outcome.build_ok = False
            outcome.build_errors.append(str(build.exception))
        total = time.perf_counter() - started
        outcome.timings = {
            "total_seconds": total,
            "models_seconds": model_seconds,
            "alert_tests_seconds": test_seconds,
            "dbt_startup_seconds": max(total - model_seconds - test_seconds, 0.0),
        }
        return outcome


def compile_errors(result: Any) -> list[str]:
    """The modelwatch messages of the nodes a dbt command failed on (compile: config checks
    against the warehouse), each cleaned of dbt's wrapping."""
    messages = []
    for node_result in _results(result):
        if str(node_result.status) in ("error", "fail") and node_result.message:
            messages.append(config_error_message(Exception(node_result.message)))
    if getattr(result, "exception", None) is not None:
        messages.append(config_error_message(result.exception))
    return messages


def config_error_message(exc: BaseException) -> str:
    """A dbt compilation error raised by the project's config checks, without dbt's wrapping
    ("Compilation Error in model ...", the macro call stack): just the modelwatch message."""
    text = str(exc)
    start = text.find("modelwatch: ")
    if start < 0:
        return text.strip()
    lines = []
    for line in text[start + len("modelwatch: ") :].splitlines():
        if line.strip().startswith("> "):
            break
        lines.append(line.strip() if not lines else line.rstrip())
    while lines and not lines[-1].strip():
        lines.pop()
    return textwrap.dedent(
        "\n".join(lines[:1]) + "\n" + textwrap.dedent("\n".join(lines[1:]))
    ).strip()


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open in-process; release it so readers can open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    DuckDBConnectionManager.close_all_connections()
    import gc

    gc.collect()


def _results(result: Any) -> list[Any]:
    run_result = getattr(result, "result", None)
    return list(getattr(run_result, "results", None) or [])
