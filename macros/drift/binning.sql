{% macro numeric_bin_index(value_expr, edges_alias, edge_slots=none) %}
    {{ return(adapter.dispatch('numeric_bin_index', 'modelwatch')(value_expr, edges_alias, edge_slots)) }}
{% endmacro %}

{% macro default__numeric_bin_index(value_expr, edges_alias, edge_slots) %}
    {#-
        Bin i is [edge_i, edge_i+1): the index is the number of edges at or below the value.
        Edges are sorted, deduplicated and padded with nulls, which never count.
    -#}
    {%- set edge_slots = edge_slots or (modelwatch.get_config().drift.bins - 1) -%}
    case
        when {{ value_expr }} is null then {{ edges_alias }}.null_bin_index
        else
            {%- for k in range(1, edge_slots + 1) %}
            (case when {{ value_expr }} >= {{ edges_alias }}.edge_{{ k }} then 1 else 0 end){{ ' +' if not loop.last }}
            {%- endfor %}
    end
{%- endmacro %}


{% macro incremental_window_filter(column='window_start', time_column=none) %}
    {#-
        Which windows an incremental run (re)computes: every window not yet stored for its model,
        the last incremental.lookback_windows windows (so late rows land), and every window of a
        model whose config changed since its rows were stored (config_fingerprint). Windows are
        never skipped because of where the newest stored window is: the lookback counts back from
        the newest stored window, but never from later than the load time's window, so rows
        dated in the future (quarantined anyway) cannot freeze later windows.
        time_column (the rows' timestamp, for a read of the prediction log): those windows are
        found at compile time in int_modelwatch__prediction_row_counts (every window of the log,
        counted on each run) and inlined as constants, with ranges of time_column the table scan
        skips the older blocks by; a filter on a computed window reads the whole history.
        For dense tables only (a row for every window processed): a table that stores rows for
        some windows only would count the others as new on every run.
    -#}
    {%- set log_windows = ref('int_modelwatch__prediction_row_counts') if time_column else none -%}
    {%- if is_incremental() -%}
        {%- set rebuild = modelwatch.models_to_rebuild() -%}
        {%- set stored -%}
            (
                select model_name, window_start
                from {{ this }}
                where model_name is not null and window_start is not null
                    and window_start < {{ modelwatch.incremental_lookback_start() }}
                    {%- if rebuild %}
                    and model_name not in {{ modelwatch.string_list(rebuild) }}
                    {%- endif %}
                group by model_name, window_start
            )
        {%- endset -%}
        {%- set constants = none -%}
        {%- if time_column and execute -%}
            {%- set constants = modelwatch.windows_as_constants(
                'select distinct model_name, cast(null as ' ~ dbt.type_string() ~ ') as model_version, window_start from '
                ~ log_windows ~ ' where model_name is not null and window_start is not null'
                ~ ' and (model_name, window_start) not in ' ~ stored) -%}
        {%- endif -%}
        {%- if constants -%}
            {{ modelwatch.in_windows_predicate(time_column, constants.windows) }}
            and (model_name, {{ column }}) in (select model_name, window_start from ({{ constants.relation }}) as w)
        {%- else -%}
            (model_name, {{ column }}) not in {{ stored }}
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}


{% macro binned_feature_values(numeric_values, categorical_values, reference_bins, edges, carry=[]) %}
    {#-
        (feature_id, carry..., bin_index) for every unpivoted value, on the reference's fixed
        bins: numeric values by the quantile edges, categories by the reference's kept
        categories, then __other__; nulls in the null bin. One definition for the windows
        (feature_bin_counts) and the reference's segments (int_modelwatch__reference_segment_bins).
    -#}
    {%- set carried = [] -%}
    {%- for column in carry -%}{%- do carried.append('v.' ~ column ~ ',') -%}{%- endfor %}
    select
        v.feature_id,
        {{ carried | join('\n        ') }}
        {{ modelwatch.numeric_bin_index('v.feature_value', 'e') }} as bin_index
    from {{ numeric_values }} as v
    inner join {{ edges }} as e
        on v.feature_id = e.feature_id
    union all
    select
        v.feature_id,
        {{ carried | join('\n        ') }}
        case
            when v.feature_value is null then s.null_bin_index
            else coalesce(b.bin_index, s.other_bin_index)
        end as bin_index
    from {{ categorical_values }} as v
    inner join (
        select
            feature_id,
            max(case when category = '__other__' and not is_null_bin then bin_index end) as other_bin_index,
            max(case when is_null_bin then bin_index end) as null_bin_index
        from {{ reference_bins }}
        where feature_type = 'categorical'
        group by feature_id
    ) as s
        on v.feature_id = s.feature_id
    left join {{ reference_bins }} as b
        on v.feature_id = b.feature_id
        and v.feature_value = b.category
        and b.feature_type = 'categorical'
        and not b.is_null_bin
        and b.category != '__other__'
{%- endmacro %}
{% macro incremental_lookback_start(column='window_start') %}
    {#- The first window an incremental run recomputes whatever is stored (see above), counted
        back from the newest stored value of `column` (a window) of this table. -#}
    {%- set lookback = modelwatch.get_config().incremental.lookback_windows -%}
    {%- set clock = modelwatch.window_start(modelwatch.current_timestamp_utc()) -%}
    (select {{ modelwatch.windows_ago('least(max(' ~ column ~ '), ' ~ clock ~ ')', lookback) }} from {{ this }})
{%- endmacro %}


{% macro config_fingerprint(model_name_column='model_name') %}
    {#-
        Per model, '<granularity>:<hash>' of everything that shapes its windowed rows (features,
        bins, reference, columns, thresholds of metrics, quality rules; not alert thresholds).
        Stored on every row of the incremental tables: a later run whose fingerprint differs
        rebuilds that model's windows (models_to_rebuild).
    -#}
    {%- set branches = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then '
            ~ modelwatch.sql_string(modelwatch.model_fingerprint(model))) -%}
    {%- endfor -%}
    {{ return('cast(case ' ~ model_name_column ~ ' ' ~ (branches | join(' ')) ~ ' end as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}


{% macro model_fingerprint(model) %}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set shaped = {} -%}
    {%- for key, value in model.items() if key != 'checks' -%}{%- do shaped.update({key: value}) -%}{%- endfor -%}
    {%- set inputs = {} -%}
    {%- for key, value in cfg.inputs.items() -%}{%- do inputs.update({key: value | string}) -%}{%- endfor -%}
    {%- set parts = {'model': shaped, 'drift': cfg.drift, 'performance': cfg.performance,
        'fairness': cfg.fairness, 'canary': cfg.canary, 'columns': cfg.columns, 'quality': cfg.quality,
        'inputs': inputs} -%}
    {{ return(cfg.granularity ~ ':' ~ local_md5(tojson(parts, sort_keys=true))[:16]) }}
{% endmacro %}


{% macro models_to_rebuild(absent=false) %}
    {#-
        Configured models whose stored rows in this incremental table carry another fingerprint
        (features added or removed, bins, reference, columns...): all their windows are rebuilt.
        absent=true: also the configured models with no stored row (one just added), for tables
        that do not otherwise look for windows never stored.
        A changed granularity cannot be rebuilt in place (the old windows would stay next to the
        new ones): the run stops and asks for --full-refresh.
    -#}
    {%- if not execute or not is_incremental() -%}{{ return([]) }}{%- endif -%}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'config_fingerprint' not in columns -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: " ~ this ~ " was built by an earlier modelwatch without a config fingerprint; "
            ~ "rebuild it once with `modelwatch run --full-refresh` (dbt build --full-refresh)") }}
    {%- endif -%}
    {%- set stored = run_query('select distinct model_name, config_fingerprint from ' ~ this) -%}
    {%- set found = {} -%}
    {%- for row in stored.rows -%}
        {%- set granularity = (row[1] or '').split(':')[0] -%}
        {%- if row[1] and granularity != cfg.granularity -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: granularity changed from " ~ granularity ~ " to " ~ cfg.granularity ~ " since "
                ~ this ~ " was built; its windows cannot be updated in place: run `modelwatch run --full-refresh`"
                ~ " (dbt build --full-refresh)") }}
        {%- endif -%}
        {%- do found.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}
    {%- set rebuild = [] -%}
    {%- for model in cfg.models -%}
        {%- set expected = modelwatch.model_fingerprint(model) -%}
        {%- if (model.name in found and found[model.name] != [expected]) or (absent and model.name not in found) -%}
            {%- do rebuild.append(model.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rebuild) }}
{% endmacro %}
