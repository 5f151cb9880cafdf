{#-
    The confusion matrix of every multiclass model per version and window: one row per (true
    class, predicted class) of the model's configured classes, zeros included, as
    sklearn.metrics.confusion_matrix(labels=classes) on the window's labeled predictions. Windows
    without a label have no rows. A table rebuilt each run: labels arrive late.
-#}
{%- set models = modelwatch.multiclass_models() -%}

with

labeled as (

    select
        model_name,
        model_version,
        window_start,
        label_class,
        predicted_class
    from {{ ref('int_modelwatch__predictions_labeled') }}
    where is_labeled and {{ modelwatch.model_in('model_name', models | map(attribute='name') | list) }}

),

windows as (

    select distinct
        model_name,
        model_version,
        window_start
    from labeled

),

class_pairs as (

    {%- for model in models %}
    {%- set outer = loop %}
    {%- for label_class in model.classes %}
    {%- set middle = loop %}
    {%- for predicted_class in model.classes %}
    select
        cast({{ modelwatch.sql_string(model.name) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ modelwatch.sql_string(label_class) }} as {{ dbt.type_string() }}) as label_class,
        cast({{ modelwatch.sql_string(predicted_class) }} as {{ dbt.type_string() }}) as predicted_class
    {{ 'union all' if not (outer.last and middle.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    {%- if not models %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as label_class,
        cast(null as {{ dbt.type_string() }}) as predicted_class
    where 1 = 0
    {%- endif %}

),

counted as (

    select
        model_name,
        model_version,
        window_start,
        label_class,
        predicted_class,
        count(*) as prediction_count
    from labeled
    group by model_name, model_version, window_start, label_class, predicted_class

),

final as (

    select
        w.model_name,
        w.model_version,
        w.window_start,
        p.label_class,
        p.predicted_class,
        {{ modelwatch.window_end('w.window_start') }} as window_end,
        cast(coalesce(c.prediction_count, 0) as {{ dbt.type_bigint() }}) as prediction_count
    from windows as w
    inner join class_pairs as p
        on w.model_name = p.model_name
    left join counted as c
        on w.model_name = c.model_name
        and w.model_version = c.model_version
        and w.window_start = c.window_start
        and p.label_class = c.label_class
        and p.predicted_class = c.predicted_class

)

select * from final
