{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Feature values that do not cast to a number (type errors), one row per prediction and
    feature, with the value as logged. The prediction itself stays valid: it is scored,
    labeled and monitored on its other features; only this value is left out of the feature's
    drift statistics (and counted in feature_quality). Numeric feature columns already typed as
    numbers cannot hold a type error and are not scanned.
-#}
{#- the windows an incremental run copies: those whose type errors counted in feature_quality
    (built from the same rows first, dense: every window, so its own incremental rule finds the
    new and late windows) differ from the rows stored here, and every window of a model whose
    config changed. The table itself is sparse: a window without type errors stores nothing. -#}
{%- set windows_to_copy -%}
    select model_name, cast(null as {{ dbt.type_string() }}) as model_version, window_start
    from ({{ modelwatch.windows_whose_count_changed(
        'select model_name, window_start, sum(type_error_count) as row_count from '
        ~ ref('modelwatch__feature_quality') ~ ' group by model_name, window_start') }}) as w
{%- endset -%}
{%- set selects = [] -%}
{%- for feature in modelwatch.feature_catalog()
      if feature.type == 'numeric' and feature.name != 'score' and modelwatch.feature_needs_safe_cast(feature.name) -%}
    {%- set column = feature.column -%}
    {%- set sql -%}
    select
        prediction_id,
        model_name,
        model_version,
        window_start,
        cast({{ modelwatch.sql_string(feature.name) }} as {{ dbt.type_string() }}) as feature_name,
        cast({{ column }} as {{ dbt.type_string() }}) as raw_value,
        cast('type_error' as {{ dbt.type_string() }}) as quarantine_reason,
        predicted_at
    from monitored
    where model_name = {{ modelwatch.sql_string(feature.model) }}
        and {{ modelwatch.is_type_error(column, modelwatch.type_double()) }}
    {%- endset -%}
    {%- do selects.append(sql) -%}
{%- endfor %}

with

monitored as (

    select * from {{ ref('int_modelwatch__predictions_monitored') }}
    {%- if is_incremental() %}
    {%- set constants = modelwatch.windows_as_constants(windows_to_copy) %}
    {%- if constants %}
    where {{ modelwatch.in_windows_predicate('predicted_at', constants.windows) }}
        and (model_name, window_start) in (select model_name, window_start from ({{ constants.relation }}) as w)
    {%- else %}
    where (model_name, window_start) in (select model_name, window_start from ({{ windows_to_copy }}) as w)
    {%- endif %}
    {%- endif %}

),

final as (

    {%- if selects %}
    {{ selects | join('\n    union all\n') }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as prediction_id,
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as model_version,
        cast(null as {{ dbt.type_timestamp() }}) as window_start,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as raw_value,
        cast(null as {{ dbt.type_string() }}) as quarantine_reason,
        cast(null as {{ dbt.type_timestamp() }}) as predicted_at
    where 1 = 0
    {%- endif %}

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
