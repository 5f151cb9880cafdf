#!/usr/bin/env bash
# The test suite: install, start PostgreSQL, install Chromium (for the HTML report test) and
# PySpark (the Spark tests), lint (ruff, sqlfluff), pytest. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/postgres.sh
./scripts/chromium.sh
./scripts/spark.sh
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
export MODELWATCH_TEST_POSTGRES=1
export MODELWATCH_TEST_CHROMIUM=1
export MODELWATCH_TEST_SPARK=1
.venv/bin/ruff check python benchmarks setup.py
.venv/bin/ruff format --check python benchmarks setup.py
./scripts/lint_sql.sh
exec .venv/bin/python -m pytest "$@"
