{#-
    Every row of the prediction log whose prediction_id occurs more than once, typed as in
    stg_modelwatch__predictions, ranked: id_occurrence 1 is the first arrival (the original), 2+ are
    re-sends. Usually empty, so finding duplicates costs one grouping of the ids (on a hash of
    the id where the engine has one, re-checked on the ids themselves) and no copy of the log.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set source_relation = modelwatch.input_relation('predictions') -%}
{%- set id_column = modelwatch.resolve_columns('predictions', source_relation, [cfg.columns.predictions.prediction_id])[cfg.columns.predictions.prediction_id] -%}
{%- set id_expr = 'cast(' ~ id_column ~ ' as ' ~ dbt.type_string() ~ ')' -%}

with

repeated_keys as (

    select {{ modelwatch.prediction_id_key(id_expr) }} as id_key
    from {{ source_relation }}
    where {{ id_column }} is not null
    group by {{ modelwatch.prediction_id_key(id_expr) }}
    having count(*) > 1

),

repeated_ids as (

    select {{ id_expr }} as prediction_id
    from {{ source_relation }}
    where {{ id_column }} is not null
        and {{ modelwatch.prediction_id_key(id_expr) }} in (select k.id_key from repeated_keys as k)
    group by {{ id_expr }}
    having count(*) > 1

),

renamed as (

    {{ modelwatch.predictions_renamed() }}

),

final as (

    select
        r.*,
        -- the first arrival of an id is the original; later ones are re-sends
        row_number() over (
            partition by r.prediction_id
            order by r.predicted_at, r.model_name, r.model_version, r.score, r.request_id
        ) as id_occurrence
    from renamed as r
    where exists (
        select 1
        from repeated_ids as d
        where d.prediction_id = r.prediction_id
    )

)

select * from final
