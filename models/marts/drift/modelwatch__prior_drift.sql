{#-
    Label and prediction prior drift per model and window, for the served population
    (drift.deployment_roles): the positive rate of the window's labels (prior_name 'label') and of
    its predicted labels ('prediction') against the performance baseline's rows (the labeled
    reference, else the first final windows; int_modelwatch__performance_baseline_rows), with
    the pooled two-proportion z-test (scipy.stats.chi2_contingency without correction gives the
    same p-value). The label prior of a window counts the labels that have arrived.
-#}
{%- set double = modelwatch.type_double() -%}

with

baseline_rows as (

    select * from {{ ref('int_modelwatch__performance_baseline_rows') }}

),

served as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where {{ modelwatch.drift_population_filter() }}

),

baseline as (

    select
        model_name,
        count(*) as label_count,
        cast(sum(label) as {{ dbt.type_bigint() }}) as label_positive_count,
        cast(sum(case when score >= {{ modelwatch.decision_threshold_sql('model_name') }} then 1 else 0 end) as {{ dbt.type_bigint() }}) as prediction_positive_count
    from baseline_rows
    group by model_name

),

current_windows as (

    select
        model_name,
        window_start,
        count(label) as label_count,
        cast(sum(label) as {{ dbt.type_bigint() }}) as label_positive_count,
        count(*) as prediction_count,
        cast(sum(predicted_label) as {{ dbt.type_bigint() }}) as prediction_positive_count
    from served
    group by model_name, window_start

),

priors as (

    select
        c.model_name,
        c.window_start,
        'label' as prior_name,
        b.label_count as baseline_count,
        b.label_positive_count as baseline_positive_count,
        c.label_count as current_count,
        c.label_positive_count as current_positive_count
    from current_windows as c
    inner join baseline as b
        on c.model_name = b.model_name
    where c.label_count > 0
    union all
    select
        c.model_name,
        c.window_start,
        'prediction' as prior_name,
        b.label_count as baseline_count,
        b.prediction_positive_count as baseline_positive_count,
        c.prediction_count as current_count,
        c.prediction_positive_count as current_positive_count
    from current_windows as c
    inner join baseline as b
        on c.model_name = b.model_name

),

rates as (

    select
        *,
        cast(baseline_positive_count as {{ double }}) / baseline_count as baseline_rate,
        cast(current_positive_count as {{ double }}) / current_count as current_rate,
        cast(baseline_positive_count + current_positive_count as {{ double }}) / (baseline_count + current_count) as pooled_rate
    from priors

),

tested as (

    select
        *,
        current_rate - baseline_rate as rate_difference,
        -- the pooled standard error; zero when both sides are all 0 or all 1 (no test)
        sqrt(pooled_rate * (1 - pooled_rate) * ({{ modelwatch.double_literal(1) }} / baseline_count + {{ modelwatch.double_literal(1) }} / current_count)) as standard_error
    from rates

),

final as (

    select
        model_name,
        window_start,
        prior_name,
        {{ modelwatch.window_end('window_start') }} as window_end,
        baseline_count,
        baseline_positive_count,
        baseline_rate,
        current_count,
        current_positive_count,
        current_rate,
        rate_difference,
        abs(rate_difference) as abs_rate_difference,
        standard_error,
        case when standard_error > 0 then rate_difference / standard_error end as z_statistic,
        case when standard_error > 0
            then {{ modelwatch.normal_two_sided_p_value_sql('abs(rate_difference) / standard_error') }} end as p_value
    from tested

)

select * from final
