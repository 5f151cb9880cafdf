{#-
    Small questions the models ask of the resolved config (get_config): which models have a
    task, which have no labels, whether the Python models run; and their SQL forms.
-#}

{% macro python_models_enabled() %}
    {#-
        The opt-in Python models (scipy's exact KS p-values, recalibration) need
        the modelwatch pip package in dbt's environment and run where dbt has Python models
        (DuckDB here). Off by default: everything else is SQL. The CLI turns them on (`auto`).
    -#}
    {%- set setting = modelwatch.get_config().python_models -%}
    {{ return(setting == true or (setting == 'auto' and target.type == 'duckdb')) }}
{% endmacro %}


{% macro models_with_task(task) %}
    {#- Names of the configured models of one task (binary, regression, multiclass). -#}
    {{ return(modelwatch.get_config().models | selectattr('task', 'equalto', task) | map(attribute='name') | list) }}
{% endmacro %}


{% macro models_without_labels() %}
    {#- Names of the models whose outcomes never come back (labels: false or no inputs.labels). -#}
    {{ return(modelwatch.get_config().models | rejectattr('labels') | map(attribute='name') | list) }}
{% endmacro %}


{% macro model_in(model_column, names) %}
    {#- SQL: the row's model is one of names (false for an empty list). -#}
    {%- if not names -%}{{ return('(1 = 0)') }}{%- endif -%}
    {{ return('(' ~ model_column ~ ' in ' ~ modelwatch.string_list(names) ~ ')') }}
{% endmacro %}


{% macro probability_column_names() %}
    {#- Every probability column any multiclass model reads from the prediction log, once. -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- for column in model.probability_columns.values() if column not in out -%}{%- do out.append(column) -%}{%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro task_sql(model_column='model_name') %}
    {#- SQL: the task of the row's model ('binary' for every model not configured otherwise). -#}
    {%- set branches = [] -%}
    {%- for model in modelwatch.get_config().models if model.task != 'binary' -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ modelwatch.sql_string(model.task)) -%}
    {%- endfor -%}
    {%- if not branches -%}{{ return("'binary'") }}{%- endif -%}
    {{ return('(case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ " else 'binary' end)") }}
{% endmacro %}
