{#-
    Every valid prediction (all model versions and deployment roles) with its label: the latest
    valid label row wins (corrections), label_rows counts the label rows received (corrections
    included) and label_lag_days measures when the outcome was first known. Unlabeled
    predictions keep a null label.
-#}
{%- set slices = modelwatch.feature_names('slices') -%}

with

predictions as (

    select * from {{ ref('stg_predictions') }}
    where quarantine_reason is null

),

labels as (

    -- the winning label row of each prediction, with its prediction's label history
    select
        prediction_id,
        label,
        prediction_label_rows as label_rows,
        first_labeled_at,
        labeled_at
    from {{ ref('int_labels__validated') }}
    where quarantine_reason is null

),

final as (

    select
        p.model_name,
        p.model_version,
        p.window_start,
        p.prediction_id,
        p.deployment_role,
        {%- for name in slices %}
        p.{{ adapter.quote(name) }},
        {%- endfor %}
        p.score,
        {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }} as predicted_label,
        l.label,
        coalesce(l.label_rows, 0) as label_rows,
        {{ dbt.datediff('p.predicted_at', 'l.first_labeled_at', 'microsecond') }} / 86400000000.0 as label_lag_days,
        p.predicted_at,
        l.labeled_at
    from predictions as p
    left join labels as l
        on p.prediction_id = l.prediction_id

)

select * from final
