{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    pre_hook="{{ modelwatch.delete_quarantine_windows() }}",
    on_schema_change='sync_all_columns',
) }}
{#-
    Prediction rows that failed validation, with every column and the reason. Rows of models the
    config does not monitor are not copied here; input_quality counts them as unmonitored_rows.
    User columns (features, attributes, slices, probability columns) come back under their own
    names; one named like a column of this table (e.g. a feature `window_start`) is shown as
    `input__<name>`. Incremental (DuckDB, PostgreSQL): a run deletes and copies again the
    windows whose count of quarantined rows changed (macros/quality/quarantine_windows.sql), so a
    clean history costs nothing; on Spark (parquet: no DELETE) a table rebuilt every run.
-#}
-- depends_on: {{ ref('int_modelwatch__prediction_row_counts') }}
{%- set copy_all = execute and is_incremental() and modelwatch.quarantine_columns_changed() %}
{%- set quarantined = "quarantine_reason is not null and quarantine_reason != 'unmonitored_model'" -%}
{%- if is_incremental() and not copy_all %}
    {#- the windows to copy as constants (found before the pre-hook deletes them): the scan of
        the log skips the other windows' blocks -#}
    {%- set constants = modelwatch.windows_as_constants(
        'select model_name, cast(null as ' ~ dbt.type_string() ~ ') as model_version, window_start from ('
        ~ modelwatch.quarantine_windows_to_copy() ~ ') as w') -%}
    {%- set undated = run_query('select count(*) from ' ~ ref('int_modelwatch__prediction_row_counts')
        ~ " where (model_name = '__unknown__' or window_start is null) and " ~ quarantined).rows[0][0] if execute else 1 -%}
{%- endif %}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}
    where {{ quarantined }}
        {%- if is_incremental() and not copy_all %}
        -- the windows to copy: the pre-hook deleted them, so they now differ from what is stored
        {%- if constants %}
        and {{ modelwatch.in_windows_predicate('predicted_at', constants.windows) }}
        and (model_name, window_start) in (select model_name, window_start from ({{ constants.relation }}) as w)
        {%- if undated %}
    union all
    -- rows without a model name or a timestamp: replaced on every run
    select * from {{ ref('stg_modelwatch__predictions') }}
    where {{ quarantined }}
        and (model_name is null or window_start is null)
        {%- endif %}
        {%- else %}
        and (
            model_name is null
            or window_start is null
            or (model_name, window_start) in ({{ modelwatch.quarantine_windows_to_copy() }})
        )
        {%- endif %}
        {%- endif %}

),

final as (

    select
        {%- for column in modelwatch.quarantined_prediction_columns() %}
        {{ column[0] }} as {{ adapter.quote(column[1]) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from predictions

)

select * from final
