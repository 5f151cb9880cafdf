{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['model_name', 'window_start'],
    on_schema_change='fail',
) }}
{#- Exact two-sample KS statistic per window and numeric feature, on raw (unbinned) values. -#}

with

reference_ecdf as (

    select * from {{ ref('int_reference__ecdf') }}

),

monitored as (

    select * from {{ ref('int_predictions__monitored') }}
    where {{ modelwatch.incremental_window_filter() }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('monitored', 'numeric') }}

),

current_counts as (

    select
        model_name,
        window_start,
        feature_name,
        feature_value,
        count(*) as value_count
    from numeric_values
    where feature_value is not null
    group by model_name, window_start, feature_name, feature_value

),

ks as (

    {{ modelwatch.ks_statistics('current_counts', 'reference_ecdf') }}

),

final as (

    select
        model_name,
        window_start,
        feature_name,
        ks_statistic,
        reference_non_null,
        current_non_null
    from ks

)

select * from final
