{#-
    Thresholds per check and level, resolved per model: test argument, then the model's checks,
    then the global checks, then the built-in default (get_config merges the last three).
-#}

{% macro check_setting_sql(check_names, key, overrides=none, check_column='check_name', model_column='model_name') %}
    {#-
        A SQL expression giving one setting of a check (a key of checks.<name>: warn, error,
        kind, noise_floor, ...) for each row's model and, with several checks, each row's
        check_name. A setting that is the same for every model is a bare literal, so rows of
        unlisted model names (quarantined '__unknown__') get it too. overrides: {check: {key: v}}.
    -#}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set branches = [] -%}
    {%- for check in check_names -%}
        {%- set literals = [] -%}
        {%- for model in cfg.models -%}
            {%- set value = model.checks[check][key] -%}
            {%- if overrides and check in overrides and overrides[check].get(key) is not none -%}
                {%- set value = overrides[check][key] -%}
            {%- endif -%}
            {%- if value is sameas true or value is sameas false -%}
                {%- do literals.append('true' if value else 'false') -%}
            {%- elif value is string -%}
                {%- do literals.append(modelwatch.sql_string(value)) -%}
            {%- elif value is none -%}
                {%- do literals.append('null') -%}
            {%- else -%}
                {%- do literals.append(value | string) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set check_condition = (check_column ~ ' = ' ~ modelwatch.sql_string(check)) if check_column else none -%}
        {%- if literals | unique | list | length == 1 -%}
            {%- if not check_condition -%}{{ return(literals[0]) }}{%- endif -%}
            {%- do branches.append('when ' ~ check_condition ~ ' then ' ~ literals[0]) -%}
        {%- else -%}
            {%- for model in cfg.models -%}
                {%- set model_condition = model_column ~ ' = ' ~ modelwatch.sql_string(model.name) -%}
                {%- do branches.append('when ' ~ ([check_condition, model_condition] | select | join(' and '))
                    ~ ' then ' ~ literals[loop.index0]) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('(case ' ~ (branches | join(' ')) ~ ' end)') }}
{% endmacro %}


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
    {{ return(modelwatch.check_setting_sql([check], level, check_column=none, model_column=model_column)) }}
{% endmacro %}


{% macro check_direction(check) %}
    {{ return(modelwatch.get_config().checks[check].direction) }}
{% endmacro %}


{% macro floored_threshold_sql(check, level, override=none, floor=none) %}
    {#- The level's threshold, raised to the noise floor where the check has one (drift). -#}
    {%- set threshold = modelwatch.threshold_sql(check, level, override) -%}
    {%- if floor is none -%}{{ return(threshold) }}{%- endif -%}
    {%- set has_floor = modelwatch.check_setting_sql([check], 'noise_floor', check_column=none) -%}
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
