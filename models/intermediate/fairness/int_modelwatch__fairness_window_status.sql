{#-
    Per model and window of the fairness population: the label fingerprint an incremental run
    compares (label_rows, last_labeled_at) and whether every version in it is final.
-#}
{%- set models = [] -%}
{%- for name, columns, attribute_models in modelwatch.fairness_attributes() -%}
    {%- for m in attribute_models if m not in models -%}{%- do models.append(m) -%}{%- endfor -%}
{%- endfor -%}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where {{ modelwatch.fairness_population_filter() }}
        and model_name in {{ modelwatch.string_list(models or ['']) }}

),

version_status as (

    select * from {{ ref('int_modelwatch__performance_window_status') }}

),

versions as (

    select
        model_name,
        model_version,
        window_start,
        count(*) as prediction_count,
        sum(label_rows) as label_rows,
        max(labeled_at) as last_labeled_at
    from labeled
    group by model_name, model_version, window_start

),

final as (

    select
        v.model_name,
        v.window_start,
        {{ modelwatch.window_end('v.window_start') }} as window_end,
        sum(v.prediction_count) as prediction_count,
        sum(v.label_rows) as label_rows,
        min(case when s.is_final then 1 else 0 end) = 1 as is_final,
        max(v.last_labeled_at) as last_labeled_at
    from versions as v
    inner join version_status as s
        on v.model_name = s.model_name
        and v.model_version = s.model_version
        and v.window_start = s.window_start
    group by v.model_name, v.window_start

)

select * from final
