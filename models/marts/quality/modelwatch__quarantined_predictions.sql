{#-
    Prediction rows that failed validation, with every column and the reason. Rows of models the
    config does not monitor are not copied here; input_quality counts them as unmonitored_rows.
    User columns (features, attributes, slices, probability columns) come back under their own names; one named like
    a column of this table (e.g. a feature `window_start`) is shown as `input__<name>`.
-#}
{%- set own_columns = ['prediction_id', 'model_name', 'model_version', 'request_id', 'deployment_role',
    'score', 'predicted_label', 'latency_ms', 'status_code', 'cost_usd', 'predicted_class', 'predicted_at',
    'window_start', 'id_occurrence', 'quarantine_reason'] -%}
{%- set selected = own_columns | list -%}
{#- and the multiclass models' probability columns, under their own names too -#}
{%- set user_columns = modelwatch.feature_names() -%}
{%- for name in modelwatch.probability_column_names() if name not in user_columns -%}{%- do user_columns.append(name) -%}{%- endfor -%}
{%- for name in user_columns -%}
    {%- set shown = ('input__' ~ name) if (name | lower) in own_columns else name -%}
    {%- do selected.append(modelwatch.carried_column(name) ~ ' as ' ~ adapter.quote(shown)) -%}
{%- endfor %}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select
        {%- for column in selected %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from predictions
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'

)

select * from final
