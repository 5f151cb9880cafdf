{#- Text predicates dbt has no cross-database macro for. -#}

{% macro regex_matches(expr, pattern) %}
    {#- True when the whole of expr matches pattern (anchor it with ^...$; no backslashes, so
        every engine's string literal reads it the same). -#}
    {{ return(adapter.dispatch('regex_matches', 'modelwatch')(expr, pattern)) }}
{% endmacro %}

{% macro default__regex_matches(expr, pattern) %}({{ expr }} ~ {{ modelwatch.sql_string(pattern) }}){% endmacro %}

{% macro duckdb__regex_matches(expr, pattern) %}regexp_matches({{ expr }}, {{ modelwatch.sql_string(pattern) }}){% endmacro %}

{% macro spark__regex_matches(expr, pattern) %}({{ expr }} rlike {{ modelwatch.sql_string(pattern) }}){% endmacro %}


{% macro number_text_pattern() %}
    {#- A finite decimal number as text (what a double or integer column casts to): no nan, no inf. -#}
    {{ return('^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]{1,3})?$') }}
{% endmacro %}
