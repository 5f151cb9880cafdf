{#- KS strategy merge_rows: merge with a row frame (uses ks_merge_points from ks_impl_merge.sql). -#}

{% macro ks_statistics_merge_rows(current_values, reference_values) %}
    {{ return(adapter.dispatch('ks_statistics_merge_rows', 'modelwatch')(current_values, reference_values)) }}
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
                {{ modelwatch.double_literal(1) }} * c.reference_cumulative / r.reference_non_null
                - {{ modelwatch.double_literal(1) }} * c.current_cumulative / t.current_non_null
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
