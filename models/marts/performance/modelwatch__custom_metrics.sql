{#-
    The configured custom metrics (models[].custom_metrics): each a named SQL aggregate over the
    window's valid predictions joined with their labels (int_modelwatch__predictions_labeled; a
    prediction without a label has a null label), per model, version and window, overall
    (slice '__all__') and for every configured slice column, as model_performance. Judged by the
    check custom_metric.<name> (static, dynamic or persistence thresholds, from the metric's
    entry). Rebuilt whole on every run, since labels keep arriving for old windows.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set groups = ['model_name', 'model_version', 'window_start', 'slice_key', 'slice_value'] -%}
{%- set models = cfg.models | selectattr('custom_metrics') | list -%}

{%- if not models %}

select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as model_version,
    cast(null as {{ dbt.type_timestamp() }}) as window_start,
    cast(null as {{ dbt.type_string() }}) as slice_key,
    cast(null as {{ dbt.type_string() }}) as slice_value,
    cast(null as {{ dbt.type_string() }}) as metric_name,
    cast(null as {{ dbt.type_timestamp() }}) as window_end,
    cast(null as {{ modelwatch.type_double() }}) as metric_value,
    cast(null as {{ dbt.type_bigint() }}) as prediction_count,
    cast(null as {{ dbt.type_bigint() }}) as labeled_count
where 1 = 0

{%- else %}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    where model_name in {{ modelwatch.string_list(models | map(attribute='name') | list) }}

),

sliced as (

    select
        *,
        cast('__all__' as {{ dbt.type_string() }}) as slice_key,
        cast('__all__' as {{ dbt.type_string() }}) as slice_value
    from labeled
    {%- for slice in modelwatch.feature_names('slices') %}
    {%- set slice_models = [] -%}
    {%- for model in models if slice in model.slices -%}{%- do slice_models.append(model.name) -%}{%- endfor %}
    {%- if slice_models %}
    union all
    select
        *,
        cast({{ modelwatch.sql_string(slice) }} as {{ dbt.type_string() }}) as slice_key,
        coalesce(cast({{ modelwatch.carried_column(slice) }} as {{ dbt.type_string() }}), '__null__') as slice_value
    from labeled
    where model_name in {{ modelwatch.string_list(slice_models) }}
    {%- endif %}
    {%- endfor %}

),

{% for model in models -%}
aggregated_{{ loop.index }} as (

    select
        {{ groups | join(', ') }},
        count(*) as prediction_count,
        count(label) as labeled_count,
        {%- for metric in model.custom_metrics %}
        cast({{ metric.sql }} as {{ modelwatch.type_double() }}) as metric_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from sliced
    where model_name = {{ modelwatch.sql_string(model.name) }}
    group by {{ groups | join(', ') }}

),

{% endfor -%}
unpivoted as (

    {%- for model in models %}
    {%- set model_index = loop.index %}
    {%- for metric in model.custom_metrics %}
    {%- if not (model_index == 1 and loop.first) %}
    union all
    {%- endif %}
    select
        {{ groups | join(', ') }},
        cast({{ modelwatch.sql_string(metric.name) }} as {{ dbt.type_string() }}) as metric_name,
        metric_{{ loop.index }} as metric_value,
        prediction_count,
        labeled_count
    from aggregated_{{ model_index }}
    {%- endfor %}
    {%- endfor %}

),

final as (

    select
        model_name,
        model_version,
        window_start,
        slice_key,
        slice_value,
        metric_name,
        {{ modelwatch.window_end('window_start') }} as window_end,
        metric_value,
        cast(prediction_count as {{ dbt.type_bigint() }}) as prediction_count,
        cast(labeled_count as {{ dbt.type_bigint() }}) as labeled_count
    from unpivoted

)

select * from final

{%- endif %}
