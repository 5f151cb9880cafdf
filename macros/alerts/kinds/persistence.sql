{#-
    Threshold kind `persistence`: static thresholds, but a window alerts only when at least
    persist_min_breaches of the last persist_windows windows (this one included) breach.
-#}

{% macro alert_persistence_counts(check_names, partition) %}
    {#- recent_error_breaches, recent_breaches over the row's last persist_windows windows -#}
    {%- for name, floor in [('recent_error_breaches', 2), ('recent_breaches', 1)] %}
    case persist_windows
        {%- for n in modelwatch.setting_values(check_names, 'persist_windows') %}
        when {{ n }} then sum(case when breach_level {{ '= 2' if floor == 2 else '>= 1' }} then 1 else 0 end) over (
            partition by {{ partition }} order by window_start
            rows between {{ n - 1 }} preceding and current row
        )
        {%- endfor %}
    end as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro alert_severity() %}
    {#- 'error' / 'warn' / 'ok': the breach level, held back by persistence where configured -#}
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
    end
{%- endmacro %}
