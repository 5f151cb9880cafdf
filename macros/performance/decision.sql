{#- The model's decision: predicted_label when the log has it, else score >= the model's threshold. -#}

{% macro decision_threshold_sql(model_column='model_name') %}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set branches = [] -%}
    {%- for model in cfg.models -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ model.threshold) -%}
    {%- endfor -%}
    {{ return('(case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ ' end)') }}
{% endmacro %}


{% macro predicted_label_sql(score='score', predicted_label='predicted_label', model_column='model_name') %}
    coalesce(
        {{ predicted_label }},
        case when {{ score }} >= {{ modelwatch.decision_threshold_sql(model_column) }} then 1 else 0 end
    )
{%- endmacro %}
