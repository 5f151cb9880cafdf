"""Run a benchmark contender as a child process and measure it: wall time, CPU time, peak RSS
(the child's and its session's), with a time limit and memory watchdogs that kill only the
child's own process group. Shared by run_benchmark.py (drift), scale.py, incremental_cost.py
and spark_vs_duckdb.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.25


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


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


def tail(path: Path, lines: int = 15) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return [ln for ln in text.splitlines() if ln.strip()][-lines:]


def last_json(path: Path) -> dict | None:
    for line in reversed(tail(path, 50)):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def failure_reason(m: dict, stderr_tail: list[str]) -> str:
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


def machine() -> dict:
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
