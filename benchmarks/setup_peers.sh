#!/usr/bin/env bash
# Create (or refresh) the peer venv used by the drift benchmark: /work/main/.bench-venv
# (gitignored) with Evidently and NannyML pinned in benchmarks/requirements-peers.txt and the full
# transitive lock in benchmarks/constraints-peers.txt.
#
# Idempotent: when the venv already holds exactly these pins (a stamp file records the hash of the
# two files) and the peers import, nothing is installed. Force a reinstall with --force.
#
#   bash benchmarks/setup_peers.sh [--force]
#
# Environment: PYTHON (default python3; must be 3.10-3.12 because nannyml 0.13.1 needs <3.13),
#              BENCH_VENV (default <repo>/.bench-venv).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="${BENCH_VENV:-$repo/.bench-venv}"
python="${PYTHON:-python3}"
req="$here/requirements-peers.txt"
cons="$here/constraints-peers.txt"
stamp="$venv/.modelwatch-bench-stamp"
force=0
[[ "${1:-}" == "--force" ]] && force=1

"$python" - <<'PY'
import sys
if not ((3, 10) <= sys.version_info[:2] <= (3, 12)):
    sys.exit(f"setup_peers.sh: need Python 3.10-3.12 for nannyml 0.13.1, got {sys.version.split()[0]}")
PY

want="$(cat "$req" "$cons" | sha256sum | cut -d' ' -f1)"

smoke() {
    NML_DISABLE_USAGE_LOGGING=1 DO_NOT_TRACK=1 "$venv/bin/python" - <<'PY'
import duckdb, evidently, nannyml, numpy, pandas, pyarrow, scipy, sklearn
from evidently import Report  # noqa: F401
from evidently.presets import DataDriftPreset  # noqa: F401
assert int(pandas.__version__.split(".")[0]) < 3, "Evidently needs pandas<3"
print("peer venv OK: evidently", evidently.__version__, "| nannyml", nannyml.__version__,
      "| pandas", pandas.__version__, "| numpy", numpy.__version__,
      "| scikit-learn", sklearn.__version__, "| duckdb", duckdb.__version__,
      "| pyarrow", pyarrow.__version__)
PY
}

if [[ $force -eq 0 && -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    if smoke; then
        echo "setup_peers.sh: $venv is up to date"
        exit 0
    fi
    echo "setup_peers.sh: $venv fails its smoke test; reinstalling"
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup_peers.sh: creating $venv"
    "$python" -m venv "$venv"
fi

"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$req" -c "$cons"
smoke
echo "$want" > "$stamp"
echo "setup_peers.sh: done"
