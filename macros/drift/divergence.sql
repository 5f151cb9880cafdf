{#- Per-bin terms of the drift statistics; summed over bins by the models. -#}

{% macro psi_contribution(current_proportion, reference_proportion, epsilon=none) %}
    {{ return(adapter.dispatch('psi_contribution', 'modelwatch')(current_proportion, reference_proportion, epsilon)) }}
{% endmacro %}

{% macro default__psi_contribution(current_proportion, reference_proportion, epsilon) %}
    {#- (c - r) * ln(c / r) with a zero proportion replaced by epsilon, as the contract defines. -#}
    {%- set eps = epsilon if epsilon is not none else modelwatch.get_config().drift.epsilon -%}
    {%- set c = 'case when ' ~ current_proportion ~ ' = 0 then ' ~ eps ~ ' else ' ~ current_proportion ~ ' end' -%}
    {%- set r = 'case when ' ~ reference_proportion ~ ' = 0 then ' ~ eps ~ ' else ' ~ reference_proportion ~ ' end' -%}
    (({{ c }}) - ({{ r }})) * ln(({{ c }}) / ({{ r }}))
{%- endmacro %}


{% macro js_divergence_term(current_proportion, reference_proportion) %}
    {{ return(adapter.dispatch('js_divergence_term', 'modelwatch')(current_proportion, reference_proportion)) }}
{% endmacro %}

{% macro default__js_divergence_term(current_proportion, reference_proportion) %}
    {#-
        rel_entr(r, m) + rel_entr(c, m) with m = (r + c) / 2, in nats, 0 where a proportion is 0
        (scipy.special.rel_entr). Summed, halved, divided by ln 2 and square-rooted it is
        scipy.spatial.distance.jensenshannon(r, c, base=2).
    -#}
    (case when {{ reference_proportion }} > 0
        then {{ reference_proportion }} * ln({{ reference_proportion }} / (({{ reference_proportion }} + {{ current_proportion }}) / {{ modelwatch.double_literal(2) }}))
        else 0 end
     + case when {{ current_proportion }} > 0
        then {{ current_proportion }} * ln({{ current_proportion }} / (({{ reference_proportion }} + {{ current_proportion }}) / {{ modelwatch.double_literal(2) }}))
        else 0 end)
{%- endmacro %}


{% macro chi2_term(observed, row_total, column_total, grand_total) %}
    {{ return(adapter.dispatch('chi2_term', 'modelwatch')(observed, row_total, column_total, grand_total)) }}
{% endmacro %}

{% macro default__chi2_term(observed, row_total, column_total, grand_total) %}
    {#- (O - E)^2 / E for one cell of the 2 x k table; E = row total * column total / N. -#}
    (({{ observed }}) - {{ modelwatch.double_literal(1) }} * ({{ row_total }}) * ({{ column_total }}) / ({{ grand_total }}))
    * (({{ observed }}) - {{ modelwatch.double_literal(1) }} * ({{ row_total }}) * ({{ column_total }}) / ({{ grand_total }}))
    / ({{ modelwatch.double_literal(1) }} * ({{ row_total }}) * ({{ column_total }}) / ({{ grand_total }}))
{%- endmacro %}
