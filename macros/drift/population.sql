{% macro drift_population_filter() %}
    {#-
        Drift compares what the served model sees: by default champion rows (and rows without a
        role), so a shadow model scoring the same requests does not count each request twice.
    -#}
    {%- set roles = modelwatch.get_config().drift.deployment_roles -%}
    {%- if not roles -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {{ return('(deployment_role is null or deployment_role in ' ~ modelwatch.string_list(roles) ~ ')') }}
{% endmacro %}


{% macro reference_has_score() %}
    {#- The score is monitored as a feature only when the reference carries a score. -#}
    {%- if modelwatch.reference_mode() == 'predictions' or not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set score_column = modelwatch.get_config().columns.reference.score -%}
    {%- if score_column is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set resolved = modelwatch.resolve_columns('reference', modelwatch.input_relation('reference'), [], [score_column]) -%}
    {{ return(resolved[score_column] is not none) }}
{% endmacro %}


{% macro monitored_features(model) %}
    {#- [{name, type, column}] of one model, the model score last (as numeric feature 'score'). -#}
    {%- set out = [] -%}
    {%- for name in model.features.numeric -%}{%- do out.append({'name': name, 'type': 'numeric', 'column': modelwatch.carried_column(name)}) -%}{%- endfor -%}
    {%- for name in model.features.categorical -%}{%- do out.append({'name': name, 'type': 'categorical', 'column': modelwatch.carried_column(name)}) -%}{%- endfor -%}
    {%- if model.monitor_score and modelwatch.reference_has_score() -%}
        {%- do out.append({'name': 'score', 'type': 'numeric', 'column': 'score'}) -%}
    {%- endif -%}
    {{ return(out) }}
{% endmacro %}


{% macro reference_has_column(name) %}
    {#- Whether the reference carries a column of the prediction log (attributes, segments). -#}
    {%- if modelwatch.reference_mode() == 'predictions' or not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set column = modelwatch.get_config().columns.reference.features.get(name, name) -%}
    {%- set resolved = modelwatch.resolve_columns('reference', modelwatch.input_relation('reference'), [], [column]) -%}
    {{ return(resolved[column] is not none) }}
{% endmacro %}
