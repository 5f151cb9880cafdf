{#-
    What each model's performance is judged against (int_modelwatch__performance_baseline_rows: the
    reference, else its first final windows): the same metrics as model_performance, computed
    once on the baseline rows. roc_auc_drop and brier_score_increase are measured from here;
    for regression models mae / rmse / mean_error and the error spreads behind the checks'
    standard errors, for multiclass models macro F1 (macro_f1_drop).
-#}
{%- set groups = ['model_name'] -%}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set multiclass = modelwatch.models_with_task('multiclass') -%}
{%- set double = modelwatch.type_double() -%}

with

baseline_rows as (

    select
        *,
        true as is_labeled,
        {{ modelwatch.calibration_bin_index('score') }} as calibration_bin
    from {{ ref('int_modelwatch__performance_baseline_rows') }}

),
{%- if regression %}

baseline_regression as (

    select * from baseline_rows
    where {{ modelwatch.model_in('model_name', regression) }}

),

{{ modelwatch.regression_metric_ctes('baseline_regression', groups) }},
{%- endif %}
{%- if multiclass %}

{{ modelwatch.multiclass_metric_ctes('baseline_rows', groups, probabilities=false) }},
{%- endif %}

summary as (

    select
        model_name,
        min(baseline_source) as baseline_source,
        count(*) as labeled_count,
        avg({{ modelwatch.double_literal(1) }} * label) as positive_rate,
        avg({{ modelwatch.log_loss_term('score', 'label') }}) as log_loss,
        avg((score - label) * (score - label)) as brier_score,
        var_samp((score - label) * (score - label)) as brier_term_variance
    from baseline_rows
    group by model_name

),

{{ modelwatch.label_roc_auc_ctes('baseline_rows', groups) }},

calibration as (

    select
        model_name,
        calibration_bin,
        count(*) as bin_count,
        avg(score) as mean_score,
        avg({{ modelwatch.double_literal(1) }} * label) as observed_rate
    from baseline_rows
    group by model_name, calibration_bin

),

ece as (

    select
        model_name,
        sum(bin_count * abs(mean_score - observed_rate)) / sum(bin_count) as ece
    from calibration
    group by model_name

),

final as (

    select
        c.model_name,
        s.baseline_source,
        cast(coalesce(s.labeled_count, 0) as {{ dbt.type_bigint() }}) as labeled_count,
        s.positive_rate,
        a.realized_auc as roc_auc,
        s.log_loss,
        s.brier_score,
        s.brier_term_variance,
        e.ece,
        {%- for column in ['mae', 'mse', 'rmse', 'mean_error', 'error_sd', 'abs_error_sd', 'squared_error_sd'] %}
        {{ ('r.' ~ column) if regression else 'cast(null as ' ~ double ~ ')' }} as {{ column }},
        {%- endfor %}
        {{ 'm.macro_f1' if multiclass else 'cast(null as ' ~ double ~ ')' }} as macro_f1
    from ({{ modelwatch.configured_models_relation() }}) as c
    left join summary as s
        on c.model_name = s.model_name
    left join roc_auc as a
        on c.model_name = a.model_name
    left join ece as e
        on c.model_name = e.model_name
    {%- if regression %}
    left join rg_metrics as r
        on c.model_name = r.model_name
    {%- endif %}
    {%- if multiclass %}
    left join mc_metrics as m
        on c.model_name = m.model_name
    {%- endif %}

)

select * from final
