{#-
    Two-sample Kolmogorov-Smirnov statistic, exactly scipy.stats.ks_2samp(...).statistic.
      current_values   (feature_id, window_start, feature_value)  non-null raw values
      reference_values (feature_id, feature_value)                non-null raw values
    Returns (feature_id, window_start, ks_statistic, reference_non_null, current_non_null).
    Exact strategies: `merge` sorts each window's values together with the reference's
    (cheapest for a few windows; `merge_rows` is the same with a row frame, faster in memory);
    `asof` sorts the reference once and looks every current value up in it (cheapest for many
    windows; DuckDB only).
-#}

{% macro ks_statistics(current_values, reference_values, strategy='merge') %}
    {%- if strategy not in ['merge', 'merge_rows', 'asof'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: KS strategy must be merge, merge_rows or asof, got " ~ strategy) }}
    {%- endif -%}
    {%- if strategy == 'asof' -%}
        {{ return(adapter.dispatch('ks_statistics_asof', 'modelwatch')(current_values, reference_values)) }}
    {%- endif -%}
    {%- if strategy == 'merge_rows' -%}
        {{ return(adapter.dispatch('ks_statistics_merge_rows', 'modelwatch')(current_values, reference_values)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('ks_statistics_merge', 'modelwatch')(current_values, reference_values)) }}
{% endmacro %}


{% macro ks_merge_points(current_values, reference_values) %}
    {#- CTEs both merge strategies share: sample sizes, and every value tagged with its sample. -#}
    current_totals as (
        select
            feature_id,
            window_start,
            count(*) as current_non_null
        from {{ current_values }}
        group by feature_id, window_start
    ),

    reference_totals as (
        select
            feature_id,
            count(*) as reference_non_null
        from {{ reference_values }}
        group by feature_id
    ),

    points as (
        select
            feature_id,
            window_start,
            feature_value,
            1 as is_current
        from {{ current_values }}
        union all
        select
            r.feature_id,
            t.window_start,
            r.feature_value,
            0 as is_current
        from {{ reference_values }} as r
        inner join current_totals as t
            on r.feature_id = t.feature_id
    ),
{%- endmacro %}


{% macro default__ks_statistics_merge(current_values, reference_values) %}
    {#-
        Both empirical CDFs evaluated at every value of either sample: a range frame counts all
        values <= v (ties included), as scipy's searchsorted(side='right').
    -#}
    with

    {{ modelwatch.ks_merge_points(current_values, reference_values) }}

    cumulative as (
        select
            feature_id,
            window_start,
            sum(is_current) over (
                partition by feature_id, window_start
                order by feature_value range between unbounded preceding and current row
            ) as current_cumulative,
            sum(1 - is_current) over (
                partition by feature_id, window_start
                order by feature_value range between unbounded preceding and current row
            ) as reference_cumulative
        from points
    ),

    final as (
        select
            c.feature_id,
            c.window_start,
            max(abs(
                1.0 * c.reference_cumulative / r.reference_non_null
                - 1.0 * c.current_cumulative / t.current_non_null
            )) as ks_statistic,
            cast(max(r.reference_non_null) as {{ dbt.type_bigint() }}) as reference_non_null,
            cast(max(t.current_non_null) as {{ dbt.type_bigint() }}) as current_non_null
        from cumulative as c
        inner join current_totals as t
            on c.feature_id = t.feature_id and c.window_start = t.window_start
        inner join reference_totals as r
            on c.feature_id = r.feature_id
        group by c.feature_id, c.window_start
    )

    select * from final
{% endmacro %}


{% macro default__ks_statistics_merge_rows(current_values, reference_values) %}
    {#-
        The merge strategy with a running count over rows instead of a range frame: faster while
        the sort fits in memory, slower when it spills (measured: 1M vs 10M current rows).
    -#}
    with

    {{ modelwatch.ks_merge_points(current_values, reference_values) }}

    cumulative as (
        -- a running count over rows (cheaper than a range frame); with ties only the last row
        -- of each value holds both CDFs at that value, so the others are skipped below
        select
            feature_id,
            window_start,
            feature_value,
            lead(feature_value) over ordered as next_value,
            sum(is_current) over ordered as current_cumulative,
            row_number() over ordered - sum(is_current) over ordered as reference_cumulative
        from points
        window ordered as (
            partition by feature_id, window_start
            order by feature_value
            rows between unbounded preceding and current row
        )
    ),

    final as (
        select
            c.feature_id,
            c.window_start,
            max(abs(
                1.0 * c.reference_cumulative / r.reference_non_null
                - 1.0 * c.current_cumulative / t.current_non_null
            )) as ks_statistic,
            cast(max(r.reference_non_null) as {{ dbt.type_bigint() }}) as reference_non_null,
            cast(max(t.current_non_null) as {{ dbt.type_bigint() }}) as current_non_null
        from cumulative as c
        inner join current_totals as t
            on c.feature_id = t.feature_id and c.window_start = t.window_start
        inner join reference_totals as r
            on c.feature_id = r.feature_id
        where c.next_value is null or c.next_value != c.feature_value
        group by c.feature_id, c.window_start
    )

    select * from final
{% endmacro %}


{% macro default__ks_statistics_asof(current_values, reference_values) %}
    {{ exceptions.raise_compiler_error("modelwatch: the asof KS strategy needs DuckDB; use merge") }}
{% endmacro %}


{% macro duckdb__ks_statistics_asof(current_values, reference_values) %}
    {#-
        Between two consecutive current values F_cur is flat and F_ref rises, so the supremum is
        reached at a current value x (F_ref(x) vs F_cur(x)) or just below it (F_ref(x-) vs F_cur
        of the previous value). One as-of join finds the last reference value <= x: its running
        count is F_ref(x); F_ref(x-) is that minus the value's own count when it equals x.
    -#}
    with

    reference_counts as (
        select
            feature_id,
            feature_value,
            count(*) as value_count
        from {{ reference_values }}
        group by feature_id, feature_value
    ),

    reference_ecdf as (
        select
            feature_id,
            feature_value,
            value_count,
            sum(value_count) over (
                partition by feature_id
                order by feature_value rows between unbounded preceding and current row
            ) as cumulative_count,
            sum(value_count) over (partition by feature_id) as reference_non_null
        from reference_counts
    ),

    current_counts as (
        select
            feature_id,
            window_start,
            feature_value,
            count(*) as value_count
        from {{ current_values }}
        group by feature_id, window_start, feature_value
    ),

    current_cumulative as (
        select
            feature_id,
            window_start,
            feature_value,
            value_count,
            sum(value_count) over (
                partition by feature_id, window_start
                order by feature_value rows between unbounded preceding and current row
            ) as current_cumulative,
            sum(value_count) over (partition by feature_id, window_start) as current_non_null
        from current_counts
    ),

    matched as (
        select
            c.*,
            coalesce(r.cumulative_count, 0) as reference_at_or_below,
            coalesce(r.cumulative_count, 0)
                - case when r.feature_value = c.feature_value then r.value_count else 0 end as reference_below
        from current_cumulative as c
        asof left join reference_ecdf as r
            on c.feature_id = r.feature_id
            and c.feature_value >= r.feature_value
    ),

    reference_totals as (
        select distinct
            feature_id,
            reference_non_null
        from reference_ecdf
    ),

    final as (
        select
            c.feature_id,
            c.window_start,
            max(greatest(
                abs(1.0 * c.reference_at_or_below / t.reference_non_null
                    - 1.0 * c.current_cumulative / c.current_non_null),
                abs(1.0 * c.reference_below / t.reference_non_null
                    - 1.0 * (c.current_cumulative - c.value_count) / c.current_non_null)
            )) as ks_statistic,
            cast(max(t.reference_non_null) as {{ dbt.type_bigint() }}) as reference_non_null,
            cast(max(c.current_non_null) as {{ dbt.type_bigint() }}) as current_non_null
        from matched as c
        inner join reference_totals as t
            on c.feature_id = t.feature_id
        group by c.feature_id, c.window_start
    )

    select * from final
{% endmacro %}


{% macro ks_strategy(windows_relation) %}
    {#-
        drift.ks_strategy: merge, merge_rows, asof, or auto. auto on DuckDB: asof when a run
        processes more than drift.ks_merge_max_windows windows (the reference is then sorted
        once, not per window), else merge_rows up to drift.ks_row_frame_max_rows current rows
        and merge above (where the row-frame sort spills). Every strategy is exact.
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
        ~ ' where ' ~ modelwatch.incremental_window_filter()) -%}
    {%- set windows = counted.columns[0].values()[0] or 0 -%}
    {%- set rows = counted.columns[1].values()[0] or 0 -%}
    {%- if windows > drift.ks_merge_max_windows -%}
        {{ return('asof') }}
    {%- endif -%}
    {{ return('merge_rows' if rows <= drift.ks_row_frame_max_rows else 'merge') }}
{% endmacro %}
