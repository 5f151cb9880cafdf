{#-
    Are the feeds flowing? One row per model and window, from the model's first window to the
    window of the data's latest event (the latest valid prediction or label: the data's own
    clock, so reruns give the same answer), including windows without a single prediction.
    Judged by the feed checks: request_volume_drop / request_volume_spike (the window's
    requests against its trailing windows), missing_window (no valid prediction in a window
    while the data goes on after it) and label_freshness_days (days since the model's last new
    label, at the window's end).
-#}

with

requests as (

    select
        model_name,
        window_start,
        sum(request_count) as request_count
    from {{ ref('modelwatch__operational_metrics') }}
    group by model_name, window_start

),

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

label_arrivals as (

    {#- every label row received for a valid prediction, corrections included, by arrival window -#}
    select
        model_name,
        {{ modelwatch.window_start('labeled_at') }} as window_start,
        count(*) as label_rows,
        max(labeled_at) as last_labeled_at
    from {{ ref('int_modelwatch__labels_validated') }}
    where (quarantine_reason is null or quarantine_reason = 'superseded_by_correction')
        and labeled_at is not null
    group by model_name, {{ modelwatch.window_start('labeled_at') }}

),

first_windows as (

    select
        r.model_name,
        min(r.window_start) as first_window,
        max(k.as_of) as as_of
    from requests as r
    cross join clock as k
    group by r.model_name

),

integers as (

    {{ modelwatch.integers(5) }}

),

spine as (

    select
        f.model_name,
        {{ modelwatch.windows_between('f.first_window', 'i.n') }} as window_start,
        f.as_of
    from first_windows as f
    inner join integers as i
        on i.n <= {{ modelwatch.window_count_between('f.first_window', modelwatch.window_start('f.as_of')) }}

),

joined as (

    select
        s.model_name,
        s.window_start,
        {{ modelwatch.window_end('s.window_start') }} as window_end,
        cast(coalesce(r.request_count, 0) as {{ dbt.type_bigint() }}) as request_count,
        cast(coalesce(a.label_rows, 0) as {{ dbt.type_bigint() }}) as label_rows_arrived,
        max(a.last_labeled_at) over (
            partition by s.model_name order by s.window_start
            rows between unbounded preceding and current row
        ) as last_labeled_at,
        s.as_of
    from spine as s
    left join requests as r
        on s.model_name = r.model_name
        and s.window_start = r.window_start
    left join label_arrivals as a
        on s.model_name = a.model_name
        and s.window_start = a.window_start

),

final as (

    select
        model_name,
        window_start,
        window_end,
        request_count,
        label_rows_arrived,
        {#- measured at the window's end, or at the clock in the latest (partial) window -#}
        {{ modelwatch.time_diff('last_labeled_at', 'least(window_end, as_of)', 'second') }} / {{ modelwatch.double_literal(86400) }} as label_staleness_days,
        request_count = 0 as is_missing_window,
        last_labeled_at,
        as_of
    from joined

)

select * from final
