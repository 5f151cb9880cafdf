"""McNemar p-values for model_comparison (the Python layer; DuckDB only, null elsewhere)."""

try:
    from modelwatch.stats import mcnemar_p_values
except ImportError as missing:  # opt-in Python models need the pip package where dbt runs
    raise ImportError(
        "modelwatch: python_models is on, but the modelwatch Python package is not installed "
        "in dbt's environment: pip install modelwatch, or set python_models: false"
    ) from missing


def model(dbt, session):
    dbt.config(materialized="table")
    counts = dbt.ref("int_modelwatch__model_comparison_discordant").df()
    out = counts[["model_name", "window_start", "baseline_version", "candidate_version"]].copy()
    out["mcnemar_p_value"] = mcnemar_p_values(
        counts["baseline_only_correct"], counts["candidate_only_correct"]
    )
    return out
