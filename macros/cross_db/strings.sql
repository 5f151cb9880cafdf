{#- Text predicates dbt has no cross-database macro for. -#}

{% macro regex_matches(expr, pattern) %}
    {#- True when the whole of expr matches pattern (anchor it with ^...$; no backslashes, so
        every engine's string literal reads it the same). -#}
    {{ return(adapter.dispatch('regex_matches', 'modelwatch')(expr, pattern)) }}
{% endmacro %}

{% macro default__regex_matches(expr, pattern) %}({{ expr }} ~ {{ modelwatch.sql_string(pattern) }}){% endmacro %}

{% macro duckdb__regex_matches(expr, pattern) %}regexp_matches({{ expr }}, {{ modelwatch.sql_string(pattern) }}){% endmacro %}

{% macro spark__regex_matches(expr, pattern) %}({{ expr }} rlike {{ modelwatch.sql_string(pattern) }}){% endmacro %}


{% macro number_text_pattern() %}
    {#- A finite decimal number as text (what a double or integer column casts to): no nan, no inf. -#}
    {{ return('^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]{1,3})?$') }}
{% endmacro %}


{% macro ordered_listagg(measure, delimiter_text, order_by_clause) %}
    {#- dbt.listagg with its order kept on every engine (dbt-spark's ignores `order by`). -#}
    {{ return(adapter.dispatch('ordered_listagg', 'modelwatch')(measure, delimiter_text, order_by_clause)) }}
{% endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by_clause) %}{{ return(dbt.listagg(measure, delimiter_text, order_by_clause)) }}{% endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by_clause) %}
    {#-
        Collect (sort keys..., value) structs, sort them, keep the values. Each key is preceded
        by its is-null flag (nulls last, as DuckDB and PostgreSQL order); `desc` keys must be
        numeric (negated). The order clause's terms are split on commas.
    -#}
    {%- set fields = [] -%}
    {%- set clause = order_by_clause | trim -%}
    {%- set clause = clause[8:] if (clause | lower).startswith('order by') else clause -%}
    {%- for term in clause.split(',') -%}
        {%- set words = (term | trim).split() -%}
        {%- set direction = words[-1] | lower if (words[-1] | lower) in ['asc', 'desc'] else 'asc' -%}
        {%- set expr = (words[:-1] if (words[-1] | lower) in ['asc', 'desc'] else words) | join(' ') -%}
        {%- set key = ('-(' ~ expr ~ ')') if direction == 'desc' else '(' ~ expr ~ ')' -%}
        {%- do fields.append("'n" ~ loop.index ~ "', (" ~ expr ~ ") is null, 'k" ~ loop.index ~ "', " ~ key) -%}
    {%- endfor -%}
    {%- set collected = 'sort_array(collect_list(named_struct(' ~ (fields | join(', ')) ~ ", 'v', " ~ measure ~ ')))' -%}
    {{ return('case when count(' ~ measure ~ ') > 0 then array_join(transform(' ~ collected ~ ', x -> x.v), ' ~ delimiter_text ~ ') end') }}
{% endmacro %}
