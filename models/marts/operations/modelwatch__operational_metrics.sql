{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'model_version', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'model_version', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Serving health per model version and window over every valid prediction: requests, error
    rates by status class (4xx client, 5xx server; the rate is over rows with a status code),
    latency quantiles (linear, as numpy.percentile), throughput and cost - from the log's
    cost_usd column when configured, else models[].unit_cost_usd per request.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set has_cost_column = cfg.columns.predictions.cost_usd is not none -%}

with

predictions as (

    select
        *,
        {%- if has_cost_column %}
        cost_usd as request_cost_usd
        {%- else %}
        {{ modelwatch.unit_cost_sql() }} as request_cost_usd
        {%- endif %}
    from {{ ref('stg_modelwatch__predictions') }}
    where quarantine_reason is null and {{ modelwatch.incremental_window_filter(time_column='predicted_at') }}

),

aggregated as (

    select
        model_name,
        model_version,
        window_start,
        count(*) as request_count,
        count(status_code) as status_count,
        sum(case when status_code >= 400 and status_code < 500 then 1 else 0 end) as client_error_count,
        sum(case when status_code >= 500 and status_code < 600 then 1 else 0 end) as server_error_count,
        count(latency_ms) as latency_count,
        {%- for q in modelwatch.quantiles('latency_ms', [0.5, 0.95, 0.99]) %}
        {{ q }} as latency_p{{ [50, 95, 99][loop.index0] }}_ms,
        {%- endfor %}
        avg(latency_ms) as latency_mean_ms,
        max(latency_ms) as latency_max_ms,
        count(request_cost_usd) as cost_count,
        sum(request_cost_usd) as total_cost_usd
    from predictions
    group by model_name, model_version, window_start

),

final as (

    select
        model_name,
        model_version,
        window_start,
        {{ modelwatch.window_end('window_start') }} as window_end,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(client_error_count + server_error_count as {{ dbt.type_bigint() }}) as error_count,
        cast(client_error_count as {{ dbt.type_bigint() }}) as client_error_count,
        cast(server_error_count as {{ dbt.type_bigint() }}) as server_error_count,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * (client_error_count + server_error_count)', 'status_count') }} as error_rate,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * client_error_count', 'status_count') }} as client_error_rate,
        {{ modelwatch.safe_divide(modelwatch.double_literal(1) ~ ' * server_error_count', 'status_count') }} as server_error_rate,
        cast(latency_count as {{ dbt.type_bigint() }}) as latency_count,
        latency_p50_ms,
        latency_p95_ms,
        latency_p99_ms,
        latency_mean_ms,
        latency_max_ms,
        {{ modelwatch.double_literal(1) }} * request_count / {{ modelwatch.window_seconds() }} as requests_per_second,
        {{ "'column'" if has_cost_column else "'unit_cost'" }} as cost_source,
        case when cost_count > 0 then total_cost_usd end as total_cost_usd,
        case when cost_count > 0 then total_cost_usd / request_count end as cost_per_prediction_usd,
        case when cost_count > 0 then {{ modelwatch.double_literal(1000) }} * total_cost_usd / request_count end as cost_per_1k_usd
    from aggregated

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
