"""Drift benchmark harness: modelwatch vs Evidently vs NannyML vs a hand-written floor query.

For each scenario it
  1. generates benchmarks/data/bench_<scenario>.duckdb if missing (make_data.py),
  2. copies it to a temp dir and writes a temp modelwatch config pointing at the copy,
  3. runs each contender as its own subprocess on that copy -- floor query, NannyML, Evidently,
     then modelwatch (last, because it writes its output tables into the warehouse) -- and
     measures wall time (harness clock) and peak RSS (os.wait4 rusage of that child, i.e. the
     child and its reaped descendants),
  4. writes benchmarks/results/<scenario>.json (+ .md) and prints a Markdown table.

A contender that fails, exceeds --timeout-minutes or the --memory-cap-gb watchdog is killed
(its own process group only) and recorded with the reason; the harness carries on.
Contenders named in --skip keep the entry of the previous results file (marked as carried over),
so e.g. `--skip evidently,nannyml` re-measures only the floor and modelwatch.

    .venv/bin/python benchmarks/run_benchmark.py --scenario all
    .venv/bin/python benchmarks/run_benchmark.py --scenario 10m --skip evidently,nannyml
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROJECT_PY = REPO / ".venv" / "bin" / "python"
PEER_PY = REPO / ".bench-venv" / "bin" / "python"
MODELWATCH = REPO / ".venv" / "bin" / "modelwatch"
DATA_DIR = HERE / "data"
RESULTS_DIR = HERE / "results"
LOG_DIR = DATA_DIR / "logs"
CONFIG = HERE / "bench_config.yml"

SCENARIOS = {
    "1m": {"reference_rows": 1_000_000, "current_rows": 1_000_000},
    "10m": {"reference_rows": 1_000_000, "current_rows": 10_000_000},
}
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
POLL_SECONDS = 0.25


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- process running


def _session_rss_bytes(sid: int) -> int:
    """Sum of RSS of every live process in session `sid` (the contender and its children)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        # fields[0] = state (field 3); session = field 6; rss = field 24 (pages)
        try:
            if int(fields[3]) == sid:
                total += int(fields[21]) * page
        except (IndexError, ValueError):
            continue
    return total


def _mem_available_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def run_measured(
    cmd: list[str],
    *,
    env: dict,
    cwd: Path,
    timeout_s: float,
    mem_cap_bytes: int,
    stdout_path: Path,
    stderr_path: Path,
    min_free_bytes: int = 0,
    keep_samples: bool = False,
) -> dict:
    """Run cmd in its own session; return wall time, peak RSS and how it ended (with
    keep_samples, also the sampled (unix time, tree RSS bytes) pairs, to find which step peaked)."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True
        )
        killed_for = None
        sampled_peak = 0
        samples = []
        last_sample = 0.0
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            now = time.perf_counter()
            if now - last_sample >= 1.0 or mem_cap_bytes or min_free_bytes:  # each poll if capped
                rss = _session_rss_bytes(proc.pid)
                sampled_peak = max(sampled_peak, rss)
                last_sample = now
                if keep_samples:
                    samples.append((time.time(), rss))
                if mem_cap_bytes and rss > mem_cap_bytes and killed_for is None:
                    killed_for = (
                        f"memory cap: process tree RSS {rss / 2**30:.1f} GiB exceeded "
                        f"--memory-cap-gb {mem_cap_bytes / 2**30:g}"
                    )
                avail = _mem_available_bytes() if min_free_bytes else None
                if avail is not None and avail < min_free_bytes and killed_for is None:
                    killed_for = (
                        f"out of memory: machine MemAvailable fell to "
                        f"{avail / 2**30:.1f} GiB (< --min-free-gb "
                        f"{min_free_bytes / 2**30:g}) with the contender at "
                        f"{rss / 2**30:.1f} GiB RSS"
                    )
            if killed_for is None and now - t0 > timeout_s:
                killed_for = f"timeout: still running after {timeout_s / 60:g} min"
            if killed_for is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    # a contender may leave orphaned children in its session; end them (they are ours)
    if _session_rss_bytes(proc.pid) > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    return {
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(rusage.ru_utime + rusage.ru_stime, 3),
        "peak_rss_mb": round(rusage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "sampled_peak_tree_rss_mb": round(sampled_peak / 2**20, 1),
        "returncode": proc.returncode,
        "killed_for": killed_for,
        **({"rss_samples": samples} if keep_samples else {}),
    }


def _tail(path: Path, lines: int = 15) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return [ln for ln in text.splitlines() if ln.strip()][-lines:]


def _last_json(path: Path) -> dict | None:
    for line in reversed(_tail(path, 50)):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def _failure_reason(m: dict, stderr_tail: list[str]) -> str:
    if m["killed_for"]:
        return m["killed_for"]
    rc = m["returncode"]
    if rc < 0:
        sig = signal.Signals(-rc).name
        if -rc == signal.SIGKILL:
            return f"killed by {sig} (not by the harness: most likely the kernel OOM killer)"
        return f"killed by {sig}"
    text = "\n".join(stderr_tail)
    if "MemoryError" in text or "ArrayMemoryError" in text or "Unable to allocate" in text:
        return "out of memory (MemoryError): " + (stderr_tail[-1] if stderr_tail else "")
    for ln in reversed(stderr_tail):
        if re.search(r"(Error|Exception|error:)", ln):
            return f"exit code {rc}: {ln.strip()[:300]}"
    return f"exit code {rc}" + (f": {stderr_tail[-1][:300]}" if stderr_tail else "")


# --------------------------------------------------------------------------- contenders


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
    stderr_tail = _tail(err_path)
    reported = _last_json(out_path)
    entry["reported"] = reported
    if m["returncode"] == 0 and not m["killed_for"]:
        entry["status"] = "ok"
        if reported and "seconds" in reported:
            entry["work_seconds"] = reported["seconds"]
    else:
        entry["status"] = "failed"
        entry["reason"] = _failure_reason(m, stderr_tail)
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


# --------------------------------------------------------------------------- reporting


def _fmt(x, digits=1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def markdown_table(result: dict) -> str:
    rows = {r["contender"]: r for r in result["contenders"]}

    def ok_wall(name: str) -> float | None:
        r = rows.get(name) or {}
        return r.get("wall_seconds") if r.get("status") == "ok" else None

    # the modelwatch runs a peer's wall time is divided by, one speed-up column each
    baselines = [("modelwatch", "first run"), (MW_WARM, "scheduled run"), (MW_COLD, "cold cache")]
    mw_ex = rows.get(MW_STARTUP_EXCLUDED) or {}
    mw_work = mw_ex.get("work_seconds") if mw_ex.get("status") == "ok" else None
    order = [
        "floor_query",
        MW_STARTUP_EXCLUDED,
        "modelwatch",
        MW_WARM,
        MW_COLD,
        "nannyml",
        "evidently",
    ]
    lines = [
        f"Scenario **{result['scenario']}**: {result['rows_reference']:,} reference rows, "
        f"{result['rows_current']:,} current rows, {result['features']} features "
        f"({result['machine']['cpus']} CPUs, {result['machine']['mem_gib']} GiB RAM).",
        "",
        "| contender | status | wall s | work s | CPU s | peak RSS MB "
        + "".join(f"| speed-up vs {label} (wall) " for _, label in baselines)
        + "| speed-up (work vs startup-excluded) |",
        "|---|---|---:|---:|---:|---:|" + "---:|" * (len(baselines) + 1),
    ]
    notes = []
    for name in order:
        r = rows.get(name)
        if r is None:
            continue
        ok = r.get("status") == "ok"
        wall = r.get("wall_seconds") if name != MW_STARTUP_EXCLUDED else None
        work = r.get("work_seconds") if ok else None
        rss = r.get("peak_rss_mb") if name != MW_STARTUP_EXCLUDED else None
        cpu = r.get("cpu_seconds") if ok and name != MW_STARTUP_EXCLUDED else None
        speedups = []
        for base, _ in baselines:
            base_wall = ok_wall(base)
            mine = ok and wall and base_wall and not name.startswith("modelwatch")
            speedups.append(f"{wall / base_wall:,.2f}×" if mine else "—")
        mine = work and mw_work and not name.startswith("modelwatch")
        speedups.append(f"{work / mw_work:,.2f}×" if mine else "—")
        status = r.get("status") or "?"
        if r.get("carried_over_from"):
            status += " †"
        if r.get("reason"):
            notes.append(f"- {name}: {r['reason']}")
        if len(r.get("wall_seconds_runs") or []) > 1:
            runs = ", ".join(_fmt(x) for x in r["wall_seconds_runs"])
            notes.append(
                f"- {name}: {len(r['wall_seconds_runs'])} runs, wall s {runs} (median shown)"
            )
        wall_txt = _fmt(wall) + (" (killed)" if r.get("killed_for") else "")
        lines.append(
            f"| {name} | {status} | {wall_txt} | {_fmt(work)} | {_fmt(cpu)} "
            f"| {_fmt(rss, 0)} | " + " | ".join(speedups) + " |"
        )
    lines += [
        "",
        "wall s = process wall time measured by the harness (interpreter start, imports, dbt "
        "startup included); work s = the contender's own clock (peers/floor: read from DuckDB + "
        "compute, imports excluded; modelwatch: total_seconds; startup-excluded row: "
        "models_seconds); CPU s = user+system CPU time of the process. Peak RSS = ru_maxrss "
        "of the contender's process. Speed-up = contender time / modelwatch time (>1 means "
        "modelwatch is faster). modelwatch (first run): a config dbt has not parsed before, so it "
        "parses the whole project, with the start-up cache (dbt's config schemas, Jinja bytecode "
        "and macro syntax trees, kept between runs like .pyc files) that modelwatch_cold, the "
        "same run with an empty cache, filled. modelwatch_warm (scheduled run): the same config "
        "run before, not measured, at the same path, so dbt's partial parse finds nothing "
        "changed, as on every scheduled run after the first.",
    ]
    jobs = result.get("modelwatch_jobs") or "all"
    what = "the whole project" if jobs == "all" else f"`--jobs {jobs}` (upstream and tests)"
    lines.append(f"modelwatch ran {what}.")
    carried = sorted(
        {f"{k} ({r['carried_over_from']})" for k, r in rows.items() if r.get("carried_over_from")}
    )
    if carried:
        lines.append(
            "† carried over from an earlier run (skipped with --skip in this run): "
            + ", ".join(carried)
            + "."
        )
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


def _machine() -> dict:
    mem_kib = avail_kib = None
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
            elif line.startswith("MemAvailable:"):
                avail_kib = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "mem_gib": round(mem_kib / 2**20, 1) if mem_kib else None,
        "mem_available_gib_at_start": round(avail_kib / 2**20, 1) if avail_kib else None,
        "platform": platform.platform(),
        "harness_python": platform.python_version(),
    }


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


def _versions() -> dict:
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


# --------------------------------------------------------------------------- main


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
        "machine": _machine(),
        "versions": _versions(),
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
                        run_contender(name, scenario, run_copy, tmp, args)
                    shutil.copyfile(data, run_copy)
                    runs[name].append(run_contender(name, scenario, run_copy, tmp, args))
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
