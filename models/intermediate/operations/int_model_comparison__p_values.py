"""McNemar p-values for model_comparison (the Python layer; DuckDB only, null elsewhere)."""

from modelwatch.stats import mcnemar_p_values


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_model_comparison__discordant").df()
    out = counts[["model_name", "window_start", "baseline_version", "candidate_version"]].copy()
    out["mcnemar_p_value"] = mcnemar_p_values(
        counts["baseline_only_correct"], counts["candidate_only_correct"]
    )
    return out
