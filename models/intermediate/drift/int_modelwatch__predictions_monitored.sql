{#-
    The drift population: valid rows of the served model (drift.deployment_roles, by default the
    champion) with only the columns drift reads (features as logged, drift segments).
-#}
{%- set columns = modelwatch.feature_names('numeric') + modelwatch.feature_names('categorical') -%}
{%- for segment in modelwatch.feature_names('segments') if segment not in columns -%}{%- do columns.append(segment) -%}{%- endfor -%}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select
        prediction_id,
        model_name,
        model_version,
        window_start,
        predicted_at,
        score,
        {%- for name in columns %}
        {{ modelwatch.carried_column(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from predictions
    where quarantine_reason is null and {{ modelwatch.drift_population_filter() }}

)

select * from final
