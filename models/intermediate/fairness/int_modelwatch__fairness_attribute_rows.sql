{#-
    The fairness population (fairness.deployment_roles, default champion) once per protected
    attribute and configured intersection of each model, plus once as the overall group
    ('__all__'): model, window, attribute_name, group_value and what the metrics read. A missing
    or blank attribute value is the group '__null__'; nothing is dropped.
-#}
{%- set attributes = modelwatch.fairness_attributes() -%}
{%- set models = [] -%}
{%- for name, columns, attribute_models in attributes -%}
    {%- for m in attribute_models if m not in models -%}{%- do models.append(m) -%}{%- endfor -%}
{%- endfor -%}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where {{ modelwatch.fairness_population_filter() }}

),

final as (

    select
        model_name,
        window_start,
        cast('__all__' as {{ dbt.type_string() }}) as attribute_name,
        cast('__all__' as {{ dbt.type_string() }}) as group_value,
        score,
        predicted_label,
        label
    from labeled
    where model_name in {{ modelwatch.string_list(models or ['']) }}
    {%- for name, columns, attribute_models in attributes %}
    union all
    select
        model_name,
        window_start,
        cast({{ modelwatch.sql_string(name) }} as {{ dbt.type_string() }}) as attribute_name,
        cast({{ modelwatch.fairness_group_value(columns) }} as {{ dbt.type_string() }}) as group_value,
        score,
        predicted_label,
        label
    from labeled
    where model_name in {{ modelwatch.string_list(attribute_models) }}
    {%- endfor %}

)

select * from final
