{#- Windows are [window_start, window_end) in UTC; weeks start on Monday on every engine. -#}
{% macro window_start(timestamp_expr) %}
    {%- set granularity = modelwatch.get_config().granularity -%}
    cast({{ dbt.date_trunc(granularity, timestamp_expr) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro window_end(window_start_expr) %}
    {%- set granularity = modelwatch.get_config().granularity -%}
    cast({{ dbt.dateadd(granularity, 1, window_start_expr) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro windows_ago(window_start_expr, n) %}
    {%- set granularity = modelwatch.get_config().granularity -%}
    cast({{ dbt.dateadd(granularity, -1 * n, window_start_expr) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
