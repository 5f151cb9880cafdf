{#-
    What the Python layer refits calibrators on: the labeled predictions of each model version's
    latest performance.recalibration_windows windows that have labels, with the settings the fit
    needs (the ECE warn threshold decides whether calibration has degraded). At most about
    performance.recalibration_max_rows rows per version: a deterministic hash sample.
-#}
{%- set cfg = modelwatch.get_config() -%}
{%- set perf = cfg.performance -%}

with

status as (

    select * from {{ ref('int_modelwatch__performance_window_status') }}

),

latest as (

    select
        model_name,
        model_version,
        max(window_start) as last_window_start
    from status
    where labeled_count > 0
    group by model_name, model_version

),

fit_windows as (

    select
        model_name,
        model_version,
        {{ modelwatch.windows_ago('last_window_start', perf.recalibration_windows - 1) }} as fit_window_start,
        {{ modelwatch.window_end('last_window_start') }} as fit_window_end
    from latest

),

fit_sizes as (

    select
        f.model_name,
        f.model_version,
        f.fit_window_start,
        f.fit_window_end,
        sum(s.labeled_count) as labeled_count
    from fit_windows as f
    inner join status as s
        on f.model_name = s.model_name
        and f.model_version = s.model_version
        and f.fit_window_start <= s.window_start
        and f.fit_window_end > s.window_start
    group by f.model_name, f.model_version, f.fit_window_start, f.fit_window_end

),

final as (

    select
        l.model_name,
        l.model_version,
        l.prediction_id,
        l.score,
        l.label,
        f.fit_window_start,
        f.fit_window_end,
        cast({{ modelwatch.threshold_sql('ece', 'warn', model_column='l.model_name') }} as {{ modelwatch.type_double() }}) as ece_warn_threshold,
        {{ perf.recalibration_holdout_share }} as holdout_share,
        {{ perf.recalibration_max_rows }} as fit_row_cap,
        {{ perf.calibration_bins }} as calibration_bins
    from {{ ref('int_modelwatch__predictions_labeled') }} as l
    inner join fit_sizes as f
        on l.model_name = f.model_name
        and l.model_version = f.model_version
        and l.window_start >= f.fit_window_start
        and l.window_start < f.fit_window_end
    where
        l.label is not null
        and (
            f.labeled_count <= {{ perf.recalibration_max_rows }}
            or {{ modelwatch.hash_fraction('l.prediction_id') }} < {{ modelwatch.double_literal(1) }} * {{ perf.recalibration_max_rows }} / f.labeled_count
        )

)

select * from final
