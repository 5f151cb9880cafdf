{#-
    Every valid prediction (all model versions and deployment roles) with its label: the latest
    valid label row wins (corrections), label_rows counts the label rows received (corrections
    included) and label_lag_days measures when the outcome was first known. Unlabeled
    predictions keep a null label.
-#}
{#- slices and protected attributes: performance slices and fairness groups read them here -#}
{%- set attributes = modelwatch.feature_names('attributes') -%}

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
        {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }} as predicted_label,
        l.label,
        coalesce(l.label_rows, 0) as label_rows,
        {{ dbt.datediff('p.predicted_at', 'l.first_labeled_at', 'microsecond') }} / 86400000000.0 as label_lag_days,
        p.predicted_at,
        l.labeled_at
    from predictions as p
    left join label_per_prediction as l
        on p.prediction_id = l.prediction_id

)

select * from final
