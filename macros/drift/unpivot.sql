{% macro unpivot_features(relation, feature_type, with_window=true, is_reference=false, segments=[]) %}
    {{ return(adapter.dispatch('unpivot_features', 'modelwatch')(relation, feature_type, with_window, is_reference, segments)) }}
{% endmacro %}

{% macro default__unpivot_features(relation, feature_type, with_window, is_reference, segments) %}
    {#-
        Long form (feature_id, [window_start,] [segment_value_1..k,] feature_value) of every
        monitored feature of one type (ids from feature_catalog): one narrow scan per feature, so
        column stores read only that column. Numeric values are doubles with NaN as null;
        categories are strings. A numeric value that does not cast to a number (a type error,
        counted in feature_quality) is left out, so it is neither a value nor a null here.
        segments: column names whose values (as text, '__null__' for null) come along.
    -#}
    {%- if feature_type not in ['numeric', 'categorical'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: unpivot_features takes numeric or categorical, got " ~ feature_type) }}
    {%- endif -%}
    {%- set selects = [] -%}
    {%- for feature in modelwatch.feature_catalog() if feature.type == feature_type -%}
        {%- set column = feature.column -%}
        {%- set model_literal = modelwatch.sql_string(feature.model) -%}
        {%- set sql -%}
    select
        {{ feature.id }} as feature_id,
        {%- if with_window %}
        window_start,
        {%- endif %}
        {%- for segment in segments %}
        coalesce(cast({{ modelwatch.carried_column(segment) }} as {{ dbt.type_string() }}), '__null__') as segment_value_{{ loop.index }},
        {%- endfor %}
        {%- set safe = feature_type == 'numeric' and feature.name != 'score' and modelwatch.feature_needs_safe_cast(feature.name, is_reference) %}
        {%- if feature_type == 'numeric' %}
        {{ modelwatch.to_double(column, safe) }} as feature_value
        {%- else %}
        cast({{ column }} as {{ dbt.type_string() }}) as feature_value
        {%- endif %}
    from {{ relation }}
    where {% if is_reference %}(model_name is null or model_name = {{ model_literal }}){% else %}model_name = {{ model_literal }}{% endif %}
        {%- if safe %}
        and not {{ modelwatch.is_type_error(column, modelwatch.type_double()) }}
        {%- endif %}
        {%- endset -%}
        {%- do selects.append(sql) -%}
    {%- endfor -%}
    {%- if selects | length == 0 -%}
        {#- No feature of this type anywhere: an empty relation of the same shape. -#}
    select
        cast(null as {{ dbt.type_int() }}) as feature_id,
        {%- if with_window %}
        cast(null as {{ dbt.type_timestamp() }}) as window_start,
        {%- endif %}
        {%- for segment in segments %}
        cast(null as {{ dbt.type_string() }}) as segment_value_{{ loop.index }},
        {%- endfor %}
        cast(null as {{ modelwatch.type_double() if feature_type == 'numeric' else dbt.type_string() }}) as feature_value
    where 1 = 0
    {%- else -%}
    {{ selects | join('\n    union all\n') }}
    {%- endif -%}
{% endmacro %}

{% macro duckdb__unpivot_features(relation, feature_type, with_window, is_reference, segments) %}
    {#-
        The same long form through DuckDB's UNPIVOT: one scan per model instead of one per
        feature. The union of one select per feature made a plan with a branch per feature, in
        every place the KS model reads it: 200 features x 5,000 rows spent 5.6 s planning and
        ran out of memory at memory_limit 2GB with two threads (benchmarks/wide_table.py,
        docs/benchmark.md "Wide tables"). INCLUDE NULLS keeps the union's rows exactly; a value
        that does not cast (left out by the union) is marked NaN here and dropped after.
        Below drift.unpivot_min_features features of the type the union is kept: its
        one-column scans cost about half as much per value.
    -#}
    {%- if feature_type not in ['numeric', 'categorical'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: unpivot_features takes numeric or categorical, got " ~ feature_type) }}
    {%- endif -%}
    {%- set by_model = {} -%}
    {%- set model_order = [] -%}
    {%- for feature in modelwatch.feature_catalog() if feature.type == feature_type -%}
        {%- if feature.model not in by_model -%}
            {%- do by_model.update({feature.model: []}) -%}
            {%- do model_order.append(feature.model) -%}
        {%- endif -%}
        {%- do by_model[feature.model].append(feature) -%}
    {%- endfor -%}
    {%- set feature_count = by_model.values() | map('length') | sum -%}
    {%- if feature_count < modelwatch.get_config().drift.unpivot_min_features -%}
        {#- 1M rows x 20 features: the KS model 4.7 s instead of 7.7 s (docs/benchmark.md) -#}
        {{ return(modelwatch.default__unpivot_features(relation, feature_type, with_window, is_reference, segments)) }}
    {%- endif -%}
    {%- set selects = [] -%}
    {%- for model in model_order -%}
        {%- set model_literal = modelwatch.sql_string(model) -%}
        {%- set sql -%}
    select
        cast(feature_key as {{ dbt.type_int() }}) as feature_id,
        {%- if with_window %}
        window_start,
        {%- endif %}
        {%- for segment in segments %}
        segment_value_{{ loop.index }},
        {%- endfor %}
        feature_value
    from (
        select
            {%- if with_window %}
            window_start,
            {%- endif %}
            {%- for segment in segments %}
            coalesce(cast({{ modelwatch.carried_column(segment) }} as {{ dbt.type_string() }}), '__null__') as segment_value_{{ loop.index }},
            {%- endfor %}
            {%- for feature in by_model[model] %}
            {%- set safe = feature_type == 'numeric' and feature.name != 'score' and modelwatch.feature_needs_safe_cast(feature.name, is_reference) %}
            {%- if safe %}
            case when {{ modelwatch.is_type_error(feature.column, modelwatch.type_double()) }} then cast('nan' as double)
                else {{ modelwatch.to_double(feature.column, true) }} end as "{{ feature.id }}"
            {%- elif feature_type == 'numeric' %}
            {{ modelwatch.to_double(feature.column) }} as "{{ feature.id }}"
            {%- else %}
            cast({{ feature.column }} as {{ dbt.type_string() }}) as "{{ feature.id }}"
            {%- endif %}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
        where {% if is_reference %}(model_name is null or model_name = {{ model_literal }}){% else %}model_name = {{ model_literal }}{% endif %}
    ) as wide
    unpivot include nulls (
        feature_value for feature_key in (
            {%- for feature in by_model[model] %}"{{ feature.id }}"{{ ', ' if not loop.last }}{% endfor -%}
        )
    )
    {%- if feature_type == 'numeric' %}
    where feature_value is null or not isnan(feature_value)
    {%- endif %}
        {%- endset -%}
        {%- do selects.append(sql) -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n') }}
{% endmacro %}
