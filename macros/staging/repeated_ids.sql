{#-
    Duplicate prediction ids without regrouping the log on every run:
    stg_modelwatch__prediction_id_index keeps the ids seen (a key per id and window, with
    counts) and stg_modelwatch__predictions_repeated_ids re-ranks only the ids whose row count
    in the index differs from the rows it stores (a re-send arrived, even of an id first seen
    long ago). Rows without a timestamp are not indexed: they are read on every run.
-#}

{% macro prediction_id_index_fingerprint() %}
    {#-
        SQL: what the index's keys and windows are made of (granularity, input, id and timestamp
        columns) and the key of a fixed text, so an engine upgrade that changes its hash function
        is caught too. A change needs a rebuild (--full-refresh).
    -#}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set parts = [cfg.inputs.predictions | string, cfg.columns.predictions.prediction_id,
        cfg.columns.predictions.predicted_at] -%}
    {%- set probe = 'cast(' ~ modelwatch.prediction_id_key("cast('modelwatch' as " ~ dbt.type_string() ~ ")") ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {{ return(dbt.concat([modelwatch.sql_string(cfg.granularity ~ ':' ~ local_md5(tojson(parts))[:16] ~ ':'), probe])) }}
{% endmacro %}


{% macro prediction_id_index_lookback_start() %}
    {#-
        The first window an incremental run of the index re-indexes (incremental_lookback_start of
        the stored index), as text, read before the run writes anything; none on a full build
        (or an empty index): everything is read. Inlined as a constant, so the engine can skip
        the log's older blocks. A changed input, id or timestamp column or granularity stops
        the run asking for --full-refresh, as models_to_rebuild does for a granularity change
        (and so does a new hash function).
    -#}
    {%- if not execute or not is_incremental() -%}{{ return(none) }}{%- endif -%}
    {#- a missing input is the first thing to report, not a changed fingerprint -#}
    {%- do modelwatch.input_relation('predictions') -%}
    {%- set stored = run_query('select indexed_as from ' ~ this ~ ' limit 1') -%}
    {%- set expected = run_query('select ' ~ modelwatch.prediction_id_index_fingerprint()).columns[0].values()[0] -%}
    {%- set granularity = modelwatch.get_config().granularity -%}
    {%- set stored_granularity = (stored.rows[0][0] or '').split(':')[0] if stored.rows | length > 0 else granularity -%}
    {%- if stored_granularity != granularity -%}
        {#- the same words as models_to_rebuild -#}
        {{ exceptions.raise_compiler_error(
            "modelwatch: granularity changed from " ~ stored_granularity ~ " to " ~ granularity ~ " since "
            ~ this ~ " was built; its windows cannot be updated in place: run `modelwatch run --full-refresh`"
            ~ " (dbt build --full-refresh)") }}
    {%- elif stored.rows | length > 0 and stored.rows[0][0] != expected -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the predictions input or its prediction_id / predicted_at column (or the engine's hash) "
            ~ "changed since " ~ this ~ " was built; rebuild it with `modelwatch run --full-refresh`"
            ~ " (dbt build --full-refresh)") }}
    {%- endif -%}
    {%- set start = run_query('select ' ~ modelwatch.incremental_lookback_start()).columns[0].values()[0] -%}
    {{ return(none if start is none else (start | string)) }}
{% endmacro %}


{% macro undated_prediction_ids() %}
    {#- (id_key, row_count) of the log's rows with an id and no timestamp: not indexed, read every run. -#}
    select
        {{ modelwatch.prediction_id_key('r.prediction_id') }} as id_key,
        count(*) as row_count
    from ({{ modelwatch.predictions_renamed() }}) as r
    where r.prediction_id is not null
        and r.predicted_at is null
    group by {{ modelwatch.prediction_id_key('r.prediction_id') }}
{%- endmacro %}


{% macro repeated_ids_to_rerank() %}
    {#-
        Id keys whose rows stg_modelwatch__predictions_repeated_ids must rank again: those with
        more than one row (the index's counts plus the rows without a timestamp) whose count
        differs from the rows stored, and stored keys no longer repeated. A re-send of an id
        first seen in a window long before the lookback is found through the index row its
        window wrote (id_row_count counts the earlier windows). Equal hashes of different ids
        only make a key a candidate; the model re-checks the ids themselves.
    -#}
    {%- set index = ref('stg_modelwatch__prediction_id_index') -%}
    select coalesce(t.id_key, s.id_key) as id_key
    from (
        select
            c.id_key,
            sum(c.row_count) as id_rows
        from (
            select
                i.id_key,
                i.row_count
            from {{ index }} as i
            where i.id_key in (
                select j.id_key
                from {{ index }} as j
                where j.id_row_count > 1
            )
                or i.id_key in (select u.id_key from ({{ modelwatch.undated_prediction_ids() }}) as u)
            union all
            select
                u.id_key,
                u.row_count
            from ({{ modelwatch.undated_prediction_ids() }}) as u
        ) as c
        group by c.id_key
        having sum(c.row_count) > 1
    ) as t
    full outer join (
        select
            id_key,
            count(*) as stored_rows
        from {{ this }}
        group by id_key
    ) as s
        on t.id_key = s.id_key
    where coalesce(t.id_rows, 0) <> coalesce(s.stored_rows, 0)
{%- endmacro %}


{% macro repeated_ids_rerank_all() %}
    {#- The stored table has other columns than the config gives (a feature added): rank everything again. -#}
    {%- if not execute or not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | sort | list -%}
    {%- set wanted = (modelwatch.predictions_renamed_columns() + ['id_key', 'id_occurrence']) | map('lower') | sort | list -%}
    {{ return(stored != wanted) }}
{% endmacro %}


{% macro delete_repeated_ids_to_rerank() %}
    {#- the pre-hook of stg_modelwatch__predictions_repeated_ids: nothing on a full build -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        {%- if not modelwatch.repeated_ids_rerank_all() %}
        where id_key in ({{ modelwatch.repeated_ids_to_rerank() }})
        {%- endif %}
    {%- endif -%}
{% endmacro %}


{% macro repeated_ids_rerank_from() %}
    {#-
        Compile time, before the pre-hook: whether any id needs ranking again and the first
        window holding one of their rows (the log is read from there, as a constant the engine
        can skip older blocks with; rows without a timestamp always). A superset is harmless.
    -#}
    {%- if not execute -%}{{ return({'any': true, 'from': none}) }}{%- endif -%}
    {%- set index = ref('stg_modelwatch__prediction_id_index') -%}
    {%- set result = run_query(
        'select count(*), min(i.window_start) from (' ~ modelwatch.repeated_ids_to_rerank() ~ ') as k'
        ~ ' left join ' ~ index ~ ' as i on k.id_key = i.id_key') -%}
    {%- set row = result.rows[0] -%}
    {{ return({'any': row[0] > 0, 'from': (none if row[1] is none else (row[1] | string))}) }}
{% endmacro %}
