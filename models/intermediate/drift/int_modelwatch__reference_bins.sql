{#- more DuckDB threads: integer counts, the same in any order (macros/config/threads.sql) -#}
{{ config(
    pre_hook="{{ modelwatch.order_free_threads() }}",
    post_hook="{{ modelwatch.order_free_threads(reset=true) }}",
) }}
{#-
    The fixed bins every window is compared on, with the reference's counts.
    Numeric: quantile bins [lower_bound, upper_bound), null bounds meaning -inf / +inf.
    Categorical: the reference's most frequent categories (up to drift.max_categories, each with
    at least drift.min_category_count rows), then __other__ (rare and unseen values).
    Both end with a null bin (is_null_bin), so missing values count in every statistic.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set bins = cfg.drift.bins -%}

with

reference as (

    select * from {{ ref('stg_modelwatch__reference') }}

),

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

edges as (

    select * from {{ ref('int_modelwatch__reference_numeric_edges') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

categorical_values as (

    {{ modelwatch.unpivot_features('reference', 'categorical', with_window=false, is_reference=true) }}

),

numeric_binned as (

    select
        v.feature_id,
        {{ modelwatch.numeric_bin_index('v.feature_value', 'e') }} as bin_index
    from numeric_values as v
    inner join edges as e
        on v.feature_id = e.feature_id

),

numeric_counts as (

    select
        feature_id,
        bin_index,
        count(*) as reference_count
    from numeric_binned
    group by feature_id, bin_index

),

numeric_bins as (

    select
        feature_id,
        model_name,
        feature_name,
        0 as bin_index,
        cast(null as {{ modelwatch.type_double() }}) as lower_bound,
        edge_1 as upper_bound,
        false as is_null_bin,
        reference_total
    from edges
    {%- for k in range(1, bins) %}
    union all
    select
        feature_id,
        model_name,
        feature_name,
        {{ k }} as bin_index,
        edge_{{ k }} as lower_bound,
        {{ 'edge_' ~ (k + 1) if k + 1 < bins else 'cast(null as ' ~ modelwatch.type_double() ~ ')' }} as upper_bound,
        false as is_null_bin,
        reference_total
    from edges
    where edge_count >= {{ k }}
    {%- endfor %}
    union all
    select
        feature_id,
        model_name,
        feature_name,
        null_bin_index as bin_index,
        cast(null as {{ modelwatch.type_double() }}) as lower_bound,
        cast(null as {{ modelwatch.type_double() }}) as upper_bound,
        true as is_null_bin,
        reference_total
    from edges

),

numeric_final as (

    select
        b.model_name,
        b.feature_name,
        b.bin_index,
        'numeric' as feature_type,
        cast(case when b.is_null_bin then '__null__' end as {{ dbt.type_string() }}) as category,
        b.lower_bound,
        b.upper_bound,
        b.is_null_bin,
        coalesce(c.reference_count, 0) as reference_count,
        b.reference_total
    from numeric_bins as b
    left join numeric_counts as c
        on b.feature_id = c.feature_id and b.bin_index = c.bin_index

),

category_counts as (

    select
        feature_id,
        feature_value as category,
        count(*) as reference_count
    from categorical_values
    where feature_value is not null
    group by feature_id, feature_value

),

categorical_totals as (

    select
        feature_id,
        count(*) as reference_total,
        count(*) - count(feature_value) as null_count
    from categorical_values
    group by feature_id

),

ranked_categories as (

    select
        *,
        row_number() over (
            partition by feature_id
            order by reference_count desc, category asc
        ) as category_rank
    from category_counts

),

kept_categories as (

    select *
    from ranked_categories
    where category_rank <= {{ cfg.drift.max_categories }}
        and reference_count >= {{ cfg.drift.min_category_count }}

),

kept_summary as (

    select
        t.feature_id,
        c.model_name,
        c.feature_name,
        t.reference_total,
        t.null_count,
        count(k.category) as kept_count,
        cast(coalesce(sum(k.reference_count), 0) as {{ dbt.type_bigint() }}) as kept_rows
    from categorical_totals as t
    inner join catalog as c
        on t.feature_id = c.feature_id
    left join kept_categories as k
        on t.feature_id = k.feature_id
    group by t.feature_id, c.model_name, c.feature_name, t.reference_total, t.null_count

),

categorical_final as (

    select
        s.model_name,
        s.feature_name,
        k.category_rank - 1 as bin_index,
        'categorical' as feature_type,
        k.category,
        cast(null as {{ modelwatch.type_double() }}) as lower_bound,
        cast(null as {{ modelwatch.type_double() }}) as upper_bound,
        false as is_null_bin,
        k.reference_count,
        s.reference_total
    from kept_categories as k
    inner join kept_summary as s
        on k.feature_id = s.feature_id
    union all
    select
        model_name,
        feature_name,
        kept_count as bin_index,
        'categorical' as feature_type,
        '__other__' as category,
        cast(null as {{ modelwatch.type_double() }}) as lower_bound,
        cast(null as {{ modelwatch.type_double() }}) as upper_bound,
        false as is_null_bin,
        reference_total - null_count - kept_rows as reference_count,
        reference_total
    from kept_summary
    union all
    select
        model_name,
        feature_name,
        kept_count + 1 as bin_index,
        'categorical' as feature_type,
        '__null__' as category,
        cast(null as {{ modelwatch.type_double() }}) as lower_bound,
        cast(null as {{ modelwatch.type_double() }}) as upper_bound,
        true as is_null_bin,
        null_count as reference_count,
        reference_total
    from kept_summary

),

unioned as (

    select * from numeric_final
    union all
    select * from categorical_final

),

final as (

    select
        model_name,
        feature_name,
        bin_index,
        feature_type,
        category,
        lower_bound,
        upper_bound,
        reference_count,
        reference_total,
        {{ modelwatch.double_literal(1) }} * reference_count / nullif(reference_total, 0) as reference_proportion,
        is_null_bin
    from unioned

)

select * from final
-- a fixed row order: the float sums downstream read these rows in it (macros/config/threads.sql)
order by model_name, feature_name, bin_index, category
