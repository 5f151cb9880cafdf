{#-
    The map from score to probability that performance estimation (CBPE) trusts: histogram
    binning on the baseline. performance.estimation_bins quantile bins of the baseline score
    (linear, deduplicated; bin i is [edge_i, edge_i+1)) and each bin's observed positive rate.
    One row per model with edge_1.. and rate_0.. columns; a bin without baseline rows maps a
    score to itself.
-#}
{%- set bins = modelwatch.get_config().performance.estimation_bins -%}
{%- set fractions = [] -%}
{%- for k in range(1, bins) -%}{%- do fractions.append(k / bins) -%}{%- endfor -%}

with

baseline as (

    select * from {{ ref('int_modelwatch__performance_baseline_rows') }}

),

quantiles as (

    select
        model_name,
        count(*) as baseline_count,
        {%- for q in modelwatch.quantiles('score', fractions) %}
        {{ q }} as quantile_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from baseline
    group by model_name

),

edges_long as (

    {%- for k in range(1, bins) %}
    select model_name, quantile_{{ k }} as edge from quantiles
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

ranked_edges as (

    select
        model_name,
        edge,
        row_number() over (partition by model_name order by edge) as edge_number
    from (select distinct model_name, edge from edges_long) as distinct_edges

),

edges as (

    select
        q.model_name,
        q.baseline_count,
        cast(null as {{ dbt.type_int() }}) as null_bin_index,
        {%- for k in range(1, bins) %}
        max(case when r.edge_number = {{ k }} then r.edge end) as edge_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from quantiles as q
    left join ranked_edges as r
        on q.model_name = r.model_name
    group by q.model_name, q.baseline_count

),

binned as (

    select
        b.model_name,
        {{ modelwatch.numeric_bin_index('b.score', 'e', bins - 1) }} as bin_index,
        b.label
    from baseline as b
    inner join edges as e
        on b.model_name = e.model_name

),

rates as (

    select
        model_name,
        bin_index,
        avg({{ modelwatch.double_literal(1) }} * label) as observed_rate
    from binned
    group by model_name, bin_index

),

final as (

    select
        e.*,
        {%- for k in range(bins) %}
        max(case when r.bin_index = {{ k }} then r.observed_rate end) as rate_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from edges as e
    left join rates as r
        on e.model_name = r.model_name
    group by {% for c in ['model_name', 'baseline_count', 'null_bin_index'] %}e.{{ c }}, {% endfor %}{% for k in range(1, bins) %}e.edge_{{ k }}{{ ', ' if not loop.last }}{% endfor %}

)

select * from final
