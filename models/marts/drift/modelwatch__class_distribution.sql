{#-
    Per multiclass model, window and configured class: the share of the served population's
    predicted classes and of its labels (distribution 'predicted_class' / 'label'), next to the
    baseline's shares (int_modelwatch__performance_baseline_rows: the labeled reference, else the
    first final windows) and the class's PSI contribution (zero shares replaced by
    drift.epsilon, as for features). Every configured class has a row, zeros included; a
    window without labels has no 'label' rows. A table rebuilt each run: labels arrive late.
-#}
{%- set models = modelwatch.multiclass_models() -%}
{%- set names = models | map(attribute='name') | list -%}
{%- set double = modelwatch.type_double() -%}

with

served as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where {{ modelwatch.model_in('model_name', names) }} and {{ modelwatch.drift_population_filter() }}

),

baseline as (

    select * from {{ ref('int_modelwatch__performance_baseline_rows') }}
    where {{ modelwatch.model_in('model_name', names) }}

),

classes as (

    {%- for model in models %}
    {%- set outer = loop %}
    {%- for class_value in model.classes %}
    select
        cast({{ modelwatch.sql_string(model.name) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ modelwatch.sql_string(class_value) }} as {{ dbt.type_string() }}) as class_value
    {{ 'union all' if not (outer.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
    {%- if not models %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as class_value
    where 1 = 0
    {%- endif %}

),

current_rows as (

    select model_name, window_start, 'predicted_class' as distribution, predicted_class as class_value
    from served
    union all
    select model_name, window_start, 'label' as distribution, label_class as class_value
    from served
    where is_labeled

),

current_counts as (

    select
        model_name,
        window_start,
        distribution,
        class_value,
        count(*) as current_count
    from current_rows
    group by model_name, window_start, distribution, class_value

),

reference_rows as (

    select model_name, 'predicted_class' as distribution, predicted_class as class_value from baseline
    union all
    select model_name, 'label' as distribution, label_class as class_value from baseline

),

reference_counts as (

    select
        model_name,
        distribution,
        class_value,
        count(*) as reference_count
    from reference_rows
    group by model_name, distribution, class_value

),

grid as (

    -- every configured class of every (window, distribution) observed
    select
        w.model_name,
        w.window_start,
        w.distribution,
        c.class_value
    from (select distinct model_name, window_start, distribution from current_counts) as w
    inner join classes as c
        on w.model_name = c.model_name

),

counted as (

    select
        g.model_name,
        g.window_start,
        g.distribution,
        g.class_value,
        coalesce(c.current_count, 0) as current_count,
        coalesce(r.reference_count, 0) as reference_count,
        sum(coalesce(c.current_count, 0)) over (partition by g.model_name, g.window_start, g.distribution) as current_total,
        sum(coalesce(r.reference_count, 0)) over (partition by g.model_name, g.window_start, g.distribution) as reference_total
    from grid as g
    left join current_counts as c
        on g.model_name = c.model_name
        and g.window_start = c.window_start
        and g.distribution = c.distribution
        and g.class_value = c.class_value
    left join reference_counts as r
        on g.model_name = r.model_name
        and g.distribution = r.distribution
        and g.class_value = r.class_value

),

final as (

    select
        model_name,
        window_start,
        distribution,
        class_value,
        {{ modelwatch.window_end('window_start') }} as window_end,
        cast(current_count as {{ dbt.type_bigint() }}) as current_count,
        cast(reference_count as {{ dbt.type_bigint() }}) as reference_count,
        cast(current_total as {{ dbt.type_bigint() }}) as current_total,
        cast(reference_total as {{ dbt.type_bigint() }}) as reference_total,
        cast(current_count as {{ double }}) / current_total as current_proportion,
        cast(reference_count as {{ double }}) / nullif(reference_total, 0) as reference_proportion,
        case when reference_total > 0 then
            {{ modelwatch.psi_contribution(
                'cast(current_count as ' ~ double ~ ') / current_total',
                'cast(reference_count as ' ~ double ~ ') / reference_total') }}
        end as psi_contribution
    from counted

)

select * from final
