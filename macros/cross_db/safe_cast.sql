{#-
    A cast that gives null instead of failing: a feature column whose upstream type changed (a
    number arriving as 'N/A') must be counted as a type error, never stop the run.
-#}
{% macro safe_cast(expr, type) %}
    {{ return(adapter.dispatch('safe_cast', 'modelwatch')(expr, type)) }}
{% endmacro %}

{% macro default__safe_cast(expr, type) %}try_cast({{ expr }} as {{ type }}){% endmacro %}

{% macro postgres__safe_cast(expr, type) %}
    {#-
        PostgreSQL has no try_cast: the value's text is matched against what the target type's
        input function accepts (decimal or exponent notation, NaN and the infinities, any case,
        surrounding blanks) and, for doubles, checked to lie in the double range through an
        exact numeric cast (1e400 or 1e-400 would stop float8in), and only then cast. Beyond
        DuckDB's try_cast this refuses '1_000' and subnormal numbers (below 2.2e-308).
    -#}
    {%- set kind = type | lower | trim -%}
    {%- set text = 'cast(' ~ expr ~ ' as text)' -%}
    {%- set decimal = "'^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d{1,4})?\\s*$'" -%}
    {%- if kind in ['double precision', 'float8', 'double', 'real', 'float4', 'float'] -%}
    (case
        when {{ text }} ~* {{ decimal }} then
            case when abs(cast({{ text }} as numeric)) = 0
                or abs(cast({{ text }} as numeric)) between 2.2250738585072014e-308 and 1.7976931348623157e308
            then cast({{ text }} as {{ type }}) end
        when {{ text }} ~* '^\s*[-+]?(nan|inf|infinity)\s*$' then cast({{ text }} as {{ type }})
    end)
    {%- elif kind in ['numeric', 'decimal'] or kind.startswith('numeric(') or kind.startswith('decimal(') -%}
    (case when {{ text }} ~* {{ decimal }} then cast({{ text }} as {{ type }}) end)
    {%- elif kind in ['integer', 'int', 'int4', 'bigint', 'int8', 'smallint', 'int2'] -%}
    (case when {{ text }} ~ '^\s*[-+]?\d{1,18}\s*$' then cast({{ text }} as {{ type }}) end)
    {%- elif kind in ['text', 'varchar', 'character varying', 'string'] or kind.startswith('varchar(') -%}
    cast({{ expr }} as {{ type }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("modelwatch: safe_cast on PostgreSQL supports numeric and text types, got '" ~ type ~ "'") }}
    {%- endif -%}
{% endmacro %}


{% macro column_is_numeric(data_type) %}
    {#- Whether a warehouse column type already holds numbers (its values can never be type errors). -#}
    {%- set kind = (data_type or '') | lower | trim -%}
    {%- set base = kind.split('(')[0] | trim -%}
    {{ return(base in ['double', 'double precision', 'float', 'float4', 'float8', 'real', 'decimal', 'numeric',
                       'int', 'integer', 'int2', 'int4', 'int8', 'bigint', 'smallint', 'tinyint', 'hugeint',
                       'ubigint', 'uinteger', 'usmallint', 'utinyint', 'uhugeint']) }}
{% endmacro %}


{% macro input_column_types(input_name) %}
    {#-
        {lower-case column name: data type} of an input relation, read once per dbt invocation
        (kept on the resolved config, like the config itself). Empty while parsing.
    -#}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set key = '__column_types_' ~ input_name -%}
    {%- if key not in cfg -%}
        {%- set types = {} -%}
        {%- for name, data_type in modelwatch.column_types(modelwatch.input_relation_for_metadata(input_name)).items() -%}
            {%- do types.update({name | lower: data_type}) -%}
        {%- endfor -%}
        {%- do cfg.update({key: types}) -%}
    {%- endif -%}
    {{ return(cfg[key]) }}
{% endmacro %}


{% macro feature_needs_safe_cast(name, is_reference=false) %}
    {#-
        Whether a numeric feature's column can hold values that do not cast to a number: any
        column not typed as a number (text, JSON, unknown while parsing). Numeric columns keep
        their plain cast, so typed logs pay nothing for the check.
    -#}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {%- if is_reference and modelwatch.reference_mode() == 'relation' -%}
        {%- set column = modelwatch.get_config().columns.reference.features.get(name, name) -%}
        {%- set types = modelwatch.input_column_types('reference') -%}
    {%- else -%}
        {%- set column = name -%}
        {%- set types = modelwatch.input_column_types('predictions') -%}
    {%- endif -%}
    {{ return(not modelwatch.column_is_numeric(types.get(column | lower))) }}
{% endmacro %}
