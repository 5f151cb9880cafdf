{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'model_version', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'model_version', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Label-joined performance per model version and window, overall (slice '__all__') and for
    every configured slice column, with the metrics sklearn would give on the window's labeled
    rows, label coverage and lag, and confidence-based estimates (CBPE) over all the window's
    predictions from the baseline's calibration map. Recomputed while a window is not final and
    whenever its labels change. Regression rows add mae, mse, rmse, mape, r2, mean_error and
    label / prediction quantiles (regression_metric_ctes); multiclass rows accuracy, macro /
    weighted / micro precision, recall and F1, log_loss and roc_auc as the macro one-vs-rest AUC
    (multiclass_metric_ctes); the binary decision and calibration columns are null for them.
    Over 300 lines: one row per window joins every task's metric CTEs; the metric arithmetic
    itself lives in macros/performance/, this file only wires the tasks' columns together.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set groups = ['model_name', 'model_version', 'window_start', 'slice_key', 'slice_value'] -%}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set multiclass = modelwatch.models_with_task('multiclass') -%}
{%- set probabilities = modelwatch.probability_column_names() -%}
{%- set carried = ['is_labeled', 'label_value', 'label_class', 'predicted_class'] -%}
{%- for name in probabilities -%}{%- do carried.append(modelwatch.carried_column(name)) -%}{%- endfor -%}
{#- binary figures (decision, calibration, CBPE) are null on rows of the other tasks -#}
{%- set bo = "case when m.task = 'binary' then " if (regression or multiclass) else '' -%}
{%- set bc = ' end' if (regression or multiclass) else '' -%}

{%- set to_process = modelwatch.label_windows(ref('int_modelwatch__performance_window_status'), with_coverage_due=true) %}
with

windows_to_process as (

    {{ to_process.sql }}

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
    {%- if to_process.windows is not none %}
    where {{ modelwatch.in_windows_predicate('p.window_start', to_process.windows) }}
    {%- endif %}

),

calibration_map as (

    select * from {{ ref('int_modelwatch__performance_calibration_map') }}

),

baseline as (

    select * from {{ ref('modelwatch__performance_baseline') }}

),

estimated as (

    select
        b.*,
        -- a null bin means a null score
        coalesce(b.estimation_rate, b.score) as calibrated_score
    from (
        select
            l.*,
            {{ modelwatch.estimation_bin_sql('l.score', 'm') }} as estimation_bin,
            {{ modelwatch.estimation_rate_sql(modelwatch.estimation_bin_sql('l.score', 'm'), 'm') }} as estimation_rate,
            {{ modelwatch.calibration_bin_index('l.score') }} as calibration_bin
        from labeled as l
        left join calibration_map as m
            on l.model_name = m.model_name
    ) as b

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
        estimation_bin,
        estimation_rate,
        calibration_bin,
        {%- for c in carried %}
        {{ c }},
        {%- endfor %}
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
        estimation_bin,
        estimation_rate,
        calibration_bin,
        {%- for c in carried %}
        {{ c }},
        {%- endfor %}
        label_lag_days
    from estimated
    where model_name in {{ modelwatch.string_list(slice_models) }}
    {%- endfor %}

),

summary as (

    select
        {{ groups | join(', ') }},
        count(*) as prediction_count,
        sum(case when is_labeled then 1 else 0 end) as labeled_count,
        sum(label) as positive_count,
        avg({{ modelwatch.double_literal(1) }} * predicted_label) as predicted_positive_rate,
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

{{ modelwatch.label_roc_auc_ctes('sliced', groups, prefix='realized_') }},

estimation_cells as (

    {#-
        The estimated AUC weighs each row by its calibrated score, which is constant over a bin
        the map has a rate for: such a bin's rows count as one score (its pairs add
        P_bin * N_bin / 2 whatever their order, and bins are disjoint score ranges), so the
        AUC sorts a few cells, not every prediction. Identity bins keep each score.
    -#}
    select
        {{ groups | join(', ') }},
        min(score) as score,
        sum(calibrated_score) as positive_weight,
        sum(1 - calibrated_score) as negative_weight
    from (
        select
            {{ groups | join(', ') }},
            score,
            calibrated_score,
            estimation_bin,
            case when estimation_rate is null then score end as identity_score
        from sliced
    ) as cells
    group by {{ groups | join(', ') }}, estimation_bin, identity_score

),

{{ modelwatch.roc_auc_ctes('estimation_cells', groups, [('estimated', 'positive_weight', 'negative_weight')], prefix='estimated_') }},

{{ modelwatch.ece_ctes('sliced', groups, with_noise=true) }},
{%- if regression %}

sliced_regression as (

    select * from sliced
    where {{ modelwatch.model_in('model_name', regression) }}

),

{{ modelwatch.regression_metric_ctes('sliced_regression', groups) }},

{{ modelwatch.residual_drift_ctes('sliced_regression', groups) }},
{%- endif %}
{%- if multiclass %}

{{ modelwatch.multiclass_metric_ctes('sliced', groups) }},
{%- endif %}

metrics as (

    select
        s.*,
        {{ modelwatch.task_sql('s.model_name') }} as task,
        a.realized_auc as roc_auc,
        ea.estimated_auc as estimated_roc_auc,
        e.ece,
        e.ece_noise_mean,
        e.ece_noise_sd,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.true_positives', 's.true_positives + s.false_positives') }} as precision_value,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.true_positives', 's.true_positives + s.false_negatives') }} as recall_value,
        {{ modelwatch.safe_divide(modelwatch.double_literal(2) ~ ' * s.true_positives', '2 * s.true_positives + s.false_positives + s.false_negatives') }} as f1_value,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * (s.true_positives + s.true_negatives)', 's.labeled_count') }} as accuracy_value
    from summary as s
    left join realized_roc_auc as a
        on {% for c in groups %}s.{{ c }} = a.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join estimated_roc_auc as ea
        on {% for c in groups %}s.{{ c }} = ea.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join ece as e
        on {% for c in groups %}s.{{ c }} = e.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}

),

all_metrics as (

    {#- every task's columns on every row, so the table's schema does not depend on the config -#}
    {%- set null = 'cast(null as ' ~ modelwatch.type_double() ~ ')' %}
    select
        m.*,
        {%- for column in ['mae', 'mse', 'rmse', 'mape', 'r2', 'mean_error', 'label_p05', 'label_p25', 'label_p50', 'label_p75', 'label_p95',
                           'prediction_p05', 'prediction_p25', 'prediction_p50', 'prediction_p75', 'prediction_p95'] %}
        {{ ('r.' ~ column) if regression else null }} as {{ column }},
        {%- endfor %}
        {{ 'd.residual_psi' if regression else null }} as residual_psi,
        {%- for column in ['multiclass_accuracy', 'multiclass_log_loss', 'macro_roc_auc', 'macro_precision', 'macro_recall', 'macro_f1',
                           'weighted_precision', 'weighted_recall', 'weighted_f1', 'micro_precision', 'micro_recall', 'micro_f1'] %}
        {{ ('c.' ~ column) if multiclass else null }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from metrics as m
    {%- if regression %}
    left join rg_metrics as r
        on {% for c in groups %}m.{{ c }} = r.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join rd_residual_drift as d
        on {% for c in groups %}m.{{ c }} = d.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}
    {%- if multiclass %}
    left join mc_metrics as c
        on {% for c in groups %}m.{{ c }} = c.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    {%- endif %}

),

final as (

    select
        m.model_name,
        m.model_version,
        m.window_start,
        m.slice_key,
        m.slice_value,
        w.window_end,
        m.task,
        cast(m.prediction_count as {{ dbt.type_bigint() }}) as prediction_count,
        cast(m.labeled_count as {{ dbt.type_bigint() }}) as labeled_count,
        {{ modelwatch.double_literal(1) }} * m.labeled_count / m.prediction_count as label_coverage,
        m.label_lag_p50_days,
        m.label_lag_p90_days,
        m.label_lag_max_days,
        {{ bo }}{{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * m.positive_count', 'm.labeled_count') }}{{ bc }} as positive_rate,
        {{ bo }}m.predicted_positive_rate{{ bc }} as predicted_positive_rate,
        {%- if multiclass %}
        case when m.task = 'multiclass' then m.macro_roc_auc else m.roc_auc end as roc_auc,
        case when m.task = 'multiclass' then m.multiclass_log_loss else m.log_loss end as log_loss,
        {%- else %}
        m.roc_auc,
        m.log_loss,
        {%- endif %}
        m.brier_score,
        {%- if multiclass %}
        case when m.task = 'multiclass' then m.multiclass_accuracy else {{ bo }}m.accuracy_value{{ bc }} end as accuracy,
        {%- else %}
        {{ bo }}m.accuracy_value{{ bc }} as accuracy,
        {%- endif %}
        m.precision_value as {{ adapter.quote('precision') }},
        m.recall_value as recall,
        m.f1_value as f1,
        cast({{ bo }}m.true_positives{{ bc }} as {{ dbt.type_bigint() }}) as true_positives,
        cast({{ bo }}m.false_positives{{ bc }} as {{ dbt.type_bigint() }}) as false_positives,
        cast({{ bo }}m.true_negatives{{ bc }} as {{ dbt.type_bigint() }}) as true_negatives,
        cast({{ bo }}m.false_negatives{{ bc }} as {{ dbt.type_bigint() }}) as false_negatives,
        m.ece,
        {{ bo }}m.estimated_roc_auc{{ bc }} as estimated_roc_auc,
        -- estimates need the baseline's calibration map for every prediction of the group
        case when {{ "m.task = 'binary' and " if (regression or multiclass) }}m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives + m.expected_true_negatives', 'm.prediction_count') }}
        end as estimated_accuracy,
        case when {{ "m.task = 'binary' and " if (regression or multiclass) }}m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives', 'm.expected_true_positives + m.expected_false_positives') }}
        end as estimated_precision,
        case when {{ "m.task = 'binary' and " if (regression or multiclass) }}m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('m.expected_true_positives', 'm.expected_true_positives + m.expected_false_negatives') }}
        end as estimated_recall,
        case when {{ "m.task = 'binary' and " if (regression or multiclass) }}m.calibrated_count = m.prediction_count then
            {{ modelwatch.safe_divide('2 * m.expected_true_positives', '2 * m.expected_true_positives + m.expected_false_positives + m.expected_false_negatives') }}
        end as estimated_f1,
        {%- if multiclass %}
        b.roc_auc as baseline_roc_auc,
        b.roc_auc - (case when m.task = 'multiclass' then m.macro_roc_auc else m.roc_auc end) as roc_auc_drop,
        {%- else %}
        b.roc_auc as baseline_roc_auc,
        b.roc_auc - m.roc_auc as roc_auc_drop,
        {%- endif %}
        m.brier_score - b.brier_score as brier_score_increase,
        {{ bo }}b.roc_auc - m.estimated_roc_auc{{ bc }} as estimated_roc_auc_drop,
        {#-
            Each label check's spread from sampling alone (the window's and the baseline's):
            Hanley-McNeil at the baseline AUC for the AUC drops (the estimated AUC has no label
            noise, so its sd is an upper bound), the squared errors' variance for Brier, and ECE's
            mean and sd were the window calibrated. The noise floors of evaluate_alerts.
        -#}
        sqrt(
            {{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'm.true_positives + m.false_negatives', 'm.true_negatives + m.false_positives') }}
            + coalesce({{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'b.labeled_count * b.positive_rate', 'b.labeled_count * (' ~ modelwatch.double_literal(1) ~ ' - b.positive_rate)') }}, 0)
        ) as roc_auc_drop_noise_sd,
        sqrt(
            {{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'm.prediction_count * b.positive_rate', 'm.prediction_count * (' ~ modelwatch.double_literal(1) ~ ' - b.positive_rate)') }}
            + coalesce({{ modelwatch.hanley_mcneil_variance('b.roc_auc', 'b.labeled_count * b.positive_rate', 'b.labeled_count * (' ~ modelwatch.double_literal(1) ~ ' - b.positive_rate)') }}, 0)
        ) as estimated_roc_auc_drop_noise_sd,
        sqrt(
            m.brier_term_variance / nullif(m.labeled_count, 0)
            + coalesce(b.brier_term_variance / nullif(b.labeled_count, 0), 0)
        ) as brier_score_increase_noise_sd,
        m.ece_noise_mean,
        m.ece_noise_sd,
        m.mae,
        m.mse,
        m.rmse,
        m.mape,
        m.r2,
        m.mean_error,
        m.residual_psi,
        {%- for p in ['05', '25', '50', '75', '95'] %}
        m.label_p{{ p }},
        {%- endfor %}
        {%- for p in ['05', '25', '50', '75', '95'] %}
        m.prediction_p{{ p }},
        {%- endfor %}
        b.mae as baseline_mae,
        b.rmse as baseline_rmse,
        b.mean_error as baseline_mean_error,
        {#-
            Relative to the baseline, each with its spread from sampling alone (the window's n
            labels and the baseline's): the baseline's sd of |error|, error^2 and error times
            sqrt(1/n + 1/n_baseline), over the baseline figure (delta method for rmse). The
            noise floors of evaluate_alerts, as for the binary label checks.
        -#}
        {%- set both = 'sqrt(' ~ modelwatch.double_literal(1) ~ ' / nullif(m.labeled_count, 0) + ' ~ modelwatch.double_literal(1) ~ ' / nullif(b.labeled_count, 0))' %}
        {{ modelwatch.safe_divide('m.mae - b.mae', 'b.mae') }} as mae_increase,
        {{ modelwatch.safe_divide('b.abs_error_sd * ' ~ both, 'b.mae') }} as mae_increase_noise_sd,
        {{ modelwatch.safe_divide('m.rmse - b.rmse', 'b.rmse') }} as rmse_increase,
        {{ modelwatch.safe_divide('b.squared_error_sd * ' ~ both, '2 * b.mse') }} as rmse_increase_noise_sd,
        {{ modelwatch.safe_divide('abs(m.mean_error - b.mean_error)', 'b.rmse') }} as bias,
        {{ modelwatch.safe_divide('b.error_sd * ' ~ both, 'b.rmse') }} as bias_noise_sd,
        {%- for average in ['macro', 'weighted', 'micro'] %}
        {%- for metric in ['precision', 'recall', 'f1'] %}
        m.{{ average }}_{{ metric }},
        {%- endfor %}
        {%- endfor %}
        b.macro_f1 as baseline_macro_f1,
        b.macro_f1 - m.macro_f1 as macro_f1_drop,
        -- binomial spread of a rate near the baseline's macro F1, window and baseline sampled
        sqrt(b.macro_f1 * (1 - b.macro_f1)) * {{ both }} as macro_f1_drop_noise_sd,
        cast(w.label_rows as {{ dbt.type_bigint() }}) as label_rows,
        w.is_final,
        w.is_label_coverage_due,
        w.last_labeled_at
    from all_metrics as m
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
