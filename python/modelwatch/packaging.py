"""What the wheel carries of the dbt project: one definition, read by setup.py at build time.

The repo root is the dbt package (users install it with `packages.yml`), so git holds one copy.
A built wheel ships these paths under `modelwatch/dbt_project/`, the way elementary's `edr`
carries its internal dbt project, so `pip install modelwatch` runs without a checkout. Nothing
else at the root is shipped: not integration_tests/ (a user-shaped project that installs the
package), docs/, benchmarks/ or python/.

This module imports only the standard library: setup.py runs it as a file at build time.
"""

from __future__ import annotations

from pathlib import Path

# the folder inside the installed package that holds the copy
PACKAGED_DIR = "dbt_project"
# files at the root of the dbt project; the optional ones are shipped when present
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
OPTIONAL_PROJECT_FILES = ("packages.yml", "dependencies.yml")
# folders of the dbt project (dbt_project.yml's *-paths), shipped whole
PROJECT_DIRS = ("models", "macros", "seeds", "tests", "analyses")
# never shipped from inside those folders
IGNORED_NAMES = ("__pycache__", ".DS_Store")
IGNORED_SUFFIXES = (".pyc", ".pyo")


def project_files(root: Path) -> list[str]:
    """The files to ship, as POSIX paths relative to the dbt project root `root`."""
    missing = [name for name in (*PROJECT_FILES, *PROJECT_DIRS) if not (root / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{root} is not the modelwatch dbt project (no {', '.join(missing)}): build the "
            "wheel from a checkout of the repository, or from an sdist built from one"
        )
    files = [*PROJECT_FILES, *(name for name in OPTIONAL_PROJECT_FILES if (root / name).is_file())]
    for folder in PROJECT_DIRS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or any(part in IGNORED_NAMES for part in relative.parts):
                continue
            if path.suffix in IGNORED_SUFFIXES:
                continue
            files.append(relative.as_posix())
    return files
