"""The SQL p-values (macros/stats/p_values.sql) against scipy, with measured tolerances.

Each macro is rendered once through the dbt project (`dbt compile --inline`) and run on grid
tables in DuckDB directly (and in PostgreSQL when MODELWATCH_TEST_POSTGRES=1), so the whole grid
costs one query per macro. Tolerances are the measured maximum absolute errors, rounded up:

* chi2.sf, dof 1..60, statistics 0..1e6: CHI2_TOLERANCE.
* McNemar: equal to modelwatch.stats.mcnemar_p_value (scipy) to MCNEMAR_TOLERANCE.
* KS vs scipy.stats.ks_2samp's p-value: KS_TOLERANCES per regime (an approximation; the opt-in
  Python model gives scipy's exact value).

Every check is also shown firing on a perturbed input.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from modelwatch import stats
from modelwatch.config import resolve_warehouse
from modelwatch.demo import demo_config
from modelwatch.runner import DbtProject

# measured: 4.1e-15 (chi2), 4.2e-15 (McNemar's chi-square branch; its exact branch 1.1e-16)
CHI2_TOLERANCE = 1e-14
MCNEMAR_TOLERANCE = 1e-14

# (regime, band) -> max abs error vs scipy. Exact regime (max(n1, n2) <= 10000, scipy counts
# lattice paths) banded by the smaller sample; asymptotic regime (scipy's kstwo.sf(d, N),
# N = round(n1 n2 / (n1 + n2))) banded by N.
KS_TOLERANCES = {
    ("exact", "min(n1, n2) = 1"): 0.31,
    ("exact", "2 <= min(n1, n2) < 5"): 0.11,
    ("exact", "5 <= min(n1, n2) < 10"): 0.06,
    ("exact", "10 <= min(n1, n2) < 25"): 0.03,
    ("exact", "25 <= min(n1, n2) < 100"): 0.014,
    ("exact", "100 <= min(n1, n2) < 1000"): 0.007,
    ("exact", "min(n1, n2) >= 1000"): 0.0025,  # ~0.08 / sqrt(min(n1, n2)) on coprime sizes
    ("asymptotic", "N = 1"): 0.24,  # 0.18 on this grid, 0.234 over all D (kstwo.sf, N = 1)
    ("asymptotic", "2 <= N < 10"): 0.085,  # 0.041 here, 0.082 over all D at N = 2
    ("asymptotic", "10 <= N < 100"): 0.0075,
    ("asymptotic", "100 <= N < 1000"): 0.00065,
    ("asymptotic", "N >= 1000"): 0.00016,
}

MACROS = {
    "chi2": "{{ modelwatch.chi2_p_values('chi2_grid', ['id'], 'statistic', 'dof', 61) }}",
    "ks": "{{ modelwatch.ks_p_values('ks_grid', ['id'], 'statistic', 'n1', 'n2') }}",
    "mcnemar": "{{ modelwatch.mcnemar_p_values('mcnemar_grid', ['id'], 'b', 'c') }}",
}
P_VALUE_COLUMNS = {"chi2": "chi2_p_value", "ks": "ks_p_value", "mcnemar": "mcnemar_p_value"}


# --------------------------------------------------------------------------------------------
# Grids with scipy's values
# --------------------------------------------------------------------------------------------


def chi2_grid() -> pd.DataFrame:
    """dof 1..60 x statistics from 0 to 1e6: fixed points plus scipy's isf at p from 1e-300 to 1."""
    rows = []
    fixed = [0.0, 1e-12, 1e-6, 1e-3, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 100.0, 300.0]
    fixed += [1e3, 1.5e3, 1e4, 1e5, 1e6]
    for dof in range(1, 61):
        quantiles = scipy_stats.chi2.isf(np.logspace(-300, 0, 61)[:-1], dof)
        for statistic in [*fixed, *quantiles]:
            rows.append((dof, float(statistic)))
    frame = pd.DataFrame(rows, columns=["dof", "statistic"])
    frame["expected"] = scipy_stats.chi2.sf(frame["statistic"], frame["dof"])
    frame.insert(0, "id", np.arange(len(frame)))
    return frame


def _lattice_statistics(n1: int, n2: int, count: int) -> list[float]:
    """KS statistics D = h / lcm(n1, n2) the two samples can produce, spread over p in (0, 1)."""
    lcm = n1 // math.gcd(n1, n2) * n2
    en = n1 * n2 / (n1 + n2)
    steps = {min(max(round(z / math.sqrt(en) * lcm), 1), lcm) for z in np.linspace(0.1, 3.2, count)}
    return [h / lcm for h in sorted(steps)]


def ks_grid() -> pd.DataFrame:
    """Sample sizes 1..1e6 in both of scipy's regimes, D on each pair's lattice, scipy's p-value."""
    small = [1, 2, 3, 5, 7, 10, 13, 25, 37, 50, 100, 250, 401, 1000, 3000]
    pairs = [(a, b) for a in small for b in small if a <= b]
    pairs += [(1000, 10000), (10000, 10000), (250, 10000)]
    exact_pairs = [(n1, n2, 30) for n1, n2 in pairs]
    # coprime sizes (finest lattice, largest errors per band); 1577 x 4907 occurs in the demo
    exact_pairs += [
        (n1, n2, 16)
        for n1, n2 in [(101, 257), (401, 1000), (1577, 4907), (997, 3001), (2003, 9973)]
    ]
    asymptotic_pairs = [
        (n1, n2, 12)
        for n1 in [1, 3, 7, 20, 60, 250, 1000, 10001, 100000]
        for n2 in [10001, 50000, 1000000]
        if n1 <= n2
    ] + [(n1, 20000, 12) for n1 in [2, 4, 9]]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy's own exact -> asymptotic fallback
        for n1, n2, count in exact_pairs + asymptotic_pairs:
            for d in _lattice_statistics(n1, n2, count):
                rows.append((n1, n2, d, stats.ks_p_value(d, n1, n2)))
    frame = pd.DataFrame(rows, columns=["n1", "n2", "statistic", "expected"])
    frame.insert(0, "id", np.arange(len(frame)))
    return frame


def ks_band(n1: int, n2: int) -> tuple[str, str]:
    """The KS_TOLERANCES key of a pair of sample sizes."""
    if max(n1, n2) <= stats.MAX_AUTO_N:
        regime, size, name = "exact", min(n1, n2), "min(n1, n2)"
    else:
        regime, size, name = "asymptotic", round(n1 * n2 / (n1 + n2)), "N"
    if size == 1:
        return (regime, f"{name} = 1")
    edges = [2, 5, 10, 25, 100, 1000] if regime == "exact" else [2, 10, 100, 1000]
    for low, high in zip(edges, edges[1:], strict=False):
        if low <= size < high:
            return (regime, f"{low} <= {name} < {high}")
    return (regime, f"{name} >= {edges[-1]}")


def assert_sql_ks_p_values_close(actual, expected, duck, keys) -> None:
    """feature_drift's KS p-values from the SQL approximation (another engine: `actual`) against
    DuckDB's exact ones (`expected`), within the tolerance of their sample-size band."""
    sizes = duck.df(
        "select model_name, window_start, feature_name, segment_key, segment_value, "
        "ks_reference_n, ks_current_n from modelwatch.int_modelwatch__feature_drift_statistics"
    )
    merged = actual.merge(expected, on=keys, suffixes=("_sql", "_duck")).merge(sizes, on=keys)
    numeric = merged[merged.ks_statistic_sql.notna()]
    assert len(numeric) > 0 and numeric.ks_p_value_sql.notna().all()
    for row in numeric.itertuples():
        band = ks_band(int(row.ks_reference_n), int(row.ks_current_n))
        assert abs(row.ks_p_value_sql - row.ks_p_value_duck) <= KS_TOLERANCES[band], row


def mcnemar_grid() -> pd.DataFrame:
    """Every (b, c) with b + c <= 80 (both sides of the exact / chi-square switch), large counts."""
    rows = [(b, c) for b in range(81) for c in range(81 - b) if b + c > 0]
    rows += [(b, c) for b in (500, 5000, 100000) for c in (0, 450, 4900, 100500)]
    frame = pd.DataFrame(rows, columns=["b", "c"])
    frame["expected"] = stats.mcnemar_p_values(frame["b"], frame["c"])
    frame.insert(0, "id", np.arange(len(frame)))
    return frame


# --------------------------------------------------------------------------------------------
# Rendering and running the macros
# --------------------------------------------------------------------------------------------


def render(project: DbtProject) -> dict[str, str]:
    """Each macro's SQL, compiled once by dbt for the project's target."""
    sql = {}
    for name, call in MACROS.items():
        with contextlib.redirect_stdout(io.StringIO()):  # dbt echoes an inline compile
            result = project.invoke(["compile", "--inline", call])
        assert result.success, result.exception
        sql[name] = result.result.results[0].node.compiled_code
    return sql


@pytest.fixture(scope="module")
def grids() -> dict[str, pd.DataFrame]:
    return {"chi2": chi2_grid(), "ks": ks_grid(), "mcnemar": mcnemar_grid()}


@pytest.fixture(scope="module")
def duckdb_results(tmp_path_factory, grids) -> dict[str, pd.DataFrame]:
    """Every grid with its SQL p-value (`actual`) computed in DuckDB."""
    workdir = tmp_path_factory.mktemp("sql_p_values")
    config = {**demo_config(), "warehouse": {"type": "duckdb", "path": str(workdir / "w.duckdb")}}
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "target")
    sql = render(project)
    con = duckdb.connect()
    try:
        out = {}
        for name, frame in grids.items():
            con.register(f"{name}_frame", frame.drop(columns="expected"))
            con.execute(f"create table {name}_grid as select * from {name}_frame")
            result = con.execute(sql[name]).df()
            out[name] = merge_actual(frame, result, P_VALUE_COLUMNS[name])
        return out
    finally:
        con.close()


def merge_actual(frame: pd.DataFrame, result: pd.DataFrame, column: str) -> pd.DataFrame:
    assert len(result) == len(frame), "one p-value row per input row"
    merged = frame.merge(result.rename(columns={column: "actual"}), on="id", validate="one_to_one")
    merged["actual"] = merged["actual"].astype(float)
    return merged


def max_abs_error(frame: pd.DataFrame) -> float:
    """Largest |SQL - scipy|; a null where scipy has a number counts as infinitely wrong."""
    both_null = frame["actual"].isna() & frame["expected"].isna()
    error = (frame["actual"] - frame["expected"]).abs().fillna(np.inf)
    return float(error[~both_null].max())


def ks_errors(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    bands = [ks_band(int(a), int(b)) for a, b in zip(frame["n1"], frame["n2"], strict=True)]
    error = (frame["actual"] - frame["expected"]).abs().fillna(np.inf)
    return error.groupby(pd.Series(bands, index=frame.index)).max().to_dict()


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------


def test_chi2_equals_scipy(duckdb_results):
    frame = duckdb_results["chi2"]
    assert frame["actual"].notna().all()
    assert max_abs_error(frame) <= CHI2_TOLERANCE
    # relative accuracy in the tail too, where alerts on tiny p-values would look
    tail = frame[(frame["expected"] > 1e-290) & (frame["expected"] < 1e-3)]
    relative = ((tail["actual"] - tail["expected"]).abs() / tail["expected"]).max()
    assert relative <= 1e-10
    # huge statistics are exactly 0, statistic 0 exactly 1
    assert (frame.loc[frame["statistic"] >= 1e5, "actual"] == 0).all()
    assert (frame.loc[frame["statistic"] == 0, "actual"] == 1).all()


def test_chi2_check_fires_on_a_perturbed_statistic(duckdb_results):
    frame = duckdb_results["chi2"].copy()
    frame["expected"] = scipy_stats.chi2.sf(frame["statistic"] * (1 + 1e-9), frame["dof"])
    assert max_abs_error(frame) > CHI2_TOLERANCE


def test_mcnemar_equals_stats(duckdb_results):
    frame = duckdb_results["mcnemar"]
    assert frame["actual"].notna().all()
    assert max_abs_error(frame) <= MCNEMAR_TOLERANCE
    # the exact branch is scipy.stats.binomtest's two-sided p-value
    exact = frame[frame["b"] + frame["c"] < stats.MCNEMAR_EXACT_BELOW]
    binomtest = [
        scipy_stats.binomtest(int(min(b, c)), int(b + c), 0.5).pvalue
        for b, c in zip(exact["b"], exact["c"], strict=True)
    ]
    assert np.max(np.abs(exact["actual"].to_numpy() - binomtest)) <= MCNEMAR_TOLERANCE


def test_mcnemar_check_fires_on_a_perturbed_count(duckdb_results):
    frame = duckdb_results["mcnemar"].copy()
    frame["expected"] = stats.mcnemar_p_values(frame["b"] + 1, frame["c"])
    assert max_abs_error(frame) > MCNEMAR_TOLERANCE


def test_ks_within_stated_tolerance_per_regime(duckdb_results):
    frame = duckdb_results["ks"]
    assert frame["actual"].notna().all()
    errors = ks_errors(frame)
    assert set(errors) == set(KS_TOLERANCES), "every regime band is covered by the grid"
    too_large = {band: e for band, e in errors.items() if e > KS_TOLERANCES[band]}
    assert not too_large, too_large


def test_ks_check_fires_on_a_perturbed_statistic(duckdb_results):
    frame = duckdb_results["ks"].copy()
    shifted = frame["statistic"] * 1.05
    frame["expected"] = [
        stats.ks_p_value(min(d, 1.0), n1, n2) if max(n1, n2) > 3000 else np.nan
        for d, n1, n2 in zip(shifted, frame["n1"], frame["n2"], strict=True)
    ]
    frame = frame[frame["expected"].notna()]
    errors = ks_errors(frame)
    assert any(errors[band] > KS_TOLERANCES[band] for band in errors)


@pytest.fixture(scope="module")
def edge_cases(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Nulls, zeros, NaN and out-of-range inputs through the same macros."""
    workdir = tmp_path_factory.mktemp("sql_p_values_edges")
    config = {**demo_config(), "warehouse": {"type": "duckdb", "path": str(workdir / "w.duckdb")}}
    project = DbtProject(config, resolve_warehouse(config).env, target_path=workdir / "target")
    sql = render(project)
    con = duckdb.connect()
    try:
        con.execute(
            "create table chi2_grid as select * from (values (0, 5.0, 0), (1, 0.0, 3), "
            "(2, null, 3), (3, 4.0, null), (4, -1.0, 3), (5, 'NaN'::double, 3), (6, 3.0, 62), "
            "(7, 1e300, 1), (8, 'Infinity'::double, 2)) as t(id, statistic, dof)"
        )
        con.execute(
            "create table ks_grid as select * from (values (0, 0.0, 5, 7), (1, 0.3, 0, 7), "
            "(2, null, 5, 7), (3, 0.3, null, 7), (4, 1.0, 1000000, 1000000), "
            "(5, 'NaN'::double, 5, 7), (6, 1.0, 1, 1)) as t(id, statistic, n1, n2)"
        )
        con.execute(
            "create table mcnemar_grid as select * from (values (0, 0, 0), (1, null, 3), "
            "(2, -1, 3), (3, 0, 1), (4, 1000000, 0)) as t(id, b, c)"
        )
        return {
            name: con.execute(sql[name]).df().set_index("id")[P_VALUE_COLUMNS[name]]
            for name in MACROS
        }
    finally:
        con.close()


def test_edge_cases(edge_cases):
    chi2, ks, mcnemar = edge_cases["chi2"], edge_cases["ks"], edge_cases["mcnemar"]
    assert chi2[0] == 1.0  # dof 0: one non-empty bin, as scipy
    assert chi2[1] == 1.0  # statistic 0
    assert chi2[[2, 3, 4, 5, 8]].isna().all()  # null, negative, NaN, infinite
    assert pd.isna(chi2[6])  # dof past max_dof: null, never a wrong number
    assert chi2[7] == 0.0  # huge statistic: 0, no underflow error
    assert ks[0] == 1.0  # D = 0
    assert ks[[1, 2, 3, 5]].isna().all()  # empty sample, null or NaN statistic
    assert ks[4] == 0.0  # D = 1 on a million rows each
    assert ks[6] == pytest.approx(1.0, abs=KS_TOLERANCES[("exact", "min(n1, n2) = 1")])  # scipy: 1
    assert mcnemar[[0, 1, 2]].isna().all()  # no discordant pairs, null or negative count
    assert mcnemar[3] == 1.0
    assert mcnemar[4] == 0.0


# --------------------------------------------------------------------------------------------
# The built project: feature_drift and model_comparison always carry p-values
# --------------------------------------------------------------------------------------------


def test_feature_drift_sql_p_values_match_the_exact_python_ones(demo_built):
    """The demo build runs the opt-in Python model too: its exact values against the SQL ones."""
    frame = demo_built.df(
        """
        select s.feature_name, s.ks_reference_n as n1, s.ks_current_n as n2,
               s.chi2_statistic, f.ks_p_value as exact_ks, f.chi2_p_value as exact_chi2,
               p.ks_p_value as sql_ks, p.chi2_p_value as sql_chi2
        from modelwatch.int_modelwatch__feature_drift_statistics as s
        inner join modelwatch.feature_drift as f
            using (model_name, window_start, feature_name, segment_key, segment_value)
        inner join modelwatch.int_modelwatch__feature_drift_p_values as p
            using (model_name, window_start, feature_name, segment_key, segment_value)
        """
    )
    assert len(frame) > 0
    numeric = frame[frame["n1"].notna()]
    categorical = frame[frame["chi2_statistic"].notna()]
    assert len(numeric) > 0 and len(categorical) > 0
    assert numeric["sql_ks"].notna().all() and categorical["sql_chi2"].notna().all()
    assert (categorical["sql_chi2"] - categorical["exact_chi2"]).abs().max() <= CHI2_TOLERANCE
    for (n1, n2), group in numeric.groupby(["n1", "n2"]):
        tolerance = KS_TOLERANCES[ks_band(int(n1), int(n2))]
        assert (group["sql_ks"] - group["exact_ks"]).abs().max() <= tolerance, (n1, n2)


def test_model_comparison_mcnemar_in_sql(demo_built):
    frame = demo_built.df(
        "select baseline_only_correct as b, candidate_only_correct as c, mcnemar_p_value "
        "from modelwatch.model_comparison where baseline_only_correct + candidate_only_correct > 0"
    )
    assert len(frame) > 0
    expected = stats.mcnemar_p_values(frame["b"], frame["c"])
    assert np.max(np.abs(frame["mcnemar_p_value"].to_numpy() - expected)) <= MCNEMAR_TOLERANCE


# --------------------------------------------------------------------------------------------
# PostgreSQL (MODELWATCH_TEST_POSTGRES=1)
# --------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("MODELWATCH_TEST_POSTGRES") != "1", reason="MODELWATCH_TEST_POSTGRES not set"
)
def test_postgres_matches_duckdb(tmp_path: Path, grids, duckdb_results):
    """The same macros compiled for PostgreSQL give the same p-values as on DuckDB."""
    from pg import PG, connect_or_skip

    config = {
        **demo_config(),
        "warehouse": {
            "type": "postgres",
            "schema": "mw_p_values",
            **{k: PG[k] for k in ("host", "port", "user", "dbname")},
        },
    }
    project = DbtProject(config, resolve_warehouse(config).env, target_path=tmp_path / "target")
    sql = render(project)
    con = connect_or_skip()
    try:
        with con.cursor() as cur:
            cur.execute(
                "create temporary table chi2_grid "
                "(id bigint, statistic double precision, dof bigint)"
            )
            cur.execute(
                "create temporary table ks_grid "
                "(id bigint, n1 bigint, n2 bigint, statistic double precision)"
            )
            cur.execute("create temporary table mcnemar_grid (id bigint, b bigint, c bigint)")
            for name, columns in {
                "chi2": ["id", "statistic", "dof"],
                "ks": ["id", "n1", "n2", "statistic"],
                "mcnemar": ["id", "b", "c"],
            }.items():
                buffer = io.StringIO()
                grids[name][columns].to_csv(buffer, index=False, header=False)
                buffer.seek(0)
                cur.copy_expert(
                    f"copy {name}_grid ({', '.join(columns)}) from stdin with csv", buffer
                )
            for name in MACROS:
                cur.execute(sql[name])
                result = pd.DataFrame(cur.fetchall(), columns=["id", P_VALUE_COLUMNS[name]])
                pg_frame = merge_actual(grids[name], result, P_VALUE_COLUMNS[name])
                duck = duckdb_results[name].set_index("id")["actual"]
                pg_values = pg_frame.set_index("id")["actual"]
                assert np.allclose(
                    pg_values, duck.loc[pg_values.index], rtol=1e-13, atol=1e-15, equal_nan=True
                ), name
    finally:
        con.close()
