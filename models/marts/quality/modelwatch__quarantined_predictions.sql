{#-
    Prediction rows that failed validation, with every column and the reason. Rows of models the
    config does not monitor are not copied here; input_quality counts them as unmonitored_rows.
-#}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select *
    from predictions
    where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'

)

select * from final
