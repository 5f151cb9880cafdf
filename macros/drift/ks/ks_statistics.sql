{#-
    Two-sample Kolmogorov-Smirnov statistic, exactly scipy.stats.ks_2samp(...).statistic.
      current_values   (feature_id, window_start, feature_value)  non-null raw values
      reference_values (feature_id, feature_value)                non-null raw values
    Returns (feature_id, window_start, ks_statistic, reference_non_null, current_non_null).
    Exact strategies: `merge` sorts each window's values together with the reference's
    (cheapest for a few windows; `merge_rows` is the same with a row frame, faster in memory);
    `asof` sorts the reference once and looks every current value up in it (cheapest for many
    windows; DuckDB only); `buckets` counts both samples per bucket of a fixed grid and sorts
    only the few buckets that can hold the maximum (cheapest for large windows; needs `bounds`,
    (feature_id, ks_lower, ks_upper) per feature, and `buckets`, the bucket count).
-#}

{% macro ks_statistics(current_values, reference_values, strategy='merge', bounds=none, buckets=none) %}
    {%- if strategy not in ['merge', 'merge_rows', 'asof', 'buckets'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: KS strategy must be merge, merge_rows, asof or buckets, got " ~ strategy) }}
    {%- endif -%}
    {%- if strategy == 'buckets' -%}
        {{ return(modelwatch.ks_statistics_buckets(current_values, reference_values, bounds, buckets)) }}
    {%- endif -%}
    {%- if strategy == 'asof' -%}
        {{ return(modelwatch.ks_statistics_asof(current_values, reference_values)) }}
    {%- endif -%}
    {%- if strategy == 'merge_rows' -%}
        {{ return(modelwatch.ks_statistics_merge_rows(current_values, reference_values)) }}
    {%- endif -%}
    {{ return(modelwatch.ks_statistics_merge(current_values, reference_values)) }}
{% endmacro %}

{% macro ks_strategy(windows_relation) %}
    {#-
        drift.ks_strategy: merge, merge_rows, asof, buckets, or auto. Every strategy is exact.
        auto on DuckDB: buckets, whose memory is bounded by its grid (windows x ks_buckets
        counts per feature) plus the few values it sorts, not by the window sizes; asof (the
        reference sorted once, every value looked up in it) only when a run processes more than
        drift.ks_merge_max_windows windows holding fewer rows than that grid, where the grid
        would cost more than the values. asof's memory grows with the rows: with 30 windows of
        1M rows each (10 features, memory_limit 4GB) it ran out of memory, buckets did not
        (docs/benchmark.md, "Scale"). Elsewhere merge.
    -#}
    {%- set drift = modelwatch.get_config().drift -%}
    {%- if drift.ks_strategy != 'auto' -%}
        {{ return(drift.ks_strategy) }}
    {%- endif -%}
    {%- if target.type != 'duckdb' or not execute or load_relation(windows_relation) is none -%}
        {#- (compile-only runs before the upstream view exists: either strategy compiles) -#}
        {{ return('merge') }}
    {%- endif -%}
    {%- set counted = run_query('select count(distinct window_start), count(*) from ' ~ windows_relation
        ~ ' where ' ~ modelwatch.incremental_window_filter(time_column='predicted_at')) -%}
    {%- set windows = counted.columns[0].values()[0] or 0 -%}
    {%- set rows = counted.columns[1].values()[0] or 0 -%}
    {%- if windows > drift.ks_merge_max_windows and rows < windows * drift.ks_buckets -%}
        {{ return('asof') }}
    {%- endif -%}
    {{ return('buckets') }}
{% endmacro %}
