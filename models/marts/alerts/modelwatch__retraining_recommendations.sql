{#-
    One action per model and window, with its reasons spelled out. "Don't retrain blindly on
    drift": drift or a performance drop leads to `retrain` only when fresh labels cover the
    window (recommendations.min_label_coverage of the served model's predictions labeled),
    else `wait_for_labels`; calibration failing while ranking (AUC) holds leads to
    `recalibrate`; step changes that look like a bug (a null-rate jump, quarantined rows, a
    categorical feature whose values mostly fall outside the reference's categories) lead to
    `investigate` (type errors and value-rule violations, recommendations.bug_checks, too).
    Precedence: investigate, retrain (performance), recalibrate, retrain (drift),
    wait_for_labels, none. Only the served population counts (drift.deployment_roles).
    A model without labels (labels: false, or no inputs.labels) is never told to wait for
    labels it can never get: drift or an estimated drop leads to `retrain`, saying that it is
    the only evidence.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set rec = cfg.recommendations -%}
{%- set signals = {
    'bug': rec.bug_checks,
    'performance': rec.performance_checks,
    'calibration': rec.calibration_checks,
    'drift': rec.drift_checks,
} -%}

with

evaluated as (

    select * from {{ ref('modelwatch__alert_evaluations') }}

),

served as (

    select
        model_name,
        window_start,
        model_version
    from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is null and {{ modelwatch.drift_population_filter() }}
    group by model_name, window_start, model_version

),

windows as (

    select distinct
        model_name,
        window_start,
        window_end
    from evaluated

),

breaches as (

    select
        e.model_name,
        e.window_start,
        case
            {%- for signal_kind, checks in signals.items() if checks %}
            when e.check_name in ({% for c in checks %}{{ modelwatch.sql_string(c) }}{% if not loop.last %}, {% endif %}{% endfor %}) then {{ modelwatch.sql_string(signal_kind) }}
            {%- endfor %}
        end as signal_kind,
        e.check_name || ' ' || e.severity || ' on ' || e.subject as detail
    from evaluated as e
    left join served as s
        on e.model_name = s.model_name
        and e.window_start = s.window_start
        and e.model_version = s.model_version
    where e.severity != 'ok'
        and (e.model_version is null or s.model_version is not null)

),

unseen_categories as (

    {#- a categorical feature whose values mostly miss the reference's categories: a type or format change -#}
    select
        model_name,
        window_start,
        'bug' as signal_kind,
        {{ modelwatch.sql_string('unseen categories on ') }} || feature_name as detail
    from {{ ref('modelwatch__feature_quality') }}
    where unseen_category_share >= {{ rec.unseen_category_share }}

),

signals as (

    select * from breaches
    where signal_kind is not null

    union all

    select * from unseen_categories

),

signal_details as (

    select
        model_name,
        window_start,
        signal_kind,
        {{ modelwatch.ordered_listagg('detail', "'; '", 'order by detail') }} as details
    from (select distinct model_name, window_start, signal_kind, detail from signals) as distinct_signals
    group by model_name, window_start, signal_kind

),

coverage as (

    select
        p.model_name,
        p.window_start,
        sum(p.labeled_count) as labeled_count,
        sum(p.prediction_count) as prediction_count
    from {{ ref('modelwatch__model_performance') }} as p
    inner join served as s
        on p.model_name = s.model_name
        and p.window_start = s.window_start
        and p.model_version = s.model_version
    where p.slice_key = '__all__'
    group by p.model_name, p.window_start

),

joined as (

    select
        w.model_name,
        w.window_start,
        w.window_end,
        {%- for signal in signals %}
        max(case when d.signal_kind = {{ modelwatch.sql_string(signal) }} then d.details end) as {{ signal }}_details,
        {%- endfor %}
        max(c.labeled_count) as labeled_count,
        max(c.prediction_count) as prediction_count
    from windows as w
    left join signal_details as d
        on w.model_name = d.model_name
        and w.window_start = d.window_start
    left join coverage as c
        on w.model_name = c.model_name
        and w.window_start = c.window_start
    group by w.model_name, w.window_start, w.window_end

),

judged as (

    select
        *,
        {{ modelwatch.double_literal(1) }} * labeled_count / nullif(prediction_count, 0) as label_coverage,
        coalesce(
            {{ modelwatch.double_literal(1) }} * labeled_count / nullif(prediction_count, 0) >= {{ rec.min_label_coverage }}
            and labeled_count >= {{ cfg.performance.min_labeled_count }},
            false
        ) as has_fresh_labels,
        {{ modelwatch.model_in('model_name', modelwatch.models_without_labels()) }} as is_unlabeled_model
    from joined

),

final as (

    select
        model_name,
        window_start,
        window_end,
        case
            when bug_details is not null then 'investigate'
            when performance_details is not null and (has_fresh_labels or is_unlabeled_model) then 'retrain'
            when calibration_details is not null then 'recalibrate'
            when drift_details is not null and (has_fresh_labels or is_unlabeled_model) then 'retrain'
            when drift_details is not null or performance_details is not null then 'wait_for_labels'
            else 'none'
        end as action,
        case
            when bug_details is not null then
                'step change that looks like a bug upstream, fix the data before acting on the model: ' || bug_details
            when performance_details is not null and is_unlabeled_model then
                'performance dropped: ' || performance_details || '; this model gets no labels, so the estimate is the evidence'
            when performance_details is not null and has_fresh_labels then
                'performance dropped: ' || performance_details || '; fresh labels cover the window'
            when calibration_details is not null then
                'calibration degraded while ranking holds (no AUC-drop breach): ' || calibration_details
                || '; refit the calibrator (see the recalibration table) rather than retraining'
            when drift_details is not null and is_unlabeled_model then
                'inputs drifted: ' || drift_details || '; this model gets no labels, so drift is the only evidence: '
                || 'review the drifted inputs and retrain on recent data'
            when drift_details is not null and has_fresh_labels then
                'inputs drifted: ' || drift_details || '; fresh labels cover the window'
            when drift_details is not null or performance_details is not null then
                coalesce('inputs drifted: ' || drift_details, 'performance dropped: ' || performance_details)
                || '; too few labels yet (coverage ' || coalesce(cast(round(cast(label_coverage as {{ dbt.type_numeric() }}), 3) as {{ dbt.type_string() }}), 'none')
                || ', need {{ rec.min_label_coverage }}): confirm on fresh labels before retraining'
            else ''
        end
        || case
            when bug_details is null and performance_details is not null and (has_fresh_labels or is_unlabeled_model)
                then coalesce('; also ' || calibration_details, '') || coalesce('; also ' || drift_details, '')
            when bug_details is null and calibration_details is not null
                then coalesce('; also ' || performance_details || ' (too few labels to act on)', '') || coalesce('; also ' || drift_details, '')
            when bug_details is not null
                then coalesce('; also ' || performance_details, '') || coalesce('; also ' || calibration_details, '') || coalesce('; also ' || drift_details, '')
            else ''
        end as reasons,
        bug_details,
        performance_details,
        calibration_details,
        drift_details,
        labeled_count,
        prediction_count,
        label_coverage,
        has_fresh_labels,
        is_unlabeled_model
    from judged

)

select * from final
