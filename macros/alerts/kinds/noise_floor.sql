{#-
    The noise floor of a check: what sampling noise alone reaches for the window's (and the
    reference's or baseline's) sizes, at alerts.noise_floor_alpha. Static thresholds of checks
    with noise_floor: true are raised to it (static.sql), so small windows do not page on noise.
-#}

{% macro alert_noise_floor(check_names) %}
    {#- the column noise_floor: null where the check has none or the sizes are missing (typed:
        with no noise-floor check selected, PostgreSQL would take the bare null as text) -#}
    {%- set alpha = modelwatch.get_config().alerts.noise_floor_alpha -%}
    cast(case
        when not has_noise_floor then null
        {%- for check in modelwatch.alert_checks() if check.name in check_names and check.get('noise_floor') %}
        {%- set statistic = check.noise_floor %}
        when check_name = {{ modelwatch.sql_string(check.name) }} then
        {%- if statistic in ['normal', 'gamma'] %} {{ modelwatch.noise_quantile_sql(statistic, 'noise_mean', 'noise_sd') }}
        {%- elif statistic == 'proportion_difference' %} {{ modelwatch.noise_floor_sql(statistic, 'sample_size', 'reference_size', 'noise_sd') }}
        {#- a segment column's values are judged together: Bonferroni over them -#}
        {%- elif statistic == 'psi_per_segment' %} {{ modelwatch.noise_floor_sql('psi', 'sample_size', 'reference_size', 'bin_count',
            alpha='(' ~ alpha ~ ' / coalesce(comparisons, 1))') }}
        {%- elif statistic in ['psi', 'js_distance', 'ks_statistic'] %} {{ modelwatch.noise_floor_sql(statistic, 'sample_size', 'reference_size', 'bin_count') }}
        {%- else %}{{ exceptions.raise_compiler_error("modelwatch: check " ~ check.name ~ " names an unknown noise_floor statistic '" ~ statistic ~ "'") }}
        {%- endif %}
        {%- endfor %}
    end as {{ modelwatch.type_double() }})
{%- endmacro %}


{% macro noise_floor_sql(check, n, m, bins, alpha=none) %}
    {#-
        What sampling noise alone reaches with probability alerts.noise_floor_alpha when the
        window (n rows) and the reference (m rows) come from one distribution over `bins` bins:
        PSI ~ (1/n + 1/m) chi2(bins - 1) (Wilson-Hilferty quantile), JS distance ~
        sqrt(PSI / (8 ln 2)), KS the asymptotic sqrt(-ln(alpha / 2) / 2) sqrt((n + m) / (n m)).
        Null when a size is missing or zero (no floor). alpha: a SQL expression in place of
        alerts.noise_floor_alpha (segment_psi divides it by the segment values compared).
    -#}
    {%- set alpha = alpha if alpha is not none else modelwatch.get_config().alerts.noise_floor_alpha -%}
    {%- set z = modelwatch.normal_upper_quantile(alpha) -%}
    {%- set df = 'greatest(coalesce(' ~ bins ~ ', 2) - 1, 1)' -%}
    {%- set inv = '(' ~ modelwatch.double_literal(1) ~ ' / nullif(' ~ n ~ ', 0) + ' ~ modelwatch.double_literal(1) ~ ' / nullif(' ~ m ~ ', 0))' -%}
    {%- set psi_floor = inv ~ ' * ' ~ df ~ ' * power(' ~ modelwatch.double_literal(1) ~ ' - ' ~ modelwatch.double_literal(2) ~ ' / (' ~ modelwatch.double_literal(9) ~ ' * ' ~ df ~ ') + ' ~ z ~ ' * sqrt(' ~ modelwatch.double_literal(2) ~ ' / (' ~ modelwatch.double_literal(9) ~ ' * ' ~ df ~ ')), 3)' -%}
    {%- if check == 'psi' -%}
        {#-
            Small windows leave bins empty, and an empty bin adds (r - eps) ln(r / eps) through
            the epsilon, which the chi-square term does not cover: add the upper alpha quantile
            (normal approximation) of the number of empty bins among df bins of share r = 1/df,
            each empty with probability p0 = (1 - r)^n. Vanishes for windows of a few hundred rows.
        -#}
        {%- set eps = modelwatch.get_config().drift.epsilon -%}
        {%- set r = '(' ~ modelwatch.double_literal(1) ~ ' / ' ~ df ~ ')' -%}
        {%- set p0 = 'power(' ~ modelwatch.double_literal(1) ~ ' - ' ~ r ~ ', ' ~ n ~ ')' -%}
        {%- set empty_bins = '(' ~ df ~ ' * ' ~ p0 ~ ' + ' ~ z ~ ' * sqrt(' ~ df ~ ' * ' ~ p0 ~ ' * (' ~ modelwatch.double_literal(1) ~ ' - ' ~ p0 ~ ')))' -%}
        {%- set empty_term = 'case when ' ~ r ~ ' > ' ~ eps ~ ' then ' ~ empty_bins ~ ' * (' ~ r ~ ' - ' ~ eps ~ ') * ln(' ~ r ~ ' / ' ~ eps ~ ') else 0 end' -%}
        {{ return('(' ~ psi_floor ~ ' + ' ~ empty_term ~ ')') }}
    {%- elif check == 'js_distance' -%}
        {{ return('sqrt(' ~ psi_floor ~ ' / (' ~ modelwatch.double_literal(8) ~ ' * ln(' ~ modelwatch.double_literal(2) ~ ')))') }}
    {%- elif check == 'ks_statistic' -%}
        {{ return('(sqrt(-ln(' ~ alpha ~ ' / ' ~ modelwatch.double_literal(2) ~ ') / ' ~ modelwatch.double_literal(2) ~ ') * sqrt(' ~ inv ~ '))') }}
    {%- elif check == 'proportion_difference' -%}
        {#-
            A difference of two proportions (the prior checks): the two-sided alpha critical value
            of the pooled two-proportion z-test times its standard error, which the observation
            carries (`bins` is that standard error here).
        -#}
        {{ return('(' ~ modelwatch.normal_upper_quantile(alpha / 2) ~ ' * ' ~ bins ~ ')') }}
    {%- endif -%}
    {{ return('null') }}
{% endmacro %}

