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
