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


{% macro incremental_window_filter(column='window_start') %}
    {#-
        Incremental runs reprocess the newest stored window plus a lookback, so late rows within
        the lookback land; windows before that are left as they are.
    -#}
    {%- if is_incremental() -%}
        {%- set lookback = modelwatch.get_config().incremental.lookback_windows -%}
        {{ column }} >= coalesce(
            (select {{ modelwatch.windows_ago('max(window_start)', lookback) }} from {{ this }}),
            cast('1900-01-01' as {{ dbt.type_timestamp() }})
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}


{% macro numeric_binned_values(relation, edges_relation, with_window=true, is_reference=false) %}
    {#-
        (feature_id, [window_start,] bin_index) for every value of every monitored numeric
        feature of `relation` (wide, one column per feature), binned on the reference edges.
    -#}
    {{ return(adapter.dispatch('numeric_binned_values', 'modelwatch')(relation, edges_relation, with_window, is_reference)) }}
{% endmacro %}


{% macro default__numeric_binned_values(relation, edges_relation, with_window, is_reference) %}
    select
        v.feature_id,
        {%- if with_window %}
        v.window_start,
        {%- endif %}
        {{ modelwatch.numeric_bin_index('v.feature_value', 'e') }} as bin_index
    from (
        {{ modelwatch.unpivot_features(relation, 'numeric', with_window=with_window, is_reference=is_reference) }}
    ) as v
    inner join {{ edges_relation }} as e
        on v.feature_id = e.feature_id
{%- endmacro %}


{% macro duckdb__numeric_binned_values(relation, edges_relation, with_window, is_reference) %}
    {#-
        The edges are read when the model runs and written into the query as constants (17
        significant digits: the same doubles), so each value is compared with literals, column
        by column, without a join: measured ~2x faster at 10M rows. Compile-only runs (no edges
        table yet) use the join form.
    -#}
    {%- set edges_table = load_relation(edges_relation) if execute else none -%}
    {%- if edges_table is none -%}
        {{ return(modelwatch.default__numeric_binned_values(relation, edges_relation, with_window, is_reference)) }}
    {%- endif -%}
    {%- set slots = modelwatch.get_config().drift.bins - 1 -%}
    {%- set columns = [] -%}
    {%- for k in range(1, slots + 1) -%}{%- do columns.append("format('{:.17g}', edge_" ~ k ~ ")") -%}{%- endfor -%}
    {%- set fetched = run_query('select feature_id, null_bin_index, ' ~ (columns | join(', ')) ~ ' from ' ~ edges_relation) -%}
    {%- set edges_by_id = {} -%}
    {%- for row in fetched.rows -%}
        {%- do edges_by_id.update({(row[0] | int): row}) -%}
    {%- endfor -%}
    {%- set selects = [] -%}
    {%- for feature in modelwatch.feature_catalog() if feature.type == 'numeric' and feature.id in edges_by_id -%}
        {%- set row = edges_by_id[feature.id] -%}
        {%- set terms = [] -%}
        {%- for k in range(1, slots + 1) if row[k + 1] is not none -%}
            {%- do terms.append("(case when feature_value >= cast('" ~ row[k + 1] ~ "' as double) then 1 else 0 end)") -%}
        {%- endfor -%}
        {%- set model_literal = modelwatch.sql_string(feature.model) -%}
        {%- set sql -%}
    select
        {{ feature.id }} as feature_id,
        {%- if with_window %}
        window_start,
        {%- endif %}
        case when feature_value is null then {{ row[1] | int }} else {{ terms | join(' + ') if terms else '0' }} end as bin_index
    from (
        select
            {%- if with_window %}
            window_start,
            {%- endif %}
            {{ modelwatch.to_double(adapter.quote(feature.name)) }} as feature_value
        from {{ relation }}
        where {% if is_reference %}(model_name is null or model_name = {{ model_literal }}){% else %}model_name = {{ model_literal }}{% endif %}
    ) as v
        {%- endset -%}
        {%- do selects.append(sql) -%}
    {%- endfor -%}
    {%- if selects | length == 0 -%}
        {{ return(modelwatch.default__numeric_binned_values(relation, edges_relation, with_window, is_reference)) }}
    {%- endif -%}
    {{ selects | join('\n    union all\n') }}
{%- endmacro %}
