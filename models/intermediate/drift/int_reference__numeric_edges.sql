{#-
    Quantile bin edges of every numeric feature, fixed by the reference: the k/B quantiles
    (linear interpolation, as numpy.percentile) of the non-null values, deduplicated and sorted,
    one row per feature with edge_1 .. edge_{B-1} (null-padded after the last distinct edge).
-#}
{%- set bins = modelwatch.get_config().drift.bins -%}

with

reference as (

    select * from {{ ref('stg_reference') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

quantiles as (

    select
        model_name,
        feature_name,
        count(*) as reference_total,
        count(feature_value) as reference_non_null,
        {%- for k in range(1, bins) %}
        {{ modelwatch.percentile_cont('feature_value', k / bins) }} as quantile_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from numeric_values
    group by model_name, feature_name

),

edges_long as (

    {%- for k in range(1, bins) %}
    select model_name, feature_name, quantile_{{ k }} as edge from quantiles
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

distinct_edges as (

    select distinct
        model_name,
        feature_name,
        edge
    from edges_long
    where edge is not null

),

ranked_edges as (

    select
        model_name,
        feature_name,
        edge,
        row_number() over (partition by model_name, feature_name order by edge) as edge_number
    from distinct_edges

),

final as (

    select
        q.model_name,
        q.feature_name,
        q.reference_total,
        q.reference_non_null,
        count(r.edge) as edge_count,
        count(r.edge) + 1 as null_bin_index,
        {%- for k in range(1, bins) %}
        max(case when r.edge_number = {{ k }} then r.edge end) as edge_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from quantiles as q
    left join ranked_edges as r
        on q.model_name = r.model_name and q.feature_name = r.feature_name
    group by q.model_name, q.feature_name, q.reference_total, q.reference_non_null

)

select * from final
