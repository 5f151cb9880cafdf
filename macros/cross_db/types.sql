{#- 64-bit floats everywhere: dbt.type_float() is a 4-byte FLOAT on DuckDB. -#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'modelwatch')()) }}
{% endmacro %}

{% macro default__type_double() %}double precision{% endmacro %}

{% macro duckdb__type_double() %}double{% endmacro %}

{% macro spark__type_double() %}double{% endmacro %}


{% macro sql_string(value) %}
    {#- A string literal of any text; user names never reach SQL unescaped. -#}
    {{ return(adapter.dispatch('sql_string', 'modelwatch')(value)) }}
{% endmacro %}

{% macro default__sql_string(value) %}
    {#- standard SQL: embedded quotes doubled, a backslash is itself -#}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}

{% macro spark__sql_string(value) %}
    {#- Spark string literals use backslash escapes -#}
    {{ return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") }}
{% endmacro %}


{% macro string_list(values) %}
    {#- A SQL list of string literals: ('a', 'b'). -#}
    {%- set literals = [] -%}
    {%- for v in values -%}{%- do literals.append(modelwatch.sql_string(v)) -%}{%- endfor -%}
    {{ return('(' ~ (literals | join(', ')) ~ ')') }}
{% endmacro %}


{% macro cte_inline() %}
    {#-
        Placed after `name as` of a CTE that a query reads more than once but that is cheaper to
        recompute than to store (DuckDB would otherwise materialize it, and spill when large).
    -#}
    {{ return(adapter.dispatch('cte_inline', 'modelwatch')()) }}
{% endmacro %}

{% macro default__cte_inline() %}{% endmacro %}

{% macro duckdb__cte_inline() %}not materialized {% endmacro %}
