{#-
    Sampling noise of the label checks' statistics when nothing has changed: the mean and
    standard deviation each statistic would have from sampling alone, stored in
    model_performance (`*_noise_*` columns) and turned into a noise floor by evaluate_alerts
    (noise_quantile_sql). Every formula is simulation-free; python/tests/test_noise_floors.py
    checks them against simulation.
-#}

{% macro hanley_mcneil_variance(auc, n_pos, n_neg) %}
    {#-
        Variance of an empirical ROC AUC over n_pos positives and n_neg negatives whose true
        AUC is `auc` (Hanley & McNeil 1982, exponential approximation of Q1, Q2). Null when a
        class is missing or the AUC is unknown.
    -#}
    {%- set a = '(' ~ auc ~ ')' -%}
    {%- set q1 = '(' ~ a ~ ' / (' ~ modelwatch.double_literal(2) ~ ' - ' ~ a ~ '))' -%}
    {%- set q2 = '(' ~ modelwatch.double_literal(2) ~ ' * ' ~ a ~ ' * ' ~ a ~ ' / (' ~ modelwatch.double_literal(1) ~ ' + ' ~ a ~ '))' -%}
    {{ return(
        '(case when (' ~ n_pos ~ ') > 0 and (' ~ n_neg ~ ') > 0 then ('
        ~ a ~ ' * (' ~ modelwatch.double_literal(1) ~ ' - ' ~ a ~ ') + ((' ~ n_pos ~ ') - 1) * (' ~ q1 ~ ' - ' ~ a ~ ' * ' ~ a ~ ')'
        ~ ' + ((' ~ n_neg ~ ') - 1) * (' ~ q2 ~ ' - ' ~ a ~ ' * ' ~ a ~ '))'
        ~ ' / (' ~ modelwatch.double_literal(1) ~ ' * (' ~ n_pos ~ ') * (' ~ n_neg ~ ')) end)'
    ) }}
{% endmacro %}


{% macro ece_noise_terms(bin_count, mean_variance) %}
    {#-
        Per calibration bin, the two sums behind ECE's distribution under perfect calibration.
        A calibrated bin of n_b rows with mean s(1 - s) = v_b has observed rate - mean score of
        mean 0 and variance v_b / n_b, so its |gap| is about half-normal: mean
        sqrt(2 v_b / (pi n_b)), variance (1 - 2 / pi) v_b / n_b. ECE = sum of (n_b / n) |gap_b|
        over independent bins, so
            E[ECE]   = sum_b sqrt(2 n_b v_b / pi) / n
            Var[ECE] = (1 - 2 / pi) sum_b n_b v_b / n^2.
        Returns the two per-bin terms to sum: (sqrt(2 n_b v_b / pi), n_b v_b).
    -#}
    {{ return((
        'sqrt(' ~ modelwatch.double_literal(2) ~ ' * ' ~ bin_count ~ ' * ' ~ mean_variance ~ ' / pi())',
        '(' ~ bin_count ~ ' * ' ~ mean_variance ~ ')',
    )) }}
{% endmacro %}


{% macro normal_upper_quantile(alpha) %}
    {#- z with P(Z > z) = alpha (Abramowitz-Stegun 26.2.23, |error| < 4.5e-4), as SQL -#}
    {%- set t = 'sqrt(-' ~ modelwatch.double_literal(2) ~ ' * ln(' ~ alpha ~ '))' -%}
    {{ return('(' ~ t ~ ' - (' ~ modelwatch.double_literal('2.515517') ~ ' + ' ~ modelwatch.double_literal('0.802853') ~ ' * ' ~ t ~ ' + ' ~ modelwatch.double_literal('0.010328') ~ ' * ' ~ t ~ ' * ' ~ t ~ ') / (' ~ modelwatch.double_literal(1) ~ ' + ' ~ modelwatch.double_literal('1.432788') ~ ' * '
        ~ t ~ ' + ' ~ modelwatch.double_literal('0.189269') ~ ' * ' ~ t ~ ' * ' ~ t ~ ' + ' ~ modelwatch.double_literal('0.001308') ~ ' * ' ~ t ~ ' * ' ~ t ~ ' * ' ~ t ~ '))') }}
{% endmacro %}


{% macro noise_quantile_sql(shape, mean, sd, alpha=none) %}
    {#-
        The upper alpha quantile (alerts.noise_floor_alpha) of a statistic with this mean and
        standard deviation under no change. normal: mean + z sd (a difference of two
        estimates). gamma: a positive, right-skewed sum (ECE), moment-matched to a gamma of
        shape k = mean^2 / sd^2 and quantile by Wilson-Hilferty,
        mean (1 - 1 / (9k) + z / (3 sqrt k))^3. Null when the mean or sd is unknown.
    -#}
    {%- set alpha = alpha or modelwatch.get_config().alerts.noise_floor_alpha -%}
    {%- set z = modelwatch.normal_upper_quantile(alpha) -%}
    {%- if shape == 'normal' -%}
        {{ return('((' ~ mean ~ ') + ' ~ z ~ ' * (' ~ sd ~ '))') }}
    {%- elif shape == 'gamma' -%}
        {%- set k = '((' ~ mean ~ ') * (' ~ mean ~ ') / nullif((' ~ sd ~ ') * (' ~ sd ~ '), 0))' -%}
        {{ return('(case when (' ~ mean ~ ') > 0 then (' ~ mean ~ ') * power(' ~ modelwatch.double_literal(1) ~ ' - ' ~ modelwatch.double_literal(1) ~ ' / (' ~ modelwatch.double_literal(9) ~ ' * ' ~ k ~ ') + '
            ~ z ~ ' / (' ~ modelwatch.double_literal(3) ~ ' * sqrt(' ~ k ~ ')), 3) end)') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("modelwatch: unknown noise shape '" ~ shape ~ "' (normal or gamma)") }}
{% endmacro %}
