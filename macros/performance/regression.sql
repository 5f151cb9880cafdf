{#-
    Regression metrics, each defined as its scikit-learn reference, over the labeled rows of a
    relation with `score` (the prediction), `label_value` (the outcome) and `is_labeled`:
    mae = mean_absolute_error, mse = mean_squared_error, rmse = sqrt(mse), mape =
    mean_absolute_percentage_error (null when a label of the group is 0, where sklearn divides
    by machine epsilon), r2 = r2_score (null below two labels; 1 / 0 for constant labels as
    sklearn's force_finite), mean_error = mean(prediction - label) (> 0: over-predicting).
    Error spreads (population sd of error, |error| and error^2) feed the checks' noise floors.
-#}

{% macro regression_quantile_fractions() %}
    {{ return([0.05, 0.25, 0.5, 0.75, 0.95]) }}
{% endmacro %}


{% macro regression_metric_ctes(source, group_columns, prefix='rg_') %}
    {#-
        CTEs ending in `{prefix}metrics`: one row per group of `source` (all rows, labeled or
        not; group columns not null) with the metrics above, label quantiles over labeled rows and
        prediction quantiles over all rows (numpy.percentile, linear), both p05 p25 p50 p75 p95.
    -#}
    {%- set keys = group_columns | join(', ') -%}
    {%- set double = modelwatch.type_double() -%}
    {%- set fractions = modelwatch.regression_quantile_fractions() -%}
    {{ prefix }}rows as (

        select
            {{ keys }},
            score,
            case when is_labeled then label_value end as label_value,
            case when is_labeled then score - label_value end as error,
            avg(case when is_labeled then label_value end) over (partition by {{ keys }}) as label_mean
        from {{ source }}

    ),

    {{ prefix }}summary as (

        select
            {{ keys }},
            count(label_value) as regression_labeled_count,
            avg(abs(error)) as mae,
            avg(error * error) as mse,
            avg(error) as mean_error,
            stddev_pop(error) as error_sd,
            stddev_pop(abs(error)) as abs_error_sd,
            stddev_pop(error * error) as squared_error_sd,
            sum(error * error) as residual_sum_of_squares,
            sum((label_value - label_mean) * (label_value - label_mean)) as total_sum_of_squares,
            min(label_value) as label_min,
            max(label_value) as label_max,
            sum(case when label_value = 0 then 1 else 0 end) as zero_label_count,
            avg(abs(error) / nullif(abs(label_value), 0)) as nonzero_mape,
            {%- for q in modelwatch.quantiles('label_value', fractions) %}
            {{ q }} as label_p{{ '%02d' % ((fractions[loop.index0] * 100) | round | int) }},
            {%- endfor %}
            {%- for q in modelwatch.quantiles('score', fractions) %}
            {{ q }} as prediction_p{{ '%02d' % ((fractions[loop.index0] * 100) | round | int) }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ prefix }}rows
        group by {{ keys }}

    ),

    {{ prefix }}metrics as (

        select
            *,
            sqrt(mse) as rmse,
            case when zero_label_count = 0 then nonzero_mape end as mape,
            case
                when regression_labeled_count < 2 then null
                -- constant labels: sklearn's force_finite gives 1 for a perfect fit, else 0
                when label_min = label_max then
                    case when residual_sum_of_squares = 0 then cast(1 as {{ double }}) else cast(0 as {{ double }}) end
                else 1 - residual_sum_of_squares / total_sum_of_squares
            end as r2
        from {{ prefix }}summary

    )
{%- endmacro %}


{% macro residual_bin_index(residual, edges_alias) %}
    {#- The residual's bin among int_modelwatch__residual_bins' deciles: how many edges are <= it. -#}
    ({% for k in range(1, 10) %}case when {{ residual }} >= {{ edges_alias }}.edge_{{ k }} then 1 else 0 end{{ ' + ' if not loop.last }}{% endfor %})
{%- endmacro %}


{% macro residual_drift_ctes(source, group_columns, prefix='rd_') %}
    {#-
        CTEs ending in `{prefix}residual_drift`: per group of `source`'s labeled regression rows,
        residual_psi = sum over the baseline's 10 residual bins of (c - r) ln(c / r) (zero
        shares replaced by drift.epsilon): the residual's drift on fixed reference bins.
    -#}
    {%- set keys = group_columns | join(', ') -%}
    {%- set double = modelwatch.type_double() -%}
    {{ prefix }}binned as (

        select
            {%- for c in group_columns %}
            s.{{ c }},
            {%- endfor %}
            {{ modelwatch.residual_bin_index('s.score - s.label_value', 'e') }} as bin_index
        from {{ source }} as s
        inner join {{ ref('int_modelwatch__residual_bins') }} as e
            on s.model_name = e.model_name
        where s.is_labeled and s.label_value is not null

    ),

    {{ prefix }}counts as (

        select
            {{ keys }},
            bin_index,
            count(*) as current_count
        from {{ prefix }}binned
        group by {{ keys }}, bin_index

    ),

    {{ prefix }}grid as (

        select
            {%- for c in group_columns %}
            g.{{ c }},
            {%- endfor %}
            g.current_total,
            b.bin_index,
            e.reference_total,
            case b.bin_index
                {%- for k in range(10) %}
                when {{ k }} then e.reference_count_{{ k }}
                {%- endfor %}
            end as reference_count
        from (
            select {{ keys }}, sum(current_count) as current_total
            from {{ prefix }}counts
            group by {{ keys }}
        ) as g
        cross join (values {% for k in range(10) %}({{ k }}){{ ', ' if not loop.last }}{% endfor %}) as b (bin_index)
        inner join {{ ref('int_modelwatch__residual_bins') }} as e
            on g.model_name = e.model_name

    ),

    {{ prefix }}residual_drift as (

        select
            {%- for c in group_columns %}
            g.{{ c }},
            {%- endfor %}
            sum({{ modelwatch.psi_contribution(
                'cast(coalesce(c.current_count, 0) as ' ~ double ~ ') / g.current_total',
                'cast(g.reference_count as ' ~ double ~ ') / g.reference_total') }}) as residual_psi
        from {{ prefix }}grid as g
        left join {{ prefix }}counts as c
            on {% for col in group_columns %}g.{{ col }} = c.{{ col }} and {% endfor %}g.bin_index = c.bin_index
        group by {% for col in group_columns %}g.{{ col }}{{ ', ' if not loop.last }}{% endfor %}

    )
{%- endmacro %}
