"""P-values for the drift statistics, which SQL engines cannot compute (the Python layer).

Runs as a dbt Python model where the adapter supports them (DuckDB); elsewhere it is disabled
and feature_drift leaves the p-value columns null.
"""

from modelwatch.stats import chi2_p_values, ks_p_values


def model(dbt, session):
    dbt.config(materialized="table")
    stats = dbt.ref("int_feature_drift__statistics").df()
    out = stats[["model_name", "window_start", "feature_name"]].copy()
    out["ks_p_value"] = ks_p_values(
        stats["ks_statistic"], stats["ks_reference_n"], stats["ks_current_n"]
    )
    out["chi2_p_value"] = chi2_p_values(stats["chi2_statistic"], stats["chi2_dof"])
    return out
