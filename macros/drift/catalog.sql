{% macro feature_catalog() %}
    {#-
        Every monitored (model, feature) pair with a small integer id, in config order. Heavy
        steps group, sort and join on the integer (string keys made KS windows ~8x slower);
        names are joined back at the end.
    -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- for feature in modelwatch.monitored_features(model) -%}
            {%- do out.append({'id': out | length + 1, 'model': model.name, 'name': feature.name, 'type': feature.type, 'column': feature.column}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro feature_catalog_relation() %}
    {#- The catalog as a relation: (feature_id, model_name, feature_name, feature_type). -#}
    {%- set rows = [] -%}
    {%- for f in modelwatch.feature_catalog() -%}
        {%- do rows.append('(' ~ f.id ~ ', ' ~ modelwatch.sql_string(f.model) ~ ', '
            ~ modelwatch.sql_string(f.name) ~ ', ' ~ modelwatch.sql_string(f.type) ~ ')') -%}
    {%- endfor -%}
    {%- if rows | length == 0 -%}
    select
        cast(null as {{ dbt.type_int() }}) as feature_id,
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as feature_name,
        cast(null as {{ dbt.type_string() }}) as feature_type
    where 1 = 0
    {%- else %}
    select
        feature_id,
        model_name,
        feature_name,
        feature_type
    from (values {{ rows | join(', ') }}) as catalog (feature_id, model_name, feature_name, feature_type)
    {%- endif %}
{% endmacro %}
