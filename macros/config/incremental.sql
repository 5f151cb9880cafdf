{#-
    How incremental models replace the windows a run recomputes, chosen per engine in one place.
    DuckDB / PostgreSQL: delete+insert on the unique key (on DuckDB through replace_keys below).
    Spark (parquet tables: no DELETE or MERGE without Delta / Iceberg): insert_overwrite with the table partitioned by the unique
    key, which replaces exactly the partitions in the batch, the same semantics. The key, not
    the window alone: a run recomputes some models' windows and not others' (a changed config
    rebuilds one model), so a window partition may hold rows the batch does not.
-#}

{% macro incremental_strategy() %}
    {{ return(adapter.dispatch('incremental_strategy', 'modelwatch')()) }}
{% endmacro %}

{% macro default__incremental_strategy() %}{{ return('delete+insert') }}{% endmacro %}

{% macro duckdb__incremental_strategy() %}{{ return('replace_keys') }}{% endmacro %}

{% macro spark__incremental_strategy() %}{{ return('insert_overwrite') }}{% endmacro %}


{% macro incremental_partition_by(unique_key) %}
    {{ return(adapter.dispatch('incremental_partition_by', 'modelwatch')(unique_key)) }}
{% endmacro %}

{% macro default__incremental_partition_by(unique_key) %}{{ return(none) }}{% endmacro %}

{% macro spark__incremental_partition_by(unique_key) %}{{ return(unique_key) }}{% endmacro %}


{% macro get_incremental_replace_keys_sql(arg_dict) %}
    {#-
        DuckDB's incremental strategy: delete+insert, deleting the stored rows whose key is among
        the batch's distinct keys, as dbt's default does. dbt-duckdb's own delete+insert joins
        the table with the batch on the key, which pairs every stored row of a window with every
        new row of it: quadratic for the row-level tables (a window of 20,000 predictions made
        400 million pairs).
    -#}
    {{ return(dbt.default__get_delete_insert_merge_sql(
        arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'],
        arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}


{% macro windows_as_constants(query, max_rows=2000) %}
    {#-
        Runs `query` (model_name, model_version, window_start: the windows an incremental run
        recomputes) at compile time and returns them as SQL constants: {'relation': a VALUES
        select of those rows, 'windows': the distinct windows as a list of timestamp literals,
        'first': the earliest one}. Filters on constants reach the table scan (zone maps skip old
        blocks) before any join or aggregate; a join with the same rows computed in SQL let
        DuckDB aggregate the whole history first. More than max_rows rows (a rebuild of a long
        history) -> none: the caller keeps its SQL form.
    -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set rows = run_query(query).rows | rejectattr(2, 'none') | list -%}
    {%- if rows | length > max_rows -%}{{ return(none) }}{%- endif -%}
    {%- set string = dbt.type_string() -%}
    {%- set literal = {} -%}
    {%- for row in rows -%}
        {%- do literal.update({row[2] | string: modelwatch.timestamp_literal(row[2])}) -%}
    {%- endfor -%}
    {%- set selects = [] -%}
    {%- for row in rows -%}
        {%- do selects.append('select '
            ~ ('cast(null as ' ~ string ~ ')' if row[0] is none else 'cast(' ~ modelwatch.sql_string(row[0]) ~ ' as ' ~ string ~ ')') ~ ' as model_name, '
            ~ ('cast(null as ' ~ string ~ ')' if row[1] is none else 'cast(' ~ modelwatch.sql_string(row[1]) ~ ' as ' ~ string ~ ')') ~ ' as model_version, '
            ~ literal[row[2] | string] ~ ' as window_start') -%}
    {%- endfor -%}
    {%- if not selects -%}
        {%- do selects.append('select cast(null as ' ~ string ~ ') as model_name, cast(null as ' ~ string
            ~ ') as model_version, cast(null as ' ~ dbt.type_timestamp() ~ ') as window_start where 1 = 0') -%}
    {%- endif -%}
    {%- set windows = [] -%}
    {%- for key in literal.keys() | sort -%}{%- do windows.append(literal[key]) -%}{%- endfor -%}
    {{ return({
        'relation': selects | join('\nunion all\n'),
        'windows': windows,
        'first': windows[0] if windows else none,
    }) }}
{% endmacro %}


{% macro timestamp_literal(value) %}
    {#- a timestamp read back by run_query, as SQL (text 'YYYY-MM-DD HH:MM:SS[.ffffff]') -#}
    {{ return('cast(' ~ modelwatch.sql_string(value | string) ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{% endmacro %}


{% macro in_windows_predicate(timestamp_column, windows, with_null=false, max_terms=500) %}
    {#-
        SQL: timestamp_column falls in one of `windows` (timestamp literals of window starts),
        as ranges the engine's table scan can skip blocks with (DuckDB pushes an OR of ranges
        into its zone maps; a window_start computed from the column it cannot). More than
        max_terms windows -> from the earliest on. with_null: null timestamps pass too.
    -#}
    {%- set terms = ['(' ~ timestamp_column ~ ' is null)'] if with_null else [] -%}
    {%- if windows | length > max_terms -%}
        {%- do terms.append('(' ~ timestamp_column ~ ' >= ' ~ (windows | min) ~ ')') -%}
    {%- else -%}
        {%- for window in windows -%}
            {%- do terms.append('(' ~ timestamp_column ~ ' >= ' ~ window ~ ' and ' ~ timestamp_column ~ ' < '
                ~ modelwatch.window_end(window) ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('(' ~ (terms | join(' or ') if terms else '1 = 0') ~ ')') }}
{% endmacro %}
