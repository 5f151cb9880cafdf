{#- KS strategy merge (and the CTEs merge_rows shares): sort each window's values with the reference's. -#}

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


{% macro ks_statistics_merge(current_values, reference_values) %}
    {{ return(adapter.dispatch('ks_statistics_merge', 'modelwatch')(current_values, reference_values)) }}
{% endmacro %}


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
        group by c.feature_id, c.window_start
    )

    select * from final
{% endmacro %}
