{#- Operations: cost per prediction (the log's cost column or configured unit costs), window length, z-tests. -#}

{% macro unit_cost_sql(model_column='model_name', version_column='model_version') %}
    {#- models[].unit_cost_usd: one number for every version, or {version: cost}; else null. -#}
    {%- set branches = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- set cost = model.unit_cost_usd -%}
        {%- if cost is mapping -%}
            {%- set inner = [] -%}
            {%- for version, value in cost.items() -%}
                {%- do inner.append('when ' ~ modelwatch.sql_string(version) ~ ' then ' ~ value) -%}
            {%- endfor -%}
            {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then (case ' ~ version_column ~ ' ' ~ (inner | join(' ')) ~ ' end)') -%}
        {%- elif cost is not none -%}
            {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ cost) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if branches | length == 0 -%}
        {{ return('cast(null as ' ~ modelwatch.type_double() ~ ')') }}
    {%- endif -%}
    {{ return('cast((case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ ' end) as ' ~ modelwatch.type_double() ~ ')') }}
{% endmacro %}


{% macro window_seconds() %}
    {#- Length of a window in seconds (every window of a granularity has the same length in UTC). -#}
    {{ return({'hour': 3600, 'day': 86400, 'week': 604800}[modelwatch.get_config().granularity]) }}
{% endmacro %}


{% macro two_proportion_z(successes_a, n_a, successes_b, n_b) %}
    {#- (p_a - p_b) / sqrt(p (1 - p) (1/n_a + 1/n_b)) with the pooled p; null when undefined. -#}
    (
        ({{ modelwatch.double_literal(1) }} * {{ successes_a }} / nullif({{ n_a }}, 0) - {{ modelwatch.double_literal(1) }} * {{ successes_b }} / nullif({{ n_b }}, 0))
        / nullif(sqrt(
            ({{ modelwatch.double_literal(1) }} * ({{ successes_a }} + {{ successes_b }}) / nullif({{ n_a }} + {{ n_b }}, 0))
            * (1 - {{ modelwatch.double_literal(1) }} * ({{ successes_a }} + {{ successes_b }}) / nullif({{ n_a }} + {{ n_b }}, 0))
            * ({{ modelwatch.double_literal(1) }} / nullif({{ n_a }}, 0) + {{ modelwatch.double_literal(1) }} / nullif({{ n_b }}, 0))
        ), 0)
    )
{%- endmacro %}
