{#-
    More DuckDB threads for the models whose results do not depend on the order rows are
    combined in: integer counts, quantiles of sorted values, the exact KS statistic (from
    counts), rankings with a total order, maxima. The CLI runs DuckDB on warehouse.threads
    (default 1) because parallel float sums vary in their last bits between reruns; these models
    run on warehouse.exact_threads (default: every core) and stay byte-identical. Where a float
    sum downstream reads their rows, they are written in a fixed order (ORDER BY their key,
    fixed_row_order), since a one-thread sum follows the order it reads; the id index and the
    label validation are only counted or maximized downstream.
    A pre_hook / post_hook pair: the post-hook sets the configured threads back. Acts only where
    the CLI set both variables (its own profile); as a dbt package, the user's profile rules.
-#}

{% macro order_free_threads(reset=false) %}
    {{ return(adapter.dispatch('order_free_threads', 'modelwatch')(reset)) }}
{% endmacro %}

{% macro default__order_free_threads(reset) %}{% endmacro %}

{% macro duckdb__order_free_threads(reset) %}
    {%- set exact = env_var('MODELWATCH_DUCKDB_EXACT_THREADS', '') -%}
    {%- set configured = env_var('MODELWATCH_DUCKDB_THREADS', '1') -%}
    {%- if exact | length > 0 -%}
    set threads = {{ (configured if reset else exact) | int }}
    {%- endif -%}
{% endmacro %}

{#- The ORDER BY that fixes the row order of a table written on more threads, for the one-thread
    float sums that read it. DuckDB only: elsewhere a scan does not follow the written order. -#}
{% macro fixed_row_order(columns) %}
    {{ return(adapter.dispatch('fixed_row_order', 'modelwatch')(columns)) }}
{% endmacro %}

{% macro default__fixed_row_order(columns) %}{% endmacro %}

{% macro duckdb__fixed_row_order(columns) %}order by {{ columns | join(', ') }}{% endmacro %}
