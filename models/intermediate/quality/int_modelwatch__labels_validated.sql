{#-
    Every label row with its prediction's model, version and window and a final
    quarantine_reason: row-local problems from staging, then labels for unknown or quarantined
    predictions, labels timestamped before their prediction, then corrections (the latest
    labeled_at wins; earlier rows are kept as superseded).
-#}

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
        l.label,
        l.raw_label,
        l.labeled_at,
        coalesce(
            l.quarantine_reason,
            case
                when p.quarantine_reason is null and l.labeled_at < p.predicted_at
                    then 'labeled_before_prediction'
            end
        ) as row_reason,
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
            order by case when row_reason is null then 0 else 1 end, labeled_at desc, label desc
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
