{#-
    The one engine behind the alerts table and every alert test: observations in, one row per
    observation out with the thresholds that applied, the severity ('ok', 'warn', 'error') and
    how many consecutive observed windows the subject has breached. One step per CTE; each
    threshold kind lives in its own file under kinds/: static.sql (the configured values and
    the breach level), noise_floor.sql (static thresholds raised to what sampling noise
    reaches), dynamic.sql (trailing mean +/- sigma x sd of previous windows only) and
    persistence.sql (m of the last n windows).
-#}

{% macro evaluate_alerts(observations, check_names=none, overrides=none) %}
    {{ return(adapter.dispatch('evaluate_alerts', 'modelwatch')(observations, check_names, overrides)) }}
{% endmacro %}


{% macro default__evaluate_alerts(observations, check_names, overrides) %}
    {%- set all_names = modelwatch.alert_checks() | map(attribute='name') | list -%}
    {%- set names = check_names or all_names -%}
    {%- set partition = 'model_name, check_name, subject, ' ~ (modelwatch.alert_dimensions() | join(', ')) -%}
    {%- set double = modelwatch.type_double() -%}
    with

    observations as (

        select * from {{ observations }}
        where check_name in ({% for name in names %}{{ modelwatch.sql_string(name) }}{% if not loop.last %}, {% endif %}{% endfor %})

    ),

    settings as (

        select
            *,
            {{ modelwatch.check_setting_sql(names, 'kind') }} as threshold_kind,
            {{ modelwatch.check_setting_sql(names, 'direction') }} as direction,
            cast({{ modelwatch.check_setting_sql(names, 'warn', overrides) }} as {{ double }}) as static_warn,
            cast({{ modelwatch.check_setting_sql(names, 'error', overrides) }} as {{ double }}) as static_error,
            cast({{ modelwatch.check_setting_sql(names, 'lookback_windows') }} as {{ dbt.type_int() }}) as lookback_windows,
            cast({{ modelwatch.check_setting_sql(names, 'min_windows') }} as {{ dbt.type_int() }}) as min_windows,
            cast({{ modelwatch.check_setting_sql(names, 'warn_sigma') }} as {{ double }}) as warn_sigma,
            cast({{ modelwatch.check_setting_sql(names, 'error_sigma') }} as {{ double }}) as error_sigma,
            cast({{ modelwatch.check_setting_sql(names, 'persist_windows') }} as {{ dbt.type_int() }}) as persist_windows,
            cast({{ modelwatch.check_setting_sql(names, 'persist_min_breaches') }} as {{ dbt.type_int() }}) as persist_min_breaches,
            {{ modelwatch.check_setting_sql(names, 'noise_floor') }} as has_noise_floor,
            {{ modelwatch.runbook_url_for_checks_sql(names) }} as runbook_url
        from observations

    ),

    noise_floors as (

        select
            *,
            {{ modelwatch.alert_noise_floor(names) }} as noise_floor
        from settings

    ),

    history as (

        select
            *,
            {{ modelwatch.alert_dynamic_history(names, partition) }}
            {{ modelwatch.alert_static_thresholds() }}
        from noise_floors

    ),

    picked_history as (

        select
            *,
            {{ modelwatch.alert_dynamic_pick(names) }}
        from history

    ),

    thresholds as (

        select
            *,
            {{ modelwatch.alert_threshold('warn') }},
            {{ modelwatch.alert_threshold('error') }}
        from picked_history

    ),

    breaches as (

        select
            *,
            {{ modelwatch.alert_breach_level() }} as breach_level
        from thresholds

    ),

    persisted as (

        select
            *,
            {{ modelwatch.alert_persistence_counts(names, partition) }}
        from breaches

    ),

    judged as (

        select
            *,
            {{ modelwatch.alert_severity() }} as severity
        from persisted

    ),

    runs as (

        select
            *,
            sum(case when severity = 'ok' then 1 else 0 end) over (
                partition by {{ partition }} order by window_start
                rows between unbounded preceding and current row
            ) as run_id
        from judged

    ),

    final as (

        select
            model_name,
            window_start,
            window_end,
            check_name,
            check_category,
            check_description,
            direction,
            {%- for dim in modelwatch.alert_dimensions() %}
            {{ dim }},
            {%- endfor %}
            subject,
            observed_value,
            case when severity = 'error' then error_threshold else warn_threshold end as threshold,
            warn_threshold,
            error_threshold,
            noise_floor,
            severity,
            threshold_kind,
            cast(sum(case when severity = 'ok' then 0 else 1 end) over (
                partition by {{ partition }}, run_id order by window_start
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}) as consecutive_windows,
            sample_size,
            reference_size,
            runbook_url,
            evidence
        from runs

    )

    select * from final
{% endmacro %}


{% macro runbook_url_for_checks_sql(check_names) %}
    {{ return('cast(' ~ modelwatch.check_setting_sql(check_names, 'runbook_url') ~ ' as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}
