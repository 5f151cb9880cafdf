{#-
    Prediction rows per model, window and quarantine reason (null: valid): the one pass over the
    whole log that row accounting needs. input_quality pivots it; the quarantine copy compares
    it with what it stored to find the windows that gained quarantined rows.
-#}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select
        coalesce(model_name, '__unknown__') as model_name,
        window_start,
        quarantine_reason,
        cast(count(*) as {{ dbt.type_bigint() }}) as row_count
    from predictions
    group by coalesce(model_name, '__unknown__'), window_start, quarantine_reason

)

select * from final
