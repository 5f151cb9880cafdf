#!/usr/bin/env bash
# Creates .venv and installs modelwatch (editable, so the CLI finds this dbt project) with its
# dev tools. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.modelwatch-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    touch "$stamp"
fi
