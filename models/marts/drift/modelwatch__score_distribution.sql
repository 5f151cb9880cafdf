{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    The score's distribution per model version and window, over every valid prediction (all
    deployment roles): quantiles as numpy.percentile, saturation near 0 and 1, predicted
    positive rate (predicted_label when given, else score >= the model's threshold). For a
    regression model the score is its prediction (quantiles, mean); saturation and the positive
    rate are binary figures (null for other tasks).
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set margin = cfg.drift.saturation_margin -%}
{%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
{%- set threshold_branches = [] -%}
{%- for model in cfg.models -%}
    {%- do threshold_branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ model.threshold) -%}
{%- endfor %}

with

predictions as (

    select * from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is null and {{ modelwatch.incremental_window_filter(time_column='predicted_at') }}

),

labelled as (

    select
        *,
        coalesce(
            predicted_label,
            case when score >= (case model_name {{ threshold_branches | join(' ') }} end) then 1 else 0 end
        ) as effective_label
    from predictions

),

final as (

    select
        model_name,
        model_version,
        window_start,
        count(*) as prediction_count,
        avg(score) as score_mean,
        {%- set percents = [5, 25, 50, 75, 95] %}
        {%- for q in modelwatch.quantiles('score', [0.05, 0.25, 0.5, 0.75, 0.95]) %}
        {{ q }} as score_p{{ '%02d' % percents[loop.index0] }},
        {%- endfor %}
        {%- if other_tasks %}
        {%- set binary_row = 'not ' ~ modelwatch.model_in('model_name', other_tasks) %}
        avg(case when {{ binary_row }} then case when score <= {{ margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end end) as saturation_low_share,
        avg(case when {{ binary_row }} then case when score >= {{ 1 - margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end end) as saturation_high_share,
        avg(case when {{ binary_row }} then case when score <= {{ margin }} or score >= {{ 1 - margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end end) as saturation_share,
        avg(case when {{ binary_row }} then {{ modelwatch.double_literal(1) }} * effective_label end) as predicted_positive_rate
        {%- else %}
        avg(case when score <= {{ margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end) as saturation_low_share,
        avg(case when score >= {{ 1 - margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end) as saturation_high_share,
        avg(case when score <= {{ margin }} or score >= {{ 1 - margin }} then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end) as saturation_share,
        avg({{ modelwatch.double_literal(1) }} * effective_label) as predicted_positive_rate
        {%- endif %}
    from labelled
    group by model_name, model_version, window_start

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
