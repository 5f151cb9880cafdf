{#- JSON text built in SQL, portable: alert evidence is a JSON object stored as text. -#}

{% macro json_string(expr) %}
    {{ return(adapter.dispatch('json_string', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__json_string(expr) -%}
    {#- standard SQL literals: '\' is one backslash -#}
    coalesce('"' || replace(replace(replace(replace(cast({{ expr }} as {{ dbt.type_string() }}), '\', '\\'), '"', '\"'), chr(10), '\n'), chr(13), '\r') || '"', 'null')
{%- endmacro %}

{% macro spark__json_string(expr) -%}
    {#- Spark string literals use backslash escapes: '\\' is one backslash -#}
    coalesce('"' || replace(replace(replace(replace(cast({{ expr }} as {{ dbt.type_string() }}), '\\', '\\\\'), '"', '\\"'), chr(10), '\\n'), chr(13), '\\r') || '"', 'null')
{%- endmacro %}

{% macro postgres__json_string(expr) -%}
    coalesce(to_json(cast({{ expr }} as text))::text, 'null')
{%- endmacro %}


{% macro json_number(expr) %}
    {#- rounded to 10 decimals, so float noise in the last digits cannot change the text between runs -#}
    {{ return(adapter.dispatch('json_number', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__json_number(expr) -%}
    coalesce(cast(round(cast({{ expr }} as {{ modelwatch.type_double() }}), 10) as {{ dbt.type_string() }}), 'null')
{%- endmacro %}

{% macro postgres__json_number(expr) -%}
    coalesce(cast(cast(round(cast({{ expr }} as numeric), 10) as double precision) as text), 'null')
{%- endmacro %}


{% macro json_integer(expr) -%}
    coalesce(cast(cast({{ expr }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}), 'null')
{%- endmacro %}


{% macro json_bool(expr) -%}
    (case when {{ expr }} then 'true' when not ({{ expr }}) then 'false' else 'null' end)
{%- endmacro %}


{% macro json_object(pairs) %}
    {#- pairs: [(key, sql_expression_giving_json_text)] -> one SQL expression of JSON text. -#}
    {%- set parts = [] -%}
    {%- for key, value in pairs -%}
        {%- do parts.append(modelwatch.sql_string('"' ~ key ~ '":') ~ ' || ' ~ value) -%}
    {%- endfor -%}
    {{ return("'{' || " ~ (parts | join(" || ',' || ")) ~ " || '}'") }}
{% endmacro %}
