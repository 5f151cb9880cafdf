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
        {%- for q in modelwatch.quantiles('feature_value', fractions) %}
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
    -- an infinite (or NaN) quantile is no edge: infinity is the open end of the outer bins
    -- (reference_bins stores null for it), so +-inf values land in the first or last bin
    where edge is not null and {{ modelwatch.is_finite('edge') }}

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
        q.ks_lower,
        q.ks_upper,
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
    group by q.feature_id, c.model_name, c.feature_name, q.reference_total, q.reference_non_null, q.ks_lower, q.ks_upper

)

select * from final
