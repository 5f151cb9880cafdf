{#- Spark: a table rebuilt each run. Incremental there (insert_overwrite, partitioned by the key)
    the test suite's 4 GB driver ran out of heap in model_performance, which reads the label
    join; the many small partitions are the suspect, not yet confirmed. -#}
-- depends_on: {{ ref('stg_modelwatch__prediction_id_index') }}
{#- more DuckDB threads: its readers count rows or take maxima, and the ranking below leaves ties
    only between rows alike in every column written: the same rows on any thread count
    (macros/config/threads.sql) -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['label_window'],
    on_schema_change='fail',
    pre_hook="{{ modelwatch.order_free_threads() }}",
    post_hook="{{ modelwatch.order_free_threads(reset=true) }}",
) }}
{#-
    Every label row with its prediction's model, version and window and a final
    quarantine_reason: row-local problems from staging, then labels for unknown or quarantined
    predictions, labels timestamped before their prediction, then corrections (the latest
    labeled_at wins; earlier rows are kept as superseded). The label is validated by the rule of
    its prediction's task and kept in that task's column: label (binary 0/1), label_value
    (regression) or label_class (multiclass).
    Incremental by label_window, the window of labeled_at (label rows never move between label
    windows): a run recomputes the label windows of the labels dated inside the lookback (what
    arrived since the last run) and every stored label window holding a valid row of a
    prediction that got a new valid label (a correction re-ranks its earlier rows) or a row of
    a prediction not seen before (it may have arrived: unknown_prediction no more). Those
    windows, and the windows of their predictions (from the id index), are found at compile
    time (label_validation_scope) and inlined as constants, so the label input and the log are
    read only there. Labels dated before the lookback that arrive late are picked up by
    --full-refresh only, as late prediction rows are. Undated labels share one label_window,
    recomputed on every run.
-#}
{%- set binary = modelwatch.models_with_task('binary') -%}
{%- set regression = modelwatch.models_with_task('regression') -%}
{%- set multiclass = modelwatch.get_config().models | selectattr('task', 'equalto', 'multiclass') | list -%}
{%- set other_tasks = regression + (multiclass | map(attribute='name') | list) -%}
{%- set undated = modelwatch.undated_label_window() -%}
{#- a changed config (a task, classes, a model added) can change any row: recompute them all -#}
{%- set scope = modelwatch.label_validation_scope() if is_incremental() and not modelwatch.models_to_rebuild() else none %}

with

source_labels as {{ modelwatch.cte_inline() }}(

    select
        *,
        coalesce({{ modelwatch.window_start('labeled_at') }}, {{ undated }}) as label_window
    from {{ ref('stg_modelwatch__labels') }}

),

predictions as (

    -- the original row of each id: re-sends must not multiply labels
    select prediction_id, model_name, model_version, window_start, predicted_at, quarantine_reason
    from {{ ref('stg_modelwatch__predictions') }}
    where id_occurrence = 1 and prediction_id is not null
        {%- if scope %}
        -- only the predictions of the labels below (their windows, from the id index)
        and {{ modelwatch.in_windows_predicate('predicted_at', scope.prediction_windows, with_null=true) }}
        {%- endif %}

),

{%- if scope %}

labels_in_windows as (

    -- the label windows recomputed (label_validation_scope)
    select *
    from source_labels
    where {{ modelwatch.in_windows_predicate('labeled_at', scope.label_windows[1:], with_null=true) }}

),

labels as (

    select
        l.*,
        true as is_recomputed
    from labels_in_windows as l
    {%- if scope.ranked_from %}
    union all
    -- their predictions' other valid label rows (dated after the prediction): a correction
    -- ranks against them; rows that are not valid keep their reason whatever the rank
    select
        l.*,
        false as is_recomputed
    from source_labels as l
    where l.labeled_at >= {{ scope.ranked_from }}
        and l.label_window not in ({{ scope.label_windows | join(', ') }})
        and l.prediction_id in (select b.prediction_id from labels_in_windows as b)
    {%- endif %}

),

{%- else %}

labels as (

    select
        *,
        true as is_recomputed
    from source_labels

),

{%- endif %}

joined as (

    select
        l.prediction_id,
        {%- if other_tasks %}
        case when not {{ modelwatch.model_in('p.model_name', other_tasks) }} or p.model_name is null then l.label end as label,
        {%- else %}
        l.label,
        {%- endif %}
        case when {{ modelwatch.model_in('p.model_name', regression) }} then l.label_value end as label_value,
        case when {{ modelwatch.model_in('p.model_name', multiclass | map(attribute='name') | list) }} then l.label_class end as label_class,
        l.raw_label,
        l.labeled_at,
        l.label_window,
        l.is_recomputed,
        case
            when l.quarantine_reason in ('null_prediction_id', 'null_label') then l.quarantine_reason
            -- the rule of the prediction's own task (staging only knew the label was valid for some task)
            when {{ modelwatch.model_in('p.model_name', binary) }} and l.label is null then 'invalid_label'
            {%- if regression %}
            when {{ modelwatch.model_in('p.model_name', regression) }} and l.label_value is null then 'invalid_label'
            {%- endif %}
            {%- for model in multiclass %}
            when p.model_name = {{ modelwatch.sql_string(model.name) }} and l.label_class not in {{ modelwatch.string_list(model.classes) }}
                then 'unknown_label_class'
            {%- endfor %}
            when l.quarantine_reason is not null then l.quarantine_reason
            when p.quarantine_reason is null and l.labeled_at < p.predicted_at then 'labeled_before_prediction'
        end as row_reason,
        p.model_name,
        p.model_version,
        p.window_start,
        p.quarantine_reason as prediction_reason,
        p.prediction_id is not null as has_prediction
    from labels as l
    left join predictions as p
        on l.prediction_id = p.prediction_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by prediction_id
            -- raw_label last: rows tied up to it differ in no column written ('1' and 'true' do)
            order by case when row_reason is null then 0 else 1 end, labeled_at desc, label desc, label_value desc, label_class desc, raw_label desc
        ) as label_rank
    from joined

),

final as (

    select
        prediction_id,
        coalesce(model_name, '__unknown__') as model_name,
        model_version,
        window_start,
        label,
        label_value,
        label_class,
        raw_label,
        coalesce(
            row_reason,
            case
                when not has_prediction then 'unknown_prediction'
                when prediction_reason = 'unmonitored_model' then 'unmonitored_model'
                when prediction_reason is not null then 'prediction_quarantined'
                when label_rank > 1 then 'superseded_by_correction'
            end
        ) as quarantine_reason,
        labeled_at,
        label_window,
        -- which config built the row: a changed config recomputes every label window
        {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
    from ranked
    where is_recomputed

)

select * from final
