{#-
    One row per row of the label table with row-local checks. Checks that need the prediction
    log (unknown ids, corrections) happen in int_modelwatch__labels_validated.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set source_relation = modelwatch.input_relation('labels') -%}
{%- set mapping = cfg.columns.labels -%}
{%- set cols = modelwatch.resolve_columns('labels', source_relation, [mapping.prediction_id, mapping.label, mapping.labeled_at]) -%}
{%- set types = modelwatch.column_types(source_relation) -%}

with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        cast({{ cols[mapping.prediction_id] }} as {{ dbt.type_string() }}) as prediction_id,
        -- labels may be stored as integers, booleans or strings: compare their text form
        lower(cast({{ cols[mapping.label] }} as {{ dbt.type_string() }})) as label_text,
        {{ modelwatch.utc_timestamp(cols[mapping.labeled_at], types.get(cols[mapping.labeled_at][1:-1])) }} as labeled_at
    from source

),

final as (

    select
        prediction_id,
        case
            when label_text in ('1', '1.0', 'true') then 1
            when label_text in ('0', '0.0', 'false') then 0
        end as label,
        label_text as raw_label,
        labeled_at,
        case
            when prediction_id is null then 'null_prediction_id'
            when label_text is null then 'null_label'
            when label_text not in ('0', '1', '0.0', '1.0', 'true', 'false') then 'invalid_label'
            when labeled_at is null then 'null_labeled_at'
        end as quarantine_reason
    from renamed

)

select * from final
