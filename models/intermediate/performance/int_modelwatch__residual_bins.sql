{#-
    Regression models: fixed bins of the residual (prediction - outcome) on the baseline rows,
    for residual drift. One row per model: edge_1..edge_9 the baseline residual's deciles
    (numpy.percentile, linear); bin k holds residuals in [edge_k, edge_k+1) (bin 0 below edge_1,
    bin 9 from edge_9 up; equal edges leave a bin empty on both sides, contributing 0), with
    the baseline's count per bin.
-#}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set fractions = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] -%}

with

residuals as (

    select
        model_name,
        score - label_value as residual
    from {{ ref('int_modelwatch__performance_baseline_rows') }}
    where {{ modelwatch.model_in('model_name', regression) }} and label_value is not null

),

edges as (

    select
        model_name,
        count(*) as reference_total,
        {%- for q in modelwatch.quantiles('residual', fractions) %}
        {{ q }} as edge_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from residuals
    group by model_name

),

binned as (

    select
        r.model_name,
        {{ modelwatch.residual_bin_index('r.residual', 'e') }} as bin_index
    from residuals as r
    inner join edges as e
        on r.model_name = e.model_name

),

bin_counts as (

    select
        model_name,
        {%- for k in range(10) %}
        count(case when bin_index = {{ k }} then 1 end) as reference_count_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from binned
    group by model_name

),

final as (

    select
        e.*,
        {%- for k in range(10) %}
        c.reference_count_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from edges as e
    inner join bin_counts as c
        on e.model_name = c.model_name

)

select * from final
