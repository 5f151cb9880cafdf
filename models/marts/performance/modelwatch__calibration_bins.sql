{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'model_version', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'model_version', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    The reliability diagram per model version and window: performance.calibration_bins
    equal-width score bins as sklearn.calibration.calibration_curve(strategy='uniform') - on the
    labeled rows, mean_score is its prob_pred and observed_rate its prob_true. Every bin is
    present; empty ones have null rates. Recomputed with model_performance. Binary models only
    (a regression or multiclass score is no probability to calibrate).
-#}
{%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
{%- set n_bins = modelwatch.get_config().performance.calibration_bins -%}
{%- set edges = modelwatch.calibration_edges(n_bins) -%}

{#- binary models' windows only: the others have no rows here, so they would count as new on every run -#}
{%- set status = ref('int_modelwatch__performance_window_status') -%}
{%- set binary_status = '(select * from ' ~ status ~ ' where not ' ~ modelwatch.model_in('model_name', other_tasks) ~ ')' if other_tasks else status -%}
{%- set to_process = modelwatch.label_windows(binary_status) %}
with

windows_to_process as (

    {{ to_process.sql }}

),

window_status as (

    select s.*
    from {{ ref('int_modelwatch__performance_window_status') }} as s
    inner join windows_to_process as w
        on s.model_name = w.model_name
        and s.model_version = w.model_version
        and s.window_start = w.window_start

),

labeled as (

    select
        p.*,
        {{ modelwatch.calibration_bin_index('p.score') }} as bin_index
    from {{ ref('int_modelwatch__predictions_labeled') }} as p
    inner join windows_to_process as w
        on p.model_name = w.model_name
        and p.model_version = w.model_version
        and p.window_start = w.window_start
    {%- if to_process.windows is not none %}
    where {{ modelwatch.in_windows_predicate('p.window_start', to_process.windows) }}
    {%- endif %}

),

bins as (

    select
        b.bin_index,
        b.bin_lower,
        b.bin_upper
    from (values
        {%- for k in range(n_bins) %}
        ({{ k }}, {{ '%r' % edges[k] }}, {{ '%r' % edges[k + 1] }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as b (bin_index, bin_lower, bin_upper)

),

counted as (

    select
        model_name,
        model_version,
        window_start,
        bin_index,
        count(*) as prediction_count,
        count(label) as labeled_count,
        avg(case when label is not null then score end) as mean_score,
        avg({{ modelwatch.double_literal(1) }} * label) as observed_rate
    from labeled
    group by model_name, model_version, window_start, bin_index

),

final as (

    select
        w.model_name,
        w.model_version,
        w.window_start,
        b.bin_index,
        cast(b.bin_lower as {{ modelwatch.type_double() }}) as bin_lower,
        cast(b.bin_upper as {{ modelwatch.type_double() }}) as bin_upper,
        cast(coalesce(c.prediction_count, 0) as {{ dbt.type_bigint() }}) as prediction_count,
        cast(coalesce(c.labeled_count, 0) as {{ dbt.type_bigint() }}) as labeled_count,
        c.mean_score,
        c.observed_rate,
        cast(w.label_rows as {{ dbt.type_bigint() }}) as label_rows,
        w.is_final,
        w.last_labeled_at
    from window_status as w
    cross join bins as b
    left join counted as c
        on w.model_name = c.model_name
        and w.model_version = c.model_version
        and w.window_start = c.window_start
        and b.bin_index = c.bin_index
    {%- if other_tasks %}
    where not {{ modelwatch.model_in('w.model_name', other_tasks) }}
    {%- endif %}

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
