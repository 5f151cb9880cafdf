{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='append',
    pre_hook="{{ modelwatch.delete_repeated_ids_to_rerank() }}",
    on_schema_change='sync_all_columns',
) }}
{#-
    Every row of the prediction log whose prediction_id occurs more than once, typed as in
    stg_modelwatch__predictions, ranked: id_occurrence 1 is the first arrival (the original), 2+ are
    re-sends. Usually empty, so stg_modelwatch__predictions (a view) takes these rows from here
    and the log is never copied.
    A full build groups the ids of the whole log (on a hash of the id where the engine has one,
    re-checked on the ids themselves). Incremental (DuckDB, PostgreSQL): the pre-hook deletes the
    ids whose row count in stg_modelwatch__prediction_id_index differs from the rows stored
    (macros/staging/repeated_ids.sql) and the run ranks all the rows of those ids again, read
    from the log from the first window holding one of them: a re-send arriving today of an id
    first seen months ago brings its original back, and a run with no new duplicate reads
    nothing of the log but its rows without a timestamp. On Spark (parquet: no DELETE) a table
    rebuilt every run.
-#}
-- depends_on: {{ ref('stg_modelwatch__prediction_id_index') }}
{%- set cfg = modelwatch.get_config() -%}
{%- set source_relation = modelwatch.input_relation('predictions') -%}
{%- set id_column = modelwatch.resolve_columns('predictions', source_relation, [cfg.columns.predictions.prediction_id])[cfg.columns.predictions.prediction_id] -%}
{%- set id_expr = 'cast(' ~ id_column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
{%- set incremental = is_incremental() and not modelwatch.repeated_ids_rerank_all() -%}
{%- set rerank = modelwatch.repeated_ids_rerank_from() if incremental else none %}

with

{%- if not incremental %}

repeated_keys as (

    select {{ modelwatch.prediction_id_key(id_expr) }} as id_key
    from {{ source_relation }}
    where {{ id_column }} is not null
    group by {{ modelwatch.prediction_id_key(id_expr) }}
    having count(*) > 1

),

{%- else %}

repeated_keys as (

    -- run after the pre-hook deleted the keys to rank again: those now differ from what is stored
    {{ modelwatch.repeated_ids_to_rerank() }}

),

{%- endif %}

renamed as (

    select
        *,
        {{ modelwatch.prediction_id_key('prediction_id') }} as id_key
    from ({{ modelwatch.predictions_renamed() }}) as p
    where prediction_id is not null
        {%- if incremental and not rerank.any %}
        -- no id to rank again
        and 1 = 0
        {%- elif incremental and rerank['from'] is not none %}
        and (
            predicted_at is null
            or predicted_at >= cast({{ modelwatch.sql_string(rerank['from']) }} as {{ dbt.type_timestamp() }})
        )
        {%- elif incremental %}
        and predicted_at is null
        {%- endif %}

),

candidates as (

    select r.*
    from renamed as r
    where r.id_key in (select k.id_key from repeated_keys as k)

),

repeated_ids as (

    select prediction_id
    from candidates
    group by prediction_id
    having count(*) > 1

),

final as (

    select
        {%- for column in modelwatch.predictions_renamed_columns() %}
        c.{{ column }},
        {%- endfor %}
        c.id_key,
        -- the first arrival of an id is the original; later ones are re-sends
        row_number() over (
            partition by c.prediction_id
            order by c.predicted_at, c.model_name, c.model_version, c.score, c.request_id
        ) as id_occurrence
    from candidates as c
    where exists (
        select 1
        from repeated_ids as d
        where d.prediction_id = c.prediction_id
    )

)

select * from final
