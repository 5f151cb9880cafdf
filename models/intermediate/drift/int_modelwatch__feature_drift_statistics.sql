{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Drift statistics per model, window, feature and drift segment from the binned counts (PSI,
    Jensen-Shannon distance, chi-square) and the raw-value KS statistic (overall rows only: KS
    re-sorts raw values, which per segment value would multiply the heaviest step). P-values:
    int_modelwatch__feature_drift_p_values (SQL). Incremental: a run computes the windows the bin
    counts recompute (the same window filter), so its cost follows the new data, not the history.
-#}

with

bin_counts as (

    select * from {{ ref('int_modelwatch__feature_bin_counts') }}
    where {{ modelwatch.incremental_window_filter() }}

),

reference_bins as (

    select * from {{ ref('int_modelwatch__reference_bins') }}

),

ks as (

    select * from {{ ref('int_modelwatch__feature_drift_ks') }}

),

bins as (

    select
        c.model_name,
        c.window_start,
        c.feature_name,
        c.segment_key,
        c.segment_value,
        c.feature_type,
        c.bin_index,
        c.current_count,
        c.current_total,
        c.current_proportion,
        c.reference_proportion,
        c.psi_contribution,
        c.reference_count,
        c.reference_total,
        r.is_null_bin
    from bin_counts as c
    inner join reference_bins as r
        on c.model_name = r.model_name and c.feature_name = r.feature_name and c.bin_index = r.bin_index

),

per_feature as (

    select
        model_name,
        window_start,
        feature_name,
        segment_key,
        segment_value,
        max(feature_type) as feature_type,
        max(reference_total) as reference_count,
        max(current_total) as current_count,
        max(case when is_null_bin then reference_proportion end) as null_rate_reference,
        max(case when is_null_bin then current_proportion end) as null_rate_current,
        sum(psi_contribution) as psi,
        sum({{ modelwatch.js_divergence_term('current_proportion', 'reference_proportion') }}) as js_divergence_nats_sum,
        -- chi-square over the bins non-empty on either side (scipy.stats.chi2_contingency)
        sum(case when reference_count + current_count > 0 then
            {{ modelwatch.chi2_term('current_count', 'current_total', 'reference_count + current_count', 'current_total + reference_total') }}
            + {{ modelwatch.chi2_term('reference_count', 'reference_total', 'reference_count + current_count', 'current_total + reference_total') }}
        end) as chi2_sum,
        cast(sum(case when reference_count + current_count > 0 then 1 else 0 end) - 1 as {{ dbt.type_bigint() }}) as nonempty_bins_minus_one
    from bins
    group by model_name, window_start, feature_name, segment_key, segment_value

),

final as (

    select
        f.model_name,
        f.window_start,
        f.feature_name,
        f.segment_key,
        f.segment_value,
        f.feature_type,
        f.reference_count,
        f.current_count,
        f.null_rate_reference,
        f.null_rate_current,
        f.null_rate_current - f.null_rate_reference as null_rate_increase,
        f.psi,
        -- jensenshannon(base=2): sqrt(sum / ln 2 / 2); clamp rounding below zero
        sqrt(case when f.js_divergence_nats_sum > 0 then f.js_divergence_nats_sum / ln({{ modelwatch.double_literal(2) }}) / {{ modelwatch.double_literal(2) }} else 0 end) as js_distance,
        k.ks_statistic,
        k.reference_non_null as ks_reference_n,
        k.current_non_null as ks_current_n,
        case when f.feature_type = 'categorical' then f.chi2_sum end as chi2_statistic,
        case when f.feature_type = 'categorical' then f.nonempty_bins_minus_one end as chi2_dof,
        {{ modelwatch.config_fingerprint('f.model_name') }} as config_fingerprint
    from per_feature as f
    left join ks as k
        on f.model_name = k.model_name and f.window_start = k.window_start and f.feature_name = k.feature_name
        and f.segment_key = '__all__'

)

select * from final
