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
    {{ modelwatch.time_diff(first_window_expr, last_window_expr, granularity) }}
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


{#-
    Time zones: windows are UTC whatever the session's time zone is. A `timestamp with time zone`
    input is converted to UTC wall time explicitly (a plain cast would use the session's zone,
    which follows $TZ on DuckDB); a timestamp without time zone is taken as UTC already.
-#}
{% macro utc_timestamp(expr, data_type=none) %}
    {%- set kind = (data_type or '') | lower -%}
    {%- if 'with time zone' in kind or kind.startswith('timestamptz') -%}
        {{ return(modelwatch.timestamptz_to_utc(expr)) }}
    {%- endif -%}
    {{ return('cast(' ~ expr ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{% endmacro %}

{% macro timestamptz_to_utc(expr) %}
    {{ return(adapter.dispatch('timestamptz_to_utc', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__timestamptz_to_utc(expr) %}cast(({{ expr }} at time zone 'UTC') as {{ dbt.type_timestamp() }}){% endmacro %}

{% macro spark__timestamptz_to_utc(expr) %}to_utc_timestamp({{ expr }}, current_timezone()){% endmacro %}


{% macro current_timestamp_utc() %}
    {#- The load time (now) as UTC wall time, a timestamp without time zone. -#}
    {{ return(adapter.dispatch('current_timestamp_utc', 'modelwatch')()) }}
{% endmacro %}

{% macro default__current_timestamp_utc() %}cast((current_timestamp at time zone 'UTC') as {{ dbt.type_timestamp() }}){% endmacro %}

{% macro spark__current_timestamp_utc() %}to_utc_timestamp(current_timestamp(), current_timezone()){% endmacro %}


{% macro time_diff(first_expr, second_expr, datepart) %}
    {#- dbt.datediff, with a Spark twin: dbt-spark's sub-day parts lack enclosing parentheses
        (`... / 86400` would divide only its last term) and read microseconds from text. -#}
    {{ return(adapter.dispatch('time_diff', 'modelwatch')(first_expr, second_expr, datepart)) }}
{% endmacro %}

{% macro default__time_diff(first_expr, second_expr, datepart) %}{{ return(dbt.datediff(first_expr, second_expr, datepart)) }}{% endmacro %}

{% macro spark__time_diff(first_expr, second_expr, datepart) %}
    {%- set units = {'second': 'unix_seconds', 'millisecond': 'unix_millis', 'microsecond': 'unix_micros'} -%}
    {%- if datepart in units -%}
        {{ return('(' ~ units[datepart] ~ '(cast(' ~ second_expr ~ ' as timestamp)) - ' ~ units[datepart] ~ '(cast(' ~ first_expr ~ ' as timestamp)))') }}
    {%- endif -%}
    {{ return('(' ~ dbt.datediff(first_expr, second_expr, datepart) ~ ')') }}
{% endmacro %}
