"""Where the dbt project is: MODELWATCH_PROJECT_DIR, the checkout an editable install lives in,
or a writable copy (one per content, under the cache dir) of the project a built wheel carries.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from modelwatch import __version__
from modelwatch.packaging import IGNORED_NAMES, IGNORED_SUFFIXES, PACKAGED_DIR
from modelwatch.startup_cache import cache_dir


class ProjectNotFound(RuntimeError):
    """The dbt project cannot be found or copied (a broken install, an unwritable cache)."""


# the copy of the dbt project a built wheel carries (setup.py puts it there)
PACKAGED_PROJECT = Path(__file__).resolve().parent / PACKAGED_DIR


def project_dir() -> Path:
    """The dbt project: MODELWATCH_PROJECT_DIR, else the checkout this package lives in (an
    editable install), else a writable copy of the project the wheel ships."""
    configured = os.environ.get("MODELWATCH_PROJECT_DIR")
    if configured:
        path = Path(configured).expanduser().resolve()
        if not (path / "dbt_project.yml").is_file():
            raise ProjectNotFound(f"MODELWATCH_PROJECT_DIR={configured} has no dbt_project.yml")
        return path
    package = Path(__file__).resolve().parent
    # a checkout keeps this module at <root>/python/modelwatch/ (the repo root is the project);
    # an installed one sits in site-packages, which may itself be inside a user's dbt project
    checkout = package.parent.parent
    if package.parent.name == "python" and (checkout / "dbt_project.yml").is_file():
        return checkout
    if (PACKAGED_PROJECT / "dbt_project.yml").is_file():
        return work_copy(PACKAGED_PROJECT)
    raise ProjectNotFound(
        f"this modelwatch install has no dbt project ({PACKAGED_PROJECT} is missing): reinstall "
        "it from a built wheel, install it editable from a checkout (pip install -e .), or set "
        "MODELWATCH_PROJECT_DIR to a checkout of the project"
    )


def work_copy(source: Path) -> Path:
    """A writable copy of the packaged dbt project, one per content, under the cache dir.

    dbt writes target/, logs/ and its partial-parse state into the project it runs, and
    site-packages may be read-only. Runs of one install share the copy (and so the parse of a
    config, as a checkout does); an upgrade gets a new one. Two runs may start at once: each
    copies into a temp dir and renames it into place, and the loser of the race uses the
    winner's copy.
    """
    # pip compiles the dbt Python models' .py files on install: their __pycache__ is not copied
    ignored = shutil.ignore_patterns(*IGNORED_NAMES, *(f"*{suffix}" for suffix in IGNORED_SUFFIXES))
    digest = hashlib.sha1()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not ignored("", relative.parts):
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    root = cache_dir() / "projects"
    final = root / f"{__version__}-{digest.hexdigest()[:12]}"
    if (final / "dbt_project.yml").is_file():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=root))
    except OSError as exc:
        raise ProjectNotFound(
            f"cannot write a working copy of the dbt project under {root} ({exc.strerror}): "
            "set MODELWATCH_CACHE_DIR to a writable directory"
        ) from exc
    try:
        shutil.copytree(source, staging / "project", ignore=ignored)
        try:
            os.rename(staging / "project", final)
        except OSError:
            if not (final / "dbt_project.yml").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
