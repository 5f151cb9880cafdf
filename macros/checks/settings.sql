{#-
    A check's settings as the config sees them, from the check catalog (catalog.sql): the
    defaults per check, the threshold-kind settings, and the merge of the user's `checks`
    (global, then per model) over them, validated.
-#}

{% macro check_defaults() %}
    {#- {check: {warn, error, direction, runbook_url}}; null thresholds disable a level. -#}
    {%- set catalog = modelwatch.check_catalog() -%}
    {%- set out = {} -%}
    {%- for name, check in catalog.checks.items() -%}
        {%- do out.update({name: {
            'warn': check.warn, 'error': check.error,
            'direction': check.get('direction', catalog.defaults.direction),
            'runbook_url': check.get('runbook_url', catalog.defaults.runbook_url),
        }}) -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro check_kind_defaults(name) %}
    {#-
        How a check's thresholds apply (macros/alerts/kinds/). kind static: the warn / error
        values; dynamic: trailing mean +/- sigma x sd of the previous lookback_windows observed
        windows (never the window judged; needs min_windows of history); persistence: static,
        but alert only when at least persist_min_breaches of the last persist_windows windows
        breach. noise_floor: true where the catalog names the check's noise statistic (its
        static thresholds are raised to what sampling noise alone reaches). kinds: the kinds
        the check allows. A name the catalog lacks (a custom metric's check) gets the defaults.
    -#}
    {%- set catalog = modelwatch.check_catalog() -%}
    {%- set check = catalog.checks.get(name, {}) -%}
    {%- set out = {} -%}
    {%- for key in ['kind', 'lookback_windows', 'min_windows', 'warn_sigma', 'error_sigma',
                    'persist_windows', 'persist_min_breaches', 'kinds'] -%}
        {%- do out.update({key: check.get(key, catalog.defaults[key])}) -%}
    {%- endfor -%}
    {%- do out.update({'noise_floor': check.get('noise_floor') is not none}) -%}
    {{ return(out) }}
{% endmacro %}


{% macro _merge_checks(base, overrides, where, errors) %}
    {%- set merged = {} -%}
    {%- for name, spec in base.items() -%}
        {%- set full = modelwatch.check_kind_defaults(name) -%}
        {%- do full.update(spec) -%}
        {%- do merged.update({name: full}) -%}
    {%- endfor -%}
    {%- if overrides is not none and overrides is not mapping -%}
        {%- do errors.append("modelwatch: '" ~ where ~ "' must be a mapping of check name to {warn, error}") -%}
        {%- set overrides = {} -%}
    {%- endif -%}
    {%- for name, spec in (overrides or {}).items() -%}
        {%- if name not in merged -%}
            {%- do errors.append(
                "modelwatch: unknown check '" ~ name ~ "' in " ~ where
                ~ ". Known checks: " ~ (merged.keys() | sort | join(', '))) -%}
            {%- continue -%}
        {%- endif -%}
        {%- if spec is not mapping -%}
            {%- do errors.append(
                "modelwatch: check '" ~ name ~ "' in " ~ where
                ~ " must be a mapping like {warn: 0.1, error: 0.25}") -%}
            {%- continue -%}
        {%- endif -%}
        {%- set known_keys = ['warn', 'error', 'runbook_url'] + (modelwatch.check_kind_defaults(name).keys() | reject('equalto', 'kinds') | list) -%}
        {%- for key, value in spec.items() -%}
            {%- if key not in known_keys -%}
                {%- do errors.append(
                    "modelwatch: unknown key '" ~ key ~ "' for check '" ~ name ~ "' in " ~ where
                    ~ " (expected " ~ (known_keys | join(', ')) ~ ")") -%}
            {%- endif -%}
            {%- set kinds = modelwatch.check_kind_defaults(name).kinds -%}
            {%- if key == 'kind' and value not in kinds -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": kind must be "
                    ~ (kinds[:-1] | join(', ')) ~ " or " ~ kinds[-1] ~ ", got '" ~ value ~ "'") -%}
            {%- endif -%}
            {%- if key in ['lookback_windows', 'min_windows', 'persist_windows', 'persist_min_breaches']
                  and (value is not number or value < 1 or value != (value | int)) -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": " ~ key ~ " must be a whole number >= 1") -%}
            {%- endif -%}
            {%- if key in ['warn_sigma', 'error_sigma'] and (value is not number or value <= 0) -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": " ~ key ~ " must be a number > 0") -%}
            {%- endif -%}
            {%- if key == 'noise_floor' and value not in [true, false] -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": noise_floor must be true or false") -%}
            {%- endif -%}
            {%- if key in ['warn', 'error'] and value is not none and value is not number -%}
                {%- do errors.append(
                    "modelwatch: threshold " ~ name ~ "." ~ key ~ " in " ~ where
                    ~ " must be a number or null, got '" ~ value ~ "'") -%}
            {%- endif -%}
            {%- do merged[name].update({key: value}) -%}
        {%- endfor -%}
        {#- an "above" check breaches at warn before error; a "below" check the other way round -#}
        {%- set check = merged[name] -%}
        {%- if check.warn is number and check.error is number and check.kind != 'dynamic' -%}
            {%- if (check.direction == 'above' and check.warn > check.error)
                  or (check.direction == 'below' and check.warn < check.error) -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": warn " ~ check.warn ~ " is "
                    ~ ("above" if check.direction == 'above' else "below") ~ " error " ~ check.error
                    ~ " although the check fires when the value is " ~ check.direction
                    ~ " its threshold; warn must come first") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(merged) }}
{% endmacro %}
