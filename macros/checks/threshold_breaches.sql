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
    {%- set observations = ref('modelwatch__alert_observations') -%}
    {%- if not execute -%}
        {#- parsing only records the dependency; rendering the engine per test cost seconds -#}
        {{ return('select 1 as parsed') }}
    {%- endif -%}
    {%- set last_windows = modelwatch.get_config().alerts.evaluate_last_windows -%}
    {%- if check == 'custom_metrics' -%}
        {#- every custom metric's check (models[].custom_metrics) in one test -#}
        {%- set names = [] -%}
        {%- for name in modelwatch.custom_metric_names() -%}{%- do names.append(modelwatch.custom_metric_check_name(name)) -%}{%- endfor -%}
        {%- if not names -%}
            {{ return(modelwatch.no_breaches(subject_columns)) }}
        {%- endif -%}
    {%- else -%}
        {%- do modelwatch.alert_check(check) -%}
        {%- set names = [check] -%}
    {%- endif -%}
    {%- set overrides = none -%}
    {%- if threshold is not none -%}
        {%- set overrides = {} -%}
        {%- for name in names -%}{%- do overrides.update({name: {level: threshold}}) -%}{%- endfor -%}
    {%- endif -%}
    with

    evaluated as (

        {{ modelwatch.evaluate_alerts(observations, names, overrides) }}

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


{% macro no_breaches(subject_columns) %}
    {#- The failing-rows shape of threshold_breaches, empty: a test with nothing to judge. -#}
    select
        {%- for column in subject_columns %}
        cast(null as {{ dbt.type_timestamp() if column == 'window_start' else dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as check_name
    where 1 = 0
{% endmacro %}
