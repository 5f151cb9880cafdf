{#-
    Threshold kind `static` (and the base of `persistence`): the configured warn / error values,
    raised to the noise floor (noise_floor.sql) where the check has one and is bad above.
-#}

{% macro alert_static_thresholds() %}
    {#- columns floored_warn, floored_error over static_warn, static_error, noise_floor -#}
    case
        when direction = 'above' and static_warn < noise_floor then noise_floor
        else static_warn
    end as floored_warn,
    case
        when direction = 'above' and static_error < noise_floor then noise_floor
        else static_error
    end as floored_error
{%- endmacro %}


{% macro alert_breach_level() %}
    {#-
        2 (error), 1 (warn) or 0 for the row's thresholds: a static threshold is breached at the
        value (>= / <=), a dynamic one strictly beyond it (the mean itself is no breach).
    -#}
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
    end
{%- endmacro %}
