#!/usr/bin/env bash
# Installs what the Spark target needs into .venv: dbt-spark[session] (PySpark, ~490 MB, with
# the Hive and Derby jars, so a local session works offline) — the `modelwatch[spark]` extra.
# Checks Java (Spark 4 needs 17+). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v java >/dev/null 2>&1; then
    echo "spark: java not found (Spark needs Java 17 or newer)" >&2
    exit 1
fi
stamp=".venv/.modelwatch-spark-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet -e ".[spark]"
    touch "$stamp"
fi
.venv/bin/python -c "import pyspark, dbt.adapters.spark" >/dev/null
echo "spark: pyspark $(.venv/bin/python -c 'import pyspark; print(pyspark.__version__)') ready"
