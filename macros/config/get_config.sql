{#- Over 300 lines only while the check defaults (check_defaults, check_kind_defaults, _merge_checks) live here: issue 17 moves them to the check catalog. -#}
{#-
    The one place the `modelwatch` var is read. Every model and test calls get_config() and gets
    the same normalised mapping: defaults filled in, names validated, thresholds merged
    (model config over global config over built-in defaults).
-#}

{% macro check_defaults() %}
    {#- direction: which side of the threshold is bad. null thresholds disable a level. -#}
    {{ return({
        'psi': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'js_distance': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'ks_statistic': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'null_rate_increase': {'warn': 0.05, 'error': 0.2, 'direction': 'above', 'runbook_url': none},
        'quarantine_rate': {'warn': 0.01, 'error': 0.05, 'direction': 'above', 'runbook_url': none},
        'score_saturation_share': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'roc_auc_drop': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'brier_score_increase': {'warn': 0.02, 'error': 0.05, 'direction': 'above', 'runbook_url': none},
        'ece': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'label_coverage': {'warn': 0.5, 'error': 0.2, 'direction': 'below', 'runbook_url': none},
        'estimated_roc_auc_drop': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'latency_p95_ms': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'latency_p99_ms': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'error_rate': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'cost_per_1k_usd': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'request_volume_drop': {'warn': none, 'error': none, 'direction': 'below', 'runbook_url': none},
        'request_volume_spike': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'missing_window': {'warn': 1, 'error': none, 'direction': 'above', 'runbook_url': none},
        'label_freshness_days': {'warn': 3, 'error': 7, 'direction': 'above', 'runbook_url': none},
        'demographic_parity_ratio': {'warn': 0.8, 'error': 0.5, 'direction': 'below', 'runbook_url': none},
        'equalized_odds_difference': {'warn': 0.1, 'error': 0.2, 'direction': 'above', 'runbook_url': none},
        'calibration_gap': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'canary_rollback': {'warn': none, 'error': 1, 'direction': 'above', 'runbook_url': none},
        'disagreement_rate': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
        'rmse_increase': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'mae_increase': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'bias': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'macro_f1_drop': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'class_prior_shift': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'segment_psi': {'warn': 0.1, 'error': 0.25, 'direction': 'above', 'runbook_url': none},
        'type_error_rate': {'warn': 0.001, 'error': 0.01, 'direction': 'above', 'runbook_url': none},
        'out_of_range_share': {'warn': 0.01, 'error': 0.05, 'direction': 'above', 'runbook_url': none},
        'unseen_category_share': {'warn': 0.01, 'error': 0.05, 'direction': 'above', 'runbook_url': none},
        'rule_violation_share': {'warn': 0.001, 'error': 0.01, 'direction': 'above', 'runbook_url': none},
        'label_prior_shift': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'prediction_prior_shift': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'drifted_feature_share': {'warn': 0.3, 'error': 0.5, 'direction': 'above', 'runbook_url': none},
    }) }}
{% endmacro %}


{% macro check_kind_defaults(name) %}
    {#-
        How a check's thresholds apply. kind static: the warn / error values; dynamic: trailing
        mean +/- sigma x sd of the previous lookback_windows observed windows (never the window
        judged; needs min_windows of history); persistence: static, but alert only when at least
        persist_min_breaches of the last persist_windows windows breach. noise_floor raises a
        drift statistic's or a label check's static thresholds to what sampling noise alone
        reaches at alerts.noise_floor_alpha for the window's (and the reference's) sizes.
        Request volume is judged against its own trailing windows (dynamic) by default.
    -#}
    {{ return({
        'kind': 'dynamic' if name in ['request_volume_drop', 'request_volume_spike'] else 'static',
        'lookback_windows': 14, 'min_windows': 7, 'warn_sigma': 3, 'error_sigma': 4,
        'persist_windows': 3, 'persist_min_breaches': 2,
        'noise_floor': name in ['psi', 'js_distance', 'ks_statistic', 'roc_auc_drop',
                                'brier_score_increase', 'ece', 'estimated_roc_auc_drop',
                                'class_prior_shift', 'rmse_increase', 'mae_increase', 'bias',
                                'macro_f1_drop', 'segment_psi', 'label_prior_shift',
                                'prediction_prior_shift'],
    }) }}
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
        {%- set known_keys = ['warn', 'error', 'runbook_url'] + (modelwatch.check_kind_defaults(name).keys() | list) -%}
        {%- for key, value in spec.items() -%}
            {%- if key not in known_keys -%}
                {%- do errors.append(
                    "modelwatch: unknown key '" ~ key ~ "' for check '" ~ name ~ "' in " ~ where
                    ~ " (expected " ~ (known_keys | join(', ')) ~ ")") -%}
            {%- endif -%}
            {%- if key == 'kind' and value not in ['static', 'dynamic', 'persistence'] -%}
                {%- do errors.append(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": kind must be static, dynamic or persistence, got '" ~ value ~ "'") -%}
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


{% macro _merge_dict(defaults, given, where, errors) %}
    {%- set merged = defaults.copy() -%}
    {%- if given is not none and given is not mapping -%}
        {%- do errors.append("modelwatch: '" ~ where ~ "' must be a mapping") -%}
        {%- set given = {} -%}
    {%- endif -%}
    {%- for key, value in (given or {}).items() -%}
        {%- if key not in defaults -%}
            {%- do errors.append(
                "modelwatch: unknown key '" ~ key ~ "' in '" ~ where ~ "'. Known keys: "
                ~ (defaults.keys() | sort | join(', '))) -%}
            {%- continue -%}
        {%- endif -%}
        {%- do merged.update({key: value}) -%}
    {%- endfor -%}
    {{ return(merged) }}
{% endmacro %}


{% macro _name_list(value, where, errors) %}
    {%- if value is none -%}{{ return([]) }}{%- endif -%}
    {%- if value is string or value is not iterable or value is mapping -%}
        {%- do errors.append("modelwatch: '" ~ where ~ "' must be a list of names") -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set out = [] -%}
    {%- for name in value -%}
        {%- if modelwatch.validate_name(name, where, errors) -%}{%- do out.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro get_config() %}
    {#-
        Validated once per dbt invocation: the result is kept on the var's own mapping (the same
        object for every node of one invocation), since every model and test asks for it many
        times and validation is the slowest Jinja in the project.
    -#}
    {%- set raw = var('modelwatch', none) -%}
    {%- if raw is string and raw | trim | first == '{' -%}
        {#- the var as JSON text (sqlfluff's dbt templater passes vars as strings) -#}
        {%- set raw = fromjson(raw) -%}
    {%- endif -%}
    {%- if raw is mapping and '__modelwatch_resolved' in raw -%}
        {{ return(raw['__modelwatch_resolved']) }}
    {%- endif -%}
    {%- set resolved = modelwatch._resolve_config(raw) -%}
    {%- if raw is mapping -%}
        {%- do raw.update({'__modelwatch_resolved': resolved}) -%}
    {%- endif -%}
    {{ return(resolved) }}
{% endmacro %}


{% macro _resolve_config(raw) %}
    {#-
        The schema's generic pass (config_schema.sql, config_validate.sql), then the rules between
        keys it cannot express. Every problem is collected, then all are raised together, so one
        `modelwatch validate` lists them all; a bad value is replaced by its default meanwhile,
        so checking goes on.
    -#}
    {%- if raw is none or raw is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the dbt var 'modelwatch' is missing or not a mapping. Set it in "
            ~ "dbt_project.yml or pass a config file with `modelwatch run --config FILE`.") }}
    {%- endif -%}
    {%- set errors = [] -%}
    {%- set given = {} -%}
    {%- for key, value in raw.items() if key != '__modelwatch_resolved' -%}
        {%- do given.update({key: value}) -%}
    {%- endfor -%}
    {%- set schema = modelwatch.config_schema() -%}
    {%- set config = modelwatch.config_validate(schema, given, '', errors) -%}
    {%- set inputs, columns, drift, fairness = config.inputs, config.columns, config.drift, config.fairness -%}

    {%- if not inputs.predictions -%}
        {%- do errors.append("modelwatch: inputs.predictions is required (schema.table)") -%}
    {%- endif -%}
    {%- for key in ['predictions', 'labels', 'reference'] if inputs[key] is not none -%}
        {%- if key == 'reference' and inputs[key] is mapping -%}
            {#- dates given unquoted in YAML arrive as dates: compare their text -#}
            {%- set bounds = inputs[key].get('predictions_between') -%}
            {%- set texts = [] -%}
            {%- if bounds is iterable and bounds is not string and bounds is not mapping -%}
                {%- for b in bounds -%}
                    {%- if modules.re.match('^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$', b | string) -%}{%- do texts.append(b | string) -%}{%- endif -%}
                {%- endfor -%}
            {%- endif -%}
            {%- if (texts | length) != 2 or bounds is string or bounds is not iterable or (bounds | length) != 2 -%}
                {%- do errors.append("modelwatch: inputs.reference as a mapping needs predictions_between: [start, end], two dates like 2024-01-01") -%}
            {%- else -%}
                {%- do inputs[key].update({'predictions_between': texts}) -%}
            {%- endif -%}
        {%- elif key != 'reference' or inputs[key] is not mapping -%}
            {%- do modelwatch.input_spec_errors(inputs[key], 'inputs.' ~ key, errors) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if columns.reference.features is not mapping -%}
        {%- do errors.append(
            "modelwatch: columns.reference.features maps a feature to the reference's column name, "
            ~ "e.g. {income: annual_income}") -%}
        {%- do columns.reference.update({'features': {}}) -%}
    {%- endif -%}
    {%- for feature, column in columns.reference.features.items() -%}
        {%- do modelwatch.validate_name(column, 'columns.reference.features.' ~ modelwatch._shown(feature, quote=''), errors) -%}
    {%- endfor -%}

    {%- if drift.segments | unique | list | length != drift.segments | length -%}
        {%- do errors.append("modelwatch: drift.segments lists a column twice") -%}
    {%- endif -%}

    {%- set intersections = [] -%}
    {%- if fairness.intersections is string or fairness.intersections is mapping or (fairness.intersections is not none and fairness.intersections is not iterable) -%}
        {%- do errors.append("modelwatch: fairness.intersections must be a list of attribute lists, e.g. [[sex, age_band]]") -%}
    {%- endif -%}
    {%- for item in (fairness.intersections or []) -%}
        {%- set names = modelwatch._name_list(item, 'fairness.intersections', errors) -%}
        {%- if names | length < 2 or names | unique | list | length != names | length -%}
            {%- do errors.append(
                "modelwatch: every entry of fairness.intersections must list two or more different attributes, got "
                ~ (names | join(', '))) -%}
        {%- endif -%}
        {%- do intersections.append(names) -%}
    {%- endfor -%}
    {%- do fairness.update({'intersections': intersections}) -%}

    {%- set global_checks = modelwatch._merge_checks(
        modelwatch.check_defaults(), given.get('checks'), 'checks', errors) -%}

    {%- set raw_models = raw.get('models') -%}
    {%- if not raw_models or raw_models is mapping or raw_models is string or raw_models is not iterable -%}
        {%- do errors.append("modelwatch: 'models' must be a non-empty list of models") -%}
        {%- set raw_models = [] -%}
    {%- endif -%}
    {#-
        User columns travel under generated aliases (carried_column), so a feature may be named
        like any internal column (id_occurrence, window_start, label...). Only `score` is taken:
        the model score is monitored as the feature named score.
    -#}
    {%- set reserved = ['score'] -%}
    {%- set models = [] -%}
    {%- set seen = [] -%}
    {%- for m in raw_models -%}
        {%- if m is not mapping or not m.get('name') -%}
            {%- do errors.append("modelwatch: every entry of 'models' needs a name") -%}
            {%- continue -%}
        {%- endif -%}
        {%- set where = "models[" ~ modelwatch._shown(m.name, quote='') ~ "]" -%}
        {%- if not modelwatch.validate_name(m.name, where ~ '.name', errors) -%}{%- continue -%}{%- endif -%}
        {%- if m.name in seen -%}
            {%- do errors.append("modelwatch: model " ~ modelwatch._shown(m.name) ~ " is listed twice") -%}
        {%- endif -%}
        {%- do seen.append(m.name) -%}
        {%- set model = modelwatch.config_validate(schema['keys'].models['items'], m, where, errors) -%}
        {%- do modelwatch._resolve_task(model, where, inputs, columns, errors) -%}
        {%- set unit_cost = model.unit_cost_usd -%}
        {%- if unit_cost is mapping -%}
            {%- for version, cost in unit_cost.items() -%}
                {%- if cost is not number or cost < 0 -%}
                    {%- do errors.append("modelwatch: " ~ where ~ ".unit_cost_usd." ~ version ~ " must be a number >= 0") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- elif unit_cost is not none and (unit_cost is not number or unit_cost < 0) -%}
            {%- do errors.append("modelwatch: " ~ where ~ ".unit_cost_usd must be a number >= 0 or a mapping {version: cost}") -%}
        {%- endif -%}
        {%- set numeric, categorical = model.features.numeric, model.features.categorical -%}
        {%- if (numeric | length) + (categorical | length) == 0 and not model.monitor_score -%}
            {%- do errors.append("modelwatch: " ~ where ~ " lists no features") -%}
        {%- endif -%}
        {%- for name in numeric + categorical -%}
            {%- if name | lower in reserved -%}
                {%- do errors.append(
                    "modelwatch: feature " ~ modelwatch._shown(name) ~ " in " ~ where ~ " is named like the "
                    ~ "model score, which is monitored as feature 'score'; rename it in a view first") -%}
            {%- endif -%}
            {%- if (numeric + categorical) | select('equalto', name) | list | length > 1 -%}
                {%- do errors.append(
                    "modelwatch: feature " ~ modelwatch._shown(name) ~ " is listed twice in " ~ where) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for name in model.probability_columns.values() -%}
            {%- if name | lower in reserved -%}
                {%- do errors.append(
                    "modelwatch: probability column " ~ modelwatch._shown(name) ~ " in " ~ where ~ " is named like the model score") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do model.update({'rules': modelwatch._value_rules(model.rules, numeric, categorical, where ~ '.rules')}) -%}
        {%- do model.update({'custom_metrics': modelwatch._custom_metrics(model.custom_metrics, where ~ '.custom_metrics')}) -%}
        {%- do model.update({'checks': modelwatch._merge_checks(global_checks, model.checks, where ~ '.checks', errors)}) -%}
        {%- do models.append(model) -%}
    {%- endfor -%}

    {#- every model knows every custom metric's check (disabled where the model lacks the metric) -#}
    {%- for model in models -%}
        {%- for other in models -%}
            {%- for metric in other.custom_metrics -%}
                {%- set check = modelwatch.custom_metric_check_name(metric.name) -%}
                {%- set own = model.custom_metrics | selectattr('name', 'equalto', metric.name) | list -%}
                {%- if check not in model.checks -%}
                    {%- set spec = own[0] if own else {'direction': metric.direction, 'thresholds': {}} -%}
                    {%- do model.checks.update(modelwatch._merge_checks(
                        {check: {'warn': none, 'error': none, 'direction': spec.direction, 'runbook_url': none}},
                        {check: spec.thresholds} if spec.thresholds else none,
                        'models[' ~ model.name ~ '].custom_metrics[' ~ metric.name ~ ']', errors)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- for names in fairness.intersections -%}
        {%- set covered = [] -%}
        {%- for model in models -%}
            {%- if names | reject('in', model.protected_attributes) | list | length == 0 -%}{%- do covered.append(model.name) -%}{%- endif -%}
        {%- endfor -%}
        {%- if not covered -%}
            {%- do errors.append(
                "modelwatch: fairness.intersections entry [" ~ (names | join(', '))
                ~ "] names attributes that no model lists together under protected_attributes") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if errors -%}
        {%- set lines = [] -%}
        {%- for error in errors -%}{%- do lines.append('  - ' ~ modelwatch._shown(error[12:] if error.startswith('modelwatch: ') else error, quote='')) -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the config has " ~ (errors | length) ~ " problem" ~ ('s' if errors | length > 1 else '')
            ~ ":\n" ~ (lines | join('\n'))) }}
    {%- endif -%}

    {%- do config.update({'checks': global_checks, 'models': models}) -%}
    {%- do config.pop('warehouse', none) -%}
    {{ return(config) }}
{% endmacro %}
