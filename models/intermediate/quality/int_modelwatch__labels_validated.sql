{#-
    Every label row with its prediction's model, version and window and a final
    quarantine_reason: row-local problems from staging, then labels for unknown or quarantined
    predictions, labels timestamped before their prediction, then corrections (the latest
    labeled_at wins; earlier rows are kept as superseded). The label is validated by the rule of
    its prediction's task and kept in that task's column: label (binary 0/1), label_value
    (regression) or label_class (multiclass).
-#}
{%- set binary = modelwatch.models_with_task('binary') -%}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set multiclass = modelwatch.get_config().models | selectattr('task', 'equalto', 'multiclass') | list -%}
{%- set other_tasks = regression + (multiclass | map(attribute='name') | list) -%}

with

labels as (

    select * from {{ ref('stg_modelwatch__labels') }}

),

predictions as (

    -- the original row of each id: re-sends must not multiply labels
    select prediction_id, model_name, model_version, window_start, predicted_at, quarantine_reason
    from {{ ref('stg_modelwatch__predictions') }}
    where id_occurrence = 1 and prediction_id is not null

),

joined as (

    select
        l.prediction_id,
        {%- if other_tasks %}
        case when not {{ modelwatch.model_in('p.model_name', other_tasks) }} or p.model_name is null then l.label end as label,
        {%- else %}
        l.label,
        {%- endif %}
        case when {{ modelwatch.model_in('p.model_name', regression) }} then l.label_value end as label_value,
        case when {{ modelwatch.model_in('p.model_name', multiclass | map(attribute='name') | list) }} then l.label_class end as label_class,
        l.raw_label,
        l.labeled_at,
        case
            when l.quarantine_reason in ('null_prediction_id', 'null_label') then l.quarantine_reason
            -- the rule of the prediction's own task (staging only knew the label was valid for some task)
            when {{ modelwatch.model_in('p.model_name', binary) }} and l.label is null then 'invalid_label'
            {%- if regression %}
            when {{ modelwatch.model_in('p.model_name', regression) }} and l.label_value is null then 'invalid_label'
            {%- endif %}
            {%- for model in multiclass %}
            when p.model_name = {{ modelwatch.sql_string(model.name) }} and l.label_class not in {{ modelwatch.string_list(model.classes) }}
                then 'unknown_label_class'
            {%- endfor %}
            when l.quarantine_reason is not null then l.quarantine_reason
            when p.quarantine_reason is null and l.labeled_at < p.predicted_at then 'labeled_before_prediction'
        end as row_reason,
        p.model_name,
        p.model_version,
        p.window_start,
        p.quarantine_reason as prediction_reason,
        p.prediction_id is not null as has_prediction
    from labels as l
    left join predictions as p
        on l.prediction_id = p.prediction_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by prediction_id
            order by case when row_reason is null then 0 else 1 end, labeled_at desc, label desc, label_value desc, label_class desc
        ) as label_rank
    from joined

),

final as (

    select
        prediction_id,
        coalesce(model_name, '__unknown__') as model_name,
        model_version,
        window_start,
        label,
        label_value,
        label_class,
        raw_label,
        coalesce(
            row_reason,
            case
                when not has_prediction then 'unknown_prediction'
                when prediction_reason = 'unmonitored_model' then 'unmonitored_model'
                when prediction_reason is not null then 'prediction_quarantined'
                when label_rank > 1 then 'superseded_by_correction'
            end
        ) as quarantine_reason,
        labeled_at
    from ranked

)

select * from final
