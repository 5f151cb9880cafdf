{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Per model, window, attribute and group: the rates fairlearn.metrics computes per group
    (selection_rate, true_positive_rate, false_positive_rate, precision) with Wilson intervals,
    ROC AUC and ECE, and whether the group is large enough (fairness.min_group_size) to be
    compared. Overall rows have attribute_name = group_value = '__all__'. Incremental like
    model_performance: a window is recomputed while not final, inside the lookback, or when its
    labels change.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set groups = ['model_name', 'window_start', 'attribute_name', 'group_value'] -%}

{%- set to_process = modelwatch.label_windows(ref('int_modelwatch__fairness_window_status'), keys=['model_name', 'window_start']) %}
with

window_status as (

    select * from {{ ref('int_modelwatch__fairness_window_status') }}

),

windows_to_process as (

    {{ to_process.sql }}

),

attribute_rows as (

    select
        r.*,
        {{ modelwatch.calibration_bin_index('r.score') }} as calibration_bin
    from {{ ref('int_modelwatch__fairness_attribute_rows') }} as r
    inner join windows_to_process as w
        on r.model_name = w.model_name
        and r.window_start = w.window_start
    {%- if to_process.windows is not none %}
    where {{ modelwatch.in_windows_predicate('r.window_start', to_process.windows) }}
    {%- endif %}

),

summary as (

    select
        {{ groups | join(', ') }},
        count(*) as prediction_count,
        count(label) as labeled_count,
        sum(predicted_label) as selected_count,
        coalesce(sum(label), 0) as positive_count,
        sum(case when label = 0 then 1 else 0 end) as negative_count,
        sum(case when label = 1 and predicted_label = 1 then 1 else 0 end) as true_positives,
        sum(case when label = 0 and predicted_label = 1 then 1 else 0 end) as false_positives
    from attribute_rows
    group by {{ groups | join(', ') }}

),

{{ modelwatch.roc_auc_ctes('attribute_rows', groups, [
    ('group', 'case when label = 1 then 1 else 0 end', 'case when label = 0 then 1 else 0 end'),
]) }},

{{ modelwatch.ece_ctes('attribute_rows', groups, with_lower=true) }},

final as (

    select
        s.model_name,
        s.window_start,
        s.attribute_name,
        s.group_value,
        w.window_end,
        cast(s.prediction_count as {{ dbt.type_bigint() }}) as prediction_count,
        cast(s.labeled_count as {{ dbt.type_bigint() }}) as labeled_count,
        cast(s.selected_count as {{ dbt.type_bigint() }}) as selected_count,
        cast(s.positive_count as {{ dbt.type_bigint() }}) as positive_count,
        cast(s.negative_count as {{ dbt.type_bigint() }}) as negative_count,
        cast(s.true_positives as {{ dbt.type_bigint() }}) as true_positives,
        cast(s.false_positives as {{ dbt.type_bigint() }}) as false_positives,
        {{ modelwatch.double_literal(1) }} * s.selected_count / s.prediction_count as selection_rate,
        {{ modelwatch.wilson_bound('s.selected_count', 's.prediction_count', 'lower') }} as selection_rate_lower,
        {{ modelwatch.wilson_bound('s.selected_count', 's.prediction_count', 'upper') }} as selection_rate_upper,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.true_positives', 's.positive_count') }} as true_positive_rate,
        {{ modelwatch.wilson_bound('s.true_positives', 's.positive_count', 'lower') }} as true_positive_rate_lower,
        {{ modelwatch.wilson_bound('s.true_positives', 's.positive_count', 'upper') }} as true_positive_rate_upper,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.false_positives', 's.negative_count') }} as false_positive_rate,
        {{ modelwatch.wilson_bound('s.false_positives', 's.negative_count', 'lower') }} as false_positive_rate_lower,
        {{ modelwatch.wilson_bound('s.false_positives', 's.negative_count', 'upper') }} as false_positive_rate_upper,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.true_positives', 's.true_positives + s.false_positives') }} as positive_predictive_value,
        a.group_auc as roc_auc,
        e.ece,
        e.ece_lower,
        s.prediction_count >= {{ cfg.fairness.min_group_size }} as is_sufficient,
        s.labeled_count >= {{ cfg.fairness.min_labeled_count }} as has_enough_labels,
        cast(w.label_rows as {{ dbt.type_bigint() }}) as label_rows,
        w.is_final,
        w.last_labeled_at
    from summary as s
    inner join window_status as w
        on s.model_name = w.model_name
        and s.window_start = w.window_start
    left join roc_auc as a
        on {% for c in groups %}s.{{ c }} = a.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join ece as e
        on {% for c in groups %}s.{{ c }} = e.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
