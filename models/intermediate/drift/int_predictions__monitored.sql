{#- Valid prediction rows of the drift population (by default the champion's). -#}

with

predictions as (

    select * from {{ ref('stg_predictions') }}

),

final as (

    select *
    from predictions
    where quarantine_reason is null and {{ modelwatch.drift_population_filter() }}

)

select * from final
