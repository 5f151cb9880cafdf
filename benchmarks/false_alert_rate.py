"""False-alert rate on the demo's stationary period (before its first incident), under the
default alert settings and with the drift noise floor switched off.

A feature-window is one row of feature_drift (a monitored feature, the score included, in one
window); it is a false alert when any drift check (psi, js_distance, ks_statistic,
null_rate_increase) alerts on it before day 21, where nothing changes. Other checks' alerts in
that period are counted too.

    .venv/bin/python benchmarks/false_alert_rate.py --scales 1 0.1 0.01
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
from pathlib import Path

import duckdb

from modelwatch.config import resolve_warehouse
from modelwatch.demo import DEMO_START, INCIDENTS, demo_config, generate_demo
from modelwatch.runner import DbtProject

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
DRIFT_CHECKS = ("psi", "js_distance", "ks_statistic", "null_rate_increase")
# incident -> (check, subject pattern) of the alerts it raises by design
QUALITY_INCIDENTS = {
    "type_change": ("type_error_rate", "credit_inquiries_6m"),
    "segment_drift": ("segment_psi", "num_open_accounts [region=central]"),
}


def measure(path: Path, config: dict, workdir: Path) -> dict[str, float]:
    config = copy.deepcopy(config)
    config["warehouse"] = {"type": "duckdb", "path": str(path)}
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir)
    outcome = project.run(full_refresh=True)
    assert outcome.build_ok, outcome.build_errors
    # the data-quality incidents move no overall distribution: the period stays days 0-20, and
    # their own true alerts (a type error, one region's segment) are not counted as false
    first = min(i.start_day for i in INCIDENTS.values() if i.name not in QUALITY_INCIDENTS)
    own = " and ".join(
        f"not (check_name = '{check}' and subject like '{subject}')"
        for check, subject in QUALITY_INCIDENTS.values()
    )
    end = f"timestamp '{DEMO_START}' + interval {first} day"
    con = duckdb.connect(str(path), read_only=True)
    try:
        (windows,) = con.execute(
            "select count(*) from modelwatch.feature_drift "
            f"where segment_key = '__all__' and window_start < {end}"
        ).fetchone()
        checks = ", ".join(f"'{c}'" for c in DRIFT_CHECKS)
        (drift_alerts,) = con.execute(
            "select count(distinct feature_name || cast(window_start as varchar)) "
            f"from modelwatch.alerts where window_start < {end} and check_name in ({checks})"
        ).fetchone()
        (other,) = con.execute(
            f"select count(*) from modelwatch.alerts where window_start < {end} "
            f"and check_name not in ({checks}) and {own}"
        ).fetchone()
        (rows_per_day,) = con.execute(
            "select avg(current_count) from modelwatch.feature_drift "
            f"where segment_key = '__all__' and feature_name = 'score' and window_start < {end}"
        ).fetchone()
    finally:
        con.close()
    return {
        "feature_windows": windows,
        "false_drift_alerts": drift_alerts,
        "rate": drift_alerts / windows,
        "other_alerts": other,
        "rows_per_window": rows_per_day,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.1, 0.01])
    args = parser.parse_args()
    print(
        "| scale | rows / window | noise floor | feature-windows | false drift alerts | rate | "
        "other checks' alerts |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "demo.duckdb"
            con = duckdb.connect(str(path))
            generate_demo(con, scale=scale)
            con.close()
            for floor in (True, False):
                config = demo_config()
                if not floor:
                    config.setdefault("checks", {})
                    for check in ("psi", "js_distance", "ks_statistic"):
                        config["checks"].setdefault(check, {})["noise_floor"] = False
                r = measure(path, config, Path(tmp) / f"target_{floor}")
                print(
                    f"| {scale} | {r['rows_per_window']:,.0f} | {'on' if floor else 'off'} | "
                    f"{r['feature_windows']} | {r['false_drift_alerts']} | {r['rate']:.2%} | "
                    f"{r['other_alerts']} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
