{% macro quarantine_reasons(input_name) %}
    {#-
        Every reason a row of an input can be quarantined with; input_quality has a column each
        and the seed modelwatch__quarantine_reasons describes each (with the tasks it applies to).
    -#}
    {%- set reasons = {
        'predictions': ['null_prediction_id', 'null_model_name', 'null_model_version', 'null_predicted_at',
                        'predicted_at_in_future', 'predicted_at_too_old', 'null_score',
                        'score_not_finite', 'score_out_of_range', 'null_predicted_class', 'unknown_predicted_class',
                        'null_probability', 'probability_out_of_range', 'probabilities_not_normalized',
                        'duplicate_prediction_id'],
        'labels': ['null_prediction_id', 'null_label', 'invalid_label', 'unknown_label_class', 'null_labeled_at',
                   'unknown_prediction', 'prediction_quarantined', 'labeled_before_prediction',
                   'superseded_by_correction'],
    } -%}
    {{ return(reasons[input_name]) }}
{% endmacro %}


{% macro probability_sum_tolerance() %}
    {#- How far a multiclass row's probabilities may sum from 1 (float rounding of a softmax). -#}
    {{ return(modelwatch.double_literal('0.000001')) }}
{% endmacro %}


{% macro task_quarantine_cases() %}
    {#-
        The `when ... then reason` branches of a prediction row's validation that depend on its
        model's task, in order. binary: a score in [0, 1]; regression: any finite prediction;
        multiclass: a predicted class among the model's classes and, when probability_columns
        are configured, one finite probability in [0, 1] per class summing to 1 (within
        probability_sum_tolerance); its score is optional (a confidence in [0, 1] when given).
        With only binary models this renders exactly the binary rules.
    -#}
    {%- set regression = modelwatch.models_with_task('regression') -%}
    {%- set multiclass = modelwatch.get_config().models | selectattr('task', 'equalto', 'multiclass') | list -%}
    {%- set multiclass_names = multiclass | map(attribute='name') | list -%}
    {%- set finite = modelwatch.is_finite('score') -%}
    {%- for model in multiclass %}
            {%- set is_model = 'model_name = ' ~ modelwatch.sql_string(model.name) %}
            when {{ is_model }} and predicted_class is null then 'null_predicted_class'
            when {{ is_model }} and predicted_class not in {{ modelwatch.string_list(model.classes) }} then 'unknown_predicted_class'
            {%- if model.probability_columns %}
            {%- set columns = [] %}
            {%- for column in model.probability_columns.values() %}{%- do columns.append(modelwatch.carried_column(column)) -%}{%- endfor %}
            when {{ is_model }} and ({% for c in columns %}{{ c }} is null{{ ' or ' if not loop.last }}{% endfor %}) then 'null_probability'
            when {{ is_model }} and not ({% for c in columns %}{{ modelwatch.is_finite(c) }} and {{ c }} >= 0 and {{ c }} <= 1{{ ' and ' if not loop.last }}{% endfor %})
                then 'probability_out_of_range'
            when {{ is_model }} and abs({{ columns | join(' + ') }} - 1) > {{ modelwatch.probability_sum_tolerance() }}
                then 'probabilities_not_normalized'
            {%- endif %}
    {%- endfor %}
    {%- if multiclass_names %}
            when score is null and not {{ modelwatch.model_in('model_name', multiclass_names) }} then 'null_score'
            when score is not null and not {{ finite }} then 'score_not_finite'
    {%- else %}
            when score is null then 'null_score'
            when not {{ finite }} then 'score_not_finite'
    {%- endif %}
    {%- if regression %}
            when (score < 0 or score > 1) and not {{ modelwatch.model_in('model_name', regression) }} then 'score_out_of_range'
    {%- else %}
            when score < 0 or score > 1 then 'score_out_of_range'
    {%- endif %}
{%- endmacro %}
