{#-
    One row per row of the prediction log: renamed to contract names, typed, and given a
    quarantine_reason (null when valid). Nothing is dropped here; downstream models read the
    valid rows and the quarantine tables read the rest.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set source_relation = modelwatch.input_relation('predictions') -%}
{%- set mapping = cfg.columns.predictions -%}
{%- set required = ['prediction_id', 'model_name', 'model_version', 'predicted_at', 'score'] -%}
{%- set optional = ['request_id', 'deployment_role', 'predicted_label', 'latency_ms', 'status_code', 'cost_usd'] -%}
{%- set required_columns = [] -%}
{%- for key in required -%}{%- do required_columns.append(mapping[key]) -%}{%- endfor -%}
{%- set configured_optional = [] -%}
{%- for key in optional if mapping[key] is not none -%}{%- do configured_optional.append(mapping[key]) -%}{%- endfor -%}
{%- set passthrough = modelwatch.feature_names() -%}
{%- set cols = modelwatch.resolve_columns('predictions', source_relation, required_columns + configured_optional + passthrough) -%}
{%- set model_names = cfg.models | map(attribute='name') | list -%}

{%- set expr = {} -%}
{%- for key in required + optional -%}
    {%- do expr.update({key: (cols[mapping[key]] if mapping[key] is not none else 'null')}) -%}
{%- endfor -%}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        cast({{ expr.prediction_id }} as {{ dbt.type_string() }}) as prediction_id,
        cast({{ expr.model_name }} as {{ dbt.type_string() }}) as model_name,
        cast({{ expr.model_version }} as {{ dbt.type_string() }}) as model_version,
        cast({{ expr.request_id }} as {{ dbt.type_string() }}) as request_id,
        cast({{ expr.deployment_role }} as {{ dbt.type_string() }}) as deployment_role,
        cast({{ expr.score }} as {{ modelwatch.type_double() }}) as score,
        cast({{ expr.predicted_label }} as {{ dbt.type_int() }}) as predicted_label,
        cast({{ expr.latency_ms }} as {{ modelwatch.type_double() }}) as latency_ms,
        cast({{ expr.status_code }} as {{ dbt.type_int() }}) as status_code,
        cast({{ expr.cost_usd }} as {{ modelwatch.type_double() }}) as cost_usd,
        {%- for name in passthrough %}
        {{ cols[name] }} as {{ adapter.quote(name) }},
        {%- endfor %}
        cast({{ expr.predicted_at }} as {{ dbt.type_timestamp() }}) as predicted_at
    from source

),

occurrences as (

    select
        *,
        {{ modelwatch.window_start('predicted_at') }} as window_start,
        -- the first arrival of an id is the original; later ones are re-sends
        row_number() over (
            partition by prediction_id
            order by predicted_at, model_name, model_version, score, request_id
        ) as id_occurrence
    from renamed

),

final as (

    select
        *,
        case
            when prediction_id is null then 'null_prediction_id'
            when model_name is null then 'null_model_name'
            when model_name not in {{ modelwatch.string_list(model_names) }} then 'unmonitored_model'
            when model_version is null then 'null_model_version'
            when predicted_at is null then 'null_predicted_at'
            when score is null then 'null_score'
            when not {{ modelwatch.is_finite('score') }} then 'score_not_finite'
            when score < 0 or score > 1 then 'score_out_of_range'
            when id_occurrence > 1 then 'duplicate_prediction_id'
        end as quarantine_reason
    from occurrences

)

select * from final
