{#-
    Per model version and window: how much is labeled, what the labels were when counted
    (label_rows, last_labeled_at: an incremental run recomputes a window when they change) and
    whether its figures are final. "Now" is the data's own clock (the latest valid prediction or
    label), so reruns and backfills give the same answer. The rows per deployment role tell
    model_comparison and canary_verdicts which windows they cover without reading the rows.
-#}
{%- set perf = modelwatch.get_config().performance -%}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}

),

clock as (

    select max(event_at) as as_of
    from (
        select max(predicted_at) as event_at from labeled
        union all
        select max(labeled_at) as event_at from labeled
    ) as events

),

counted as (

    select
        model_name,
        model_version,
        window_start,
        count(*) as prediction_count,
        sum(case when is_labeled then 1 else 0 end) as labeled_count,
        sum(label_rows) as label_rows,
        max(labeled_at) as last_labeled_at,
        sum(case when request_id is not null and deployment_role = 'champion' then 1 else 0 end) as champion_request_rows,
        sum(case when request_id is not null and (deployment_role is null or deployment_role not in ('champion', 'canary')) then 1 else 0 end)
            as candidate_request_rows,
        sum(case when deployment_role = 'canary' then 1 else 0 end) as canary_rows
    from labeled
    group by model_name, model_version, window_start

),

final as (

    select
        c.model_name,
        c.model_version,
        c.window_start,
        {{ modelwatch.window_end('c.window_start') }} as window_end,
        c.prediction_count,
        c.labeled_count,
        c.label_rows,
        {{ modelwatch.double_literal(1) }} * c.labeled_count / c.prediction_count as label_coverage,
        (
            c.labeled_count >= {{ perf.final_label_coverage }} * c.prediction_count
            or {{ modelwatch.add_days(modelwatch.window_end('c.window_start'), perf.max_label_delay_days) }} <= k.as_of
        ) as is_final,
        {{ modelwatch.add_days(modelwatch.window_end('c.window_start'), perf.label_coverage_grace_days) }} <= k.as_of
            as is_label_coverage_due,
        c.last_labeled_at,
        c.champion_request_rows,
        c.candidate_request_rows,
        c.canary_rows,
        k.as_of
    from counted as c
    cross join clock as k

)

select * from final
