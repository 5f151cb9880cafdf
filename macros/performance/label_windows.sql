{#-
    Which windows the label-joined tables recompute. Labels arrive late and get corrected, so a
    window is final only when its labels are (mostly) in or it is older than the maximum label
    delay; until then every run recomputes it.
-#}

{% macro add_days(timestamp_expr, days) %}
    {#- timestamp + a (fractional) number of days, to the second. -#}
    {{ dbt.dateadd('second', (days * 86400) | round | int, timestamp_expr) }}
{%- endmacro %}


{% macro label_windows_to_process(status_relation, with_coverage_due=false, keys=none) %}
    {#-
        A select of the window keys (default model_name, model_version, window_start) to
        (re)compute: on a full build all of them; on an incremental run the windows that are new,
        not yet final, inside the incremental lookback, or whose labels changed since they were
        stored (label_rows / last_labeled_at differ) - so an incremental run equals a full
        refresh. The model's own table stores is_final, label_rows and last_labeled_at per key.
        with_coverage_due (a table storing is_label_coverage_due): also the windows that became
        due since, which the data's clock moves without any label changing.
    -#}
    {%- set keys = keys or ['model_name', 'model_version', 'window_start'] -%}
    {%- if is_incremental() -%}
    select
        {%- for k in keys %}
        s.{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ status_relation }} as s
    left join (
        select distinct {{ keys | join(', ') }}, is_final, label_rows, last_labeled_at
            {{- ', is_label_coverage_due' if with_coverage_due }}
        from {{ this }}
    ) as t
        on {% for k in keys %}s.{{ k }} = t.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    where
        t.window_start is null
        or not t.is_final
        or t.label_rows <> s.label_rows
        or not coalesce(t.last_labeled_at = s.last_labeled_at, t.last_labeled_at is null and s.last_labeled_at is null)
        or s.window_start >= {{ modelwatch.incremental_lookback_start() }}
        {%- if with_coverage_due %}
        or (s.is_label_coverage_due and not t.is_label_coverage_due)
        {%- endif %}
        {%- set rebuild = modelwatch.models_to_rebuild() %}
        {%- if rebuild %}
        or s.model_name in {{ modelwatch.string_list(rebuild) }}
        {%- endif %}
    {%- else -%}
    select {{ keys | join(', ') }}
    from {{ status_relation }} as s
    {%- endif -%}
{% endmacro %}


{% macro label_windows(status_relation, with_coverage_due=false, keys=none) %}
    {#-
        label_windows_to_process as {'sql': a select of the keys, 'windows': their window starts
        as timestamp literals, or none}. On an incremental run the windows are found at compile
        time and inlined as constants when few (windows_as_constants): a filter on `windows`
        reaches the scan of the label join, where a join with the SQL form let DuckDB compute
        every row of the history first.
    -#}
    {%- set keys = keys or ['model_name', 'model_version', 'window_start'] -%}
    {%- set query = modelwatch.label_windows_to_process(status_relation, with_coverage_due, keys) -%}
    {%- if is_incremental() -%}
        {%- set version = 'model_version' if 'model_version' in keys else 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
        {%- set constants = modelwatch.windows_as_constants(
            'select model_name, ' ~ version ~ ' as model_version, window_start from (' ~ query ~ ') as w') -%}
        {%- if constants -%}
            {{ return({'sql': 'select ' ~ (keys | join(', ')) ~ ' from (' ~ constants.relation ~ ') as c', 'windows': constants.windows}) }}
        {%- endif -%}
    {%- endif -%}
    {{ return({'sql': query, 'windows': none}) }}
{% endmacro %}
