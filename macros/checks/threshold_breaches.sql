{% macro threshold_breaches(model, column_name, check, level, threshold=none, subject_columns=['model_name', 'window_start']) %}
    {{ return(adapter.dispatch('threshold_breaches', 'modelwatch')(model, column_name, check, level, threshold, subject_columns)) }}
{% endmacro %}

{% macro default__threshold_breaches(model, column_name, check, level, threshold, subject_columns) %}
    {#-
        One engine for every threshold test: the breaching rows with what was observed, the
        threshold, the level and the runbook. alerts.evaluate_last_windows limits it to the
        newest windows (null: every window).
    -#}
    {%- set last_windows = modelwatch.get_config().alerts.evaluate_last_windows -%}
    with

    source as (

        select * from {{ model }}

    ),

    scoped as (

        select *
        from source
        {%- if last_windows %}
        where window_start >= (select {{ modelwatch.windows_ago('max(window_start)', last_windows - 1) }} from source)
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
