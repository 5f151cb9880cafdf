{% macro threshold_breaches(model, column_name, check, level, threshold=none, subject_columns=['model_name', 'window_start'], scope=none) %}
    {{ return(adapter.dispatch('threshold_breaches', 'modelwatch')(model, column_name, check, level, threshold, subject_columns, scope)) }}
{% endmacro %}

{% macro default__threshold_breaches(model, column_name, check, level, threshold, subject_columns, scope) %}
    {#-
        One engine for every threshold test: the breaching rows with what was observed, the
        threshold, the level and the runbook. alerts.evaluate_last_windows limits it to the
        newest windows (null: every window); a scope (check_scope_sql) limits it to the rows
        the check is meant for.
    -#}
    {%- set last_windows = modelwatch.get_config().alerts.evaluate_last_windows -%}
    with

    source as (

        select * from {{ model }}

    ),

    scoped as (

        select *
        from source
        where {{ modelwatch.check_scope_sql(scope) }}
        {%- if last_windows %}
            and window_start >= (select {{ modelwatch.windows_ago('max(window_start)', last_windows - 1) }} from source)
        {%- endif %}

    ),

    final as (

        select
            {%- for column in subject_columns %}
            {{ column }},
            {%- endfor %}
            {{ modelwatch.sql_string(check) }} as check_name,
            {{ modelwatch.sql_string(level) }} as severity,
            {{ column_name }} as observed_value,
            {{ modelwatch.threshold_sql(check, level, threshold) }} as threshold,
            {{ modelwatch.runbook_url_sql(check) }} as runbook_url
        from scoped
        where {{ modelwatch.breaches(column_name, check, level, threshold) }}

    )

    select * from final
{% endmacro %}


{% macro check_scope_sql(scope) %}
    {#-
        The rows a check judges. Label-based checks judge overall rows with enough labels (a few
        labels are noise); label coverage is judged once a window is past its grace period.
    -#}
    {%- set perf = modelwatch.get_config().performance -%}
    {%- set scopes = {
        none: '1 = 1',
        'overall_labeled': "slice_key = '__all__' and labeled_count >= " ~ perf.min_labeled_count,
        'overall_predictions': "slice_key = '__all__' and prediction_count >= " ~ perf.min_labeled_count,
        'label_coverage_due': "slice_key = '__all__' and is_label_coverage_due",
    } -%}
    {%- if scope not in scopes -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: unknown check scope '" ~ scope ~ "' (expected overall_labeled, overall_predictions or label_coverage_due)") }}
    {%- endif -%}
    {{ return(scopes[scope]) }}
{% endmacro %}
