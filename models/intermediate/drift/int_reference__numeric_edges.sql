{#-
    Quantile bin edges of every numeric feature, fixed by the reference: the k/B quantiles
    (linear interpolation, as numpy.percentile) of the non-null values, deduplicated and sorted,
    one row per feature with edge_1 .. edge_{B-1} (null-padded after the last distinct edge).
-#}
{%- set bins = modelwatch.get_config().drift.bins -%}
{%- set fractions = [] -%}
{%- for k in range(1, bins) -%}{%- do fractions.append(k / bins) -%}{%- endfor -%}

with

reference as (

    select * from {{ ref('stg_reference') }}

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
        {%- for q in modelwatch.quantiles('feature_value', fractions) %}
        {{ q }} as quantile_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from numeric_values
    group by feature_id

),

edges_long as (

    {%- for k in range(1, bins) %}
    select feature_id, quantile_{{ k }} as edge from quantiles
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

distinct_edges as (

    select distinct
        feature_id,
        edge
    from edges_long
    where edge is not null

),

ranked_edges as (

    select
        feature_id,
        edge,
        row_number() over (partition by feature_id order by edge) as edge_number
    from distinct_edges

),

final as (

    select
        q.feature_id,
        c.model_name,
        c.feature_name,
        q.reference_total,
        q.reference_non_null,
        count(r.edge) as edge_count,
        count(r.edge) + 1 as null_bin_index,
        {%- for k in range(1, bins) %}
        max(case when r.edge_number = {{ k }} then r.edge end) as edge_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from quantiles as q
    inner join catalog as c
        on q.feature_id = c.feature_id
    left join ranked_edges as r
        on q.feature_id = r.feature_id
    group by q.feature_id, c.model_name, c.feature_name, q.reference_total, q.reference_non_null

)

select * from final
