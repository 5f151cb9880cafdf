#!/usr/bin/env bash
# sqlfluff (dbt templater) over the dbt models and tests. The templater compiles against a real
# warehouse, so this writes a tiny demo DuckDB file first. Arguments: the files or folders to lint
# (default: models, tests, analyses).
set -euo pipefail
cd "$(dirname "$0")/.."
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
.venv/bin/python - "$lint_dir/lint.duckdb" <<'PY'
import sys

import duckdb

from modelwatch.demo import generate_demo

con = duckdb.connect(sys.argv[1])
generate_demo(con, scale=0.02, days=3)
con.close()
PY
# dbt_project.yml holds no vars (it is a package): lint a copy whose dbt_project.yml gets the
# demo config. (Passed as sqlfluff templater context instead, the var arrives as JSON text and
# get_config cannot keep its validated result between calls: the lint took several times longer.)
project="$lint_dir/project"
mkdir -p "$project"
cp -r dbt_project.yml profiles.yml .sqlfluff models macros tests analyses seeds "$project/"
.venv/bin/python - "$project/dbt_project.yml" <<'PY'
import json
import sys

from modelwatch.demo import demo_config

with open(sys.argv[1], "a") as handle:
    handle.write("\nvars:\n  modelwatch: " + json.dumps(demo_config()) + "\n")
PY
export MODELWATCH_DUCKDB_PATH="$lint_dir/lint.duckdb"
cd "$project"
if [ "$#" -eq 0 ]; then set -- models tests analyses; fi
"$OLDPWD/.venv/bin/sqlfluff" lint --processes 2 "$@"
