"""scipy's exact p-values for the drift statistics (opt-in: python_models).

Runs as a dbt Python model where the adapter supports them (DuckDB); feature_drift then prefers
these to the SQL p-values (int_modelwatch__feature_drift_p_values), which differ for KS on small
samples, where scipy counts lattice paths exactly. The p-values are DuckDB functions over the
statistics relation, so the table never passes through pandas (whose import alone costs more
than the whole computation).
"""

import contextlib

import duckdb

try:
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


def model(dbt, session):
    dbt.config(materialized="table")
    for name, (function, parameters) in FUNCTIONS.items():
        with contextlib.suppress(duckdb.Error):  # left by an earlier run on this connection
            session.remove_function(name)
        session.create_function(name, function, parameters, "DOUBLE")
    return dbt.ref("int_modelwatch__feature_drift_statistics").project(
        "model_name, window_start, feature_name, segment_key, segment_value, "
        "modelwatch_ks_p_value(ks_statistic, ks_reference_n, ks_current_n) as ks_p_value, "
        "modelwatch_chi2_p_value(chi2_statistic, chi2_dof) as chi2_p_value"
    )
