{#-
    One row per row of the prediction log: renamed to contract names, typed, and given a
    quarantine_reason (null when valid; the rules per task are task_quarantine_cases'). Nothing is dropped here; downstream models read the
    valid rows and the quarantine tables read the rest. A view: rows of repeated ids come
    ranked from stg_modelwatch__predictions_repeated_ids (a small table), every other row is its own first
    occurrence, so the log is never copied.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set model_names = cfg.models | map(attribute='name') | list -%}
{%- set columns = modelwatch.predictions_renamed_columns() -%}
{%- set quality = cfg.quality -%}

with

renamed as (

    {{ modelwatch.predictions_renamed() }}

),

repeated as (

    select * from {{ ref('stg_modelwatch__predictions_repeated_ids') }}

),

occurrences as (

    select
        *,
        {{ modelwatch.window_start('predicted_at') }} as window_start,
        1 as id_occurrence
    from renamed as r
    where not exists (
        select 1
        from repeated as d
        where d.prediction_id = r.prediction_id
    )
    union all
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ modelwatch.window_start('predicted_at') }} as window_start,
        id_occurrence
    from repeated

),

final as (

    select
        *,
        case
            when prediction_id is null then 'null_prediction_id'
            when model_name is null then 'null_model_name'
            when model_name not in {{ modelwatch.string_list(model_names) }} then 'unmonitored_model'
            when model_version is null then 'null_model_version'
            when predicted_at is null then 'null_predicted_at'
            {#- dated beyond the data's clock: it would open windows no later run could close -#}
            when predicted_at > {{ dbt.dateadd('second', (quality.max_future_hours * 3600) | round | int, modelwatch.current_timestamp_utc()) }}
                then 'predicted_at_in_future'
            {%- if quality.min_predicted_at is not none %}
            when predicted_at < cast({{ modelwatch.sql_string(quality.min_predicted_at) }} as {{ dbt.type_timestamp() }})
                then 'predicted_at_too_old'
            {%- endif %}
            {{ modelwatch.task_quarantine_cases() }}
            when id_occurrence > 1 then 'duplicate_prediction_id'
        end as quarantine_reason
    from occurrences

)

select * from final
