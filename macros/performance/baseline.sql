{% macro reference_has_label() %}
    {#- The reference can be a performance baseline only when it carries a label column. -#}
    {%- if modelwatch.reference_mode() == 'predictions' or not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set label_column = modelwatch.get_config().columns.reference.label -%}
    {%- if label_column is none or not modelwatch.reference_has_score() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set resolved = modelwatch.resolve_columns('reference', modelwatch.input_relation('reference'), [], [label_column]) -%}
    {{ return(resolved[label_column] is not none) }}
{% endmacro %}


{% macro configured_models_relation() %}
    {#- (model_name) of every configured model, as a relation. -#}
    {%- set rows = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- do rows.append('(' ~ modelwatch.sql_string(model.name) ~ ')') -%}
    {%- endfor -%}
    select model_name from (values {{ rows | join(', ') }}) as configured (model_name)
{%- endmacro %}


{% macro estimation_bin_sql(score, map_alias) %}
    {#- The bin of the baseline's calibration map (histogram binning) a score falls in. -#}
    {{- modelwatch.numeric_bin_index(score, map_alias, modelwatch.get_config().performance.estimation_bins - 1) -}}
{%- endmacro %}


{% macro estimation_rate_sql(bin_index, map_alias) %}
    {#-
        The baseline map's probability for a bin (estimation_bin_sql); null for a bin without
        baseline rows, where the map is the identity: the calibrated score is
        coalesce(rate, score).
    -#}
    {%- set bins = modelwatch.get_config().performance.estimation_bins -%}
    case {{ bin_index }}
        {%- for k in range(bins) %}
        when {{ k }} then {{ map_alias }}.rate_{{ k }}
        {%- endfor %}
    end
{%- endmacro %}


{% macro reference_label_columns(expr) %}
    {#- label, label_value, label_class of a reference label column (all null for 'null'). -#}
    {%- set double = modelwatch.type_double() -%}
    {%- if expr == 'null' -%}
    cast(null as {{ dbt.type_int() }}) as label,
        cast(null as {{ double }}) as label_value,
        cast(null as {{ dbt.type_string() }}) as label_class
    {%- else -%}
    {%- set text = 'lower(cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ '))' -%}
    case
            when {{ text }} in ('1', '1.0', 'true') then 1
            when {{ text }} in ('0', '0.0', 'false') then 0
        end as label,
        case
            when {{ modelwatch.regex_matches(text, modelwatch.number_text_pattern()) }} then cast({{ text }} as {{ double }})
        end as label_value,
        cast({{ expr }} as {{ dbt.type_string() }}) as label_class
    {%- endif -%}
{%- endmacro %}
