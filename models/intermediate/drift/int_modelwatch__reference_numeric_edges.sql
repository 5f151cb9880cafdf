{#- more DuckDB threads: quantiles and counts, the same in any order (macros/config/threads.sql) -#}
{{ config(
    pre_hook="{{ modelwatch.order_free_threads() }}",
    post_hook="{{ modelwatch.order_free_threads(reset=true) }}",
) }}
{#-
    Quantile bin edges of every numeric feature, fixed by the reference: the k/B quantiles
    (linear interpolation, as numpy.percentile) of the non-null values, deduplicated and sorted,
    one row per feature with edge_1 .. edge_{B-1} (null-padded after the last distinct edge).
    Also ks_lower / ks_upper, the 0.1% and 99.9% quantiles: the range the `buckets` KS strategy
    divides into equal-width buckets (the same sort yields them).
-#}
{%- set bins = modelwatch.get_config().drift.bins -%}
{%- set fractions = [] -%}
{%- for k in range(1, bins) -%}{%- do fractions.append(k / bins) -%}{%- endfor -%}
{%- do fractions.append(0.001) -%}
{%- do fractions.append(0.999) -%}

with

reference as (

    select * from {{ ref('stg_modelwatch__reference') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

quantiles as (

    select
        feature_id,
        count(*) as reference_total,
        count(feature_value) as reference_non_null,
        {%- for q in modelwatch.quantiles('feature_value', fractions, one_buffer=true) %}
        {%- if loop.index < bins %}
        {{ q }} as quantile_{{ loop.index }},
        {%- elif loop.index == bins %}
        {{ q }} as ks_lower,
        {%- else %}
        {{ q }} as ks_upper
        {%- endif %}
        {%- endfor %}
    from numeric_values
    group by feature_id

),

edge_numbers as (

    {%- for k in range(1, bins) %}
    select {{ k }} as k{{ ' union all' if not loop.last }}
    {%- endfor %}

),

edges_long as (

    {#- one row per (feature, k), all columns carried: `quantiles` is read once (Spark inlines a
        CTE at every use, and this exact percentile pass was 68% of its drift job) -#}
    select
        q.feature_id,
        q.reference_total,
        q.reference_non_null,
        q.ks_lower,
        q.ks_upper,
        case k.k
            {%- for k in range(1, bins) %}
            when {{ k }} then q.quantile_{{ k }}
            {%- endfor %}
        end as edge
    from quantiles as q
    cross join edge_numbers as k

),

candidate_edges as (

    -- an infinite (or NaN) quantile is no edge: infinity is the open end of the outer bins
    -- (reference_bins stores null for it), so +-inf values land in the first or last bin
    select
        *,
        coalesce(edge is not null and {{ modelwatch.is_finite('edge') }}, false) as is_edge
    from edges_long

),

ranked_edges as (

    -- equal edges share a number: the distinct edges are numbered 1, 2, ... in ascending order
    select
        *,
        dense_rank() over (
            partition by feature_id
            order by case when is_edge then 0 else 1 end, edge
        ) as edge_number
    from candidate_edges

),

final as (

    select
        r.feature_id,
        c.model_name,
        c.feature_name,
        r.reference_total,
        r.reference_non_null,
        r.ks_lower,
        r.ks_upper,
        count(distinct case when r.is_edge then r.edge end) as edge_count,
        count(distinct case when r.is_edge then r.edge end) + 1 as null_bin_index,
        {%- for k in range(1, bins) %}
        max(case when r.is_edge and r.edge_number = {{ k }} then r.edge end) as edge_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked_edges as r
    inner join catalog as c
        on r.feature_id = c.feature_id
    group by r.feature_id, c.model_name, c.feature_name, r.reference_total, r.reference_non_null, r.ks_lower, r.ks_upper

)

select * from final
-- a fixed row order: the float sums downstream read these rows in it (macros/config/threads.sql)
order by feature_id
