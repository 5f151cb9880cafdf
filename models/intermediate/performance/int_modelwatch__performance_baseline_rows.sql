{#-
    The scored, labeled rows a model's performance is judged against and its estimation map is
    fitted on: the reference (when it has score and label; for a date range of the log, its
    labeled predictions), else the first performance.baseline_windows final windows of the
    served model (drift.deployment_roles). Rows valid for the model's task: binary a score in
    [0, 1] and a 0/1 label; regression a finite prediction and outcome; multiclass a label and
    a predicted class among the model's classes (a reference needs columns.reference.predicted_class).
-#}
{%- set binary = modelwatch.models_with_task('binary') -%}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set multiclass = modelwatch.multiclass_models() -%}
{%- set cols = ['score', 'label', 'label_value', 'label_class', 'predicted_class'] -%}
{%- set perf = modelwatch.get_config().performance -%}
{%- set mode = modelwatch.reference_mode() -%}
{%- set labeled_reference = mode == 'relation' and modelwatch.reference_has_label() -%}

with

{% if labeled_reference -%}
configured as (

    {{ modelwatch.configured_models_relation() }}

),

{% endif -%}
labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where is_labeled and {{ modelwatch.drift_population_filter() }}

),

reference_rows as (

    {%- if mode == 'predictions' %}
    {%- set bounds = modelwatch.get_config().inputs.reference.predictions_between %}
    select
        model_name,
        {{ cols | join(', ') }}
    from labeled
    where
        predicted_at >= cast({{ modelwatch.sql_string(bounds[0]) }} as {{ dbt.type_timestamp() }})
        and predicted_at < cast({{ modelwatch.sql_string(bounds[1]) }} as {{ dbt.type_timestamp() }})
    {%- elif labeled_reference %}
    select
        c.model_name,
        r.score,
        -- each task's label column only (a regression outcome 1.0 is no binary label)
        case when {{ modelwatch.model_in('c.model_name', binary) }} then r.label end as label,
        case when {{ modelwatch.model_in('c.model_name', regression) }} then r.label_value end as label_value,
        case when {{ modelwatch.model_in('c.model_name', multiclass | map(attribute='name') | list) }} then r.label_class end as label_class,
        r.predicted_class
    from {{ ref('stg_modelwatch__reference') }} as r
    inner join configured as c
        on r.model_name is null or r.model_name = c.model_name
    where
        ({{ modelwatch.model_in('c.model_name', binary) }} and r.score >= 0 and r.score <= 1 and r.label in (0, 1))
        {%- if regression %}
        or ({{ modelwatch.model_in('c.model_name', regression) }} and {{ modelwatch.is_finite('r.score') }} and r.label_value is not null)
        {%- endif %}
        {%- for model in multiclass %}
        or (c.model_name = {{ modelwatch.sql_string(model.name) }}
            and r.label_class in {{ modelwatch.string_list(model.classes) }}
            and r.predicted_class in {{ modelwatch.string_list(model.classes) }})
        {%- endfor %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ modelwatch.type_double() }}) as score,
        cast(null as {{ dbt.type_int() }}) as label,
        cast(null as {{ modelwatch.type_double() }}) as label_value,
        cast(null as {{ dbt.type_string() }}) as label_class,
        cast(null as {{ dbt.type_string() }}) as predicted_class
    where 1 = 0
    {%- endif %}

),

first_final_windows as (

    select
        model_name,
        window_start
    from (
        select
            model_name,
            window_start,
            row_number() over (partition by model_name order by window_start) as window_number
        from (
            select model_name, window_start
            from {{ ref('int_modelwatch__performance_window_status') }}
            group by model_name, window_start
            having min(case when is_final then 1 else 0 end) = 1
        ) as final_windows
    ) as numbered
    where window_number <= {{ perf.baseline_windows }}

),

window_rows as (

    select
        l.model_name,
        {%- for c in cols %}
        l.{{ c }}{{ ',' if not loop.last }}
        {%- endfor %}
    from labeled as l
    inner join first_final_windows as w
        on l.model_name = w.model_name and l.window_start = w.window_start
    where l.model_name not in (select r.model_name from reference_rows as r)

),

final as (

    select model_name, 'reference' as baseline_source, {{ cols | join(', ') }} from reference_rows
    union all
    select model_name, 'first_final_windows' as baseline_source, {{ cols | join(', ') }} from window_rows

)

select * from final
