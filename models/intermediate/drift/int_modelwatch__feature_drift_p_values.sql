{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    KS and chi-square p-values of every drift statistic, in SQL on every engine
    (macros/stats/p_values.sql): chi-square exactly as scipy; KS by the Kolmogorov distribution
    with a small-sample shift, within the tolerances the README states. Where the opt-in Python
    models run, feature_drift prefers their exact scipy values. Incremental like the statistics:
    only the windows a run recomputes.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set keys = ['model_name', 'window_start', 'feature_name', 'segment_key', 'segment_value'] -%}

with

statistics as (

    select * from {{ ref('int_modelwatch__feature_drift_statistics') }}
    where {{ modelwatch.incremental_window_filter() }}

),

ks as (

    {{ modelwatch.ks_p_values('statistics', keys, 'ks_statistic', 'ks_reference_n', 'ks_current_n') }}

),

chi2 as (

    -- categorical bins: at most max_categories + __other__ + __null__, so dof <= max_categories + 1
    {{ modelwatch.chi2_p_values('statistics', keys, 'chi2_statistic', 'chi2_dof', cfg.drift.max_categories + 1) }}

),

final as (

    select
        s.model_name,
        s.window_start,
        s.feature_name,
        s.segment_key,
        s.segment_value,
        k.ks_p_value,
        c.chi2_p_value,
        s.config_fingerprint
    from statistics as s
    left join ks as k
        on s.model_name = k.model_name and s.window_start = k.window_start and s.feature_name = k.feature_name
        and s.segment_key = k.segment_key and s.segment_value = k.segment_value
    left join chi2 as c
        on s.model_name = c.model_name and s.window_start = c.window_start and s.feature_name = c.feature_name
        and s.segment_key = c.segment_key and s.segment_value = c.segment_value

)

select * from final
