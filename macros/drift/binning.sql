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
