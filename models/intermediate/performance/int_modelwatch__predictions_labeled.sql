{#-
    Every valid prediction (all model versions and deployment roles) with its label: the latest
    valid label row wins (corrections), label_rows counts the label rows received (corrections
    included) and label_lag_days measures when the outcome was first known. Unlabeled
    predictions keep a null label. The label sits in its task's column (label: binary 0/1,
    label_value: regression, label_class: multiclass); is_labeled says a valid label exists.
-#}
{#- slices and protected attributes: performance slices and fairness groups read them here -#}
{%- set attributes = modelwatch.feature_names('attributes') -%}
{#- non-binary tasks: no thresholded decision; the multiclass class probabilities ride along -#}
{%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
{%- set probabilities = modelwatch.probability_column_names() | reject('in', attributes) | list -%}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is null

),

labels as (

    select * from {{ ref('int_modelwatch__labels_validated') }}
    where quarantine_reason is null or quarantine_reason = 'superseded_by_correction'

),

label_per_prediction as (

    select
        prediction_id,
        max(case when quarantine_reason is null then label end) as label,
        max(case when quarantine_reason is null then label_value end) as label_value,
        max(case when quarantine_reason is null then label_class end) as label_class,
        max(case when quarantine_reason is null then 1 else 0 end) as has_label,
        count(*) as label_rows,
        min(labeled_at) as first_labeled_at,
        max(case when quarantine_reason is null then labeled_at end) as labeled_at
    from labels
    group by prediction_id

),

final as (

    select
        p.model_name,
        p.model_version,
        p.window_start,
        p.prediction_id,
        p.request_id,
        p.deployment_role,
        {%- for name in attributes %}
        p.{{ modelwatch.carried_column(name) }},
        {%- endfor %}
        p.status_code,
        p.score,
        {%- if other_tasks %}
        case when not {{ modelwatch.model_in('p.model_name', other_tasks) }} then
            {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }}
        end as predicted_label,
        {%- else %}
        {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }} as predicted_label,
        {%- endif %}
        p.predicted_class,
        {%- for name in probabilities %}
        p.{{ modelwatch.carried_column(name) }},
        {%- endfor %}
        l.label,
        l.label_value,
        l.label_class,
        coalesce(l.has_label = 1, false) as is_labeled,
        coalesce(l.label_rows, 0) as label_rows,
        {{ modelwatch.time_diff('p.predicted_at', 'l.first_labeled_at', 'microsecond') }} / {{ modelwatch.double_literal(86400000000) }} as label_lag_days,
        p.predicted_at,
        l.labeled_at
    from predictions as p
    left join label_per_prediction as l
        on p.prediction_id = l.prediction_id

)

select * from final
