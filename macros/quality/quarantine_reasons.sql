{% macro quarantine_reasons(input_name) %}
    {#- Every reason a row of an input can be quarantined with; input_quality has a column each. -#}
    {%- set reasons = {
        'predictions': ['null_prediction_id', 'null_model_name', 'null_model_version', 'null_predicted_at',
                        'predicted_at_in_future', 'predicted_at_too_old', 'null_score',
                        'score_not_finite', 'score_out_of_range', 'duplicate_prediction_id'],
        'labels': ['null_prediction_id', 'null_label', 'invalid_label', 'null_labeled_at',
                   'unknown_prediction', 'prediction_quarantined', 'labeled_before_prediction',
                   'superseded_by_correction'],
    } -%}
    {{ return(reasons[input_name]) }}
{% endmacro %}
