{#-
    The one list of quarantine reasons: per input, every reason a row can be quarantined with,
    the model tasks whose rows can get it and what it means. input_quality has a column per
    reason; the seed modelwatch__quarantine_reasons is generated from this list by
    `python -m modelwatch.checks` (python/modelwatch/checks.py reads the same YAML text), and
    python/tests/test_checks.py fails when the seed or input_quality's documented columns differ.
    No apostrophes in the descriptions: dbt-spark's session seed loader pastes values unescaped.
-#}

{% macro quarantine_reason_catalog() %}
{%- set text -%}
# BEGIN quarantine reasons
predictions:
  - reason: null_prediction_id
    tasks: [binary, regression, multiclass]
    description: "The row has no prediction_id."
  - reason: null_model_name
    tasks: [binary, regression, multiclass]
    description: "The row has no model_name."
  - reason: null_model_version
    tasks: [binary, regression, multiclass]
    description: "The row has no model_version."
  - reason: null_predicted_at
    tasks: [binary, regression, multiclass]
    description: "The row has no timestamp; it cannot be placed in a window."
  - reason: predicted_at_in_future
    tasks: [binary, regression, multiclass]
    description: "predicted_at is more than quality.max_future_hours (default 24) after the load time (UTC); kept out so no such row can move a window boundary."
  - reason: predicted_at_too_old
    tasks: [binary, regression, multiclass]
    description: "predicted_at is before quality.min_predicted_at (only when that key is set)."
  - reason: null_score
    tasks: [binary, regression]
    description: "The score (binary: the positive-class probability; regression: the prediction) is missing."
  - reason: score_not_finite
    tasks: [binary, regression, multiclass]
    description: "The score is NaN or infinite."
  - reason: score_out_of_range
    tasks: [binary, multiclass]
    description: "The score is outside [0; 1] (binary: a probability; multiclass: the optional confidence)."
  - reason: null_predicted_class
    tasks: [multiclass]
    description: "The row has no predicted class."
  - reason: unknown_predicted_class
    tasks: [multiclass]
    description: "The predicted class is not one of the classes configured for the model."
  - reason: null_probability
    tasks: [multiclass]
    description: "One of the class-probability columns configured for the model is missing."
  - reason: probability_out_of_range
    tasks: [multiclass]
    description: "A class probability is NaN, infinite or outside [0; 1]."
  - reason: probabilities_not_normalized
    tasks: [multiclass]
    description: "The class probabilities do not sum to 1 (tolerance 1e-6)."
  - reason: duplicate_prediction_id
    tasks: [binary, regression, multiclass]
    description: "A re-send of a prediction_id already seen (the first arrival is kept)."
labels:
  - reason: null_prediction_id
    tasks: [binary, regression, multiclass]
    description: "The label row has no prediction_id."
  - reason: null_label
    tasks: [binary, regression, multiclass]
    description: "The label value is missing."
  - reason: invalid_label
    tasks: [binary, regression]
    description: "The label is not 0/1 or true/false (binary), or not a finite number (regression)."
  - reason: unknown_label_class
    tasks: [multiclass]
    description: "The label is not one of the classes configured for the model (compared as text)."
  - reason: null_labeled_at
    tasks: [binary, regression, multiclass]
    description: "The label row has no labeled_at."
  - reason: unknown_prediction
    tasks: [binary, regression, multiclass]
    description: "No prediction with this prediction_id exists."
  - reason: prediction_quarantined
    tasks: [binary, regression, multiclass]
    description: "The labelled prediction was quarantined."
  - reason: labeled_before_prediction
    tasks: [binary, regression, multiclass]
    description: "The labeled_at of the label is earlier than the predicted_at of its prediction."
  - reason: superseded_by_correction
    tasks: [binary, regression, multiclass]
    description: "A later label for the same prediction replaced this one."
# END quarantine reasons
{%- endset -%}
{{ return(fromyaml(text)) }}
{% endmacro %}


{% macro quarantine_reasons(input_name) %}
    {#- The reason codes of one input (predictions, labels), in order. -#}
    {{ return(modelwatch.quarantine_reason_catalog()[input_name] | map(attribute='reason') | list) }}
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
