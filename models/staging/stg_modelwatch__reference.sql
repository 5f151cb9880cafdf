{#-
    The baseline every window is compared with: a training/validation table, or a date range of
    the prediction log (valid rows of the drift population only). model_name is null when the
    reference table is shared by every model. Its label is parsed for every task as the label
    feed is (label: binary 0/1, label_value: a finite number, label_class: the text).
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set features = modelwatch.feature_names('numeric') + modelwatch.feature_names('categorical') -%}
{%- set attributes = modelwatch.feature_names('attributes') | reject('in', features) | list -%}
{%- set passthrough = features + attributes -%}

{%- if modelwatch.reference_mode() == 'relation' %}
{%- set source_relation = modelwatch.input_relation('reference') -%}
{%- set mapping = cfg.columns.reference -%}
{%- set optional = [] -%}
{%- for key in ['model_name', 'score', 'label', 'predicted_class'] if mapping[key] is not none -%}{%- do optional.append(mapping[key]) -%}{%- endfor -%}
{#- features are required; attributes and slices are optional in a reference (null when absent) -#}
{#- a feature may have another name in the reference (columns.reference.features) -#}
{%- set renamed = cfg.columns.reference.features -%}
{%- set ref_features = [] -%}
{%- for name in features -%}{%- do ref_features.append(renamed.get(name, name)) -%}{%- endfor -%}
{%- set ref_attributes = [] -%}
{%- for name in attributes -%}{%- do ref_attributes.append(renamed.get(name, name)) -%}{%- endfor -%}
{%- set cols = modelwatch.resolve_columns('reference', source_relation, ref_features, optional + ref_attributes) -%}
{%- set ref_numeric = [] -%}
{%- for name in modelwatch.feature_names('numeric') -%}{%- do ref_numeric.append(renamed.get(name, name)) -%}{%- endfor -%}
{%- do modelwatch.check_numeric_features('reference', source_relation, cols, ref_numeric) -%}
{%- set expr = {} -%}
{%- for key in ['model_name', 'score', 'label', 'predicted_class'] -%}
    {%- do expr.update({key: (cols[mapping[key]] if mapping[key] is not none and cols[mapping[key]] is not none else 'null')}) -%}
{%- endfor %}

with

source as (

    select * from {{ source_relation }}

),

final as (

    select
        cast({{ expr.model_name }} as {{ dbt.type_string() }}) as model_name,
        cast({{ expr.score }} as {{ modelwatch.type_double() }}) as score,
        {{ modelwatch.reference_label_columns(expr.label) }},
        cast({{ expr.predicted_class }} as {{ dbt.type_string() }}) as predicted_class,
        {%- for name in passthrough %}
        {%- set column = cols[renamed.get(name, name)] %}
        {{ column if column is not none else 'null' }} as {{ modelwatch.carried_column(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from source

)

select * from final

{%- else %}
{%- set bounds = cfg.inputs.reference.predictions_between %}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}

),

final as (

    select
        model_name,
        score,
        {{ modelwatch.reference_label_columns('null') }},
        predicted_class,
        {%- for name in passthrough %}
        {{ modelwatch.carried_column(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from predictions
    where
        quarantine_reason is null
        and {{ modelwatch.drift_population_filter() }}
        and predicted_at >= cast({{ modelwatch.sql_string(bounds[0]) }} as {{ dbt.type_timestamp() }})
        and predicted_at < cast({{ modelwatch.sql_string(bounds[1]) }} as {{ dbt.type_timestamp() }})

)

select * from final
{%- endif %}
