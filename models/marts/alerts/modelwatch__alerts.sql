{#-
    One row per (model, window, check, subject) that breaches its check: observed value,
    threshold, severity, the consecutive windows it has held, the runbook and the evidence.
    alert_id is a hash of the row's identity, so reruns and backfills give the same ids.
-#}

with

evaluated as (

    select * from {{ ref('modelwatch__alert_evaluations') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'model_name', "'|'",
            'cast(window_start as ' ~ dbt.type_string() ~ ')', "'|'",
            'check_name', "'|'",
            'subject', "'|'",
            "coalesce(model_version, '')", "'|'",
            "coalesce(feature_name, '')", "'|'",
            "coalesce(slice_key, '')", "'|'",
            "coalesce(slice_value, '')", "'|'",
            "coalesce(attribute_name, '')",
        ])) }} as alert_id,
        model_name,
        window_start,
        window_end,
        check_name,
        check_category,
        check_description,
        subject,
        model_version,
        feature_name,
        slice_key,
        slice_value,
        attribute_name,
        severity,
        threshold_kind,
        observed_value,
        threshold,
        warn_threshold,
        error_threshold,
        noise_floor,
        consecutive_windows,
        sample_size,
        runbook_url,
        evidence
    from evaluated
    where severity != 'ok'

)

select * from final
