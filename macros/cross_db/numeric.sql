{#- Finite-ness tests differ per engine: Postgres treats NaN = NaN as true, DuckDB has isfinite. -#}
{% macro is_finite(expr) %}
    {{ return(adapter.dispatch('is_finite', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__is_finite(expr) %}
    ({{ expr }} not in (cast('NaN' as {{ modelwatch.type_double() }}), cast('Infinity' as {{ modelwatch.type_double() }}), cast('-Infinity' as {{ modelwatch.type_double() }})))
{% endmacro %}

{% macro duckdb__is_finite(expr) %}isfinite({{ expr }}){% endmacro %}

{% macro spark__is_finite(expr) %}
    (not isnan({{ expr }}) and abs({{ expr }}) != double('infinity'))
{% endmacro %}


{% macro is_nan(expr) %}
    {{ return(adapter.dispatch('is_nan', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__is_nan(expr) %}({{ expr }} = cast('NaN' as {{ modelwatch.type_double() }})){% endmacro %}

{% macro duckdb__is_nan(expr) %}isnan({{ expr }}){% endmacro %}

{% macro spark__is_nan(expr) %}isnan({{ expr }}){% endmacro %}


{% macro to_double(expr) %}
    {#- Numeric feature value as a double; NaN means missing, so it becomes null. -#}
    {%- set cast_expr = 'cast(' ~ expr ~ ' as ' ~ modelwatch.type_double() ~ ')' -%}
    case when {{ modelwatch.is_nan(cast_expr) }} then null else {{ cast_expr }} end
{%- endmacro %}


{% macro percentile_cont(expr, fraction) %}
    {#- Linear interpolation between order statistics, as numpy.percentile's default. -#}
    {{ return(adapter.dispatch('percentile_cont', 'modelwatch')(expr, fraction)) }}
{% endmacro %}

{% macro default__percentile_cont(expr, fraction) %}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{% endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) %}
    quantile_cont({{ expr }}, {{ fraction }})
{% endmacro %}

{% macro spark__percentile_cont(expr, fraction) %}
    percentile({{ expr }}, {{ fraction }})
{% endmacro %}

