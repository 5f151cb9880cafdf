{% macro threshold_breaches(check, level, threshold=none, subject_columns=['model_name', 'window_start']) %}
    {{ return(adapter.dispatch('threshold_breaches', 'modelwatch')(check, level, threshold, subject_columns)) }}
{% endmacro %}

{% macro default__threshold_breaches(check, level, threshold, subject_columns) %}
    {#-
        The engine of every alert test: the check's observations judged by evaluate_alerts (the
        engine the alerts table uses), kept at this level, with the subject columns, what was
        observed, the threshold, the runbook and the evidence. A test argument `threshold`
        overrides the configured static threshold of this level. alerts.evaluate_last_windows
        limits it to the newest windows (null: every window).
    -#}
    {%- if level not in ['warn', 'error'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: level must be warn or error, got " ~ level) }}
    {%- endif -%}
    {%- set observations = ref('int_modelwatch__alerts_observations') -%}
    {%- if not execute -%}
        {#- parsing only records the dependency; rendering the engine per test cost seconds -#}
        {{ return('select 1 as parsed') }}
    {%- endif -%}
    {%- set last_windows = modelwatch.get_config().alerts.evaluate_last_windows -%}
    {%- set overrides = {check: {level: threshold}} if threshold is not none else none -%}
    {%- do modelwatch.alert_check(check) -%}
    with

    evaluated as (

        {{ modelwatch.evaluate_alerts(observations, [check], overrides) }}

    ),

    scoped as (

        select * from evaluated
        {%- if last_windows %}
        where window_start >= (select {{ modelwatch.windows_ago('max(window_start)', last_windows - 1) }} from evaluated)
        {%- endif %}

    ),

    final as (

        select
            {%- for column in subject_columns %}
            {{ column }},
            {%- endfor %}
            check_name,
            severity,
            observed_value,
            threshold,
            threshold_kind,
            consecutive_windows,
            runbook_url,
            evidence
        from scoped
        where severity = {{ modelwatch.sql_string(level) }}

    )

    select * from final
{% endmacro %}
