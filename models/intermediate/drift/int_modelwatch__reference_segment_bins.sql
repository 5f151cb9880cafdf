{#-
    The reference's counts on the fixed reference bins per drift segment value (drift.segments):
    the baseline a segment's rows are compared with. Only segment columns the reference has are
    here; feature_bin_counts compares a segment column the reference lacks, or a segment value
    with no reference rows, with the whole reference.
-#}
{%- set segments = modelwatch.feature_names('segments') -%}
{%- set present = [] -%}
{%- for segment in segments if modelwatch.reference_has_column(segment) -%}{%- do present.append(segment) -%}{%- endfor -%}
{%- set segment_columns = [] -%}
{%- for segment in present -%}{%- do segment_columns.append('segment_value_' ~ loop.index) -%}{%- endfor -%}

{%- if not present %}

select
    cast(null as {{ dbt.type_int() }}) as feature_id,
    cast(null as {{ dbt.type_string() }}) as segment_key,
    cast(null as {{ dbt.type_string() }}) as segment_value,
    cast(null as {{ dbt.type_int() }}) as bin_index,
    cast(null as {{ dbt.type_bigint() }}) as reference_count,
    cast(null as {{ dbt.type_bigint() }}) as reference_total
where 1 = 0

{%- else %}

with

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

reference as (

    select * from {{ ref('stg_modelwatch__reference') }}

),

reference_bins as (

    select
        c.feature_id,
        b.*
    from {{ ref('int_modelwatch__reference_bins') }} as b
    inner join catalog as c
        on b.model_name = c.model_name and b.feature_name = c.feature_name

),

edges as (

    select * from {{ ref('int_modelwatch__reference_numeric_edges') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true, segments=present) }}

),

categorical_values as (

    {{ modelwatch.unpivot_features('reference', 'categorical', with_window=false, is_reference=true, segments=present) }}

),

binned as (

    {{ modelwatch.binned_feature_values('numeric_values', 'categorical_values', 'reference_bins', 'edges', carry=segment_columns) }}

),

counts as (

    {%- for segment in present %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        feature_id,
        cast({{ modelwatch.sql_string(segment) }} as {{ dbt.type_string() }}) as segment_key,
        segment_value_{{ loop.index }} as segment_value,
        bin_index,
        count(*) as reference_count
    from binned
    group by feature_id, segment_value_{{ loop.index }}, bin_index
    {%- endfor %}

),

final as (

    select
        feature_id,
        segment_key,
        segment_value,
        bin_index,
        reference_count,
        cast(sum(reference_count) over (partition by feature_id, segment_key, segment_value) as {{ dbt.type_bigint() }}) as reference_total
    from counts

)

select * from final

{%- endif %}
