#!/usr/bin/env bash
# The demo: install, generate demo data into warehouse.duckdb, build, print the alert summary,
# write the HTML report to report.html.
# Extra arguments go to `modelwatch demo` (e.g. --scale 0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
exec .venv/bin/modelwatch demo --report report.html "$@"
