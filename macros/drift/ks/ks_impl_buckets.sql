{#- KS strategy buckets: count both samples on a fixed grid, sort only the candidate buckets. Over 300 lines: one statement with its exactness proof, which reads best unbroken. -#}

{% macro ks_bucket(value, origin, scale) %}
    {#-
        A monotone bucket of a value: floor((value - origin) * scale), a double (+-inf for
        +-inf values). origin is finite and scale finite and > 0, and subtraction,
        multiplication and floor are each monotone under IEEE rounding, so x <= y implies
        bucket(x) <= bucket(y). Values outside the reference's 0.1%..99.9% range get buckets
        below 0 or at/above the bucket count (few rows, spread thin).
    -#}
    floor(({{ value }} - {{ origin }}) * {{ scale }})
{%- endmacro %}


{% macro ks_statistics_buckets(current_values, reference_values, bounds, buckets) %}
    {{ return(adapter.dispatch('ks_statistics_buckets', 'modelwatch')(current_values, reference_values, bounds, buckets)) }}
{% endmacro %}


{% macro default__ks_statistics_buckets(current_values, reference_values, bounds, buckets) %}
    {#-
        Exact KS without sorting every value. Both samples are counted per bucket (a hash
        aggregate, like binning); the cumulative counts at bucket ends are exact values of
        |F_ref - F_cur| (nothing lies between a bucket's last value and the next bucket), so
        their maximum L is a lower bound of the statistic. Inside a bucket both CDFs stay between
        their values at the bucket's start and end, so no point in it can exceed
        U = max(F_ref(end) - F_cur(start), F_cur(end) - F_ref(start)). Only buckets with U > L
        (a few, around the maximum; every bucket of a value with many ties) are evaluated value
        by value, with the counts below the bucket as offsets; the statistic is the larger of L
        and that. Equal to scipy.stats.ks_2samp up to floating-point rounding.
          bounds: (feature_id, ks_lower, ks_upper) per feature, fixed by the reference.
    -#}
    {%- set bucket = modelwatch.ks_bucket('v.feature_value', 'p.ks_origin', 'p.ks_scale') -%}
    with

    ks_ranges as (
        select
            feature_id,
            case
                when not (ks_upper > ks_lower) or ks_upper is null or ks_lower is null then 0
                -- (a CASE, so the division below never sees an empty range)
                when {{ modelwatch.is_finite('ks_lower') }} and {{ modelwatch.is_finite('ks_upper') }}
                    and {{ modelwatch.is_finite('ks_upper - ks_lower') }}
                    and {{ modelwatch.is_finite(buckets ~ ' / (ks_upper - ks_lower)') }}
                    then 1
                else 0
            end as has_range,
            ks_lower,
            ks_upper
        from {{ bounds }}
    ),

    ks_scales as (
        -- `buckets` equal-width buckets over [ks_lower, ks_upper]; unit buckets from 0 when that
        -- range is empty or not finite
        select
            feature_id,
            case when has_range = 1 then ks_lower else {{ modelwatch.double_literal(0) }} end as ks_origin,
            case when has_range = 1 then {{ buckets }} / (ks_upper - ks_lower) else {{ modelwatch.double_literal(1) }} end as ks_scale
        from ks_ranges
    ),

    reference_buckets as (
        select
            feature_id,
            bucket,
            count(*) as reference_count
        from (
            select
                v.feature_id,
                {{ bucket }} as bucket
            from {{ reference_values }} as v
            inner join ks_scales as p
                on v.feature_id = p.feature_id
        ) as bucketed
        group by feature_id, bucket
    ),

    current_buckets as (
        select
            feature_id,
            window_start,
            bucket,
            count(*) as current_count
        from (
            select
                v.feature_id,
                v.window_start,
                {{ bucket }} as bucket
            from {{ current_values }} as v
            inner join ks_scales as p
                on v.feature_id = p.feature_id
        ) as bucketed
        group by feature_id, window_start, bucket
    ),

    bucket_windows as (
        select distinct
            feature_id,
            window_start
        from current_buckets
    ),

    bucket_grid as (
        select
            feature_id,
            window_start,
            bucket,
            sum(reference_count) as reference_count,
            sum(current_count) as current_count
        from (
            select
                r.feature_id,
                w.window_start,
                r.bucket,
                r.reference_count,
                0 as current_count
            from reference_buckets as r
            inner join bucket_windows as w
                on r.feature_id = w.feature_id
            union all
            select
                feature_id,
                window_start,
                bucket,
                0 as reference_count,
                current_count
            from current_buckets
        ) as unioned
        group by feature_id, window_start, bucket
    ),

    bucket_cumulative as (
        select
            feature_id,
            window_start,
            bucket,
            reference_count,
            current_count,
            sum(reference_count) over ordered as reference_through,
            sum(current_count) over ordered as current_through,
            sum(reference_count) over (partition by feature_id, window_start) as reference_non_null,
            sum(current_count) over (partition by feature_id, window_start) as current_non_null
        from bucket_grid
        window ordered as (
            partition by feature_id, window_start
            order by bucket
            rows between unbounded preceding and current row
        )
    ),

    bucket_bounds as (
        select
            feature_id,
            window_start,
            bucket,
            reference_through - reference_count as reference_below,
            current_through - current_count as current_below,
            reference_non_null,
            current_non_null,
            abs({{ modelwatch.double_literal(1) }} * reference_through / reference_non_null - {{ modelwatch.double_literal(1) }} * current_through / current_non_null) as at_end,
            greatest(
                {{ modelwatch.double_literal(1) }} * reference_through / reference_non_null - {{ modelwatch.double_literal(1) }} * (current_through - current_count) / current_non_null,
                {{ modelwatch.double_literal(1) }} * current_through / current_non_null - {{ modelwatch.double_literal(1) }} * (reference_through - reference_count) / reference_non_null
            ) as upper_bound
        from bucket_cumulative
        where reference_non_null > 0 and current_non_null > 0
    ),

    lower_bounds as (
        select
            feature_id,
            window_start,
            max(at_end) as ks_lower_bound,
            max(reference_non_null) as reference_non_null,
            max(current_non_null) as current_non_null
        from bucket_bounds
        group by feature_id, window_start
    ),

    candidate_buckets as (
        -- (the slack only admits more buckets: rounding cannot drop one that holds the maximum)
        select
            b.feature_id,
            b.window_start,
            b.bucket,
            b.reference_below,
            b.current_below,
            b.reference_non_null,
            b.current_non_null
        from bucket_bounds as b
        inner join lower_bounds as l
            on b.feature_id = l.feature_id and b.window_start = l.window_start
        where b.upper_bound > l.ks_lower_bound - 1e-12
    ),

    candidate_reference as (
        select
            b.feature_id,
            b.bucket,
            b.feature_value
        from (
            select
                v.feature_id,
                {{ bucket }} as bucket,
                v.feature_value
            from {{ reference_values }} as v
            inner join ks_scales as p
                on v.feature_id = p.feature_id
        ) as b
        where exists (
            select 1
            from candidate_buckets as c
            where c.feature_id = b.feature_id and c.bucket = b.bucket
        )
    ),

    candidate_values as (
        select
            feature_id,
            window_start,
            bucket,
            feature_value,
            sum(is_reference) as reference_count,
            sum(1 - is_reference) as current_count
        from (
            select
                b.feature_id,
                b.window_start,
                b.bucket,
                b.feature_value,
                0 as is_reference
            from (
                select
                    v.feature_id,
                    v.window_start,
                    {{ bucket }} as bucket,
                    v.feature_value
                from {{ current_values }} as v
                inner join ks_scales as p
                    on v.feature_id = p.feature_id
            ) as b
            where exists (
                select 1
                from candidate_buckets as c
                where c.feature_id = b.feature_id and c.window_start = b.window_start and c.bucket = b.bucket
            )
            union all
            select
                c.feature_id,
                c.window_start,
                c.bucket,
                r.feature_value,
                1 as is_reference
            from candidate_reference as r
            inner join candidate_buckets as c
                on r.feature_id = c.feature_id and r.bucket = c.bucket
        ) as tagged
        group by feature_id, window_start, bucket, feature_value
    ),

    candidate_running as (
        select
            v.feature_id,
            v.window_start,
            c.reference_below + sum(v.reference_count) over ordered as reference_through,
            c.current_below + sum(v.current_count) over ordered as current_through,
            c.reference_non_null,
            c.current_non_null
        from candidate_values as v
        inner join candidate_buckets as c
            on v.feature_id = c.feature_id and v.window_start = c.window_start and v.bucket = c.bucket
        window ordered as (
            partition by v.feature_id, v.window_start, v.bucket
            order by v.feature_value
            rows between unbounded preceding and current row
        )
    ),

    candidate_maxima as (
        select
            feature_id,
            window_start,
            max(abs({{ modelwatch.double_literal(1) }} * reference_through / reference_non_null - {{ modelwatch.double_literal(1) }} * current_through / current_non_null)) as ks_candidate
        from candidate_running
        group by feature_id, window_start
    ),

    final as (
        select
            l.feature_id,
            l.window_start,
            case
                when m.ks_candidate > l.ks_lower_bound then m.ks_candidate
                else l.ks_lower_bound
            end as ks_statistic,
            cast(l.reference_non_null as {{ dbt.type_bigint() }}) as reference_non_null,
            cast(l.current_non_null as {{ dbt.type_bigint() }}) as current_non_null
        from lower_bounds as l
        left join candidate_maxima as m
            on l.feature_id = m.feature_id and l.window_start = m.window_start
    )

    select * from final
{% endmacro %}


{% macro ks_session_settings(reset=false) %}
    {{ return(adapter.dispatch('ks_session_settings', 'modelwatch')(reset)) }}
{% endmacro %}

{% macro default__ks_session_settings(reset) %}{% endmacro %}

{% macro duckdb__ks_session_settings(reset) %}
    {#-
        The buckets strategy semi-joins every value with a few thousand candidate buckets; DuckDB
        misjudges their size and would build its hash table on the values (measured 2x slower
        at 1M rows). Keep the written sides for this model only.
    -#}
    {%- if reset -%}
    reset disabled_optimizers
    {%- else -%}
    set disabled_optimizers = 'build_side_probe_side'
    {%- endif -%}
{% endmacro %}
