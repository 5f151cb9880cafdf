{#-
    Label rows not used as a prediction's label, with the reason (corrections included). Labels
    of unmonitored models' predictions are counted in input_quality, not listed here. A view of
    the incremental int_modelwatch__labels_validated (a table would copy every row each run).
-#}

with

labels as (

    select * from {{ ref('int_modelwatch__labels_validated') }}

),

final as (

    select
        prediction_id,
        model_name,
        model_version,
        window_start,
        label,
        raw_label,
        quarantine_reason,
        labeled_at
    from labels
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'

)

select * from final
