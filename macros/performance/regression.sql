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
