"""The dbt start-up cache (modelwatch.startup_cache) changes nothing but the time.

Three `modelwatch run --jobs drift` processes on identical warehouses: cache off, cache cold (it
writes the file), cache warm (it reads the file and adds nothing). Their output tables, the SQL
dbt compiled and every macro's and node's macro dependencies must be identical. Plus: the
template key separates Jinja environments whose generated code differs (dbt's text and native
environments), and a broken cache file is ignored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import write_tables
from test_cli import _config, _tables, _write

from modelwatch.config import resolve_warehouse
from modelwatch.runner import DbtProject

TABLES = ("feature_drift", "feature_bin_counts", "reference_bins", "score_distribution", "alerts")


def _env(cache_dir: Path, enabled: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["MODELWATCH_CACHE_DIR"] = str(cache_dir)
    env["MODELWATCH_STARTUP_CACHE"] = "on" if enabled else "off"
    return env


def _run(tmp_path: Path, name: str, cache_dir: Path, enabled: bool = True) -> dict:
    warehouse = tmp_path / f"{name}.duckdb"
    write_tables(warehouse, _tables())
    config = _config(warehouse)
    path = _write(tmp_path / f"{name}.yml", config)
    cmd = [sys.executable, "-m", "modelwatch.cli", "run", "--config", str(path)]
    cmd += ["--jobs", "drift", "--no-fail-on-alerts", "--full-refresh"]
    done = subprocess.run(cmd, env=_env(cache_dir, enabled), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            table: sorted(map(repr, con.execute(f"select * from modelwatch.{table}").fetchall()))
            for table in TABLES
        }
    finally:
        con.close()
    # the run's dbt target dir, as the CLI chose it; compiled SQL names the warehouse file,
    # which differs per run, so that name is replaced
    target = DbtProject(config, resolve_warehouse(config).env).target_path
    compiled = {
        str(sql.relative_to(target)): sql.read_text().replace(f'"{name}"', '"warehouse"')
        for sql in (target / "compiled").rglob("*.sql")
    }
    assert compiled, f"no compiled SQL under {target}"
    # what dbt read from the macros' cached syntax trees: each macro's name and the macros it
    # calls, hence every node's macro dependencies
    manifest = json.loads((target / "manifest.json").read_text())
    graph = {
        uid: (entry["name"], entry["depends_on"]["macros"])
        for kind in ("macros", "nodes")
        for uid, entry in manifest[kind].items()
    }
    return {"tables": tables, "compiled": compiled, "graph": graph}


def test_cache_changes_nothing_but_time(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    off = _run(tmp_path, "off", tmp_path / "unused", enabled=False)
    assert not (tmp_path / "unused").exists(), "the disabled cache wrote a file"
    cold = _run(tmp_path, "cold", cache_dir)
    files = list(cache_dir.glob("dbt-startup-*.pickle"))
    assert len(files) == 1, files
    written = files[0].stat()
    warm = _run(tmp_path, "warm", cache_dir)
    after = files[0].stat()
    # the warm run found everything it needed: nothing new, so the file was not rewritten
    assert (after.st_mtime_ns, after.st_size) == (written.st_mtime_ns, written.st_size)
    assert cold["tables"] == off["tables"]
    assert warm["tables"] == off["tables"]
    assert cold["compiled"] == off["compiled"]
    assert warm["compiled"] == off["compiled"]
    assert cold["graph"] == off["graph"]
    assert warm["graph"] == off["graph"]
    assert sum(len(calls) for _, calls in off["graph"].values()) > 1000


KEY_SCRIPT = """
from modelwatch import startup_cache
assert startup_cache.install()
from dbt_common.clients import jinja
source = "{% for x in [1, 2] %}{{ x }}{% endfor %}"
environments = [jinja.get_environment(native=False), jinja.get_environment(native=True)]
generated = [env.compile(source, raw=True) for env in environments]  # never cached
assert generated[0] != generated[1], "the two environments generate the same code"
codes = [env.compile(source) for env in environments]  # through the cache
startup_cache.save()
print(codes[0] != codes[1], len(startup_cache._state.templates))
"""


@pytest.mark.parametrize("corrupt", [False, True])
def test_template_key_separates_environments(tmp_path: Path, corrupt: bool) -> None:
    cache_dir = tmp_path / "cache"
    outputs = []
    for _ in range(2):  # cold, then warm
        done = subprocess.run(
            [sys.executable, "-c", KEY_SCRIPT],
            env=_env(cache_dir),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.split())
        if corrupt:  # a truncated or foreign file is ignored and replaced
            for path in cache_dir.glob("*.pickle"):
                path.write_bytes(b"not a pickle")
    for differ, count in outputs:
        # dbt's text and native environments generate different code for the same source:
        # one cached code object served to both would make them equal
        assert differ == "True"
        assert int(count) >= 2
