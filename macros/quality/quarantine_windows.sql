{#-
    Which windows of quarantined_predictions an incremental run replaces: those whose count of
    quarantined rows (int_modelwatch__prediction_row_counts) differs from the rows stored, a
    window that lost all of them included (a row dated ahead turned valid as the clock passed
    it), every window of a model whose config changed, and the rows without a model name or a
    timestamp. The pre-hook deletes them; the model then copies what differs from the rest.
    A changed set of columns (a feature added) replaces everything.
-#}

{% macro quarantine_windows_to_copy() %}
    {{ return(modelwatch.windows_whose_count_changed(
        'select model_name, window_start, sum(row_count) as row_count from '
        ~ ref('int_modelwatch__prediction_row_counts')
        ~ " where quarantine_reason is not null and quarantine_reason != 'unmonitored_model'"
        ~ " and window_start is not null and model_name != '__unknown__' group by model_name, window_start")) }}
{%- endmacro %}


{% macro windows_whose_count_changed(counted) %}
    {#-
        (model_name, window_start) of a quarantine table (this) an incremental run copies again:
        where `counted` (model_name, window_start, row_count: the rows the table should hold,
        counted upstream) differs from the rows stored, a window down to none included, and
        every window of a model whose config changed.
    -#}
    {%- set rebuild = modelwatch.models_to_rebuild() -%}
    select
        coalesce(q.model_name, s.model_name) as model_name,
        coalesce(q.window_start, s.window_start) as window_start
    from ({{ counted }}) as q
    full outer join (
        select model_name, window_start, count(*) as stored_rows
        from {{ this }}
        where model_name is not null and window_start is not null
        group by model_name, window_start
    ) as s
        on q.model_name = s.model_name
        and q.window_start = s.window_start
    where coalesce(q.row_count, 0) <> coalesce(s.stored_rows, 0)
        {%- if rebuild %}
        or coalesce(q.model_name, s.model_name) in {{ modelwatch.string_list(rebuild) }}
        {%- endif %}
{%- endmacro %}


{% macro delete_quarantine_windows() %}
    {#- the model's pre-hook: nothing on a full build -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        {%- if not modelwatch.quarantine_columns_changed() %}
        where model_name is null
            or window_start is null
            or (model_name, window_start) in ({{ modelwatch.quarantine_windows_to_copy() }})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{% macro quarantine_columns_changed() %}
    {#- the stored table has other columns than the config gives (a feature added or removed) -#}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | sort | list -%}
    {%- set wanted = modelwatch.quarantined_prediction_columns() | map('last') | map('lower') | sort | list -%}
    {{ return(stored != wanted) }}
{%- endmacro %}


{% macro quarantined_prediction_columns() %}
    {#-
        [expression over stg_modelwatch__predictions, column name] of quarantined_predictions:
        the staging columns, the user's columns (features, attributes, slices, multiclass
        probabilities) under their own names (one named like a column of the table, e.g. a
        feature `window_start`, as `input__<name>`), then config_fingerprint.
    -#}
    {%- set own_columns = ['prediction_id', 'model_name', 'model_version', 'request_id', 'deployment_role',
        'score', 'predicted_label', 'latency_ms', 'status_code', 'cost_usd', 'predicted_class', 'predicted_at',
        'window_start', 'id_occurrence', 'quarantine_reason'] -%}
    {%- set columns = [] -%}
    {%- for name in own_columns -%}{%- do columns.append([name, name]) -%}{%- endfor -%}
    {%- set user_columns = modelwatch.feature_names() -%}
    {%- for name in modelwatch.probability_column_names() if name not in user_columns -%}{%- do user_columns.append(name) -%}{%- endfor -%}
    {%- for name in user_columns -%}
        {%- set shown = ('input__' ~ name) if (name | lower) in own_columns + ['config_fingerprint'] else name -%}
        {%- do columns.append([modelwatch.carried_column(name), shown]) -%}
    {%- endfor -%}
    {#- which config copied the row: a changed config copies the model's windows again -#}
    {%- do columns.append([modelwatch.config_fingerprint('model_name'), 'config_fingerprint']) -%}
    {{ return(columns) }}
{%- endmacro %}
