{#-
    Every input row counted exactly once per model and window: valid, or under one quarantine
    reason. Rows of models the config does not monitor (and their labels) count as unmonitored.
    Rows without a timestamp have a null window_start; labels are placed in their prediction's
    model and window (model '__unknown__' when the prediction does not exist).
-#}
{%- set prediction_reasons = modelwatch.quarantine_reasons('predictions') -%}
{%- set label_reasons = modelwatch.quarantine_reasons('labels') -%}

with

predictions as (

    select * from {{ ref('int_modelwatch__prediction_row_counts') }}

),

labels as (

    select * from {{ ref('int_modelwatch__labels_validated') }}

),

rows_by_input as (

    select
        model_name,
        window_start,
        'predictions' as input_name,
        quarantine_reason,
        row_count
    from predictions
    union all
    select
        model_name,
        window_start,
        'labels' as input_name,
        quarantine_reason,
        count(*) as row_count
    from labels
    group by model_name, window_start, quarantine_reason

),

counted as (

    select
        model_name,
        window_start,
        cast(sum(case when input_name = 'predictions' then row_count else 0 end) as {{ dbt.type_bigint() }}) as prediction_rows,
        cast(sum(case when input_name = 'predictions' and quarantine_reason is null then row_count else 0 end) as {{ dbt.type_bigint() }}) as valid_prediction_rows,
        cast(sum(case when input_name = 'predictions' and quarantine_reason = 'unmonitored_model' then row_count else 0 end) as {{ dbt.type_bigint() }}) as unmonitored_prediction_rows,
        {%- for reason in prediction_reasons %}
        cast(sum(case when input_name = 'predictions' and quarantine_reason = '{{ reason }}' then row_count else 0 end) as {{ dbt.type_bigint() }}) as predictions_{{ reason }},
        {%- endfor %}
        cast(sum(case when input_name = 'labels' then row_count else 0 end) as {{ dbt.type_bigint() }}) as label_rows,
        cast(sum(case when input_name = 'labels' and quarantine_reason is null then row_count else 0 end) as {{ dbt.type_bigint() }}) as valid_label_rows,
        cast(sum(case when input_name = 'labels' and quarantine_reason = 'unmonitored_model' then row_count else 0 end) as {{ dbt.type_bigint() }}) as unmonitored_label_rows,
        {%- for reason in label_reasons %}
        cast(sum(case when input_name = 'labels' and quarantine_reason = '{{ reason }}' then row_count else 0 end) as {{ dbt.type_bigint() }}) as labels_{{ reason }}{{ ',' if not loop.last }}
        {%- endfor %}
    from rows_by_input
    group by model_name, window_start

),

final as (

    select
        model_name,
        window_start,
        case when window_start is not null then {{ modelwatch.window_end('window_start') }} end as window_end,
        prediction_rows,
        valid_prediction_rows,
        unmonitored_prediction_rows,
        prediction_rows - valid_prediction_rows - unmonitored_prediction_rows as quarantined_prediction_rows,
        {%- for reason in prediction_reasons %}
        predictions_{{ reason }},
        {%- endfor %}
        label_rows,
        valid_label_rows,
        unmonitored_label_rows,
        label_rows - valid_label_rows - unmonitored_label_rows as quarantined_label_rows,
        {%- for reason in label_reasons %}
        labels_{{ reason }},
        {%- endfor %}
        -- a rate needs a window: rows without a timestamp are counted, not rated
        case when window_start is not null then
            {{ modelwatch.double_literal(1) }} * (prediction_rows - valid_prediction_rows - unmonitored_prediction_rows)
            / nullif(prediction_rows - unmonitored_prediction_rows, 0)
        end as quarantine_rate
    from counted

)

select * from final
