{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_key', 'window_key'],
    partition_by=modelwatch.incremental_partition_by(['model_key', 'window_key']),
    on_schema_change='sync_all_columns',
) }}
{#-
    Prediction rows that failed validation, with every column and the reason. Rows of models the
    config does not monitor are not copied here; input_quality counts them as unmonitored_rows.
    User columns (features, attributes, slices, probability columns) come back under their own
    names; one named like a column of this table (e.g. a feature `window_start`) is shown as
    `input__<name>`. Incremental by model and window: a run copies the windows whose count of
    quarantined rows in int_modelwatch__prediction_row_counts differs from the rows stored (a
    window gained quarantined rows), so a clean history costs nothing. Rows without a model
    name or a timestamp have no window: they share one key (model_key '', window_key
    1970-01-01) and are copied again on every run. A config that changes the columns (a feature
    added) copies every window again; one that changes a model's rules, that model's windows.
-#}
-- depends_on: {{ ref('int_modelwatch__prediction_row_counts') }}
{%- set own_columns = ['prediction_id', 'model_name', 'model_version', 'request_id', 'deployment_role',
    'score', 'predicted_label', 'latency_ms', 'status_code', 'cost_usd', 'predicted_class', 'predicted_at',
    'window_start', 'id_occurrence', 'quarantine_reason'] -%}
{%- set selected = own_columns | list -%}
{#- and the multiclass models' probability columns, under their own names too -#}
{%- set user_columns = modelwatch.feature_names() -%}
{%- for name in modelwatch.probability_column_names() if name not in user_columns -%}{%- do user_columns.append(name) -%}{%- endfor -%}
{%- for name in user_columns -%}
    {%- set shown = ('input__' ~ name) if (name | lower) in own_columns + ['model_key', 'window_key'] else name -%}
    {%- do selected.append(modelwatch.carried_column(name) ~ ' as ' ~ adapter.quote(shown)) -%}
{%- endfor %}
{%- set rebuild = modelwatch.models_to_rebuild() -%}
{%- set copy_all = false -%}
{%- if execute and is_incremental() -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- set wanted_columns = [] -%}
    {%- for column in selected -%}{%- do wanted_columns.append((column.split(' as ') | last).strip('"`') | lower) -%}{%- endfor -%}
    {%- set copy_all = (stored_columns | sort) != ((wanted_columns + ['model_key', 'window_key', 'config_fingerprint']) | sort) -%}
{%- endif -%}
{%- set undated = 'cast(' ~ modelwatch.sql_string('1970-01-01 00:00:00') ~ ' as ' ~ dbt.type_timestamp() ~ ')' %}

with

predictions as (

    select
        *,
        case when model_name is not null and window_start is not null then model_name else '' end as model_key,
        case when model_name is not null and window_start is not null then window_start else {{ undated }} end as window_key
    from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'

),

{%- if is_incremental() and not copy_all %}

stored as (

    select model_key, window_key, count(*) as stored_rows
    from {{ this }}
    group by model_key, window_key

),

quarantined_counts as (

    select model_name, window_start, sum(row_count) as quarantined_rows
    from {{ ref('int_modelwatch__prediction_row_counts') }}
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'
        -- rows without a model name: the key copied on every run
        and window_start is not null and model_name != '__unknown__'
    group by model_name, window_start

),

windows_to_copy as (

    select q.model_name as model_key, q.window_start as window_key
    from quarantined_counts as q
    left join stored as s
        on q.model_name = s.model_key
        and q.window_start = s.window_key
    where q.quarantined_rows <> coalesce(s.stored_rows, 0)
        {%- if rebuild %}
        or q.model_name in {{ modelwatch.string_list(rebuild) }}
        {%- endif %}
    union
    select '' as model_key, {{ undated }} as window_key

),

batch as (

    select p.*
    from predictions as p
    inner join windows_to_copy as w
        on p.model_key = w.model_key
        and p.window_key = w.window_key

),

{%- else %}

batch as (

    select * from predictions

),

{%- endif %}

final as (

    select
        {%- for column in selected %}
        {{ column }},
        {%- endfor %}
        model_key,
        window_key,
        -- which config built the row: a changed config copies the model's windows again
        {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
    from batch

)

select * from final
