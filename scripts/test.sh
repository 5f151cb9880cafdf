#!/usr/bin/env bash
# The test suite: install, start PostgreSQL, install Chromium (for the HTML report test) and
# PySpark (the Spark tests), lint (ruff, sqlfluff), pytest. Arguments go to pytest (one process);
# without arguments the Spark tests run beside the rest (below).
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
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
# The whole suite. The Spark tests (one module fixture: two builds of the project, ~12 min, most
# of it in Spark's JVM) run in a second pytest process beside the rest, which keeps one core busy
# with dbt and DuckDB: two cores, two processes. Their output follows the main run's.
spark_log="$(mktemp)"
trap 'rm -f "$spark_log"' EXIT
.venv/bin/python -m pytest -p no:cacheprovider python/tests/test_spark.py >"$spark_log" 2>&1 &
spark_pid=$!
status=0
.venv/bin/python -m pytest --ignore=python/tests/test_spark.py || status=$?
spark_status=0
wait "$spark_pid" || spark_status=$?
echo "==== python/tests/test_spark.py (run beside the rest; exit code $spark_status) ===="
cat "$spark_log"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$spark_status"
