{#-
    Thresholds per check and level, resolved per model: test argument, then the model's checks,
    then the global checks, then the built-in default (get_config merges the last three).
-#}

{% macro threshold_sql(check, level, override=none, model_column='model_name') %}
    {#- A SQL expression giving the threshold for each row's model (null: level disabled). -#}
    {%- if level not in ['warn', 'error'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: level must be warn or error, got " ~ level) }}
    {%- endif -%}
    {%- if override is not none -%}
        {{ return(override | string) }}
    {%- endif -%}
    {%- set cfg = modelwatch.get_config() -%}
    {%- if check not in cfg.checks -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: unknown check '" ~ check ~ "'. Known checks: " ~ (cfg.checks.keys() | sort | join(', '))) }}
    {%- endif -%}
    {%- set values = [] -%}
    {%- for model in cfg.models -%}
        {%- do values.append(model.checks[check][level]) -%}
    {%- endfor -%}
    {%- if values | unique | list | length == 1 -%}
        {{ return('null' if values[0] is none else (values[0] | string)) }}
    {%- endif -%}
    {%- set branches = [] -%}
    {%- for model in cfg.models -%}
        {%- set v = model.checks[check][level] -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ ('null' if v is none else v | string)) -%}
    {%- endfor -%}
    {{ return('(case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ ' end)') }}
{% endmacro %}


{% macro check_direction(check) %}
    {{ return(modelwatch.get_config().checks[check].direction) }}
{% endmacro %}


{% macro floored_threshold_sql(check, level, override=none, floor=none) %}
    {#- The level's threshold, raised to the noise floor where the check has one (drift). -#}
    {%- set threshold = modelwatch.threshold_sql(check, level, override) -%}
    {%- if floor is none -%}{{ return(threshold) }}{%- endif -%}
    {%- set has_floor = modelwatch._check_setting_sql([check], 'noise_floor')
        | replace('check_name = ' ~ modelwatch.sql_string(check) ~ ' and ', '')
        | replace('when check_name = ' ~ modelwatch.sql_string(check) ~ ' then', 'when true then') -%}
    {{ return('(case when ' ~ has_floor ~ ' and ' ~ threshold ~ ' < ' ~ floor ~ ' then ' ~ floor ~ ' else ' ~ threshold ~ ' end)') }}
{% endmacro %}


{% macro breaches(value_expr, check, level, override=none, floor=none) %}
    {#-
        True when the value is at or beyond the level's threshold; a warn breach excludes values
        that also breach error, so each row carries one severity.
    -#}
    {%- set op = '>=' if modelwatch.check_direction(check) == 'above' else '<=' -%}
    {%- set this_level = '(' ~ value_expr ~ ' ' ~ op ~ ' ' ~ modelwatch.floored_threshold_sql(check, level, override, floor) ~ ')' -%}
    {%- if level == 'error' -%}
        {{ return('coalesce(' ~ this_level ~ ', false)') }}
    {%- endif -%}
    {%- set error_level = '(' ~ value_expr ~ ' ' ~ op ~ ' ' ~ modelwatch.floored_threshold_sql(check, 'error', none, floor) ~ ')' -%}
    {{ return('(coalesce(' ~ this_level ~ ', false) and not coalesce(' ~ error_level ~ ', false))') }}
{% endmacro %}


{% macro severity_sql(checks) %}
    {#-
        'error' / 'warn' / 'ok' over several (check, column[, noise floor]) entries: the worst
        level breached, on static thresholds (the alerts table adds dynamic and persistence).
    -#}
    {%- set error_parts = [] -%}
    {%- set warn_parts = [] -%}
    {%- for entry in checks -%}
        {%- set check, column = entry[0], entry[1] -%}
        {%- set floor = entry[2] if entry | length > 2 else none -%}
        {%- do error_parts.append(modelwatch.breaches(column, check, 'error', none, floor)) -%}
        {%- do warn_parts.append(modelwatch.breaches(column, check, 'warn', none, floor)) -%}
    {%- endfor -%}
    case
        when {{ error_parts | join(' or ') }} then 'error'
        when {{ warn_parts | join(' or ') }} then 'warn'
        else 'ok'
    end
{%- endmacro %}


{% macro runbook_url_sql(check, model_column='model_name') %}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set branches = [] -%}
    {%- for model in cfg.models -%}
        {%- set url = model.checks[check].runbook_url -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then '
            ~ (modelwatch.sql_string(url) if url else 'null')) -%}
    {%- endfor -%}
    {{ return('cast((case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ ' end) as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}
