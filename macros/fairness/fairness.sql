{#-
    Fairness building blocks: which rows count, which attributes (and intersections) are measured,
    how a group value is spelled, and the Wilson score interval.
-#}

{% macro fairness_population_filter() %}
    {#-
        Fairness judges the decisions the served model makes: by default champion rows (and rows
        without a role), so a shadow scoring the same requests is not counted twice
        (fairness.deployment_roles; [] = every row).
    -#}
    {{ return(adapter.dispatch('fairness_population_filter', 'modelwatch')()) }}
{% endmacro %}

{% macro default__fairness_population_filter() %}
    {%- set roles = modelwatch.get_config().fairness.deployment_roles -%}
    {%- if not roles -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {{ return('(deployment_role is null or deployment_role in ' ~ modelwatch.string_list(roles) ~ ')') }}
{% endmacro %}


{% macro fairness_attributes() %}
    {#-
        [(attribute_name, [columns], [model names])]: every protected attribute, then every
        configured intersection (attribute_name 'a x b', for the models listing all its parts).
    -#}
    {{ return(adapter.dispatch('fairness_attributes', 'modelwatch')()) }}
{% endmacro %}

{% macro default__fairness_attributes() %}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set out = [] -%}
    {%- for name in modelwatch.feature_names('protected_attributes') -%}
        {%- set models = [] -%}
        {%- for model in cfg.models if name in model.protected_attributes -%}{%- do models.append(model.name) -%}{%- endfor -%}
        {%- do out.append((name, [name], models)) -%}
    {%- endfor -%}
    {%- for names in cfg.fairness.intersections -%}
        {%- set models = [] -%}
        {%- for model in cfg.models -%}
            {%- if names | reject('in', model.protected_attributes) | list | length == 0 -%}{%- do models.append(model.name) -%}{%- endif -%}
        {%- endfor -%}
        {%- do out.append((names | join(' x '), names, models)) -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro fairness_group_value(columns) %}
    {#-
        A row's group: the attribute's value as text, '__null__' when missing or blank; for an
        intersection the parts' values joined by ' x ' in the configured order ('F x 18-25').
    -#}
    {{ return(adapter.dispatch('fairness_group_value', 'modelwatch')(columns)) }}
{% endmacro %}

{% macro default__fairness_group_value(columns) %}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set text = 'cast(' ~ modelwatch.carried_column(column) ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- do parts.append("coalesce(nullif(trim(" ~ text ~ "), ''), '__null__')") -%}
        {%- if not loop.last -%}{%- do parts.append("' x '") -%}{%- endif -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}
        {{ return(parts[0]) }}
    {%- endif -%}
    {{ return(dbt.concat(parts)) }}
{% endmacro %}


{% macro wilson_bound(successes, trials, side, z=none) %}
    {#-
        The Wilson score interval's lower or upper bound for successes out of trials
        (statsmodels proportion_confint(method='wilson'), clipped to [0, 1]); null without
        trials. z: a SQL expression, by default 95% (scipy.stats.norm.isf(0.025)).
    -#}
    {%- if side not in ['lower', 'upper'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: wilson_bound side must be lower or upper, got " ~ side) }}
    {%- endif -%}
    {{ return(adapter.dispatch('wilson_bound', 'modelwatch')(successes, trials, side, z or modelwatch.z_95())) }}
{% endmacro %}

{% macro default__wilson_bound(successes, trials, side, z) %}
    {%- set n = 'cast(nullif(' ~ trials ~ ', 0) as ' ~ modelwatch.type_double() ~ ')' -%}
    {%- set p = '(' ~ successes ~ ' / ' ~ n ~ ')' -%}
    {%- set z2 = '(' ~ z ~ ') * (' ~ z ~ ')' -%}
    -- greatest / least skip nulls, so the case keeps an empty group null
    case when {{ trials }} > 0 then greatest(0, least(1, (
        ({{ p }} + {{ z2 }} / (2 * {{ n }}))
        {{ '-' if side == 'lower' else '+' }} ({{ z }}) * sqrt({{ p }} * (1 - {{ p }}) / {{ n }} + {{ z2 }} / (4 * {{ n }} * {{ n }}))
    ) / (1 + {{ z2 }} / {{ n }}))) end
{%- endmacro %}


{% macro z_95() %}
    {#- scipy.stats.norm.isf(0.025): the two-sided 95% critical value. -#}
    {{ return(modelwatch.double_literal('1.959963984540054')) }}
{% endmacro %}


{% macro simultaneous_z(group_count) %}
    {#-
        The critical value for simultaneous two-sided intervals over group_count groups at
        fairness.alpha (Bonferroni): norm.isf(alpha / (2 k)), by Acklam's rational approximation
        of the normal quantile's tail (relative error < 1.2e-9; alpha / (2 k) < 0.02425 always,
        as alpha <= 0.09 and k >= 2). Null for fewer than two groups.
    -#}
    {{ return(adapter.dispatch('simultaneous_z', 'modelwatch')(group_count)) }}
{% endmacro %}

{% macro default__simultaneous_z(group_count) %}
    {%- set alpha = modelwatch.get_config().fairness.alpha -%}
    {%- set c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00] -%}
    {%- set d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00] -%}
    {%- set q = 'sqrt(-2 * ln(' ~ ('%r' % alpha) ~ ' / (' ~ modelwatch.double_literal(2) ~ ' * nullif(' ~ group_count ~ ', 0))))' -%}
    (case when {{ group_count }} >= 2 then
        (((((({{ '%r' % c[0] }}) * {{ q }} + ({{ '%r' % c[1] }})) * {{ q }} + ({{ '%r' % c[2] }})) * {{ q }} + ({{ '%r' % c[3] }})) * {{ q }} + ({{ '%r' % c[4] }})) * {{ q }} + ({{ '%r' % c[5] }}))
        / -(((((({{ '%r' % d[0] }}) * {{ q }} + ({{ '%r' % d[1] }})) * {{ q }} + ({{ '%r' % d[2] }})) * {{ q }} + ({{ '%r' % d[3] }})) * {{ q }} + 1))
    end)
{%- endmacro %}
