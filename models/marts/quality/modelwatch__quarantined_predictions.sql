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

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'
        {%- if is_incremental() and not copy_all %}
        -- run after the pre-hook deleted the windows to copy: those now differ from what is stored
        and (
            model_name is null
            or window_start is null
            or (model_name, window_start) in ({{ modelwatch.quarantine_windows_to_copy() }})
        )
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
