{#-
    How incremental models replace the windows a run recomputes, chosen per engine in one place.
    DuckDB / PostgreSQL: delete+insert on the unique key. Spark (parquet tables: no DELETE or
    MERGE without Delta / Iceberg): insert_overwrite with the table partitioned by the unique
    key, which replaces exactly the partitions in the batch, the same semantics. The key, not
    the window alone: a run recomputes some models' windows and not others' (a changed config
    rebuilds one model), so a window partition may hold rows the batch does not.
-#}

{% macro incremental_strategy() %}
    {{ return(adapter.dispatch('incremental_strategy', 'modelwatch')()) }}
{% endmacro %}

{% macro default__incremental_strategy() %}{{ return('delete+insert') }}{% endmacro %}

{% macro spark__incremental_strategy() %}{{ return('insert_overwrite') }}{% endmacro %}


{% macro incremental_partition_by(unique_key) %}
    {{ return(adapter.dispatch('incremental_partition_by', 'modelwatch')(unique_key)) }}
{% endmacro %}

{% macro default__incremental_partition_by(unique_key) %}{{ return(none) }}{% endmacro %}

{% macro spark__incremental_partition_by(unique_key) %}{{ return(unique_key) }}{% endmacro %}
