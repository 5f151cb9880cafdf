{#-
    Threshold kind `dynamic`: the trailing mean +/- sigma x sd of the check's previous
    lookback_windows observed windows (never the window judged), once min_windows of history exist.
    Zero variance: a constant history (sd = 0) says nothing about the spread, and mean +/- sigma
    x 0 is the mean itself, so any move at all would page. Such a window is judged on the
    check's static thresholds instead (noise-floored; null: that level stays quiet), the
    tolerance the user wrote down; elementary scores zero stddev as no anomaly, the same
    outcome for a check without static thresholds.
-#}

{% macro alert_dynamic_history(check_names, partition) %}
    {#-
        history_mean_<n>, history_sd_<n>, history_count_<n> for every lookback_windows value n
        the checks use (a window frame needs a literal size), then picked per row.
    -#}
    {%- for n in modelwatch.setting_values(check_names, 'lookback_windows') %}
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
{%- endmacro %}


{% macro alert_dynamic_pick(check_names) %}
    {#- history_mean, history_sd, history_count of the row's own lookback_windows -#}
    {%- for stat in ['mean', 'sd', 'count'] %}
    case lookback_windows
        {%- for n in modelwatch.setting_values(check_names, 'lookback_windows') %}
        when {{ n }} then history_{{ stat }}_{{ n }}
        {%- endfor %}
    end as history_{{ stat }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro alert_threshold(level) %}
    {#- The row's <level>_threshold: static (floored) unless the check is dynamic. -#}
    case
        when threshold_kind != 'dynamic' then floored_{{ level }}
        when history_count < min_windows or history_sd is null then null
        when history_sd = 0 then floored_{{ level }}
        when direction = 'above' then history_mean + {{ level }}_sigma * history_sd
        else history_mean - {{ level }}_sigma * history_sd
    end as {{ level }}_threshold
{%- endmacro %}


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
