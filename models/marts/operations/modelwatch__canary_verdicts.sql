{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Canary vs control, per model and window: the canary version (deployment_role 'canary')
    against the champion in the same window. Two-proportion z-tests (pooled) on the predicted
    positive rate and on the error rate (5xx and 4xx over rows with a status code), and the
    difference in ROC AUC on labeled rows with a Hanley-McNeil z. The verdict follows the canary
    config: rollback on a significant and material regression, promote once both arms have
    enough requests and labels and nothing regressed, else hold. Incremental like
    model_performance: a window is recomputed while not final, inside the lookback, or when its
    labels change.
-#}
{%- set rule = modelwatch.get_config().canary -%}
{%- set keys = ['model_name', 'window_start', 'arm', 'model_version'] -%}

{%- set window_status = modelwatch.deployment_window_status(windows_having='sum(canary_rows) > 0') -%}
{%- set to_process = modelwatch.label_windows(window_status, keys=['model_name', 'window_start']) %}
with

window_status as {{ window_status }},

windows_to_process as (

    {{ to_process.sql }}

),

arms as (

    select
        l.model_name,
        l.window_start,
        case when l.deployment_role = 'canary' then 'canary' else 'control' end as arm,
        l.model_version,
        l.score,
        l.predicted_label,
        l.label,
        l.status_code
    from {{ ref('int_modelwatch__predictions_labeled') }} as l
    -- windows the canary served (binary models only: window_status)
    inner join windows_to_process as w
        on l.model_name = w.model_name
        and l.window_start = w.window_start
    where l.deployment_role in ('canary', 'champion')
    {%- if to_process.windows is not none %}
    and {{ modelwatch.in_windows_predicate('l.window_start', to_process.windows) }}
    {%- endif %}

),

arm_summary as (

    select
        model_name,
        window_start,
        arm,
        model_version,
        count(*) as request_count,
        sum(predicted_label) as predicted_positive_count,
        count(status_code) as status_count,
        sum(case when status_code >= 400 and status_code < 600 then 1 else 0 end) as error_count,
        sum(case when label = 1 then 1 else 0 end) as labeled_positive_count,
        sum(case when label = 0 then 1 else 0 end) as labeled_negative_count
    from arms
    group by model_name, window_start, arm, model_version

),

{{ modelwatch.roc_auc_ctes('arms', keys, [
    ('arm', 'case when label = 1 then 1 else 0 end', 'case when label = 0 then 1 else 0 end'),
], prefix='arm_') }},

arm_metrics as (

    select
        s.*,
        {{ modelwatch.double_literal(1) }} * s.predicted_positive_count / s.request_count as positive_rate,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * s.error_count', 's.status_count') }} as error_rate,
        a.arm_auc as roc_auc,
        -- Hanley & McNeil (1982) variance of an AUC from n1 positives and n0 negatives
        case when a.arm_auc is not null then
            (
                a.arm_auc * (1 - a.arm_auc)
                + (s.labeled_positive_count - 1) * (a.arm_auc / (2 - a.arm_auc) - a.arm_auc * a.arm_auc)
                + (s.labeled_negative_count - 1) * (2 * a.arm_auc * a.arm_auc / (1 + a.arm_auc) - a.arm_auc * a.arm_auc)
            ) / ({{ modelwatch.double_literal(1) }} * s.labeled_positive_count * s.labeled_negative_count)
        end as roc_auc_variance
    from arm_summary as s
    left join arm_roc_auc as a
        on s.model_name = a.model_name
        and s.window_start = a.window_start
        and s.arm = a.arm
        and s.model_version = a.model_version

),

compared as (

    select
        k.model_name,
        k.window_start,
        c.model_version as control_version,
        k.model_version as canary_version,
        coalesce(c.request_count, 0) as control_requests,
        k.request_count as canary_requests,
        coalesce(c.labeled_positive_count + c.labeled_negative_count, 0) as control_labeled,
        k.labeled_positive_count + k.labeled_negative_count as canary_labeled,
        c.positive_rate as control_positive_rate,
        k.positive_rate as canary_positive_rate,
        k.positive_rate - c.positive_rate as positive_rate_diff,
        {{ modelwatch.two_proportion_z('k.predicted_positive_count', 'k.request_count', 'c.predicted_positive_count', 'c.request_count') }} as positive_rate_z,
        c.error_rate as control_error_rate,
        k.error_rate as canary_error_rate,
        k.error_rate - c.error_rate as error_rate_diff,
        {{ modelwatch.two_proportion_z('k.error_count', 'k.status_count', 'c.error_count', 'c.status_count') }} as error_rate_z,
        c.roc_auc as control_roc_auc,
        k.roc_auc as canary_roc_auc,
        k.roc_auc - c.roc_auc as roc_auc_diff,
        (k.roc_auc - c.roc_auc) / nullif(sqrt(k.roc_auc_variance + c.roc_auc_variance), 0) as roc_auc_z
    from arm_metrics as k
    left join arm_metrics as c
        on k.model_name = c.model_name
        and k.window_start = c.window_start
        and c.arm = 'control'
    where k.arm = 'canary'

),

judged as (

    select
        *,
        coalesce(error_rate_z >= {{ rule.z_critical }} and error_rate_diff >= {{ rule.max_error_rate_increase }}, false)
            as is_error_regression,
        coalesce(abs(positive_rate_z) >= {{ rule.z_critical }} and abs(positive_rate_diff) >= {{ rule.max_positive_rate_change }}, false)
            as is_positive_rate_shift,
        coalesce(roc_auc_z <= -{{ rule.z_critical }} and roc_auc_diff <= -{{ rule.max_auc_drop }}, false)
            as is_auc_regression,
        control_requests >= {{ rule.min_requests }} and canary_requests >= {{ rule.min_requests }}
            as has_enough_requests,
        control_labeled >= {{ rule.min_labeled }} and canary_labeled >= {{ rule.min_labeled }}
            as has_enough_labels
    from compared

),

verdicts as (

    select
        model_name,
        window_start,
        control_version,
        canary_version,
        case
            when is_error_regression or is_positive_rate_shift or is_auc_regression then 'rollback'
            when has_enough_requests and has_enough_labels then 'promote'
            else 'hold'
        end as verdict,
        trim(
            case when is_error_regression then 'error rate significantly higher; ' else '' end
            || case when is_positive_rate_shift then 'positive rate significantly shifted; ' else '' end
            || case when is_auc_regression then 'AUC significantly lower; ' else '' end
            || case when not has_enough_requests then 'too few requests; ' else '' end
            || case when not has_enough_labels then 'too few labels; ' else '' end
        ) as reasons,
        cast(control_requests as {{ dbt.type_bigint() }}) as control_requests,
        cast(canary_requests as {{ dbt.type_bigint() }}) as canary_requests,
        cast(control_labeled as {{ dbt.type_bigint() }}) as control_labeled,
        cast(canary_labeled as {{ dbt.type_bigint() }}) as canary_labeled,
        control_positive_rate,
        canary_positive_rate,
        positive_rate_diff,
        positive_rate_z,
        control_error_rate,
        canary_error_rate,
        error_rate_diff,
        error_rate_z,
        control_roc_auc,
        canary_roc_auc,
        roc_auc_diff,
        roc_auc_z,
        is_error_regression,
        is_positive_rate_shift,
        is_auc_regression,
        has_enough_requests,
        has_enough_labels
    from judged

),

final as (

    select
        v.*,
        w.label_rows,
        w.last_labeled_at,
        w.is_final,
        {{ modelwatch.config_fingerprint('v.model_name') }} as config_fingerprint
    from verdicts as v
    inner join window_status as w
        on v.model_name = w.model_name
        and v.window_start = w.window_start

)

select * from final
