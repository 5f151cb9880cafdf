{#- Spark: a table rebuilt each run. Incremental there (insert_overwrite, partitioned by the key)
    the test suite's 4 GB driver ran out of heap in model_performance, which reads the label
    join; the many small partitions are the suspect, not yet confirmed. -#}
{#- more DuckDB threads: no float arithmetic across rows here, and the rows are written in key
    order for the one-thread float sums that read them (macros/config/threads.sql) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'model_version', 'window_start'],
    on_schema_change='fail',
    pre_hook="{{ modelwatch.order_free_threads() }}",
    post_hook="{{ modelwatch.order_free_threads(reset=true) }}",
) }}
{#-
    Every valid prediction (all model versions and deployment roles) with its label: the latest
    valid label row wins (corrections), label_rows counts the label rows received (corrections
    included) and label_lag_days measures when the outcome was first known. Unlabeled
    predictions keep a null label. The label sits in its task's column (label: binary 0/1,
    label_value: regression, label_class: multiclass); is_labeled says a valid label exists.
    Incremental by model version and window: a run recomputes the windows inside the lookback
    (where new predictions land), every window whose labels changed since it was stored (its
    count of label rows or its latest labeled_at differ: a late label or a correction), and all
    windows of a model whose config changed or that was just added.
-#}
{#- slices and protected attributes: performance slices and fairness groups read them here -#}
{%- set attributes = modelwatch.feature_names('attributes') -%}
{#- non-binary tasks: no thresholded decision; the multiclass class probabilities ride along -#}
{%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
{%- set probabilities = modelwatch.probability_column_names() | reject('in', attributes) | list -%}
{%- set rebuild = modelwatch.models_to_rebuild(absent=true) -%}

{#- the two inputs are read where used, not as shared CTEs: DuckDB materializes a CTE read
    twice, which copied every column of the whole log on every run -#}
{%- set valid_predictions -%}
    (select * from {{ ref('stg_modelwatch__predictions') }} where quarantine_reason is null)
{%- endset -%}
{%- set valid_labels -%}
    (select * from {{ ref('int_modelwatch__labels_validated') }} where quarantine_reason is null or quarantine_reason = 'superseded_by_correction')
{%- endset -%}

{%- if is_incremental() -%}
    {%- set lookback_start = run_query('select ' ~ modelwatch.incremental_lookback_start()).columns[0].values()[0] if execute else none -%}
    {%- set lookback = modelwatch.incremental_lookback_start() if lookback_start is none
        else modelwatch.timestamp_literal(lookback_start) -%}
    {#- the windows to recompute: inside the lookback, of a rebuilt model, or whose labels changed -#}
    {%- set windows_to_process -%}
    select distinct model_name, model_version, window_start
    from {{ valid_predictions }} as p
    where p.predicted_at >= {{ lookback }}
    {%- if rebuild %}
    union
    select distinct model_name, model_version, window_start
    from {{ valid_predictions }} as p
    where model_name in {{ modelwatch.string_list(rebuild) }}
    {%- endif %}
    union
    select l.model_name, l.model_version, l.window_start
    from (
        select
            model_name,
            model_version,
            window_start,
            count(*) as label_rows,
            max(case when quarantine_reason is null then labeled_at end) as last_labeled_at
        from {{ valid_labels }} as v
        group by model_name, model_version, window_start
    ) as l
    left join (
        select
            model_name,
            model_version,
            window_start,
            sum(label_rows) as label_rows,
            max(labeled_at) as last_labeled_at
        from {{ this }}
        group by model_name, model_version, window_start
    ) as t
        on l.model_name = t.model_name
        and l.model_version = t.model_version
        and l.window_start = t.window_start
    where t.window_start is null
        or t.label_rows <> l.label_rows
        or not coalesce(t.last_labeled_at = l.last_labeled_at, t.last_labeled_at is null and l.last_labeled_at is null)
    {%- endset -%}
    {#- as constants where they are few (every daily run): the scans below skip the other windows -#}
    {%- set constants = modelwatch.windows_as_constants(windows_to_process) if lookback_start is not none else none -%}
{%- endif %}

with

{%- if is_incremental() %}

windows_to_process as (

    {{ constants.relation if constants else windows_to_process }}

),

predictions as (

    select p.*
    from {{ valid_predictions }} as p
    inner join windows_to_process as w
        on p.model_name = w.model_name
        and p.model_version = w.model_version
        and p.window_start = w.window_start
    {%- if constants %}
    where {{ modelwatch.in_windows_predicate('p.predicted_at', constants.windows) }}
    {%- endif %}

),

{#- the label rows of the windows recomputed -#}
{%- set label_scope -%}
    from {{ ref('int_modelwatch__labels_validated') }} as l
    inner join windows_to_process as w
        on l.model_name = w.model_name
        and l.model_version = w.model_version
        and l.window_start = w.window_start
{%- endset %}
{%- set label_window_filter = ' and ' ~ modelwatch.in_windows_predicate('l.window_start', constants.windows) if constants else '' %}

{%- else %}

predictions as (

    select * from {{ valid_predictions }} as p

),

{%- set label_scope = 'from ' ~ ref('int_modelwatch__labels_validated') ~ ' as l' %}
{%- set label_window_filter = '' %}

{%- endif %}

{#- each prediction's label in use is joined; only the few rows it corrected are grouped, for the
    count of valid rows and the first arrival (regrouping every label row cost 2-3 s at 10M) #}

labels as (

    select l.*
    {{ label_scope }}
    where l.quarantine_reason is null{{ label_window_filter }}

),

corrected as (

    select
        l.prediction_id,
        count(*) as superseded_rows,
        min(l.labeled_at) as first_superseded_at
    {{ label_scope }}
    where l.quarantine_reason = 'superseded_by_correction'{{ label_window_filter }}
    group by l.prediction_id

),

final as (

    select
        p.model_name,
        p.model_version,
        p.window_start,
        p.prediction_id,
        p.request_id,
        p.deployment_role,
        {%- for name in attributes %}
        p.{{ modelwatch.carried_column(name) }},
        {%- endfor %}
        p.status_code,
        p.score,
        {%- if other_tasks %}
        case when not {{ modelwatch.model_in('p.model_name', other_tasks) }} then
            {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }}
        end as predicted_label,
        {%- else %}
        {{ modelwatch.predicted_label_sql('p.score', 'p.predicted_label', 'p.model_name') }} as predicted_label,
        {%- endif %}
        p.predicted_class,
        {%- for name in probabilities %}
        p.{{ modelwatch.carried_column(name) }},
        {%- endfor %}
        l.label,
        l.label_value,
        l.label_class,
        l.prediction_id is not null as is_labeled,
        case when l.prediction_id is null then 0 else 1 + coalesce(c.superseded_rows, 0) end as label_rows,
        {{ modelwatch.time_diff('p.predicted_at', 'coalesce(c.first_superseded_at, l.labeled_at)', 'microsecond') }} / {{ modelwatch.double_literal(86400000000) }} as label_lag_days,
        p.predicted_at,
        l.labeled_at,
        -- which config built the row: a changed config rebuilds the model's windows
        {{ modelwatch.config_fingerprint('p.model_name') }} as config_fingerprint
    from predictions as p
    left join labels as l
        on p.prediction_id = l.prediction_id
    -- a corrected label was first known when the earliest row it superseded arrived
    left join corrected as c
        on p.prediction_id = c.prediction_id

)

select * from final
{{ modelwatch.fixed_row_order(['model_name', 'model_version', 'window_start', 'prediction_id']) }}
