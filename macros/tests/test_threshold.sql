{#-
    The alert test: the observations of one check at this level (evaluate_alerts decides, as
    for the alerts table). Declared on the alerts table once per check and level (warn /
    error), so a breach pages or goes to review by its severity and nothing downstream waits.
-#}
{% test threshold(model, check, level='warn', threshold=none, subject_columns=['model_name', 'window_start']) %}
    {#- alerts.fail_build: false keeps error-level alerts out of dbt build's exit status -#}
    {%- set fails_build = modelwatch.get_config().alerts.fail_build -%}
    {{ config(severity=('error' if level == 'error' and fails_build else 'warn')) }}
    {{ modelwatch.threshold_breaches(check, level, threshold, subject_columns) }}
{% endtest %}
