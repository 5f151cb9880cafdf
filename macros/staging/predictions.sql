{% macro predictions_renamed() %}
    {#-
        The prediction log renamed to contract names and typed (no window, no validation): the
        select both stg_modelwatch__predictions and stg_modelwatch__predictions_repeated_ids start from.
    -#}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set source_relation = modelwatch.input_relation('predictions') -%}
    {%- set mapping = cfg.columns.predictions -%}
    {%- set required = ['prediction_id', 'model_name', 'model_version', 'predicted_at', 'score'] -%}
    {%- set optional = ['request_id', 'deployment_role', 'predicted_label', 'latency_ms', 'status_code', 'cost_usd', 'predicted_class'] -%}
    {%- set required_columns = [] -%}
    {%- for key in required -%}{%- do required_columns.append(mapping[key]) -%}{%- endfor -%}
    {%- set configured_optional = [] -%}
    {%- for key in optional if mapping[key] is not none -%}{%- do configured_optional.append(mapping[key]) -%}{%- endfor -%}
    {%- set passthrough = modelwatch.feature_names() -%}
    {%- set probabilities = modelwatch.probability_column_names() | reject('in', passthrough) | list -%}
    {%- set cols = modelwatch.resolve_columns('predictions', source_relation, required_columns + configured_optional + passthrough + probabilities) -%}
    {%- do modelwatch.check_numeric_features('predictions', source_relation, cols, modelwatch.feature_names('numeric')) -%}
    {%- set types = modelwatch.column_types(source_relation) -%}
    {%- set expr = {} -%}
    {%- for key in required + optional -%}
        {%- do expr.update({key: (cols[mapping[key]] if mapping[key] is not none else 'null')}) -%}
    {%- endfor %}
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
        cast({{ expr.predicted_class }} as {{ dbt.type_string() }}) as predicted_class,
        {%- for name in probabilities %}
        cast({{ cols[name] }} as {{ modelwatch.type_double() }}) as {{ modelwatch.carried_column(name) }},
        {%- endfor %}
        {%- for name in passthrough %}
        {{ cols[name] }} as {{ modelwatch.carried_column(name) }},
        {%- endfor %}
        {{ modelwatch.utc_timestamp(expr.predicted_at, types.get(expr.predicted_at[1:-1])) }} as predicted_at
    from {{ source_relation }}
{%- endmacro %}


{% macro predictions_renamed_columns() %}
    {#- The columns of predictions_renamed(), in order. -#}
    {%- set out = ['prediction_id', 'model_name', 'model_version', 'request_id', 'deployment_role', 'score',
        'predicted_label', 'latency_ms', 'status_code', 'cost_usd', 'predicted_class'] -%}
    {%- set passthrough = modelwatch.feature_names() -%}
    {%- for name in modelwatch.probability_column_names() | reject('in', passthrough) -%}{%- do out.append(modelwatch.carried_column(name)) -%}{%- endfor -%}
    {%- for name in modelwatch.feature_names() -%}{%- do out.append(modelwatch.carried_column(name)) -%}{%- endfor -%}
    {%- do out.append('predicted_at') -%}
    {{ return(out) }}
{% endmacro %}


{% macro prediction_id_key(expr) %}
    {#- A cheap grouping key for prediction ids: equal ids give equal keys (collisions are re-checked). -#}
    {{ return(adapter.dispatch('prediction_id_key', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__prediction_id_key(expr) %}{{ expr }}{% endmacro %}

{% macro duckdb__prediction_id_key(expr) %}hash({{ expr }}){% endmacro %}
