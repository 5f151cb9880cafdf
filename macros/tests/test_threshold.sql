{#-
    The alert test: rows whose column is at or beyond the check's threshold for this level.
    Declared once per level (warn / error) so a breach pages or goes to review by its severity.
-#}
{% test threshold(model, column_name, check, level='warn', threshold=none, subject_columns=['model_name', 'window_start'], scope=none) %}
    {{ config(severity=('error' if level == 'error' else 'warn')) }}
    {{ modelwatch.threshold_breaches(model, column_name, check, level, threshold, subject_columns, scope) }}
{% endtest %}
