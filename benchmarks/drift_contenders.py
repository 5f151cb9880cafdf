"""The drift benchmark's contenders: how each one is run (command, environment, config) and
what its run reports. The peers (NannyML, Evidently) run in .bench-venv, the floor query and
modelwatch in .venv.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from measure import failure_reason, last_json, log, run_measured, tail

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROJECT_PY = REPO / ".venv" / "bin" / "python"
PEER_PY = REPO / ".bench-venv" / "bin" / "python"
MODELWATCH = REPO / ".venv" / "bin" / "modelwatch"
DATA_DIR = HERE / "data"
RESULTS_DIR = HERE / "results"
LOG_DIR = DATA_DIR / "logs"
CONFIG = HERE / "bench_config.yml"

# run order; modelwatch last because it writes into the warehouse file (each of its runs gets a
# fresh copy). modelwatch_cold runs first with an empty start-up cache (modelwatch.startup_cache:
# dbt's schemas, Jinja bytecode and macro syntax trees, like .pyc files), then modelwatch with
# the cache it filled; both parse the project in full, as a first run of a config does.
# modelwatch_warm is a scheduled run: the same config run before at the same path, so dbt parses
# only what changed (nothing) and starts from its saved manifest.
CONTENDERS = [
    "floor_query",
    "nannyml",
    "evidently",
    "modelwatch_cold",
    "modelwatch",
    "modelwatch_warm",
]
ALIASES = {
    "floor": "floor_query",
    "floor_query": "floor_query",
    "nannyml": "nannyml",
    "evidently": "evidently",
    "modelwatch": "modelwatch",
    "modelwatch_cold": "modelwatch_cold",
    "modelwatch_warm": "modelwatch_warm",
}
MW_STARTUP_EXCLUDED = "modelwatch (startup excluded)"
MW_COLD = "modelwatch_cold"
MW_WARM = "modelwatch_warm"
MW_RUNS = ("modelwatch", MW_COLD, MW_WARM)  # the contenders that run `modelwatch run`


def _base_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "NML_DISABLE_USAGE_LOGGING": "1",
            "DO_NOT_TRACK": "1",
            "ITERATIVE_DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def modelwatch_unavailable() -> str | None:
    """Why the modelwatch contender cannot run, or None when it can."""
    if not MODELWATCH.exists():
        return (
            f"{MODELWATCH} does not exist (install the project into .venv: "
            "`.venv/bin/pip install -e .`)"
        )
    try:
        probe = subprocess.run(
            [str(MODELWATCH), "--help"],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=REPO,
            env=_base_env(),
        )
    except subprocess.TimeoutExpired:
        return f"`{MODELWATCH} --help` did not return within 180 s"
    if probe.returncode != 0:
        last = [ln for ln in probe.stderr.splitlines() if ln.strip()][-1:] or [""]
        return f"`{MODELWATCH} --help` fails (exit {probe.returncode}): {last[0].strip()}"
    return None


def write_temp_config(db_copy: Path, dest: Path, threads: int | None = None) -> None:
    text = CONFIG.read_text()
    try:
        import yaml  # the project venv and the peer venv both have PyYAML

        cfg = yaml.safe_load(text)
        cfg["modelwatch"]["warehouse"]["path"] = str(db_copy)
        if threads is not None:
            cfg["modelwatch"]["warehouse"]["threads"] = threads
        dest.write_text(yaml.safe_dump(cfg, sort_keys=False))
    except ImportError:  # fall back to rewriting the flow mapping's path in place
        if threads is not None:
            raise SystemExit("--modelwatch-threads needs PyYAML") from None
        new, n = re.subn(r"(warehouse:\s*\{[^}]*\bpath:\s*)([^,}]+)", rf"\g<1>{db_copy}", text)
        if n != 1:
            raise SystemExit(f"cannot find warehouse.path in {CONFIG} (install PyYAML)") from None
        dest.write_text(new)


def run_contender(name: str, scenario: str, db_copy: Path, tmp: Path, args) -> list[dict]:
    """Run one contender; return its result rows (modelwatch adds a startup-excluded row)."""
    timeout_s = args.timeout_minutes * 60
    mem_cap = int(args.memory_cap_gb * 2**30) if args.memory_cap_gb else 0
    entry: dict = {"contender": name, "status": None, "reason": None}
    timings_path = tmp / "modelwatch_timings.json"

    if name in ("nannyml", "evidently"):
        if not PEER_PY.exists():
            entry.update(
                status="skipped", reason=f"{PEER_PY} missing: run `bash benchmarks/setup_peers.sh`"
            )
            return [entry]
        script = HERE / "peers" / f"{name}_drift.py"
        cmd = [str(PEER_PY), str(script), "--db", str(db_copy)]
    elif name == "floor_query":
        py = PROJECT_PY if PROJECT_PY.exists() else Path(sys.executable)
        cmd = [str(py), str(HERE / "floor_query.py"), "--db", str(db_copy)]
    elif name in MW_RUNS:
        why = modelwatch_unavailable()
        if why:
            log(f"modelwatch: SKIPPED -- {why}")
            entry.update(status="skipped", reason=why)
            extra = [{"contender": MW_STARTUP_EXCLUDED, "status": "skipped", "reason": why}]
            return [entry, *extra] if name == "modelwatch" else [entry]
        cfg_path = tmp / "bench_config.yml"
        write_temp_config(db_copy, cfg_path, args.modelwatch_threads)
        timings_path.unlink(missing_ok=True)
        cmd = [
            str(MODELWATCH),
            "run",
            "--config",
            str(cfg_path),
            "--full-refresh",
            "--no-fail-on-alerts",
            "--timings-json",
            str(timings_path),
        ]
        if args.modelwatch_jobs != "all":
            cmd += ["--jobs", args.modelwatch_jobs]
    else:
        raise ValueError(name)

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    out_path = LOG_DIR / f"{scenario}_{name}.out"
    err_path = LOG_DIR / f"{scenario}_{name}.err"
    entry["command"] = " ".join(cmd)
    env = _base_env()
    if name in MW_RUNS:
        # the run's own start-up cache: empty for modelwatch_cold, filled by it for modelwatch
        env["MODELWATCH_CACHE_DIR"] = str(tmp / "startup-cache")
        if name == MW_COLD:
            shutil.rmtree(tmp / "startup-cache", ignore_errors=True)
        entry["startup_cache"] = "cold" if name == MW_COLD else "warm"
    log(f"{name}: running ({scenario}) -> logs in {out_path.parent}")
    # other work on the machine distorts wall times: record the load around each run
    entry["loadavg_1m_before"] = round(os.getloadavg()[0], 2)
    try:
        m = run_measured(
            cmd,
            env=env,
            cwd=REPO,
            timeout_s=timeout_s,
            mem_cap_bytes=mem_cap,
            stdout_path=out_path,
            stderr_path=err_path,
            min_free_bytes=int(args.min_free_gb * 2**30),
        )
    except Exception as exc:  # noqa: BLE001 -- record, never crash the harness
        entry.update(status="failed", reason=f"harness could not run it: {exc!r}")
        return [entry]
    entry.update(m)
    entry["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    stderr_tail = tail(err_path)
    reported = last_json(out_path)
    entry["reported"] = reported
    if m["returncode"] == 0 and not m["killed_for"]:
        entry["status"] = "ok"
        if reported and "seconds" in reported:
            entry["work_seconds"] = reported["seconds"]
    else:
        entry["status"] = "failed"
        entry["reason"] = failure_reason(m, stderr_tail)
        entry["stderr_tail"] = stderr_tail
    log(
        f"{name}: {entry['status']} wall={m['wall_seconds']}s cpu={m['cpu_seconds']}s "
        f"peak_rss={m['peak_rss_mb']} MB load={entry['loadavg_1m_before']}->"
        f"{entry['loadavg_1m_after']}" + (f" reason={entry['reason']}" if entry["reason"] else "")
    )

    rows = [entry]
    if name in MW_RUNS:
        timings = None
        if timings_path.exists():
            try:
                timings = json.loads(timings_path.read_text())
            except json.JSONDecodeError as exc:
                entry["timings_error"] = f"unreadable {timings_path.name}: {exc}"
        entry["timings"] = timings
        if timings and entry["status"] == "ok":
            entry["work_seconds"] = timings.get("total_seconds")
    if name == "modelwatch":
        ex = {
            "contender": MW_STARTUP_EXCLUDED,
            "status": entry["status"],
            "reason": entry["reason"],
            "derived_from": "modelwatch --timings-json models_seconds",
        }
        if timings and "models_seconds" in timings:
            ex["work_seconds"] = timings["models_seconds"]
        elif entry["status"] == "ok":
            ex.update(status="failed", reason="no models_seconds in the --timings-json file")
        rows.append(ex)
    return rows


_PEER_VERSIONS = """
import json, importlib.metadata as m
pk = ["evidently", "nannyml", "pandas", "numpy", "scikit-learn", "scipy", "duckdb", "pyarrow"]
print(json.dumps({p: m.version(p) for p in pk}))
"""
_PROJECT_VERSIONS = """
import json, importlib.metadata as m
def v(p):
    try:
        return m.version(p)
    except m.PackageNotFoundError:
        return None
pk = ["modelwatch", "dbt-core", "dbt-duckdb", "duckdb", "pandas", "numpy"]
print(json.dumps({p: v(p) for p in pk}))
"""


def versions() -> dict:
    out = {}
    for key, py, code in (
        ("peer_venv", PEER_PY, _PEER_VERSIONS),
        ("project_venv", PROJECT_PY, _PROJECT_VERSIONS),
    ):
        if not py.exists():
            out[key] = None
            continue
        try:
            p = subprocess.run(
                [str(py), "-c", code], capture_output=True, text=True, timeout=120, env=_base_env()
            )
            out[key] = (
                json.loads(p.stdout)
                if p.returncode == 0
                else {"error": (p.stderr.strip().splitlines() or [""])[-1]}
            )
        except Exception as exc:  # noqa: BLE001
            out[key] = {"error": repr(exc)}
    return out
