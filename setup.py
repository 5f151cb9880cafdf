"""Build step only (the metadata is in pyproject.toml): the wheel carries the dbt project.

The repo root is the dbt package, so git keeps one copy of it; building copies the paths listed
in python/modelwatch/packaging.py into the wheel's modelwatch/dbt_project/, and into the sdist's
root, so a wheel built from the sdist carries them too. An editable install copies nothing: it
runs the checkout itself (modelwatch.project.project_dir).
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
LAYOUT = runpy.run_path(str(ROOT / "python" / "modelwatch" / "packaging.py"))


class BuildPyWithDbtProject(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "modelwatch" / LAYOUT["PACKAGED_DIR"]
        # a reused build/ would otherwise keep files deleted from the project since
        shutil.rmtree(target, ignore_errors=True)
        for name in LAYOUT["project_files"](ROOT):
            destination = target / name
            self.mkpath(str(destination.parent))
            self.copy_file(str(ROOT / name), str(destination), preserve_mode=False)


class SdistWithDbtProject(sdist):
    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        for name in LAYOUT["project_files"](ROOT):
            destination = Path(base_dir) / name
            self.mkpath(str(destination.parent))
            self.copy_file(str(ROOT / name), str(destination))


setup(cmdclass={"build_py": BuildPyWithDbtProject, "sdist": SdistWithDbtProject})
