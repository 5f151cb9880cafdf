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
