#!/usr/bin/env bash
# A venv with only dbt-core and its adapters at one minor version (no modelwatch Python package):
# what an analytics engineer has who installs modelwatch as a dbt package. The package tests
# (python/tests/test_package.py) build integration_tests/ with it. Usage: scripts/dbt_venv.sh 1.10
# Prints the venv's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
minor="${1:?usage: scripts/dbt_venv.sh <dbt minor version, e.g. 1.11>}"
venv=".venv-dbt-$minor"
PYTHON="${PYTHON:-python3}"
stamp="$venv/.installed"
if [ ! -f "$stamp" ]; then
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "dbt-core==$minor.*" "dbt-duckdb==$minor.*" "dbt-postgres==$minor.*" >&2
    touch "$stamp"
fi
echo "$PWD/$venv"
