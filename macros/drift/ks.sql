{% macro ks_statistics(current_counts, reference_ecdf) %}
    {{ return(adapter.dispatch('ks_statistics', 'modelwatch')(current_counts, reference_ecdf)) }}
{% endmacro %}

{#-
    Two-sample Kolmogorov-Smirnov statistic, exactly scipy.stats.ks_2samp(...).statistic, from
    distinct values with counts:
      current_counts (model_name, window_start, feature_name, feature_value, value_count)
      reference_ecdf (model_name, feature_name, feature_value, value_count, cumulative_count,
                      non_null_count)
    Returns (model_name, window_start, feature_name, ks_statistic, reference_non_null,
    current_non_null).
-#}

{% macro default__ks_statistics(current_counts, reference_ecdf) %}
    {#- Portable form: evaluate both empirical CDFs at every distinct value of either sample. -#}
    with

    current_totals as (
        select
            model_name,
            window_start,
            feature_name,
            cast(sum(value_count) as {{ dbt.type_bigint() }}) as current_non_null
        from {{ current_counts }}
        group by model_name, window_start, feature_name
    ),

    reference_totals as (
        select distinct
            model_name,
            feature_name,
            non_null_count as reference_non_null
        from {{ reference_ecdf }}
    ),

    points as (
        select
            model_name,
            window_start,
            feature_name,
            feature_value,
            value_count as current_count,
            0 as reference_count
        from {{ current_counts }}
        union all
        select
            r.model_name,
            t.window_start,
            r.feature_name,
            r.feature_value,
            0 as current_count,
            r.value_count as reference_count
        from {{ reference_ecdf }} as r
        inner join current_totals as t
            on r.model_name = t.model_name and r.feature_name = t.feature_name
    ),

    per_value as (
        select
            model_name,
            window_start,
            feature_name,
            feature_value,
            sum(current_count) as current_count,
            sum(reference_count) as reference_count
        from points
        group by model_name, window_start, feature_name, feature_value
    ),

    cumulative as (
        select
            model_name,
            window_start,
            feature_name,
            sum(current_count) over (
                partition by model_name, window_start, feature_name
                order by feature_value rows between unbounded preceding and current row
            ) as current_cumulative,
            sum(reference_count) over (
                partition by model_name, window_start, feature_name
                order by feature_value rows between unbounded preceding and current row
            ) as reference_cumulative
        from per_value
    ),

    final as (
        select
            c.model_name,
            c.window_start,
            c.feature_name,
            max(abs(
                1.0 * c.reference_cumulative / r.reference_non_null
                - 1.0 * c.current_cumulative / t.current_non_null
            )) as ks_statistic,
            max(r.reference_non_null) as reference_non_null,
            max(t.current_non_null) as current_non_null
        from cumulative as c
        inner join current_totals as t
            on c.model_name = t.model_name and c.window_start = t.window_start and c.feature_name = t.feature_name
        inner join reference_totals as r
            on c.model_name = r.model_name and c.feature_name = r.feature_name
        group by c.model_name, c.window_start, c.feature_name
    )

    select * from final
{% endmacro %}


{% macro duckdb__ks_statistics(current_counts, reference_ecdf) %}
    {#-
        Same statistic without re-sorting the reference for every window. Between two consecutive
        current values F_cur is flat and F_ref rises, so the supremum is reached at a current value
        x (F_ref(x) vs F_cur(x)) or just below it (F_ref(x-) vs F_cur of the previous value).
        Two as-of joins find F_ref(x) and F_ref(x-) in the sorted reference.
    -#}
    with

    current_cumulative as (
        select
            model_name,
            window_start,
            feature_name,
            feature_value,
            value_count,
            sum(value_count) over (
                partition by model_name, window_start, feature_name
                order by feature_value rows between unbounded preceding and current row
            ) as current_cumulative,
            cast(sum(value_count) over (partition by model_name, window_start, feature_name) as {{ dbt.type_bigint() }}) as current_non_null
        from {{ current_counts }}
    ),

    at_or_below as (
        select
            c.*,
            coalesce(r.cumulative_count, 0) as reference_at_or_below
        from current_cumulative as c
        asof left join {{ reference_ecdf }} as r
            on c.model_name = r.model_name
            and c.feature_name = r.feature_name
            and c.feature_value >= r.feature_value
    ),

    strictly_below as (
        select
            c.*,
            coalesce(r.cumulative_count, 0) as reference_below
        from at_or_below as c
        asof left join {{ reference_ecdf }} as r
            on c.model_name = r.model_name
            and c.feature_name = r.feature_name
            and c.feature_value > r.feature_value
    ),

    reference_totals as (
        select distinct
            model_name,
            feature_name,
            non_null_count as reference_non_null
        from {{ reference_ecdf }}
    ),

    final as (
        select
            c.model_name,
            c.window_start,
            c.feature_name,
            max(greatest(
                abs(1.0 * c.reference_at_or_below / t.reference_non_null
                    - 1.0 * c.current_cumulative / c.current_non_null),
                abs(1.0 * c.reference_below / t.reference_non_null
                    - 1.0 * (c.current_cumulative - c.value_count) / c.current_non_null)
            )) as ks_statistic,
            max(t.reference_non_null) as reference_non_null,
            max(c.current_non_null) as current_non_null
        from strictly_below as c
        inner join reference_totals as t
            on c.model_name = t.model_name and c.feature_name = t.feature_name
        group by c.model_name, c.window_start, c.feature_name
    )

    select * from final
{% endmacro %}
