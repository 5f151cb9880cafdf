{#- more DuckDB threads: integer counts, the same in any order (macros/config/threads.sql) -#}
{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
    pre_hook="{{ modelwatch.order_free_threads() }}",
    post_hook="{{ modelwatch.order_free_threads(reset=true) }}",
) }}
{#-
    Per window, every reference bin of every monitored feature with the window's count and its PSI
    contribution: the evidence behind feature_drift. Bins a window does not hit are present with
    count 0, so each window holds the same bins. Overall rows have segment_key = segment_value =
    '__all__'; with drift.segments, every segment value of every segment column gets the same
    bins, compared with that segment's own reference rows when the reference has the column
    (and rows of that value), else with the whole reference. Numeric values that do not cast to a
    number (type errors, see feature_quality) are counted in neither current_count nor
    current_total.
-#}
{%- set segments = modelwatch.feature_names('segments') -%}
{%- set segment_columns = [] -%}
{%- for segment in segments -%}{%- do segment_columns.append('segment_value_' ~ loop.index) -%}{%- endfor -%}

with

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

reference_bins as (

    select
        c.feature_id,
        b.*
    from {{ ref('int_modelwatch__reference_bins') }} as b
    inner join catalog as c
        on b.model_name = c.model_name and b.feature_name = c.feature_name

),

edges as (

    select * from {{ ref('int_modelwatch__reference_numeric_edges') }}

),

monitored as (

    select * from {{ ref('int_modelwatch__predictions_monitored') }}
    where {{ modelwatch.incremental_window_filter(time_column='predicted_at') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('monitored', 'numeric', segments=segments) }}

),

categorical_values as (

    {{ modelwatch.unpivot_features('monitored', 'categorical', segments=segments) }}

),

binned as (

    {{ modelwatch.binned_feature_values('numeric_values', 'categorical_values', 'reference_bins', 'edges',
        carry=['window_start'] + segment_columns) }}

),

{% if segments -%}
fine_counts as (

    select
        feature_id,
        window_start,
        {%- for column in segment_columns %}
        {{ column }},
        {%- endfor %}
        bin_index,
        count(*) as current_count
    from binned
    group by feature_id, window_start, {{ segment_columns | join(', ') }}, bin_index

),

bin_counts as (

    select
        feature_id,
        window_start,
        cast('__all__' as {{ dbt.type_string() }}) as segment_key,
        cast('__all__' as {{ dbt.type_string() }}) as segment_value,
        bin_index,
        cast(sum(current_count) as {{ dbt.type_bigint() }}) as current_count
    from fine_counts
    group by feature_id, window_start, bin_index
    {%- for segment in segments %}
    union all
    select
        feature_id,
        window_start,
        cast({{ modelwatch.sql_string(segment) }} as {{ dbt.type_string() }}) as segment_key,
        segment_value_{{ loop.index }} as segment_value,
        bin_index,
        cast(sum(current_count) as {{ dbt.type_bigint() }}) as current_count
    from fine_counts
    group by feature_id, window_start, segment_value_{{ loop.index }}, bin_index
    {%- endfor %}

),

reference_segment_bins as (

    select * from {{ ref('int_modelwatch__reference_segment_bins') }}

),

reference_segment_totals as (

    select distinct
        feature_id,
        segment_key,
        segment_value,
        reference_total
    from reference_segment_bins

),
{%- else -%}
bin_counts as (

    select
        feature_id,
        window_start,
        cast('__all__' as {{ dbt.type_string() }}) as segment_key,
        cast('__all__' as {{ dbt.type_string() }}) as segment_value,
        bin_index,
        count(*) as current_count
    from binned
    group by feature_id, window_start, bin_index

),
{%- endif %}

totals as (

    select
        feature_id,
        window_start,
        segment_key,
        segment_value,
        cast(sum(current_count) as {{ dbt.type_bigint() }}) as current_total
    from bin_counts
    group by feature_id, window_start, segment_key, segment_value

),

all_bins as (

    select
        b.model_name,
        t.window_start,
        b.feature_name,
        t.segment_key,
        t.segment_value,
        b.bin_index,
        b.feature_type,
        t.current_total,
        coalesce(c.current_count, 0) as current_count,
        {%- if segments %}
        case
            when rt.reference_total is not null then coalesce(rs.reference_count, 0)
            else b.reference_count
        end as reference_count,
        coalesce(rt.reference_total, b.reference_total) as reference_total
        {%- else %}
        b.reference_count,
        b.reference_total
        {%- endif %}
    from totals as t
    inner join reference_bins as b
        on t.feature_id = b.feature_id
    left join bin_counts as c
        on t.feature_id = c.feature_id
        and t.window_start = c.window_start
        and t.segment_key = c.segment_key
        and t.segment_value = c.segment_value
        and b.bin_index = c.bin_index
    {%- if segments %}
    left join reference_segment_totals as rt
        on t.feature_id = rt.feature_id
        and t.segment_key = rt.segment_key
        and t.segment_value = rt.segment_value
    left join reference_segment_bins as rs
        on t.feature_id = rs.feature_id
        and t.segment_key = rs.segment_key
        and t.segment_value = rs.segment_value
        and b.bin_index = rs.bin_index
    {%- endif %}

),

proportions as (

    select
        *,
        {{ modelwatch.double_literal(1) }} * current_count / current_total as current_proportion,
        {{ modelwatch.double_literal(1) }} * reference_count / nullif(reference_total, 0) as reference_proportion
    from all_bins

),

final as (

    select
        model_name,
        window_start,
        feature_name,
        segment_key,
        segment_value,
        bin_index,
        feature_type,
        current_count,
        current_total,
        current_proportion,
        reference_proportion,
        {{ modelwatch.psi_contribution('current_proportion', 'reference_proportion') }} as psi_contribution,
        reference_count,
        reference_total
    from proportions

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
-- a fixed row order: the float sums downstream read these rows in it (macros/config/threads.sql)
order by model_name, window_start, feature_name, segment_key, segment_value, bin_index
