{#-
    The one engine behind the alerts table and every alert test: observations in, one row per
    observation out with the thresholds that applied, the severity ('ok', 'warn', 'error') and
    how many consecutive observed windows the subject has breached. Threshold kinds per check
    (get_config: check_kind_defaults): static (with a sample-size noise floor for drift
    statistics and label checks), dynamic (trailing mean +/- sigma x sd, previous windows only) and persistence
    (m of the last n windows).
-#}

{% macro evaluate_alerts(observations, check_names=none, overrides=none) %}
    {{ return(adapter.dispatch('evaluate_alerts', 'modelwatch')(observations, check_names, overrides)) }}
{% endmacro %}


{% macro default__evaluate_alerts(observations, check_names, overrides) %}
    {%- set cfg = modelwatch.get_config() -%}
    {%- set all_names = modelwatch.alert_checks() | map(attribute='name') | list -%}
    {%- set names = check_names or all_names -%}
    {%- set partition = 'model_name, check_name, subject, ' ~ (modelwatch.alert_dimensions() | join(', ')) -%}
    {%- set double = modelwatch.type_double() -%}
    with

    observations as (

        select * from {{ observations }}
        where check_name in ({% for name in names %}{{ modelwatch.sql_string(name) }}{% if not loop.last %}, {% endif %}{% endfor %})

    ),

    settings as (

        select
            *,
            {{ modelwatch.check_setting_sql(names, 'kind') }} as threshold_kind,
            {{ modelwatch.check_setting_sql(names, 'direction') }} as direction,
            cast({{ modelwatch.check_setting_sql(names, 'warn', overrides) }} as {{ double }}) as static_warn,
            cast({{ modelwatch.check_setting_sql(names, 'error', overrides) }} as {{ double }}) as static_error,
            cast({{ modelwatch.check_setting_sql(names, 'lookback_windows') }} as {{ dbt.type_int() }}) as lookback_windows,
            cast({{ modelwatch.check_setting_sql(names, 'min_windows') }} as {{ dbt.type_int() }}) as min_windows,
            cast({{ modelwatch.check_setting_sql(names, 'warn_sigma') }} as {{ double }}) as warn_sigma,
            cast({{ modelwatch.check_setting_sql(names, 'error_sigma') }} as {{ double }}) as error_sigma,
            cast({{ modelwatch.check_setting_sql(names, 'persist_windows') }} as {{ dbt.type_int() }}) as persist_windows,
            cast({{ modelwatch.check_setting_sql(names, 'persist_min_breaches') }} as {{ dbt.type_int() }}) as persist_min_breaches,
            {{ modelwatch.check_setting_sql(names, 'noise_floor') }} as has_noise_floor,
            {{ modelwatch.runbook_url_for_checks_sql(names) }} as runbook_url
        from observations

    ),

    noise_floors as (

        select
            *,
            case
                when not has_noise_floor then null
                when check_name = 'psi' then {{ modelwatch.noise_floor_sql('psi', 'sample_size', 'reference_size', 'bin_count') }}
                {#- a segment column's values are judged together: Bonferroni over them -#}
                when check_name = 'segment_psi' then {{ modelwatch.noise_floor_sql('psi', 'sample_size', 'reference_size', 'bin_count',
                    alpha='(' ~ cfg.alerts.noise_floor_alpha ~ ' / coalesce(comparisons, 1))') }}
                when check_name in ('label_prior_shift', 'prediction_prior_shift') then {{ modelwatch.noise_floor_sql('proportion_difference', 'sample_size', 'reference_size', 'noise_sd') }}
                when check_name = 'js_distance' then {{ modelwatch.noise_floor_sql('js_distance', 'sample_size', 'reference_size', 'bin_count') }}
                when check_name = 'ks_statistic' then {{ modelwatch.noise_floor_sql('ks_statistic', 'sample_size', 'reference_size', 'bin_count') }}
                when check_name = 'class_prior_shift' then {{ modelwatch.noise_floor_sql('psi', 'sample_size', 'reference_size', 'bin_count') }}
                {%- for check in modelwatch.alert_checks() if check.name in names and check.get('noise_shape') %}
                when check_name = {{ modelwatch.sql_string(check.name) }} then {{ modelwatch.noise_quantile_sql(check.noise_shape, 'noise_mean', 'noise_sd') }}
                {%- endfor %}
            end as noise_floor
        from settings

    ),

    history as (

        {#- dynamic: stats of the previous lookback_windows rows only (never the row judged) -#}
        select
            *,
            {%- for n in modelwatch.setting_values(names, 'lookback_windows') %}
            {%- set suffix = '_' ~ n %}
            avg(observed_value) over (
                partition by {{ partition }} order by window_start
                rows between {{ n }} preceding and 1 preceding
            ) as history_mean{{ suffix }},
            stddev_samp(observed_value) over (
                partition by {{ partition }} order by window_start
                rows between {{ n }} preceding and 1 preceding
            ) as history_sd{{ suffix }},
            count(observed_value) over (
                partition by {{ partition }} order by window_start
                rows between {{ n }} preceding and 1 preceding
            ) as history_count{{ suffix }},
            {%- endfor %}
            case
                when direction = 'above' and static_warn < noise_floor then noise_floor
                else static_warn
            end as floored_warn,
            case
                when direction = 'above' and static_error < noise_floor then noise_floor
                else static_error
            end as floored_error
        from noise_floors

    ),

    picked_history as (

        select
            *,
            case lookback_windows
                {%- for n in modelwatch.setting_values(names, 'lookback_windows') %}
                when {{ n }} then history_mean_{{ n }}
                {%- endfor %}
            end as history_mean,
            case lookback_windows
                {%- for n in modelwatch.setting_values(names, 'lookback_windows') %}
                when {{ n }} then history_sd_{{ n }}
                {%- endfor %}
            end as history_sd,
            case lookback_windows
                {%- for n in modelwatch.setting_values(names, 'lookback_windows') %}
                when {{ n }} then history_count_{{ n }}
                {%- endfor %}
            end as history_count
        from history

    ),

    thresholds as (

        select
            *,
            case
                when threshold_kind != 'dynamic' then floored_warn
                when history_count < min_windows or history_sd is null then null
                when direction = 'above' then history_mean + warn_sigma * history_sd
                else history_mean - warn_sigma * history_sd
            end as warn_threshold,
            case
                when threshold_kind != 'dynamic' then floored_error
                when history_count < min_windows or history_sd is null then null
                when direction = 'above' then history_mean + error_sigma * history_sd
                else history_mean - error_sigma * history_sd
            end as error_threshold
        from picked_history

    ),

    breaches as (

        select
            *,
            case
                when threshold_kind = 'dynamic' and direction = 'above' and observed_value > error_threshold then 2
                when threshold_kind = 'dynamic' and direction = 'below' and observed_value < error_threshold then 2
                when threshold_kind != 'dynamic' and direction = 'above' and observed_value >= error_threshold then 2
                when threshold_kind != 'dynamic' and direction = 'below' and observed_value <= error_threshold then 2
                when threshold_kind = 'dynamic' and direction = 'above' and observed_value > warn_threshold then 1
                when threshold_kind = 'dynamic' and direction = 'below' and observed_value < warn_threshold then 1
                when threshold_kind != 'dynamic' and direction = 'above' and observed_value >= warn_threshold then 1
                when threshold_kind != 'dynamic' and direction = 'below' and observed_value <= warn_threshold then 1
                else 0
            end as breach_level
        from thresholds

    ),

    persisted as (

        select
            *,
            case persist_windows
                {%- for n in modelwatch.setting_values(names, 'persist_windows') %}
                when {{ n }} then sum(case when breach_level = 2 then 1 else 0 end) over (
                    partition by {{ partition }} order by window_start
                    rows between {{ n - 1 }} preceding and current row
                )
                {%- endfor %}
            end as recent_error_breaches,
            case persist_windows
                {%- for n in modelwatch.setting_values(names, 'persist_windows') %}
                when {{ n }} then sum(case when breach_level >= 1 then 1 else 0 end) over (
                    partition by {{ partition }} order by window_start
                    rows between {{ n - 1 }} preceding and current row
                )
                {%- endfor %}
            end as recent_breaches
        from breaches

    ),

    judged as (

        select
            *,
            case
                when threshold_kind = 'persistence' then
                    case
                        when breach_level >= 1 and recent_error_breaches >= persist_min_breaches then 'error'
                        when breach_level >= 1 and recent_breaches >= persist_min_breaches then 'warn'
                        else 'ok'
                    end
                when breach_level = 2 then 'error'
                when breach_level = 1 then 'warn'
                else 'ok'
            end as severity
        from persisted

    ),

    runs as (

        select
            *,
            sum(case when severity = 'ok' then 1 else 0 end) over (
                partition by {{ partition }} order by window_start
                rows between unbounded preceding and current row
            ) as run_id
        from judged

    ),

    final as (

        select
            model_name,
            window_start,
            window_end,
            check_name,
            check_category,
            check_description,
            direction,
            {%- for dim in modelwatch.alert_dimensions() %}
            {{ dim }},
            {%- endfor %}
            subject,
            observed_value,
            case when severity = 'error' then error_threshold else warn_threshold end as threshold,
            warn_threshold,
            error_threshold,
            noise_floor,
            severity,
            threshold_kind,
            cast(sum(case when severity = 'ok' then 0 else 1 end) over (
                partition by {{ partition }}, run_id order by window_start
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}) as consecutive_windows,
            sample_size,
            reference_size,
            runbook_url,
            evidence
        from runs

    )

    select * from final
{% endmacro %}


{% macro setting_values(check_names, key) %}
    {#- The distinct values one setting takes over these checks and every model (window sizes). -#}
    {%- set values = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- for check in check_names -%}
            {%- set v = model.checks[check][key] | int -%}
            {%- if v not in values -%}{%- do values.append(v) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(values | sort) }}
{% endmacro %}


{% macro runbook_url_for_checks_sql(check_names) %}
    {{ return('cast(' ~ modelwatch.check_setting_sql(check_names, 'runbook_url') ~ ' as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}


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

