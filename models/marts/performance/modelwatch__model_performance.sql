{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['model_name', 'model_version', 'window_start'],
    on_schema_change='fail',
) }}
{#-
    Label-joined performance per model version and window, overall (slice '__all__') and for
    every configured slice column, with the metrics sklearn would give on the window's labeled
    rows, label coverage and lag, and confidence-based estimates (CBPE) over all the window's
    predictions from the baseline's calibration map. Recomputed while a window is not final and
    whenever its labels change.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set groups = ['model_name', 'model_version', 'window_start', 'slice_key', 'slice_value'] -%}

with

windows_to_process as (

    {{ modelwatch.performance_windows_to_process(ref('int_modelwatch__performance_window_status')) }}

),

window_status as (

    select s.*
    from {{ ref('int_modelwatch__performance_window_status') }} as s
    inner join windows_to_process as w
        on s.model_name = w.model_name
        and s.model_version = w.model_version
        and s.window_start = w.window_start

),

labeled as (

    select p.*
    from {{ ref('int_modelwatch__predictions_labeled') }} as p
    inner join windows_to_process as w
        on p.model_name = w.model_name
        and p.model_version = w.model_version
        and p.window_start = w.window_start

),

calibration_map as (

    select * from {{ ref('int_modelwatch__performance_calibration_map') }}

),

baseline as (

    select * from {{ ref('modelwatch__performance_baseline') }}

),

estimated as (

    select
        l.*,
        {{ modelwatch.calibrated_score_sql('l.score', 'm') }} as calibrated_score,
        {{ modelwatch.calibration_bin_index('l.score') }} as calibration_bin
    from labeled as l
    left join calibration_map as m
        on l.model_name = m.model_name

),

sliced as (

    select
        model_name,
        model_version,
        window_start,
        cast('__all__' as {{ dbt.type_string() }}) as slice_key,
        cast('__all__' as {{ dbt.type_string() }}) as slice_value,
        score,
        predicted_label,
        label,
        calibrated_score,
        calibration_bin,
        label_lag_days
    from estimated
    {%- for slice in modelwatch.feature_names('slices') %}
    {%- set slice_models = [] -%}
    {%- for model in cfg.models if slice in model.slices -%}{%- do slice_models.append(model.name) -%}{%- endfor %}
    union all
    select
        model_name,
        model_version,
        window_start,
        cast({{ modelwatch.sql_string(slice) }} as {{ dbt.type_string() }}) as slice_key,
        coalesce(cast({{ modelwatch.carried_column(slice) }} as {{ dbt.type_string() }}), '__null__') as slice_value,
        score,
        predicted_label,
        label,
        calibrated_score,
        calibration_bin,
        label_lag_days
    from estimated
    where model_name in {{ modelwatch.string_list(slice_models) }}
    {%- endfor %}

),

summary as (

    select
        {{ groups | join(', ') }},
        count(*) as prediction_count,
        count(label) as labeled_count,
        sum(label) as positive_count,
        avg(1.0 * predicted_label) as predicted_positive_rate,
        sum(case when label = 1 and predicted_label = 1 then 1 else 0 end) as true_positives,
        sum(case when label = 0 and predicted_label = 1 then 1 else 0 end) as false_positives,
        sum(case when label = 0 and predicted_label = 0 then 1 else 0 end) as true_negatives,
        sum(case when label = 1 and predicted_label = 0 then 1 else 0 end) as false_negatives,
        avg({{ modelwatch.log_loss_term('score', 'label') }}) as log_loss,
        avg(case when label is not null then (score - label) * (score - label) end) as brier_score,
        var_samp(case when label is not null then (score - label) * (score - label) end) as brier_term_variance,
        {%- for q in modelwatch.quantiles('label_lag_days', [0.5, 0.9]) %}
        {{ q }} as label_lag_p{{ [50, 90][loop.index0] }}_days,
        {%- endfor %}
        max(label_lag_days) as label_lag_max_days,
        count(calibrated_score) as calibrated_count,
        sum(case when predicted_label = 1 then calibrated_score else 0 end) as expected_true_positives,
        sum(case when predicted_label = 1 then 1 - calibrated_score else 0 end) as expected_false_positives,
        sum(case when predicted_label = 0 then 1 - calibrated_score else 0 end) as expected_true_negatives,
        sum(case when predicted_label = 0 then calibrated_score else 0 end) as expected_false_negatives
    from sliced
    group by {{ groups | join(', ') }}

),

{{ modelwatch.roc_auc_ctes('sliced', groups, [
    ('realized', 'case when label = 1 then 1 else 0 end', 'case when label = 0 then 1 else 0 end'),
    ('estimated', 'calibrated_score', '1 - calibrated_score'),
]) }},

{{ modelwatch.ece_ctes('sliced', groups, with_noise=true) }},

metrics as (

    select
        s.*,
        a.realized_auc as roc_auc,
        a.estimated_auc as estimated_roc_auc,
        e.ece,
        e.ece_noise_mean,
        e.ece_noise_sd,
        {{ modelwatch.safe_divide('1.0 * s.true_positives', 's.true_positives + s.false_positives') }} as precision_value,
        {{ modelwatch.safe_divide('1.0 * s.true_positives', 's.true_positives + s.false_negatives') }} as recall_value,
        {{ modelwatch.safe_divide('2.0 * s.true_positives', '2 * s.true_positives + s.false_positives + s.false_negatives') }} as f1_value,
        {{ modelwatch.safe_divide('1.0 * (s.true_positives + s.true_negatives)', 's.labeled_count') }} as accuracy_value
    from summary as s
    left join roc_auc as a
        on {% for c in groups %}s.{{ c }} = a.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join ece as e
        on {% for c in groups %}s.{{ c }} = e.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}

),

final as (

    select
        m.model_name,
        m.model_version,
        m.window_start,
        m.slice_key,
        m.slice_value,
        w.window_end,
        cast(m.prediction_count as {{ dbt.type_bigint() }}) as prediction_count,
        cast(m.labeled_count as {{ dbt.type_bigint() }}) as labeled_count,
        1.0 * m.labeled_count / m.prediction_count as label_coverage,
        m.label_lag_p50_days,
        m.label_lag_p90_days,
        m.label_lag_max_days,
        {{ modelwatch.safe_divide('1.0 * m.positive_count', 'm.labeled_count') }} as positive_rate,
        m.predicted_positive_rate,
        m.roc_auc,
        m.log_loss,
        m.brier_score,
        m.accuracy_value as accuracy,
        m.precision_value as {{ adapter.quote('precision') }},
        m.recall_value as recall,
        m.f1_value as f1,
        cast(m.true_positives as {{ dbt.type_bigint() }}) as true_positives,
        cast(m.false_positives as {{ dbt.type_bigint() }}) as false_positives,
        cast(m.true_negatives as {{ dbt.type_bigint() }}) as true_negatives,
        cast(m.false_negatives as {{ dbt.type_bigint() }}) as false_negatives,
        m.ece,
        m.estimated_roc_auc,
        -- estimates need the baseline's calibration map for every prediction of the group
        case when m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives + m.expected_true_negatives', 'm.prediction_count') }}
        end as estimated_accuracy,
        case when m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives', 'm.expected_true_positives + m.expected_false_positives') }}
        end as estimated_precision,
        case when m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives', 'm.expected_true_positives + m.expected_false_negatives') }}
        end as estimated_recall,
        case when m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('2 * m.expected_true_positives', '2 * m.expected_true_positives + m.expected_false_positives + m.expected_false_negatives') }}
        end as estimated_f1,
        b.roc_auc as baseline_roc_auc,
        b.roc_auc - m.roc_auc as roc_auc_drop,
        m.brier_score - b.brier_score as brier_score_increase,
        b.roc_auc - m.estimated_roc_auc as estimated_roc_auc_drop,
        {#-
            Each label check's spread from sampling alone (the window's and the baseline's):
            Hanley-McNeil at the baseline AUC for the AUC drops (the estimated AUC has no label
            noise, so its sd is an upper bound), the squared errors' variance for Brier, and ECE's
            mean and sd were the window calibrated. The noise floors of evaluate_alerts.
        -#}
        sqrt(
            {{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'm.true_positives + m.false_negatives', 'm.true_negatives + m.false_positives') }}
            + coalesce({{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'b.labeled_count * b.positive_rate', 'b.labeled_count * (1.0 - b.positive_rate)') }}, 0)
        ) as roc_auc_drop_noise_sd,
        sqrt(
            {{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'm.prediction_count * b.positive_rate', 'm.prediction_count * (1.0 - b.positive_rate)') }}
            + coalesce({{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'b.labeled_count * b.positive_rate', 'b.labeled_count * (1.0 - b.positive_rate)') }}, 0)
        ) as estimated_roc_auc_drop_noise_sd,
        sqrt(
            m.brier_term_variance / nullif(m.labeled_count, 0)
            + coalesce(b.brier_term_variance / nullif(b.labeled_count, 0), 0)
        ) as brier_score_increase_noise_sd,
        m.ece_noise_mean,
        m.ece_noise_sd,
        cast(w.label_rows as {{ dbt.type_bigint() }}) as label_rows,
        w.is_final,
        w.is_label_coverage_due,
        w.last_labeled_at
    from metrics as m
    inner join window_status as w
        on m.model_name = w.model_name
        and m.model_version = w.model_version
        and m.window_start = w.window_start
    left join baseline as b
        on m.model_name = b.model_name

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
