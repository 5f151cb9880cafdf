"""`pip install modelwatch` from a built wheel, run away from any checkout.

One wheel is built (from a copy of the sources, so the checkout stays clean) and installed
without dependencies into a fresh venv; the venv finds the dependencies in this test's own venv
through a .pth line (no download; .pth files of that venv, such as the editable modelwatch's,
are not read through it, so the checkout cannot leak in). From a temp dir, the installed
`modelwatch` runs a config written there, on the demo data written by the installed package,
and must give the tables the checkout gives for the same data and config.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import run_modelwatch
from tables import OUTPUT_TABLES, assert_tables_equal

from modelwatch.demo import demo_config
from modelwatch.packaging import PACKAGED_DIR, project_files

ROOT = Path(__file__).resolve().parents[2]
COMPARED = (
    "feature_drift",
    "model_performance",
    "alerts",
    "alert_incidents",
    "operational_metrics",
)
# a small demo (as test_package.py's): two small builds cost less than one of demo_built's size
SCALE, DAYS = 0.02, 30


@dataclass
class Installed:
    wheel: Path
    venv: Path
    home: Path  # a temp dir outside any checkout: the user's working directory
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "modelwatch"), *args],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    def python(self, code: str) -> str:
        done = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            cwd=self.home,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _source_copy(destination: Path) -> Path:
    """The files git would commit (tracked, or new and not ignored), copied as they are now."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _clean_env(home: Path, venv: Path) -> dict[str, str]:
    """The environment of a user: no PYTHONPATH to the checkout, no project or dbt overrides."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MODELWATCH_PROJECT_DIR")
        and not key.startswith("DBT_")
    }
    return env | {
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MODELWATCH_CACHE_DIR": str(home / "cache"),
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source = _source_copy(work / "source")
    venv, home, dist = work / "venv", work / "home", work / "dist"
    home.mkdir()
    env = _clean_env(home, venv)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]

    def run(*args: str) -> str:
        done = subprocess.run(args, env=env, cwd=work, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # no build isolation: the build uses this venv's setuptools (the dev extra pins it)
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source))
    (wheel,) = dist.glob("modelwatch-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = str(venv / "bin" / "python")
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", str(wheel))
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site.strip()) / "dev_dependencies.pth").write_text("".join(f"{p}\n" for p in ours))
    return Installed(wheel=wheel, venv=venv, home=home, env=env)


def test_the_wheel_carries_the_dbt_project_and_nothing_else(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    prefix = f"modelwatch/{PACKAGED_DIR}/"
    shipped = sorted(name.removeprefix(prefix) for name in names if name.startswith(prefix))
    assert shipped == sorted(project_files(ROOT))
    assert {"dbt_project.yml", "profiles.yml", "seeds/_seeds.yml"} <= set(shipped)
    assert any(name.startswith("models/marts/") for name in shipped)
    assert any(name.startswith("macros/") for name in shipped)
    # the user-shaped project that installs the package, docs and tests stay out
    assert not [n for n in names if "integration_tests" in n or n.startswith(("docs/", "python/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # every module of the package, its subpackages (report/, notify/, demo/, svg/) included
    package = ROOT / "python" / "modelwatch"
    modules = {
        path.relative_to(package.parent).as_posix()
        for path in package.rglob("*.py")
        if not {PACKAGED_DIR, "__pycache__"} & set(path.relative_to(package).parts)
    }
    assert {"modelwatch/report/sections/alerts.py", "modelwatch/notify/webhook.py"} <= modules
    assert sorted(modules - set(names)) == []


def test_the_installed_package_runs_not_the_checkout(installed: Installed) -> None:
    probe = json.loads(
        installed.python(
            "import json, sys, modelwatch, modelwatch.runner as r\n"
            "print(json.dumps({'file': modelwatch.__file__, 'path': sys.path,"
            " 'project': str(r.project_dir())}))"
        )
    )
    assert Path(probe["file"]).is_relative_to(installed.venv), probe["file"]
    entries = [Path(entry).resolve() for entry in probe["path"] if entry]
    assert (ROOT / "python").resolve() not in entries, probe["path"]
    # the one importable modelwatch is the venv's (the dev venv on the path has none)
    hosts = [entry for entry in entries if (entry / "modelwatch" / "__init__.py").is_file()]
    assert hosts == [Path(probe["file"]).resolve().parent.parent], hosts
    project = Path(probe["project"])
    assert project.is_relative_to(installed.home / "cache" / "projects"), project
    copied = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert copied == sorted(project_files(ROOT))


def test_run_from_anywhere_equals_the_checkout(installed: Installed, tmp_path: Path) -> None:
    # demo data written by the installed package, and a config beside it
    installed.python(
        "import duckdb\n"
        "from modelwatch.demo import generate_demo\n"
        "con = duckdb.connect('warehouse.duckdb')\n"
        f"generate_demo(con, scale={SCALE}, days={DAYS})\n"
        "con.close()\n"
    )
    checkout_path = tmp_path / "checkout.duckdb"
    shutil.copy(installed.home / "warehouse.duckdb", checkout_path)
    config = {**demo_config(), "warehouse": {"type": "duckdb", "path": "warehouse.duckdb"}}
    (installed.home / "my.yml").write_text(yaml.safe_dump({"modelwatch": config}))

    validated = installed.run("validate", "--config", "my.yml")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "the config is valid" in validated.stdout
    ran = installed.run("run", "--config", "my.yml", "--full-refresh")
    assert "Traceback" not in ran.stdout + ran.stderr

    # the same data and config built by the checkout, in this process
    checkout = run_modelwatch(checkout_path, config, tmp_path)
    assert ran.returncode == (1 if checkout.outcome.has_error_alerts else 0), ran.stdout
    assert checkout.alerts(), "the demo's incidents fire alerts"
    # the summary speaks in incidents: the same open incidents as the checkout's tables
    assert "open incident(s)" in ran.stdout, ran.stdout
    con = duckdb.connect(str(installed.home / "warehouse.duckdb"), read_only=True)
    try:
        for table in COMPARED:
            ours = con.execute(f"select * from modelwatch.{table}").df()
            assert len(ours) > 0, table
            theirs = checkout.df(f"select * from modelwatch.{table}")
            assert_tables_equal(ours, theirs, OUTPUT_TABLES[table], rtol=1e-9)
    finally:
        con.close()


def test_an_unexpected_error_is_one_line_and_exit_2(installed: Installed) -> None:
    # a file that is not a DuckDB database: DuckDB's own error, unexpected for modelwatch
    missing = installed.home / "not_a_database.duckdb"
    missing.write_text("this is not a database\n")
    done = installed.run("demo", "--warehouse", str(missing))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("modelwatch: error: "), lines[0]
    assert "--debug" in lines[0]

    debug = installed.run("--debug", "demo", "--warehouse", str(missing))
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.splitlines()[-1].startswith("modelwatch: error: ")


def _fake_project(path: Path, text: str = "select 1") -> Path:
    for folder in ("models/marts", "macros"):
        (path / folder).mkdir(parents=True)
    (path / "dbt_project.yml").write_text("name: modelwatch\n")
    for i in range(50):
        (path / "models" / "marts" / f"m{i}.sql").write_text(f"{text} as c{i}\n")
    (path / "models" / "marts" / "__pycache__").mkdir()
    (path / "models" / "marts" / "__pycache__" / "p.cpython-311.pyc").write_bytes(b"\0")
    return path


def _copy_in_subprocess(source: str) -> str:
    from modelwatch.runner import work_copy

    return str(work_copy(Path(source)))


def test_work_copy_is_atomic_shared_and_per_content(tmp_path, monkeypatch) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from modelwatch import runner

    cache = tmp_path / "cache"
    monkeypatch.setenv("MODELWATCH_CACHE_DIR", str(cache))
    source = _fake_project(tmp_path / "packaged")
    # four runs starting at once: one copy, complete, no temp dirs left behind
    with ProcessPoolExecutor(4) as pool:
        paths = set(pool.map(_copy_in_subprocess, [str(source)] * 4))
    assert len(paths) == 1
    (copy,) = (Path(path) for path in paths)
    assert sorted(p.name for p in (cache / "projects").iterdir()) == [copy.name]
    assert len(list((copy / "models" / "marts").glob("*.sql"))) == 50
    assert not list(copy.rglob("__pycache__"))

    # losing the race: another run renames its copy into place first; this run uses that one
    other = _fake_project(tmp_path / "other", "select 2")
    real_rename = os.rename

    def rename_after_a_rival(src, dst):
        shutil.copytree(src, dst)
        real_rename(src, dst)  # fails: the destination exists and is not empty

    monkeypatch.setattr(runner.os, "rename", rename_after_a_rival)
    second = runner.work_copy(other)
    monkeypatch.setattr(runner.os, "rename", real_rename)
    assert second != copy
    assert (second / "models" / "marts" / "m0.sql").read_text() == "select 2 as c0\n"
    assert not [p for p in (cache / "projects").iterdir() if p.name.startswith(".")]
    assert runner.work_copy(other) == second

    # an unwritable cache is a clear error
    monkeypatch.setenv("MODELWATCH_CACHE_DIR", "/proc/modelwatch-cache")
    with pytest.raises(runner.ProjectNotFound, match="MODELWATCH_CACHE_DIR"):
        runner.work_copy(source)
