{#-
    The generic pass over config_schema(): every key's type, range and allowed values, one
    message per problem, the bad value replaced by its default so checking goes on. The same
    rules and messages as python/modelwatch/config_schema.py (a test compares them). Rules
    between keys stay explicit in _resolve_config.
-#}

{% macro config_validate(node, value, where, errors) %}
    {%- if node.type == 'mapping' -%}
        {{ return(modelwatch._config_validate_mapping(node, value, where, errors)) }}
    {%- endif -%}
    {%- if node.type in ['any', 'list'] or (value is none and node.get('nullable')) -%}
        {{ return(value) }}
    {%- endif -%}
    {%- if node.type == 'names' -%}
        {{ return(modelwatch._name_list(value, where, errors)) }}
    {%- endif -%}
    {%- if node.type == 'name' -%}
        {{ return(value if modelwatch.validate_name(value, where, errors) else node.get('default')) }}
    {%- endif -%}
    {%- if node.get('text_booleans') and value in ['true', 'True', 'false', 'False'] -%}
        {%- set value = value in ['true', 'True'] -%}
    {%- endif -%}
    {%- if modelwatch._config_value_ok(node, value) -%}
        {{ return((value | string) if node.type == 'date' else value) }}
    {%- endif -%}
    {%- do errors.append("modelwatch: " ~ where ~ " must be " ~ modelwatch._config_expected(node)
        ~ ", got " ~ modelwatch._shown(value)) -%}
    {{ return(node.get('default')) }}
{% endmacro %}


{% macro _config_validate_mapping(node, value, where, errors) %}
    {%- if value is not none and value is not mapping -%}
        {%- do errors.append("modelwatch: '" ~ where ~ "' must be a mapping"
            ~ (' ' ~ node.hint if node.get('hint') else '')) -%}
        {%- set value = {} -%}
    {%- endif -%}
    {%- set defaults = {} -%}
    {%- for key, child in node['keys'].items() -%}
        {%- do defaults.update({key: child.get('default')}) -%}
    {%- endfor -%}
    {%- if where -%}
        {%- set merged = modelwatch._merge_dict(defaults, value, where, errors) -%}
    {%- else -%}
        {%- set merged = defaults -%}
        {%- for key, given in (value or {}).items() -%}
            {%- if key in defaults -%}
                {%- do merged.update({key: given}) -%}
            {%- else -%}
                {%- do errors.append("modelwatch: unknown top-level key " ~ modelwatch._shown(key)
                    ~ ". Known keys: " ~ (defaults.keys() | sort | join(', '))) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {#- a section left out is its defaults; a leaf left out is its default, unjudged -#}
    {%- for key, child in node['keys'].items() if child.type == 'mapping' or key in (value or {}) -%}
        {%- do merged.update({key: modelwatch.config_validate(
            child, merged[key], (where ~ '.' if where else '') ~ key, errors)}) -%}
    {%- endfor -%}
    {{ return(merged) }}
{% endmacro %}


{% macro _config_value_ok(node, value) %}
    {%- if node.type == 'enum' -%}{{ return(value in node['values']) }}{%- endif -%}
    {%- if node.type == 'boolean' -%}{{ return(value is sameas true or value is sameas false) }}{%- endif -%}
    {%- if node.type == 'string' -%}{{ return(value is string) }}{%- endif -%}
    {%- if node.type == 'date' -%}
        {#- dates given unquoted in YAML arrive as dates: their text is judged -#}
        {{ return(modules.re.match('^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$', value | string) is not none) }}
    {%- endif -%}
    {%- if value is not number or value is sameas true or value is sameas false -%}{{ return(false) }}{%- endif -%}
    {%- if node.type == 'whole' and value != (value | int) -%}{{ return(false) }}{%- endif -%}
    {%- if node.get('min') is not none and (value < node.min or (node.get('exclusive_min') and value == node.min)) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if node.get('max') is not none and (value > node.max or (node.get('exclusive_max') and value == node.max)) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(true) }}
{% endmacro %}


{% macro _config_expected(node) %}
    {#- What a key takes, for its message: "a whole number from 2 to 100", "warn or error". -#}
    {%- set low, high = node.get('min'), node.get('max') -%}
    {%- if node.type == 'enum' -%}
        {%- set shown = [] -%}
        {%- for v in node['values'] -%}
            {%- do shown.append((v | string | lower) if (v is sameas true or v is sameas false) else (v | string)) -%}
        {%- endfor -%}
        {%- set text = (shown[:-1] | join(', ')) ~ ' or ' ~ shown[-1] -%}
    {%- elif node.type == 'boolean' -%}
        {%- set text = 'true, false' if node.get('nullable') else 'true or false' -%}
    {%- elif node.type == 'string' -%}
        {%- set text = 'a string' -%}
    {%- elif node.type == 'date' -%}
        {%- set text = 'a date like 2024-01-01' -%}
    {%- else -%}
        {%- set text = ('a whole number' if node.type == 'whole' else 'a number')
            ~ (' of ' ~ node.unit if node.get('unit') else '') -%}
        {%- if low is not none and high is not none and node.type == 'whole' -%}
            {%- set text = text ~ ' from ' ~ low ~ ' to ' ~ high -%}
        {%- elif low is not none and high is not none -%}
            {%- set text = text ~ ' in ' ~ ('(' if node.get('exclusive_min') else '[') ~ low ~ ', '
                ~ high ~ (')' if node.get('exclusive_max') else ']') -%}
        {%- elif low is not none -%}
            {%- set text = text ~ (' > ' if node.get('exclusive_min') else ' >= ') ~ low -%}
        {%- endif -%}
    {%- endif -%}
    {%- if node.get('nullable') -%}{%- set text = text ~ ' or null' -%}{%- endif -%}
    {{ return(text ~ (' ' ~ node.hint if node.get('hint') else '')) }}
{% endmacro %}


{% macro name_problem(name, kind='name') %}
    {#-
        Why a user-supplied name cannot be an identifier, or none. The same rules as Python's
        modelwatch.identifiers.name_problem (the tests compare both on hostile names): names are
        always quoted, and quotes, backticks, backslashes, semicolons and control characters
        (C0, DEL, C1, line separators, bidi overrides) are refused rather than escaped. Schemas
        also refuse single quotes and dots (dbt pastes them into string literals) and must fit
        PostgreSQL's 63 bytes with the `_audit` suffix.
    -#}
    {%- if name is not string or (name | length) == 0 -%}{{ return('must be a non-empty name') }}{%- endif -%}
    {%- if (name | length) > 128 -%}{{ return('is longer than 128 characters') }}{%- endif -%}
    {%- if modules.re.search('[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]', name) -%}
        {{ return('contains a control character') }}
    {%- endif -%}
    {%- for bad in ['"', '`', '\\', ';'] if bad in name -%}
        {{ return('contains a quote, backtick, backslash or semicolon') }}
    {%- endfor -%}
    {%- if kind == 'schema' -%}
        {%- if "'" in name or '.' in name -%}{{ return('contains a quote or a dot') }}{%- endif -%}
        {%- if (name.encode('utf-8') | length) > 57 -%}{{ return('is longer than 57 bytes') }}{%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro validate_name(name, where, errors=none) %}
    {#- true when usable; else the problem is added to errors (or raised when none is given). -#}
    {%- set problem = modelwatch.name_problem(name) -%}
    {%- if problem is none -%}{{ return(true) }}{%- endif -%}
    {%- set message = "modelwatch: " ~ where ~ " " ~ modelwatch._shown(name) ~ " " ~ problem
        ~ "; rename it (for a column: in a view)" -%}
    {%- if errors is none -%}
        {{ exceptions.raise_compiler_error(message) }}
    {%- endif -%}
    {%- do errors.append(message) -%}
    {{ return(false) }}
{% endmacro %}


{% macro _shown(value, quote="'") %}
    {#- A value for a message: control characters escaped, so a message never carries them raw. -#}
    {%- set text = value | string -%}
    {%- set escaped = modules.re.sub('[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]', '?', text) -%}
    {{ return(quote ~ escaped ~ quote) }}
{% endmacro %}
