"""False-alert rates and detection delays under the default alert settings, each with the noise
floor on and off.

Drift (default): a feature-window is one row of feature_drift (a monitored feature, the score
included, in one window); it is a false alert when any drift check (psi, js_distance,
ks_statistic, null_rate_increase) alerts on it before day 21, where nothing changes. Other
checks' alerts in that period are counted too.

    .venv/bin/python benchmarks/false_alert_rate.py --scales 1 0.1 0.01

Performance / calibration (--performance): a window-check is one judged window of one model
version for roc_auc_drop, brier_score_increase, ece or estimated_roc_auc_drop; the rate is the
share that alert (a) on the demo's stationary days 0-20 at about 100 labels a window (scale
0.0062, several seeds), (b) on a stationary simulation (a calibrated model, 110 labeled rows a
window, 300 windows). Detection: the first alerting day of the demo's calibration-decay and
performance checks with the floor on and off, and the delay the floor adds.

    .venv/bin/python benchmarks/false_alert_rate.py --performance --seeds 1 2 3 4 5 \
        --detection-scales 0.1 1
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

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
LABEL_CHECKS = ("roc_auc_drop", "brier_score_increase", "ece", "estimated_roc_auc_drop")
# ~100 labels a window in the demo's stationary period (20,000 x scale requests, 90% labeled)
HUNDRED_LABELS_SCALE = 0.0062


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


def _build(path: Path, config: dict, workdir: Path, floor: bool) -> None:
    config = copy.deepcopy(config)
    config["warehouse"] = {"type": "duckdb", "path": str(path)}
    if not floor:
        config["checks"] = {check: {"noise_floor": False} for check in LABEL_CHECKS}
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir)
    outcome = project.run(full_refresh=True)
    assert outcome.build_ok, outcome.build_errors


def _label_check_rows(path: Path, where: str = "1 = 1"):
    checks = ", ".join(f"'{c}'" for c in LABEL_CHECKS)
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select check_name, model_version, window_start, severity, sample_size "
            "from modelwatch.alert_evaluations "
            f"where check_name in ({checks}) and {where}"
        ).df()
    finally:
        con.close()


def _rate_line(name: str, frame, floor: bool) -> str:
    judged = len(frame)
    alerts = int((frame.severity != "ok").sum())
    per_check = ", ".join(
        f"{c} {int((frame[frame.check_name == c].severity != 'ok').sum())}" for c in LABEL_CHECKS
    )
    labels = frame[frame.check_name == "roc_auc_drop"].sample_size.mean()
    return (
        f"| {name} | {labels:,.0f} | {'on' if floor else 'off'} | {judged} | {alerts} | "
        f"{alerts / max(judged, 1):.2%} | {per_check} |"
    )


def stationary_simulation(path: Path, windows: int = 300, n: int = 110, seed: int = 7) -> None:
    """A calibrated model, n labeled predictions a window, nothing changing."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def scores(size: int) -> np.ndarray:
        return 1 / (1 + np.exp(-rng.normal(-1.2, 1.1, size)))

    start = pd.Timestamp("2025-01-06")
    ref = scores(20_000)
    day = np.repeat(np.arange(windows), n)
    score = scores(windows * n)
    at = (
        start
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(rng.uniform(0, 80_000, windows * n), unit="s")
    )
    ids = [f"p{i}" for i in range(windows * n)]
    tables = {
        "predictions": pd.DataFrame(
            {"prediction_id": ids, "model_name": "m", "model_version": "v1",
             "predicted_at": at, "score": score, "x": rng.normal(0, 1, windows * n)}
        ),
        "labels": pd.DataFrame(
            {"prediction_id": ids, "label": (rng.random(windows * n) < score).astype("int64"),
             "labeled_at": at + pd.Timedelta(minutes=30)}
        ),
        "training_reference": pd.DataFrame(
            {"x": rng.normal(0, 1, 20_000), "score": ref,
             "label": (rng.random(20_000) < ref).astype(int)}
        ),
    }  # fmt: skip
    con = duckdb.connect(str(path))
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"create or replace table main.{name} as select * from frame")
        con.unregister("frame")
    con.close()


SIMULATION_CONFIG = {
    "granularity": "day",
    "inputs": {
        "predictions": "main.predictions",
        "labels": "main.labels",
        "reference": "main.training_reference",
    },
    "columns": {"reference": {"label": "label"}},
    "models": [{"name": "m", "features": {"numeric": ["x"]}, "monitor_score": False}],
}


def performance(seeds: list[int], detection_scales: list[float]) -> None:
    first = min(i.start_day for i in INCIDENTS.values())
    end = f"window_start < timestamp '{DEMO_START}' + interval {first} day"
    print("| data | labels / window | noise floor | window-checks | alerts | rate | per check |")
    print("|---|---:|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for floor in (True, False):
            frames = []
            for seed in seeds:
                path = Path(tmp) / f"demo_{seed}.duckdb"
                if not path.exists():
                    con = duckdb.connect(str(path))
                    generate_demo(con, scale=HUNDRED_LABELS_SCALE, days=first, seed=seed)
                    con.close()
                _build(path, demo_config(), Path(tmp) / f"t_{seed}_{floor}", floor)
                frames.append(_label_check_rows(path, end))
            name = f"demo days 0-{first - 1}, scale {HUNDRED_LABELS_SCALE}, seeds {seeds}"
            print(_rate_line(name, pd.concat(frames), floor), flush=True)
        path = Path(tmp) / "simulation.duckdb"
        stationary_simulation(path)
        for floor in (True, False):
            _build(path, SIMULATION_CONFIG, Path(tmp) / f"sim_{floor}", floor)
            print(_rate_line("stationary simulation, 300 windows", _label_check_rows(path), floor))
    print()
    print("| scale | check | version | first alert, floor on | floor off | delay (windows) |")
    print("|---:|---|---|---:|---:|---:|")
    for scale in detection_scales:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "demo.duckdb"
            con = duckdb.connect(str(path))
            generate_demo(con, scale=scale)
            con.close()
            first_day = {}
            for floor in (True, False):
                _build(path, demo_config(), Path(tmp) / f"t_{floor}", floor)
                rows = _label_check_rows(path, "severity != 'ok'")
                rows["day"] = (rows.window_start - pd.Timestamp(DEMO_START)).dt.days
                first_day[floor] = rows.groupby(["check_name", "model_version"]).day.min()
            for (check, version), on in first_day[True].items():
                off = first_day[False].get((check, version))
                print(f"| {scale} | {check} | {version} | {on} | {off} | {on - off} |", flush=True)
            for key in set(first_day[False].index) - set(first_day[True].index):
                print(f"| {scale} | {key[0]} | {key[1]} | never | {first_day[False][key]} | - |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.1, 0.01])
    parser.add_argument("--performance", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--detection-scales", type=float, nargs="+", default=[0.1])
    args = parser.parse_args()
    if args.performance:
        performance(args.seeds, args.detection_scales)
        return
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
