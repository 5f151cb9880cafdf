{#- more DuckDB threads: the statistic comes from integer counts, the same in any order (macros/config/threads.sql) -#}
{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
    pre_hook=["{{ modelwatch.ks_session_settings() }}", "{{ modelwatch.order_free_threads() }}"],
    post_hook=["{{ modelwatch.ks_session_settings(reset=true) }}", "{{ modelwatch.order_free_threads(reset=true) }}"],
) }}
{#- Exact two-sample KS statistic per window and numeric feature, on raw (unbinned) values. -#}
{%- set strategy = modelwatch.ks_strategy(ref('int_modelwatch__predictions_monitored')) %}
{#- the buckets strategy's range per feature (ref'd always, so dbt orders the models the same) -#}
{%- set edges_relation = ref('int_modelwatch__reference_numeric_edges') %}

with

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

reference as (

    select * from {{ ref('stg_modelwatch__reference') }}

),

monitored as (

    select * from {{ ref('int_modelwatch__predictions_monitored') }}
    where {{ modelwatch.incremental_window_filter(time_column='predicted_at') }}

),

reference_long as {{ modelwatch.cte_inline() }}(

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

current_long as {{ modelwatch.cte_inline() }}(

    {{ modelwatch.unpivot_features('monitored', 'numeric') }}

),

reference_values as {{ modelwatch.cte_inline() }}(

    select * from reference_long
    where feature_value is not null

),

current_values as {{ modelwatch.cte_inline() }}(

    select * from current_long
    where feature_value is not null

),

{% if strategy == 'buckets' -%}
ks_bounds as (

    select
        feature_id,
        ks_lower,
        ks_upper
    from {{ edges_relation }}

),
{%- endif %}

ks as (

    {{ modelwatch.ks_statistics('current_values', 'reference_values', strategy, 'ks_bounds', modelwatch.get_config().drift.ks_buckets) }}

),

final as (

    select
        c.model_name,
        ks.window_start,
        c.feature_name,
        ks.ks_statistic,
        ks.reference_non_null,
        ks.current_non_null
    from ks
    inner join catalog as c
        on ks.feature_id = c.feature_id

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
-- a fixed row order: the float sums downstream read these rows in it (macros/config/threads.sql)
order by model_name, window_start, feature_name
