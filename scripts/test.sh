#!/usr/bin/env bash
# The test suite: install, start PostgreSQL, install Chromium (for the HTML report test) and
# PySpark (the Spark tests), lint (ruff, sqlfluff), pytest. Arguments go to pytest (one process);
# without arguments the suite runs as two pytest processes at once (below).
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
# The whole suite, in two pytest processes at once: the suite keeps about one core busy (dbt's
# Python and one DuckDB thread), so the second core takes the Spark tests (one module fixture:
# two builds of the project, most of it in Spark's JVM) and modules whose fixtures are their own
# (none of conftest's shared builds). Measured side by side: 32 and 24 min.
# Their output follows the main run's.
beside=(
    python/tests/test_spark.py
    python/tests/test_package.py
    python/tests/test_incremental.py
    python/tests/test_ks_strategies.py
)
beside_log="$(mktemp)"
.venv/bin/python -m pytest -p no:cacheprovider "${beside[@]}" >"$beside_log" 2>&1 &
beside_pid=$!
# an interrupted run (Ctrl-C ends the main pytest and this script) takes the second one along:
# a background job of a script ignores SIGINT and would run on
trap 'kill "$beside_pid" 2>/dev/null || true; rm -f "$beside_log"' EXIT
status=0
.venv/bin/python -m pytest "${beside[@]/#/--ignore=}" || status=$?
beside_status=0
wait "$beside_pid" || beside_status=$?
echo "==== ${beside[*]} (run beside the rest; exit code $beside_status) ===="
cat "$beside_log"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$beside_status"
