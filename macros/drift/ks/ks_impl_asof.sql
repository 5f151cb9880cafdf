{#- KS strategy asof: the reference sorted once, every current value looked up in it (DuckDB). -#}

{% macro ks_statistics_asof(current_values, reference_values) %}
    {{ return(adapter.dispatch('ks_statistics_asof', 'modelwatch')(current_values, reference_values)) }}
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
                abs({{ modelwatch.double_literal(1) }} * c.reference_at_or_below / t.reference_non_null
                    - {{ modelwatch.double_literal(1) }} * c.current_cumulative / c.current_non_null),
                abs({{ modelwatch.double_literal(1) }} * c.reference_below / t.reference_non_null
                    - {{ modelwatch.double_literal(1) }} * (c.current_cumulative - c.value_count) / c.current_non_null)
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
