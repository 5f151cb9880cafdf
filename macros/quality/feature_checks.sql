{% macro feature_value_checks(relation) %}
    {#-
        One row per row of `relation` (the drift population) and monitored feature (not the
        score): feature_id, window_start, the value cast safely (numeric_value or
        category_value), and 0/1 flags: a type error (present, but not a number), a null, and
        each configured value rule broken (null where the feature has no such rule). A type
        error is neither a null nor a value, so it breaks no rule: it is counted on its own.
    -#}
    {%- set selects = [] -%}
    {%- for feature in modelwatch.feature_catalog() if feature.name != 'score' -%}
        {%- set model = modelwatch.model_config(feature.model) -%}
        {%- set rules = model.rules.get(feature.name, {}) -%}
        {%- set column = feature.column -%}
        {%- set numeric = feature.type == 'numeric' -%}
        {%- set safe = numeric and modelwatch.feature_needs_safe_cast(feature.name) -%}
        {%- set value = modelwatch.to_double(column, safe) if numeric else 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- set type_error = modelwatch.is_type_error(column, modelwatch.type_double()) if safe else 'false' -%}
        {%- set is_null = '(' ~ value ~ ') is null and not ' ~ type_error -%}
        {%- set sql -%}
    select
        {{ feature.id }} as feature_id,
        window_start,
        {%- if numeric %}
        {{ value }} as numeric_value,
        cast(null as {{ dbt.type_string() }}) as category_value,
        {%- else %}
        cast(null as {{ modelwatch.type_double() }}) as numeric_value,
        {{ value }} as category_value,
        {%- endif %}
        case when {{ type_error }} then 1 else 0 end as is_type_error,
        case when {{ is_null }} then 1 else 0 end as is_null,
        {%- set flags = [] %}
        {%- if rules.get('not_null') %}{%- do flags.append(('not_null', is_null)) -%}{%- endif %}
        {%- if rules.get('min') is not none %}{%- do flags.append(('min', '(' ~ value ~ ') < ' ~ modelwatch.double_literal(rules.min))) -%}{%- endif %}
        {%- if rules.get('max') is not none %}{%- do flags.append(('max', '(' ~ value ~ ') > ' ~ modelwatch.double_literal(rules.max))) -%}{%- endif %}
        {%- if rules.get('allowed_values') is not none %}
            {%- if numeric %}
                {%- set literals = [] %}
                {%- for v in rules.allowed_values %}{%- do literals.append(modelwatch.double_literal(v)) -%}{%- endfor %}
                {%- do flags.append(('allowed_values', '(' ~ value ~ ') not in (' ~ (literals | join(', ')) ~ ')')) -%}
            {%- else %}
                {%- do flags.append(('allowed_values', '(' ~ value ~ ') not in ' ~ modelwatch.string_list(rules.allowed_values))) -%}
            {%- endif %}
        {%- endif %}
        {%- set named = {} %}
        {%- for name, condition in flags %}{%- do named.update({name: condition}) -%}{%- endfor %}
        {%- for rule in modelwatch.value_rule_names() %}
        {%- if rule in named %}
        case when {{ named[rule] }} then 1 else 0 end as {{ rule }}_violation,
        {%- else %}
        cast(null as {{ dbt.type_int() }}) as {{ rule }}_violation,
        {%- endif %}
        {%- endfor %}
        {%- if flags %}
        case when {% for name, condition in flags %}coalesce({{ condition }}, false){{ ' or ' if not loop.last }}{% endfor %} then 1 else 0 end as is_rule_violation
        {%- else %}
        cast(null as {{ dbt.type_int() }}) as is_rule_violation
        {%- endif %}
    from {{ relation }}
    where model_name = {{ modelwatch.sql_string(feature.model) }}
        {%- endset -%}
        {%- do selects.append(sql) -%}
    {%- endfor -%}
    {%- if selects | length == 0 -%}
    select
        cast(null as {{ dbt.type_int() }}) as feature_id,
        cast(null as {{ dbt.type_timestamp() }}) as window_start,
        cast(null as {{ modelwatch.type_double() }}) as numeric_value,
        cast(null as {{ dbt.type_string() }}) as category_value,
        0 as is_type_error,
        0 as is_null,
        {%- for rule in modelwatch.value_rule_names() %}
        cast(null as {{ dbt.type_int() }}) as {{ rule }}_violation,
        {%- endfor %}
        cast(null as {{ dbt.type_int() }}) as is_rule_violation
    where 1 = 0
    {%- else -%}
    {{ selects | join('\n    union all\n') }}
    {%- endif -%}
{% endmacro %}


{% macro value_rule_names() %}
    {#- The value rules a feature can carry (models[].rules), in column order. -#}
    {{ return(['not_null', 'min', 'max', 'allowed_values']) }}
{% endmacro %}


{% macro model_config(name) %}
    {%- for model in modelwatch.get_config().models if model.name == name -%}{{ return(model) }}{%- endfor -%}
    {{ exceptions.raise_compiler_error("modelwatch: no configured model named '" ~ name ~ "'") }}
{% endmacro %}
