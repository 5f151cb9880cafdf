"""Hostile input: names, values, dates, time zones and configs built to break modelwatch.

One shared build (`hostile`) carries user columns named like the project's internal columns,
unicode and comment-like names, a reference holding +inf, a prediction dated 2100 and
timestamptz times late in the UTC evening. The other tests reuse it (incremental runs on a copy,
a run under TZ=Asia/Kolkata, kill -9 and rerun, a second run and a notifier during a run);
config-level checks use one dbt parse each, with a hostile name in every config key at once (the
config reports every problem together).
Runs on DuckDB; on PostgreSQL too with MODELWATCH_TEST_POSTGRES=1 (test_hostile_names_on_postgres).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run_modelwatch, write_tables
from pg import build_on_postgres, connect_or_skip, pg_df
from tables import assert_tables_equal

from modelwatch import cli, identifiers, runlock
from modelwatch.config import ConfigError, resolve_warehouse
from modelwatch.runner import DbtProject

# refused wherever a name reaches SQL: quotes, statement separators, escapes, control characters
REFUSED = [
    'mw"; drop table main.labels; --',
    "a`b",
    "back\\slash",
    "semi;colon",
    "esc\x1b[31mred",
    "bel\x07",
    "new\nline",
    "nul\x00",
    "rtl\u202eevil",
]
# quoted and used as they are
ACCEPTED = ["emoji_📈", "it's -- /* x */", "Débt Ratio", "id_occurrence", "window_start"]

# user columns named like every column the project adds next to them (staging, labels, drift)
INTERNAL_NAMES = {
    "numeric": ["id_occurrence", "emoji_📈", "label", "feature_value", "bin_index"],
    "categorical": ["window_start", "quarantine_reason", "it's -- /* x */", "feature_id"],
}
PREDICTION_COLUMN_KEYS = [
    *("prediction_id", "model_name", "model_version", "predicted_at", "score", "request_id"),
    *("deployment_role", "predicted_label", "latency_ms", "status_code", "cost_usd"),
]
SLICES = ["label_rows"]
PROTECTED = ["group_value"]
DAYS = 6
ROWS_PER_DAY = 120
START = pd.Timestamp("2024-05-06", tz="UTC")  # a Monday


def _tables(
    days: int = DAYS, start_day: int = 0, future_row: bool = True
) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(18 + start_day)
    n = days * ROWS_PER_DAY
    day = np.repeat(np.arange(start_day, start_day + days), ROWS_PER_DAY)
    # the evening, UTC: 18:00-23:59, where Asia/Kolkata (+5:30) is already the next day
    minutes = 18 * 60 + np.tile(np.linspace(0, 359, ROWS_PER_DAY).astype(int), days)
    predicted_at = START + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minutes, unit="min")
    frame = pd.DataFrame(
        {
            "prediction_id": [f"p{start_day}_{i:05d}" for i in range(n)],
            "model_name": "m1",
            "model_version": "v1",
            "predicted_at": predicted_at.astype("datetime64[us, UTC]"),
            "score": rng.uniform(0.02, 0.98, n),
            "deployment_role": "champion",
        }
    )
    for i, name in enumerate(INTERNAL_NAMES["numeric"]):
        frame[name] = rng.normal(10.0 * i, 1.0 + i, n)
    for name in INTERNAL_NAMES["categorical"]:
        frame[name] = rng.choice(["a", "b", "c"], n)
    frame["label_rows"] = rng.choice(["x", "y"], n)
    frame["group_value"] = rng.choice(["F", "M"], n)
    if future_row:
        # one valid-looking row dated 2100: quarantined, and it must not freeze later windows
        late = frame.iloc[[0]].copy()
        late["prediction_id"] = "from_the_future"
        late["predicted_at"] = pd.Timestamp("2100-01-01", tz="UTC")
        frame = pd.concat([frame, late], ignore_index=True)
    labels = pd.DataFrame(
        {
            "prediction_id": frame.prediction_id[: n // 2],
            "label": rng.integers(0, 2, n // 2),
            "labeled_at": (frame.predicted_at[: n // 2] + pd.Timedelta(hours=2)).astype(
                "datetime64[us, UTC]"
            ),
        }
    )
    reference = frame.drop(columns=["prediction_id", "predicted_at", "model_version"]).head(400)
    reference = reference.copy()
    reference["emoji_📈"] = reference["emoji_📈"].astype(float)
    reference.loc[reference.index[:50], "emoji_📈"] = np.inf  # the contract: null = infinity
    return {"predictions": frame, "labels": labels, "training_reference": reference}


def _config(path: Path, **changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "warehouse": {"type": "duckdb", "path": str(path)},
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "columns": {"predictions": {"deployment_role": "deployment_role"}},
        "models": [
            {
                "name": "m1",
                "features": copy.deepcopy(INTERNAL_NAMES),
                "slices": list(SLICES),
                "protected_attributes": list(PROTECTED),
            }
        ],
    }
    config.update(changes)
    return config


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("hostile")
    path = workdir / "hostile.duckdb"
    write_tables(path, _tables())
    built = run_modelwatch(path, _config(path), workdir)
    return built, workdir


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFUSED)
def test_python_refuses_what_cannot_be_quoted(name):
    assert identifiers.name_problem(name) is not None
    with pytest.raises(ValueError):
        identifiers.quote(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_python_quotes_the_rest(name):
    assert identifiers.name_problem(name) is None
    assert identifiers.quote(name) == f'"{name}"'


def _keys_with(value: str) -> tuple[dict[str, Any], list[str]]:
    """A config with `value` in every config key that reaches SQL, and those keys' names."""
    named: list[str] = []
    columns: dict[str, dict[str, Any]] = {"predictions": {}, "labels": {}, "reference": {}}
    for key in PREDICTION_COLUMN_KEYS:
        columns["predictions"][key] = value
        named.append(f"columns.predictions.{key}")
    for key in ("prediction_id", "label", "labeled_at"):
        columns["labels"][key] = value
        named.append(f"columns.labels.{key}")
    for key in ("model_name", "score", "label"):
        columns["reference"][key] = value
        named.append(f"columns.reference.{key}")
    columns["reference"]["features"] = {"income": value}
    named.append("columns.reference.features.income")
    config = {
        "inputs": {
            "predictions": f"main.{value}",
            "labels": f"ref('{value}')" if "'" not in value else f'ref("{value}")',
            "reference": f"{value}.training_reference",
        },
        "columns": columns,
        "drift": {"deployment_roles": [value]},
        "fairness": {"deployment_roles": [value]},
        "models": [
            {
                "name": "m1",
                "features": {"numeric": [value], "categorical": [value + "2"]},
                "protected_attributes": [value + "3"],
                "slices": [value + "4"],
            },
            {"name": value, "features": {"numeric": ["income"]}},
        ],
    }
    named += [
        "inputs.predictions",
        "inputs.labels",
        "inputs.reference",
        "drift.deployment_roles",
        "fairness.deployment_roles",
        "models[m1].features.numeric",
        "models[m1].features.categorical",
        "models[m1].protected_attributes",
        "models[m1].slices",
        ".name",  # the second model's name
    ]
    return config, named


@pytest.mark.parametrize("value", REFUSED[:4] + REFUSED[4:7])
def test_every_config_key_refuses_injection(value, hostile, tmp_path):
    """One parse per hostile value: every key holding it is named, nothing runs, and the message
    carries no raw control character. (The value is in every key at once: the config reports
    all its problems together.)"""
    built, _ = hostile
    changes, keys = _keys_with(value)
    config = _config(built.path, **changes)
    project = DbtProject(config, resolve_warehouse(config).env, target_path=tmp_path / "t")
    with pytest.raises(ConfigError) as raised:
        project.invoke(["compile"])
    message = str(raised.value)
    for key in keys:
        assert key in message, (key, message)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", message)
    # nothing was dropped: the labels table is still there
    con = duckdb.connect(str(built.path), read_only=True)
    try:
        assert con.execute("select count(*) from main.labels").fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize(
    "schema", ['mw"; drop table main.labels; --', "mw'x", "a.b", "esc\x1b", "x" * 60]
)
def test_warehouse_schema_injection_is_refused(schema, hostile, tmp_path, capsys):
    built, _ = hostile
    config = _config(built.path)
    config["warehouse"]["schema"] = schema
    file = tmp_path / "modelwatch.yml"
    file.write_text(yaml.safe_dump({"modelwatch": config}, allow_unicode=True))
    code = cli.main(["run", "--config", str(file)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert "warehouse.schema" in err and "\x1b" not in err
    assert len(err.strip().splitlines()) == 1
    con = duckdb.connect(str(built.path), read_only=True)
    try:
        assert con.execute("select count(*) from main.labels").fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize(
    "warehouse, expected",
    [
        ("wh.duckdb", "warehouse must be a mapping"),
        ({"type": "duckdb", "path": "/no/such/dir/wh.duckdb"}, "does not exist"),
        ({"type": "sqlite"}, "warehouse.type must be"),
        ({"type": "duckdb", "memory_limit": "lots"}, "warehouse.memory_limit"),
        ({"type": "duckdb", "pth": "x.duckdb"}, "unknown key 'pth' in warehouse"),
    ],
)
def test_bad_warehouse_sections_exit_2_with_one_line(warehouse, expected, tmp_path, capsys):
    file = tmp_path / "modelwatch.yml"
    file.write_text(
        yaml.safe_dump({"modelwatch": {**_config(tmp_path / "x"), "warehouse": warehouse}})
    )
    for command in ("validate", "run"):
        code = cli.main([command, "--config", str(file)])
        err = capsys.readouterr().err
        assert code == cli.EXIT_FAILED, command
        assert expected in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err


def test_validate_reports_type_errors_of_feature_columns(hostile, tmp_path, capsys):
    built, _ = hostile
    # on a copy: after some failed compiles dbt-duckdb leaves the file open in this process with
    # its settings, and the shared warehouse's readers could no longer connect
    copied = tmp_path / "copy.duckdb"
    shutil.copyfile(built.path, copied)
    config = _config(copied)
    # a timestamp column listed as numeric (text is read with a safe cast: test_feature_quality)
    config["models"][0]["features"]["numeric"].append("predicted_at")
    file = tmp_path / "modelwatch.yml"
    file.write_text(yaml.safe_dump({"modelwatch": config}, allow_unicode=True))
    code = cli.main(["validate", "--config", str(file)])
    out = capsys.readouterr()
    assert code == cli.EXIT_FAILED
    assert (
        "feature 'predicted_at' is listed as numeric but column 'predicted_at'" in out.out + out.err
    )


# --- user columns named like internal ones ----------------------------------------------------


def test_features_named_like_internal_columns_keep_their_values(hostile):
    built, _ = hostile
    assert built.outcome.build_ok, built.outcome.build_errors
    quality = built.df(
        "select sum(valid_prediction_rows) as valid, "
        "sum(predictions_duplicate_prediction_id) as duplicates, "
        "sum(predictions_predicted_at_in_future) as future "
        "from modelwatch.input_quality"
    )
    # id_occurrence is a feature here, not the re-send counter: every row is valid
    assert int(quality.valid[0]) == DAYS * ROWS_PER_DAY
    assert int(quality.duplicates[0]) == 0 and int(quality.future[0]) == 1
    drift = built.df("select * from modelwatch.feature_drift")
    features = INTERNAL_NAMES["numeric"] + INTERNAL_NAMES["categorical"] + ["score"]
    assert set(drift.feature_name) == set(features)
    assert (drift.current_count == ROWS_PER_DAY).all()
    assert drift.window_start.nunique() == DAYS  # the 2100 row opened no window
    raw = _tables()["predictions"].iloc[:-1]
    # the feature's own values were binned: its current bins sum to the window counts and its
    # mean-free statistics are finite
    counts = built.df(
        "select window_start, sum(current_count) as n from modelwatch.feature_bin_counts "
        "where feature_name = 'id_occurrence' group by window_start"
    )
    assert (counts.n == ROWS_PER_DAY).all()
    edges = built.df(
        "select lower_bound from modelwatch.reference_bins "
        "where feature_name = 'id_occurrence' and lower_bound is not null order by bin_index"
    )
    reference = _tables()["training_reference"]["id_occurrence"]
    expected = np.unique(np.percentile(reference, np.arange(1, 10) * 10))
    np.testing.assert_allclose(edges.lower_bound.to_numpy(), expected, rtol=1e-9)
    assert len(raw) == DAYS * ROWS_PER_DAY


def test_slices_and_attributes_named_like_internal_columns(hostile):
    built, _ = hostile
    slices = built.df(
        "select distinct slice_value from modelwatch.model_performance "
        "where slice_key = 'label_rows'"
    )
    assert set(slices.slice_value) == {"x", "y"}
    groups = built.df(
        "select distinct group_value from modelwatch.fairness_metrics "
        "where attribute_name = 'group_value'"
    )
    assert set(groups.group_value) == {"F", "M"}


def test_quarantined_rows_keep_user_columns_under_their_names(hostile):
    built, _ = hostile
    rows = built.df("select * from modelwatch.quarantined_predictions")
    assert list(rows.prediction_id) == ["from_the_future"]
    assert rows.quarantine_reason[0] == "predicted_at_in_future"
    assert "emoji_📈" in rows.columns and "it's -- /* x */" in rows.columns
    # a user column named like a column of the table is shown with a prefix
    assert "input__window_start" in rows.columns and "input__id_occurrence" in rows.columns


def test_reference_bins_never_store_infinite_bounds(hostile):
    built, _ = hostile
    bounds = built.df(
        "select lower_bound, upper_bound from modelwatch.reference_bins "
        "where feature_name = 'emoji_📈'"
    )
    values = pd.concat([bounds.lower_bound, bounds.upper_bound]).dropna().to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert bounds.upper_bound.isna().sum() >= 1  # the open last bin: null = +infinity


# --- time zones -------------------------------------------------------------------------------


def _cli_subprocess(config_file: Path, extra_env: dict[str, str], *args: str) -> subprocess.Popen:
    env = {**os.environ, **extra_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    code = "import sys; from modelwatch import cli; sys.exit(cli.main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--config", str(config_file), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _copy_config(built_path: Path, workdir: Path, name: str, **changes: Any) -> Path:
    path = workdir / f"{name}.duckdb"
    shutil.copy(built_path, path)
    file = workdir / f"{name}.yml"
    file.write_text(yaml.safe_dump({"modelwatch": _config(path, **changes)}, allow_unicode=True))
    return file


def test_windows_are_utc_under_another_time_zone(hostile):
    built, workdir = hostile
    file = _copy_config(built.path, workdir, "kolkata")
    # the quality job: input_quality, the table compared, and its upstream
    args = ("--full-refresh", "--no-fail-on-alerts", "--jobs", "quality")
    process = _cli_subprocess(file, {"TZ": "Asia/Kolkata"}, *args)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err
    con = duckdb.connect(str(workdir / "kolkata.duckdb"), read_only=True)
    try:
        kolkata = con.execute(
            "select window_start, valid_prediction_rows from modelwatch.input_quality "
            "where valid_prediction_rows > 0 order by 1"
        ).df()
    finally:
        con.close()
    utc = built.df(
        "select window_start, valid_prediction_rows from modelwatch.input_quality "
        "where valid_prediction_rows > 0 order by 1"
    )
    pd.testing.assert_frame_equal(kolkata, utc)
    assert (utc.valid_prediction_rows == ROWS_PER_DAY).all()
    assert list(utc.window_start) == list(
        (START + pd.to_timedelta(np.arange(DAYS), unit="D")).tz_localize(None)
    )


# --- incremental runs no single row can derail -----------------------------------------------


def test_incremental_runs_pass_a_future_row_and_rebuild_changed_features(hostile):
    built, workdir = hostile
    path = workdir / "incremental.duckdb"
    shutil.copy(built.path, path)
    # three more days arrive; the 2100 row is still in the log
    con = duckdb.connect(str(path))
    more = _tables(days=3, start_day=DAYS, future_row=False)["predictions"]
    con.register("more", more)
    con.execute("insert into main.predictions by name select * from more")
    con.close()
    # and the config gains a feature (a rebuild of every window of m1, by fingerprint)
    config = _config(path)
    config["models"][0]["features"]["numeric"].append("score_twin")
    con = duckdb.connect(str(path))
    con.execute("alter table main.predictions add column score_twin double")
    con.execute("update main.predictions set score_twin = score * 2")
    con.execute("alter table main.training_reference add column score_twin double")
    con.execute("update main.training_reference set score_twin = score * 2")
    con.close()
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "inc")
    outcome = project.run(full_refresh=False)
    assert outcome.build_ok, outcome.build_errors
    con = duckdb.connect(str(path), read_only=True)
    try:
        per_feature = con.execute(
            "select feature_name, count(distinct window_start) from modelwatch.feature_drift "
            "group by 1"
        ).fetchall()
        score_windows = con.execute(
            "select count(distinct window_start) from modelwatch.score_distribution"
        ).fetchone()[0]
        ops_windows = con.execute(
            "select count(distinct window_start) from modelwatch.operational_metrics"
        ).fetchone()[0]
    finally:
        con.close()
    assert dict(per_feature) == {name: DAYS + 3 for name, _ in per_feature}
    assert "score_twin" in dict(per_feature)
    assert score_windows == ops_windows == DAYS + 3


def test_granularity_change_asks_for_full_refresh(hostile):
    built, workdir = hostile
    path = workdir / "granularity.duckdb"
    shutil.copy(built.path, path)
    config = _config(path, granularity="week")
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "gran")
    outcome = project.run(full_refresh=False)
    assert not outcome.build_ok
    assert "--full-refresh" in "\n".join(outcome.build_errors)
    assert "granularity changed from day to week" in "\n".join(outcome.build_errors)


# --- kill -9 and rerun ---------------------------------------------------------------------------


def test_kill_9_mid_run_then_rerun_gives_the_same_tables(hostile):
    built, workdir = hostile
    file = _copy_config(built.path, workdir, "killed")
    killed = workdir / "killed.duckdb"
    con = duckdb.connect(str(killed))
    for table in ("feature_drift", "score_distribution", "model_performance"):
        con.execute(f"drop table if exists modelwatch.{table}")
    con.close()
    process = _cli_subprocess(file, {}, "--no-fail-on-alerts")
    time.sleep(8)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    rerun = _cli_subprocess(file, {}, "--no-fail-on-alerts")
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out + err
    con = duckdb.connect(str(killed), read_only=True)
    try:
        for table, keys in (
            ("feature_drift", "model_name, window_start, feature_name"),
            ("score_distribution", "model_name, model_version, window_start"),
            ("input_quality", "model_name, window_start"),
        ):
            again = con.execute(f"select * from modelwatch.{table} order by {keys}").df()
            first = built.df(f"select * from modelwatch.{table} order by {keys}")
            pd.testing.assert_frame_equal(again, first, rtol=1e-9, check_dtype=False)
    finally:
        con.close()


# --- the same hostile build on PostgreSQL ---------------------------------------------------------


def test_hostile_names_on_postgres(hostile):
    """Names like internal columns, unicode, comment-like names and timestamptz evening times
    give the same tables on PostgreSQL (skipped without a server unless
    MODELWATCH_TEST_POSTGRES=1)."""
    built, workdir = hostile
    outcome = build_on_postgres(
        built.path,
        built.config,
        ["predictions", "labels", "training_reference"],
        "mw_hostile_in",
        "mw_hostile_out",
        workdir / "pg_target",
    )
    assert outcome.build_ok, outcome.build_errors
    for table, keys in (
        ("input_quality", ["model_name", "window_start"]),
        ("feature_drift", ["model_name", "window_start", "feature_name"]),
        ("reference_bins", ["model_name", "feature_name", "bin_index"]),
    ):
        expected = built.df(f"select * from modelwatch.{table}")
        actual = pg_df(f'select * from "mw_hostile_out"."{table}"')
        skip = ("ks_p_value", "chi2_p_value")
        assert_tables_equal(actual, expected, keys, rtol=1e-9, skip=skip)


# --- reruns are byte-identical -----------------------------------------------------------------


def test_rerun_gives_byte_identical_tables(demo_built, tmp_path):
    """The demo built again from the same inputs: every table equal to the last bit (DuckDB runs
    with one thread by default: parallel float sums vary between runs, README: Speed)."""
    path = tmp_path / "again.duckdb"
    shutil.copy(demo_built.path, path)
    again = run_modelwatch(path, demo_built.config, tmp_path)
    assert_same_bytes(demo_built.path, again.path)


def assert_same_bytes(first_path: Path, second_path: Path) -> None:
    """Every table of schema modelwatch equal to the last bit (rows compared sorted)."""
    first_db, second_db = (
        duckdb.connect(str(p), read_only=True) for p in (first_path, second_path)
    )
    try:
        names = [
            name
            for (name,) in first_db.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'modelwatch' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        assert len(names) > 30
        for name in names:
            first = first_db.execute(f"select * from modelwatch.{name}").df()
            second = second_db.execute(f"select * from modelwatch.{name}").df()
            keys = [c for c in first.columns if c != "evidence"]
            first = first.sort_values(keys, ignore_index=True)
            second = second.sort_values(keys, ignore_index=True)
            pd.testing.assert_frame_equal(first, second, check_exact=True, obj=name)
    finally:
        first_db.close()
        second_db.close()


def order_free_tables(seed: int = 3) -> dict[str, pd.DataFrame]:
    """300,000 predictions over 3 days (DuckDB splits a scan of that many rows between threads),
    every one labeled, 1% twice at the same time with the same label spelled apart."""
    rng = np.random.default_rng(seed)
    n, n_ref = 300_000, 100_000
    predictions = pd.DataFrame(
        {
            "prediction_id": [f"p{i}" for i in range(n)],
            "model_name": "m",
            "model_version": "v1",
            "predicted_at": pd.Timestamp("2026-05-04")
            + pd.to_timedelta(rng.integers(0, 3 * 86_400, n), unit="s"),
            "score": rng.uniform(0, 1, n),
            "x": rng.normal(0, 1, n),
            "k": rng.integers(0, 7, n).astype(float),  # ties
            "c": rng.choice(["a", "b", "c", "d"], n),
        }
    )
    labeled_at = predictions.predicted_at + pd.Timedelta(days=2)
    labels = pd.DataFrame(
        {
            "prediction_id": predictions.prediction_id,
            "label": np.where(rng.uniform(0, 1, n) < predictions.score, "1", "0"),
            "labeled_at": labeled_at,
        }
    )
    twice = labels.sample(frac=0.01, random_state=seed).copy()
    twice["label"] = twice.label.map({"1": "true", "0": "false"})
    reference = pd.DataFrame(
        {
            "score": rng.uniform(0, 1, n_ref),
            "x": rng.normal(0, 1, n_ref),
            "k": rng.integers(0, 7, n_ref).astype(float),
            "c": rng.choice(["a", "b", "c", "d"], n_ref),
        }
    )
    return {
        "predictions": predictions,
        "labels": pd.concat([labels, twice], ignore_index=True),
        "training_reference": reference,
    }


def test_order_free_models_on_more_threads_give_the_same_bytes(tmp_path):
    """warehouse.exact_threads (macros/config/threads.sql): the order-free models (reference
    quantiles and bins, bin counts, the exact KS, the id index, the label validation and label
    join) on two DuckDB threads give every table of a one-thread build to the last bit, on a log
    large enough for DuckDB to split its scans."""
    tables = order_free_tables()
    config = {
        "granularity": "day",
        "inputs": {
            "predictions": "main.predictions",
            "labels": "main.labels",
            "reference": "main.training_reference",
        },
        "models": [{"name": "m", "features": {"numeric": ["x", "k"], "categorical": ["c"]}}],
    }
    built = {}
    statements: list[str] = []

    def collect(event) -> None:
        if event.info.name == "SQLQuery" and "set threads" in event.data.sql:
            # (after dbt's query comment)
            statements.append(" ".join(event.data.sql.split("*/")[-1].split()))

    for threads in (1, 2):
        path = tmp_path / f"threads_{threads}.duckdb"
        write_tables(path, tables)
        warehouse = {"type": "duckdb", "path": str(path), "exact_threads": threads}
        cfg = {**config, "warehouse": warehouse}
        project = DbtProject(
            cfg, resolve_warehouse(cfg).env, target_path=tmp_path / f"target_{threads}"
        )
        outcome = project.run(full_refresh=True, progress=collect if threads == 2 else None)
        assert outcome.build_ok, outcome.build_errors
        built[threads] = path
    # the two-thread build set two threads around each of the 7 order-free models, then one
    assert statements.count("set threads = 2") == 7, statements
    assert statements.count("set threads = 1") == 7, statements
    assert_same_bytes(built[1], built[2])
    # a one-thread float sum follows the stored order: the tables such sums read are stored in
    # key order. Checked directly, since the comparison above passes whenever the threads happen
    # to keep the order (an unsorted label join did here in quiet runs, not under load; at 10M
    # rows it moved every window's sums in the last bits from build to build)
    with duckdb.connect(str(built[2]), read_only=True) as db:
        for table, keys in FIXED_ORDER.items():
            (in_order,) = db.execute(
                "select bool_and(position = rank - 1) from (select rowid as position, "
                f"row_number() over (order by {keys}) as rank from modelwatch.{table})"
            ).fetchone()
            assert in_order, table


FIXED_ORDER = {
    "int_modelwatch__predictions_labeled": "model_name, model_version, window_start, prediction_id",
    "int_modelwatch__reference_bins": "model_name, feature_name, bin_index, category",
    "int_modelwatch__feature_bin_counts": (
        "model_name, window_start, feature_name, segment_key, segment_value, bin_index"
    ),
}


# --- two modelwatch processes on one warehouse ----------------------------------------------------


def test_a_second_run_or_notifier_exits_2_while_a_run_holds_the_warehouse(hostile):
    """While one `run` builds, a second `run` and an `alerts --notify` exit 2 at once with one
    line naming the warehouse (before: the second parsed for ~16 s, then failed on DuckDB's file
    lock with a multi-line IO error); the first run's tables equal a single run's."""
    built, workdir = hostile
    file = _copy_config(built.path, workdir, "concurrent")
    path = workdir / "concurrent.duckdb"
    lock = runlock.lock_path(path)
    first = _cli_subprocess(file, {}, "--no-fail-on-alerts")
    deadline = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text()):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env["MODELWATCH_WEBHOOK_URL"] = "http://127.0.0.1:9/never-called"
    code = "import sys; from modelwatch import cli; sys.exit(cli.main(sys.argv[1:]))"
    for command in (["run", "--no-fail-on-alerts"], ["alerts", "--notify"]):
        second = subprocess.run(
            [sys.executable, "-c", code, *command, "--config", str(file)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert first.poll() is None, "the first run ended before the second started"
        assert second.returncode == 2, second.stdout + second.stderr
        assert second.stderr.splitlines() == [
            f"modelwatch: another modelwatch run (pid {first.pid}) is using {path}; "
            f"try again when it has finished (lock: {lock})"
        ]
        assert "delivered" not in second.stdout and "posting" not in second.stdout
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, keys in (
            ("feature_drift", "model_name, window_start, feature_name"),
            ("input_quality", "model_name, window_start"),
            ("alert_incidents", "incident_id"),
        ):
            after = con.execute(f"select * from modelwatch.{table} order by {keys}").df()
            single = built.df(f"select * from modelwatch.{table} order by {keys}")
            pd.testing.assert_frame_equal(after, single, check_exact=True, check_dtype=False)
        ledger = con.execute(
            "select count(*) from information_schema.tables "
            "where table_name = 'incident_deliveries'"
        ).fetchone()[0]
    finally:
        con.close()
    assert ledger == 0  # the refused notifier wrote nothing
    # the lock is released with the run: the next one gets it
    with runlock.warehouse_lock(resolve_warehouse(_config(path)), "run"):
        assert lock.read_text() == f"modelwatch run (pid {os.getpid()})"


def test_postgres_warehouse_lock_refuses_a_second_process():
    """The PostgreSQL lock (an advisory lock on the output schema) as seen from another process:
    refused while held, re-entrant in the holder, free once released."""
    connect_or_skip().close()
    warehouse = resolve_warehouse({"warehouse": {"type": "postgres", "schema": "mw_lock_probe"}})
    code = (
        "from modelwatch import runlock; from modelwatch.config import resolve_warehouse\n"
        "w = resolve_warehouse({'warehouse': {'type': 'postgres', 'schema': 'mw_lock_probe'}})\n"
        "try:\n"
        "    with runlock.warehouse_lock(w, 'run'): print('got it')\n"
        "except runlock.WarehouseBusy as exc: print(exc)\n"
    )

    def other() -> str:
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        ).stdout.strip()

    with runlock.warehouse_lock(warehouse, "run"):
        assert other() == (
            "another modelwatch run or alerts --notify is using schema mw_lock_probe "
            "of this PostgreSQL database; try again when it has finished"
        )
        with runlock.warehouse_lock(warehouse, "run"):
            pass
        assert other().startswith("another modelwatch run")  # the inner exit kept it
    assert other() == "got it"
