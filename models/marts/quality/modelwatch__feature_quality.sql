{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Feature values validated per model, window and feature (the drift population, not the
    score): values that do not cast to a number (type errors; the prediction stays valid and is
    monitored on its other features, the value is kept in quarantined_feature_values), nulls,
    numeric values outside the reference's min-max, categories the reference never had, and the
    configured value rules (models[].rules). Every share is over the window's rows of the
    feature (row_count), so row_count = feature_drift.current_count + type_error_count.
-#}

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

reference_numeric as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

reference_categorical as (

    {{ modelwatch.unpivot_features('reference', 'categorical', with_window=false, is_reference=true) }}

),

reference_ranges as (

    select
        feature_id,
        min(feature_value) as reference_min,
        max(feature_value) as reference_max
    from reference_numeric
    group by feature_id

),

reference_categories as (

    select distinct
        feature_id,
        feature_value as category
    from reference_categorical
    where feature_value is not null

),

checked as (

    {{ modelwatch.feature_value_checks('monitored') }}

),

counted as (

    select
        c.feature_id,
        c.window_start,
        count(*) as row_count,
        cast(sum(c.is_null) as {{ dbt.type_bigint() }}) as null_count,
        cast(sum(c.is_type_error) as {{ dbt.type_bigint() }}) as type_error_count,
        cast(sum(case when c.numeric_value < r.reference_min or c.numeric_value > r.reference_max then 1 else 0 end) as {{ dbt.type_bigint() }}) as out_of_range_count,
        cast(sum(case when c.category_value is not null and k.category is null then 1 else 0 end) as {{ dbt.type_bigint() }}) as unseen_category_count,
        {%- for rule in modelwatch.value_rule_names() %}
        cast(sum(c.{{ rule }}_violation) as {{ dbt.type_bigint() }}) as {{ rule }}_violations,
        {%- endfor %}
        cast(sum(c.is_rule_violation) as {{ dbt.type_bigint() }}) as rule_violation_count
    from checked as c
    left join reference_ranges as r
        on c.feature_id = r.feature_id
    left join reference_categories as k
        on c.feature_id = k.feature_id
        and c.category_value = k.category
    group by c.feature_id, c.window_start

),

final as (

    select
        g.model_name,
        c.window_start,
        g.feature_name,
        g.feature_type,
        {{ modelwatch.window_end('c.window_start') }} as window_end,
        c.row_count,
        c.null_count,
        c.type_error_count,
        cast(c.type_error_count as {{ modelwatch.type_double() }}) / c.row_count as type_error_rate,
        r.reference_min,
        r.reference_max,
        case when g.feature_type = 'numeric' then c.out_of_range_count end as out_of_range_count,
        case when g.feature_type = 'numeric' and r.reference_min is not null
            then cast(c.out_of_range_count as {{ modelwatch.type_double() }}) / c.row_count end as out_of_range_share,
        case when g.feature_type = 'categorical' then c.unseen_category_count end as unseen_category_count,
        case when g.feature_type = 'categorical'
            then cast(c.unseen_category_count as {{ modelwatch.type_double() }}) / c.row_count end as unseen_category_share,
        {%- for rule in modelwatch.value_rule_names() %}
        c.{{ rule }}_violations,
        cast(c.{{ rule }}_violations as {{ modelwatch.type_double() }}) / c.row_count as {{ rule }}_violation_share,
        {%- endfor %}
        c.rule_violation_count,
        cast(c.rule_violation_count as {{ modelwatch.type_double() }}) / c.row_count as rule_violation_share
    from counted as c
    inner join catalog as g
        on c.feature_id = g.feature_id
    left join reference_ranges as r
        on c.feature_id = r.feature_id

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
