{#-
    For an analyst: the bins behind every drifting feature of the newest window, largest PSI
    contribution first (compile with `dbt compile` and run the SQL in target/compiled/).
-#}

with

drift as (

    select * from {{ ref('modelwatch__feature_drift') }}

),

bin_counts as (

    select * from {{ ref('modelwatch__feature_bin_counts') }}

),

reference_bins as (

    select * from {{ ref('modelwatch__reference_bins') }}

),

newest as (

    select
        model_name,
        max(window_start) as window_start
    from drift
    group by model_name

),

drifting as (

    select drift.*
    from drift
    inner join newest
        on drift.model_name = newest.model_name and drift.window_start = newest.window_start
    where drift.drift_severity != 'ok'

),

final as (

    select
        drifting.model_name,
        drifting.window_start,
        drifting.feature_name,
        drifting.drift_severity,
        drifting.psi,
        bin_counts.bin_index,
        reference_bins.category,
        reference_bins.lower_bound,
        reference_bins.upper_bound,
        bin_counts.reference_proportion,
        bin_counts.current_proportion,
        bin_counts.psi_contribution
    from drifting
    inner join bin_counts
        on drifting.model_name = bin_counts.model_name
        and drifting.window_start = bin_counts.window_start
        and drifting.feature_name = bin_counts.feature_name
    inner join reference_bins
        on bin_counts.model_name = reference_bins.model_name
        and bin_counts.feature_name = reference_bins.feature_name
        and bin_counts.bin_index = reference_bins.bin_index
    order by drifting.psi desc, bin_counts.psi_contribution desc

)

select * from final
