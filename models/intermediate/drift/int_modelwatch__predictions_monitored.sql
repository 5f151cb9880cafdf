{#-
    The drift population: valid rows of the served model (drift.deployment_roles, by default the
    champion) with only the columns drift reads.
-#}
{%- set columns = modelwatch.feature_names('numeric') + modelwatch.feature_names('categorical') -%}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select
        model_name,
        window_start,
        score,
        {%- for name in columns %}
        {{ modelwatch.carried_column(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from predictions
    where quarantine_reason is null and {{ modelwatch.drift_population_filter() }}

)

select * from final
