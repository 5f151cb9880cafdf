"""scipy's exact p-values for the drift statistics (opt-in: python_models).

Runs as a dbt Python model where the adapter supports them (DuckDB); feature_drift then prefers
these to the SQL p-values (int_modelwatch__feature_drift_p_values), which differ for KS on small
samples, where scipy counts lattice paths exactly. The p-values are DuckDB functions over the
statistics relation, so the table never passes through pandas (whose import alone costs more
than the whole computation).

Incremental: a p-value is a function of its row's statistics (KS statistic and sample sizes,
chi-square statistic and degrees of freedom), stored next to it with the code that computed it
(computed_by). A run recomputes every (model, window) holding a row whose statistics differ from
the stored ones, a row new or gone, or another computed_by, and replaces those windows whole;
that is the windows int_modelwatch__feature_drift_statistics recomputed and found changed
(its window rule, config changes included), so the table equals a full refresh.
"""

import contextlib

import duckdb

try:
    from modelwatch import __version__
    from modelwatch.stats import chi2_p_value_or_none, ks_p_value_or_none
except ImportError as missing:  # opt-in Python models need the pip package where dbt runs
    raise ImportError(
        "modelwatch: python_models is on, but the modelwatch Python package is not installed "
        "in dbt's environment: pip install modelwatch, or set python_models: false"
    ) from missing

FUNCTIONS = {
    "modelwatch_ks_p_value": (ks_p_value_or_none, ["DOUBLE", "BIGINT", "BIGINT"]),
    "modelwatch_chi2_p_value": (chi2_p_value_or_none, ["DOUBLE", "BIGINT"]),
}
KEYS = ("model_name", "window_start", "feature_name", "segment_key", "segment_value")
INPUTS = ("ks_statistic", "ks_reference_n", "ks_current_n", "chi2_statistic", "chi2_dof")


def computed_by() -> str:
    import scipy  # already imported by modelwatch.stats

    return f"modelwatch {__version__}, scipy {scipy.__version__}"


def windows_to_recompute(this: str, version: str) -> str:
    """(model_name, window_start) where `statistics` and the stored rows differ."""
    same = " and ".join(
        [f"s.{key} = t.{key}" for key in KEYS]
        + [f"s.{column} is not distinct from t.{column}" for column in INPUTS]
        + [f"t.computed_by = '{version}'"]
    )
    return (
        "select coalesce(s.model_name, t.model_name), coalesce(s.window_start, t.window_start) "
        f"from statistics as s full outer join {this} as t on {same} "
        "where s.model_name is null or t.model_name is null group by 1, 2"
    )


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="replace_keys",
        unique_key=["model_name", "window_start"],
        on_schema_change="sync_all_columns",
    )
    for name, (function, parameters) in FUNCTIONS.items():
        with contextlib.suppress(duckdb.Error):  # left by an earlier run on this connection
            session.remove_function(name)
        session.create_function(name, function, parameters, "DOUBLE")
    version = computed_by().replace("'", "''")
    where = ""
    # a table of an earlier modelwatch (no statistics stored beside the p-values) is replaced whole
    if (
        dbt.is_incremental
        and "computed_by" in session.sql(f"select * from {dbt.this} limit 0").columns
    ):
        where = (
            f" where (model_name, window_start) in ({windows_to_recompute(str(dbt.this), version)})"
        )
    return dbt.ref("int_modelwatch__feature_drift_statistics").query(
        "statistics",
        f"select {', '.join(KEYS)}, {', '.join(INPUTS)}, "
        "modelwatch_ks_p_value(ks_statistic, ks_reference_n, ks_current_n) as ks_p_value, "
        "modelwatch_chi2_p_value(chi2_statistic, chi2_dof) as chi2_p_value, "
        f"'{version}' as computed_by "
        f"from statistics{where}",
    )
