{#-
    One row per row of the label table with row-local checks, parsed for every task: `label`
    (binary 0/1 from 1/0/true/false), `label_value` (a finite number, for regression) and
    `label_class` (the text as given, for multiclass). invalid_label here means valid for no
    configured task; int_modelwatch__labels_validated applies the rule of the prediction's own
    task. Without inputs.labels (models whose outcomes never come back) an empty relation.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set double = modelwatch.type_double() -%}
{%- set binary_texts = "('0', '1', '0.0', '1.0', 'true', 'false')" -%}

{%- if not cfg.inputs.labels %}

select
    cast(null as {{ dbt.type_string() }}) as prediction_id,
    cast(null as {{ dbt.type_int() }}) as label,
    cast(null as {{ double }}) as label_value,
    cast(null as {{ dbt.type_string() }}) as label_class,
    cast(null as {{ dbt.type_string() }}) as raw_label,
    cast(null as {{ dbt.type_timestamp() }}) as labeled_at,
    cast(null as {{ dbt.type_string() }}) as quarantine_reason
where 1 = 0

{%- else %}
{%- set source_relation = modelwatch.input_relation('labels') -%}
{%- set mapping = cfg.columns.labels -%}
{%- set cols = modelwatch.resolve_columns('labels', source_relation, [mapping.prediction_id, mapping.label, mapping.labeled_at]) -%}
{%- set tasks = cfg.models | map(attribute='task') | unique | list -%}
{%- set all_classes = [] -%}
{%- for model in cfg.models -%}{%- for c in model.classes if c not in all_classes -%}{%- do all_classes.append(c) -%}{%- endfor -%}{%- endfor -%}
{%- set valid_parts = [] -%}
{%- if 'binary' in tasks -%}{%- do valid_parts.append('label_text in ' ~ binary_texts) -%}{%- endif -%}
{%- if 'regression' in tasks -%}{%- do valid_parts.append(modelwatch.regex_matches('label_text', modelwatch.number_text_pattern())) -%}{%- endif -%}
{%- if 'multiclass' in tasks -%}{%- do valid_parts.append('label_class in ' ~ modelwatch.string_list(all_classes)) -%}{%- endif %}
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
        cast({{ cols[mapping.label] }} as {{ dbt.type_string() }}) as label_class,
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
        {%- if 'regression' in tasks %}
        case
            when {{ modelwatch.regex_matches('label_text', modelwatch.number_text_pattern()) }}
                then cast(label_text as {{ double }})
        end as label_value,
        {%- else %}
        cast(null as {{ double }}) as label_value,
        {%- endif %}
        label_class,
        label_text as raw_label,
        labeled_at,
        case
            when prediction_id is null then 'null_prediction_id'
            when label_text is null then 'null_label'
            when not ({{ valid_parts | join(' or ') }}) then 'invalid_label'
            when labeled_at is null then 'null_labeled_at'
        end as quarantine_reason
    from renamed

)

select * from final
{%- endif %}
