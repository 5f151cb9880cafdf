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


{% macro windows_between(first_window_expr, n) %}
    {#- The window n windows after first_window (n: a SQL integer expression). -#}
    {%- set granularity = modelwatch.get_config().granularity -%}
    cast({{ dbt.dateadd(granularity, n, first_window_expr) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}


{% macro window_count_between(first_window_expr, last_window_expr) %}
    {#- How many windows from the first to the last window (0 when they are the same). -#}
    {%- set granularity = modelwatch.get_config().granularity -%}
    {{ dbt.datediff(first_window_expr, last_window_expr, granularity) }}
{%- endmacro %}


{% macro integers(digits=5) %}
    {#- A relation of n = 0 .. 10^digits - 1 (window spines; plain SQL on every engine). -#}
    {%- set parts = [] -%}
    {%- for i in range(digits) -%}
        {%- do parts.append('d' ~ i ~ '.n * ' ~ (10 ** i)) -%}
    {%- endfor -%}
    select {{ parts | join(' + ') }} as n
    from
    {%- for i in range(digits) %}
        (
            {%- for d in range(10) %}
            select {{ d }} as n{% if not loop.last %} union all{% endif %}
            {%- endfor %}
        ) as d{{ i }}{% if not loop.last %} cross join{% endif %}
    {%- endfor %}
{%- endmacro %}
