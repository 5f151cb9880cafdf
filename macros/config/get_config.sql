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
        'demographic_parity_ratio': {'warn': 0.8, 'error': 0.5, 'direction': 'below', 'runbook_url': none},
        'equalized_odds_difference': {'warn': 0.1, 'error': 0.2, 'direction': 'above', 'runbook_url': none},
        'calibration_gap': {'warn': 0.05, 'error': 0.1, 'direction': 'above', 'runbook_url': none},
        'canary_rollback': {'warn': none, 'error': 1, 'direction': 'above', 'runbook_url': none},
        'disagreement_rate': {'warn': none, 'error': none, 'direction': 'above', 'runbook_url': none},
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
        drift statistic's static thresholds to what sampling noise alone reaches at
        alerts.noise_floor_alpha for the window's and the reference's sizes.
    -#}
    {{ return({
        'kind': 'static', 'lookback_windows': 14, 'min_windows': 7, 'warn_sigma': 3, 'error_sigma': 4,
        'persist_windows': 3, 'persist_min_breaches': 2,
        'noise_floor': name in ['psi', 'js_distance', 'ks_statistic', 'segment_psi', 'label_prior_shift', 'prediction_prior_shift'],
    }) }}
{% endmacro %}


{% macro _merge_checks(base, overrides, where) %}
    {%- set merged = {} -%}
    {%- for name, spec in base.items() -%}
        {%- set full = modelwatch.check_kind_defaults(name) -%}
        {%- do full.update(spec) -%}
        {%- do merged.update({name: full}) -%}
    {%- endfor -%}
    {%- for name, spec in (overrides or {}).items() -%}
        {%- if name not in merged -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: unknown check '" ~ name ~ "' in " ~ where
                ~ ". Known checks: " ~ (merged.keys() | sort | join(', '))) }}
        {%- endif -%}
        {%- if spec is not mapping -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: check '" ~ name ~ "' in " ~ where
                ~ " must be a mapping like {warn: 0.1, error: 0.25}") }}
        {%- endif -%}
        {%- set known_keys = ['warn', 'error', 'runbook_url'] + (modelwatch.check_kind_defaults(name).keys() | list) -%}
        {%- for key, value in spec.items() -%}
            {%- if key not in known_keys -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: unknown key '" ~ key ~ "' for check '" ~ name ~ "' in " ~ where
                    ~ " (expected " ~ (known_keys | join(', ')) ~ ")") }}
            {%- endif -%}
            {%- if key == 'kind' and value not in ['static', 'dynamic', 'persistence'] -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": kind must be static, dynamic or persistence, got '" ~ value ~ "'") }}
            {%- endif -%}
            {%- if key in ['lookback_windows', 'min_windows', 'persist_windows', 'persist_min_breaches']
                  and (value is not number or value < 1 or value != (value | int)) -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": " ~ key ~ " must be a whole number >= 1") }}
            {%- endif -%}
            {%- if key in ['warn_sigma', 'error_sigma'] and (value is not number or value <= 0) -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": " ~ key ~ " must be a number > 0") }}
            {%- endif -%}
            {%- if key == 'noise_floor' and value not in [true, false] -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: check '" ~ name ~ "' in " ~ where ~ ": noise_floor must be true or false") }}
            {%- endif -%}
            {%- if key in ['warn', 'error'] and value is not none and value is not number -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: threshold " ~ name ~ "." ~ key ~ " in " ~ where
                    ~ " must be a number or null, got '" ~ value ~ "'") }}
            {%- endif -%}
            {%- do merged[name].update({key: value}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(merged) }}
{% endmacro %}


{% macro _merge_dict(defaults, given, where) %}
    {%- set merged = defaults.copy() -%}
    {%- if given is not none and given is not mapping -%}
        {{ exceptions.raise_compiler_error("modelwatch: '" ~ where ~ "' must be a mapping") }}
    {%- endif -%}
    {%- for key, value in (given or {}).items() -%}
        {%- if key not in defaults -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: unknown key '" ~ key ~ "' in '" ~ where ~ "'. Known keys: "
                ~ (defaults.keys() | sort | join(', '))) }}
        {%- endif -%}
        {%- do merged.update({key: value}) -%}
    {%- endfor -%}
    {{ return(merged) }}
{% endmacro %}


{% macro _name_list(value, where) %}
    {%- if value is none -%}{{ return([]) }}{%- endif -%}
    {%- if value is string or value is not iterable or value is mapping -%}
        {{ exceptions.raise_compiler_error("modelwatch: '" ~ where ~ "' must be a list of names") }}
    {%- endif -%}
    {%- for name in value -%}
        {%- do modelwatch.validate_name(name, where) -%}
    {%- endfor -%}
    {{ return(value | list) }}
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
    {%- if raw is none or raw is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the dbt var 'modelwatch' is missing or not a mapping. Set it in "
            ~ "dbt_project.yml or pass a config file with `modelwatch run --config FILE`.") }}
    {%- endif -%}
    {%- set known = ['warehouse', 'granularity', 'inputs', 'columns', 'drift', 'performance',
                     'fairness', 'canary', 'incremental', 'alerts', 'checks', 'models',
                     'python_models', 'recommendations'] -%}
    {%- for key in raw.keys() -%}
        {%- if key not in known and key != '__modelwatch_resolved' -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: unknown top-level key '" ~ key ~ "'. Known keys: "
                ~ (known | sort | join(', '))) }}
        {%- endif -%}
    {%- endfor -%}

    {%- set granularity = raw.get('granularity', 'day') -%}
    {%- if granularity not in ['hour', 'day', 'week'] -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: granularity must be hour, day or week, got '" ~ granularity ~ "'") }}
    {%- endif -%}

    {%- set inputs = modelwatch._merge_dict(
        {'predictions': none, 'labels': none, 'reference': none}, raw.get('inputs'), 'inputs') -%}
    {%- if not inputs.predictions -%}
        {{ exceptions.raise_compiler_error("modelwatch: inputs.predictions is required (schema.table)") }}
    {%- endif -%}

    {%- set raw_columns = raw.get('columns') or {} -%}
    {%- set columns = {
        'predictions': modelwatch._merge_dict({
            'prediction_id': 'prediction_id', 'model_name': 'model_name',
            'model_version': 'model_version', 'predicted_at': 'predicted_at', 'score': 'score',
            'request_id': none, 'deployment_role': none, 'predicted_label': none,
            'latency_ms': none, 'status_code': none, 'cost_usd': none,
        }, raw_columns.get('predictions'), 'columns.predictions'),
        'labels': modelwatch._merge_dict({
            'prediction_id': 'prediction_id', 'label': 'label', 'labeled_at': 'labeled_at',
        }, raw_columns.get('labels'), 'columns.labels'),
        'reference': modelwatch._merge_dict({
            'model_name': none, 'score': 'score', 'label': none, 'features': {},
        }, raw_columns.get('reference'), 'columns.reference'),
    } -%}
    {%- for key in raw_columns.keys() -%}
        {%- if key not in columns -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: unknown input '" ~ key ~ "' under columns (expected predictions, labels, reference)") }}
        {%- endif -%}
    {%- endfor -%}

    {%- set drift = modelwatch._merge_dict({
        'bins': 10, 'epsilon': 0.0001, 'max_categories': 50, 'min_category_count': 1,
        'deployment_roles': ['champion'], 'saturation_margin': 0.01,
        'ks_strategy': 'auto', 'ks_merge_max_windows': 4, 'ks_row_frame_max_rows': 5000000,
        'ks_buckets': 65536, 'segments': [],
    }, raw.get('drift'), 'drift') -%}
    {%- do drift.update({'segments': modelwatch._name_list(drift.segments, 'drift.segments')}) -%}
    {%- if drift.segments | unique | list | length != drift.segments | length -%}
        {{ exceptions.raise_compiler_error("modelwatch: drift.segments lists a column twice") }}
    {%- endif -%}
    {%- if drift.ks_strategy not in ['auto', 'merge', 'merge_rows', 'asof', 'buckets'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: drift.ks_strategy must be auto, merge, merge_rows, asof or buckets") }}
    {%- endif -%}
    {%- if drift.ks_buckets is not number or drift.ks_buckets < 1 or drift.ks_buckets != (drift.ks_buckets | int) or drift.ks_buckets > 1000000000 -%}
        {{ exceptions.raise_compiler_error("modelwatch: drift.ks_buckets must be a whole number from 1 to 1000000000") }}
    {%- endif -%}
    {%- if drift.bins is not number or drift.bins < 2 or drift.bins > 100 -%}
        {{ exceptions.raise_compiler_error("modelwatch: drift.bins must be an integer from 2 to 100") }}
    {%- endif -%}
    {%- if drift.epsilon is not number or drift.epsilon <= 0 or drift.epsilon >= 1 -%}
        {{ exceptions.raise_compiler_error("modelwatch: drift.epsilon must be a number in (0, 1)") }}
    {%- endif -%}

    {%- set performance = modelwatch._merge_dict({
        'max_label_delay_days': 30, 'final_label_coverage': 0.95, 'min_labeled_count': 100,
        'label_coverage_grace_days': 14, 'calibration_bins': 10, 'estimation_bins': 20,
        'baseline_windows': 7, 'recalibration_windows': 14, 'recalibration_holdout_share': 0.3,
        'recalibration_max_rows': 200000,
    }, raw.get('performance'), 'performance') -%}
    {%- for key in ['max_label_delay_days', 'label_coverage_grace_days'] -%}
        {%- if performance[key] is not number or performance[key] < 0 -%}
            {{ exceptions.raise_compiler_error("modelwatch: performance." ~ key ~ " must be a number of days >= 0") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if performance.final_label_coverage is not number or performance.final_label_coverage <= 0 or performance.final_label_coverage > 1 -%}
        {{ exceptions.raise_compiler_error("modelwatch: performance.final_label_coverage must be a number in (0, 1]") }}
    {%- endif -%}
    {%- for key in ['min_labeled_count', 'baseline_windows', 'recalibration_windows', 'recalibration_max_rows'] -%}
        {%- if performance[key] is not number or performance[key] < 1 or performance[key] != (performance[key] | int) -%}
            {{ exceptions.raise_compiler_error("modelwatch: performance." ~ key ~ " must be a whole number >= 1") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in ['calibration_bins', 'estimation_bins'] -%}
        {%- if performance[key] is not number or performance[key] < 2 or performance[key] > 100 or performance[key] != (performance[key] | int) -%}
            {{ exceptions.raise_compiler_error("modelwatch: performance." ~ key ~ " must be a whole number from 2 to 100") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if performance.recalibration_holdout_share is not number or performance.recalibration_holdout_share <= 0 or performance.recalibration_holdout_share >= 1 -%}
        {{ exceptions.raise_compiler_error("modelwatch: performance.recalibration_holdout_share must be a number in (0, 1)") }}
    {%- endif -%}

    {%- set fairness = modelwatch._merge_dict({
        'min_group_size': 30, 'min_labeled_count': 100, 'alpha': 0.05,
        'deployment_roles': ['champion'], 'intersections': [],
    }, raw.get('fairness'), 'fairness') -%}
    {%- for key in ['min_group_size', 'min_labeled_count'] -%}
        {%- if fairness[key] is not number or fairness[key] < 1 or fairness[key] != (fairness[key] | int) -%}
            {{ exceptions.raise_compiler_error("modelwatch: fairness." ~ key ~ " must be a whole number >= 1") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if fairness.alpha is not number or fairness.alpha <= 0 or fairness.alpha > 0.09 -%}
        {{ exceptions.raise_compiler_error("modelwatch: fairness.alpha must be a number in (0, 0.09] (0.05: simultaneous 95% intervals)") }}
    {%- endif -%}
    {%- do fairness.update({'deployment_roles': modelwatch._name_list(fairness.deployment_roles, 'fairness.deployment_roles')}) -%}
    {%- set intersections = [] -%}
    {%- if fairness.intersections is string or fairness.intersections is mapping or (fairness.intersections is not none and fairness.intersections is not iterable) -%}
        {{ exceptions.raise_compiler_error("modelwatch: fairness.intersections must be a list of attribute lists, e.g. [[sex, age_band]]") }}
    {%- endif -%}
    {%- for item in (fairness.intersections or []) -%}
        {%- set names = modelwatch._name_list(item, 'fairness.intersections') -%}
        {%- if names | length < 2 or names | unique | list | length != names | length -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: every entry of fairness.intersections must list two or more different attributes, got "
                ~ (names | join(', '))) }}
        {%- endif -%}
        {%- do intersections.append(names) -%}
    {%- endfor -%}
    {%- do fairness.update({'intersections': intersections}) -%}

    {%- set canary = modelwatch._merge_dict({
        'min_requests': 500, 'min_labeled': 200, 'z_critical': 1.96,
        'max_error_rate_increase': 0.005, 'max_positive_rate_change': 0.05, 'max_auc_drop': 0.02,
    }, raw.get('canary'), 'canary') -%}
    {%- for key, value in canary.items() -%}
        {%- if value is not number or value < 0 -%}
            {{ exceptions.raise_compiler_error("modelwatch: canary." ~ key ~ " must be a number >= 0") }}
        {%- endif -%}
    {%- endfor -%}

    {%- set incremental = modelwatch._merge_dict(
        {'lookback_windows': 2}, raw.get('incremental'), 'incremental') -%}
    {%- if incremental.lookback_windows is not number or incremental.lookback_windows < 0 -%}
        {{ exceptions.raise_compiler_error("modelwatch: incremental.lookback_windows must be a whole number >= 0") }}
    {%- endif -%}

    {%- set alerts = modelwatch._merge_dict(
        {'evaluate_last_windows': none, 'noise_floor_alpha': 0.001, 'fail_build': true,
         'webhook_url': none, 'webhook_max_attempts': 3, 'webhook_backoff_seconds': 1,
         'webhook_timeout_seconds': 10, 'notify_min_severity': 'warn', 'dashboard_url': none},
        raw.get('alerts'), 'alerts') -%}
    {%- if alerts.fail_build in ['true', 'True', 'false', 'False'] -%}
        {#- a var rendered from env_var() in dbt_project.yml arrives as text -#}
        {%- do alerts.update({'fail_build': alerts.fail_build in ['true', 'True']}) -%}
    {%- endif -%}
    {%- if alerts.fail_build not in [true, false] -%}
        {{ exceptions.raise_compiler_error("modelwatch: alerts.fail_build must be true or false, got " ~ alerts.fail_build) }}
    {%- endif -%}
    {%- if alerts.noise_floor_alpha is not number or alerts.noise_floor_alpha <= 0 or alerts.noise_floor_alpha >= 0.5 -%}
        {{ exceptions.raise_compiler_error("modelwatch: alerts.noise_floor_alpha must be a number in (0, 0.5)") }}
    {%- endif -%}

    {%- set recommendations = modelwatch._merge_dict(
        {'min_label_coverage': 0.5, 'drift_checks': ['psi'], 'performance_checks': ['roc_auc_drop', 'estimated_roc_auc_drop'],
         'calibration_checks': ['ece', 'brier_score_increase'], 'bug_checks': ['null_rate_increase', 'quarantine_rate', 'type_error_rate', 'rule_violation_share'],
         'unseen_category_share': 0.5},
        raw.get('recommendations'), 'recommendations') -%}
    {%- if recommendations.min_label_coverage is not number or recommendations.min_label_coverage < 0 or recommendations.min_label_coverage > 1 -%}
        {{ exceptions.raise_compiler_error("modelwatch: recommendations.min_label_coverage must be a number in [0, 1]") }}
    {%- endif -%}

    {%- set global_checks = modelwatch._merge_checks(
        modelwatch.check_defaults(), raw.get('checks'), 'checks') -%}

    {%- set raw_models = raw.get('models') -%}
    {%- if not raw_models or raw_models is mapping or raw_models is string -%}
        {{ exceptions.raise_compiler_error("modelwatch: 'models' must be a non-empty list of models") }}
    {%- endif -%}
    {%- set reserved = ['prediction_id', 'model_name', 'model_version', 'predicted_at', 'score',
                        'request_id', 'deployment_role', 'predicted_label', 'latency_ms',
                        'status_code', 'cost_usd', 'window_start', 'quarantine_reason'] -%}
    {%- for name in drift.segments if name | lower in reserved -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: drift.segments names '" ~ name ~ "', a reserved column name; rename it in a view first") }}
    {%- endfor -%}
    {%- set models = [] -%}
    {%- set seen = [] -%}
    {%- for m in raw_models -%}
        {%- if m is not mapping or not m.get('name') -%}
            {{ exceptions.raise_compiler_error("modelwatch: every entry of 'models' needs a name") }}
        {%- endif -%}
        {%- set where = "models[" ~ m.name ~ "]" -%}
        {%- do modelwatch.validate_name(m.name, where ~ '.name') -%}
        {%- if m.name in seen -%}
            {{ exceptions.raise_compiler_error("modelwatch: model '" ~ m.name ~ "' is listed twice") }}
        {%- endif -%}
        {%- do seen.append(m.name) -%}
        {%- set model = modelwatch._merge_dict({
            'name': none, 'threshold': 0.5, 'features': {}, 'protected_attributes': [],
            'slices': [], 'checks': {}, 'monitor_score': true, 'unit_cost_usd': none,
            'rules': {}, 'custom_metrics': [],
        }, m, where) -%}
        {%- set unit_cost = model.unit_cost_usd -%}
        {%- if unit_cost is mapping -%}
            {%- for version, cost in unit_cost.items() -%}
                {%- if cost is not number or cost < 0 -%}
                    {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".unit_cost_usd." ~ version ~ " must be a number >= 0") }}
                {%- endif -%}
            {%- endfor -%}
        {%- elif unit_cost is not none and (unit_cost is not number or unit_cost < 0) -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".unit_cost_usd must be a number >= 0 or a mapping {version: cost}") }}
        {%- endif -%}
        {%- set features = modelwatch._merge_dict(
            {'numeric': [], 'categorical': []}, model.features, where ~ '.features') -%}
        {%- set numeric = modelwatch._name_list(features.numeric, where ~ '.features.numeric') -%}
        {%- set categorical = modelwatch._name_list(features.categorical, where ~ '.features.categorical') -%}
        {%- if (numeric | length) + (categorical | length) == 0 and not model.monitor_score -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ " lists no features") }}
        {%- endif -%}
        {%- for name in numeric + categorical -%}
            {%- if name | lower in reserved -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: feature '" ~ name ~ "' in " ~ where ~ " clashes with a reserved "
                    ~ "column name; rename it in a view first. Reserved: " ~ (reserved | join(', '))) }}
            {%- endif -%}
            {%- if (numeric + categorical) | select('equalto', name) | list | length > 1 -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: feature '" ~ name ~ "' is listed twice in " ~ where) }}
            {%- endif -%}
        {%- endfor -%}
        {%- do model.update({'rules': modelwatch._value_rules(model.rules, numeric, categorical, where ~ '.rules')}) -%}
        {%- do model.update({'custom_metrics': modelwatch._custom_metrics(model.custom_metrics, where ~ '.custom_metrics')}) -%}
        {%- if model.threshold is not number or model.threshold < 0 or model.threshold > 1 -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".threshold must be a number in [0, 1]") }}
        {%- endif -%}
        {%- do model.update({
            'features': {'numeric': numeric, 'categorical': categorical},
            'protected_attributes': modelwatch._name_list(model.protected_attributes, where ~ '.protected_attributes'),
            'slices': modelwatch._name_list(model.slices, where ~ '.slices'),
            'checks': modelwatch._merge_checks(global_checks, model.checks, where ~ '.checks'),
        }) -%}
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
                        'models[' ~ model.name ~ '].custom_metrics[' ~ metric.name ~ ']')) -%}
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
            {{ exceptions.raise_compiler_error(
                "modelwatch: fairness.intersections entry [" ~ (names | join(', '))
                ~ "] names attributes that no model lists together under protected_attributes") }}
        {%- endif -%}
    {%- endfor -%}

    {%- if columns.reference.features is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: columns.reference.features maps a feature to the reference's column name, "
            ~ "e.g. {income: annual_income}") }}
    {%- endif -%}
    {%- for feature, column in columns.reference.features.items() -%}
        {%- do modelwatch.validate_name(column, 'columns.reference.features.' ~ feature) -%}
    {%- endfor -%}

    {%- set python_models = raw.get('python_models', false) -%}
    {%- if python_models not in ['auto', true, false] -%}
        {{ exceptions.raise_compiler_error("modelwatch: python_models must be auto, true or false") }}
    {%- endif -%}

    {{ return({
        'granularity': granularity,
        'inputs': inputs,
        'columns': columns,
        'drift': drift,
        'performance': performance,
        'fairness': fairness,
        'canary': canary,
        'incremental': incremental,
        'alerts': alerts,
        'recommendations': recommendations,
        'checks': global_checks,
        'models': models,
        'python_models': python_models,
    }) }}
{% endmacro %}


{% macro validate_name(name, where) %}
    {#- Names are quoted as identifiers, never pasted raw; refuse what quoting cannot make safe. -#}
    {%- if name is not string or (name | length) == 0 or (name | length) > 128 -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: " ~ where ~ " must be a non-empty name of at most 128 characters, got '" ~ name ~ "'") }}
    {%- endif -%}
    {%- for bad in ['"', '`', '\\', '\n', '\r', '\t', ';'] -%}
        {%- if bad in name -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: " ~ where ~ " '" ~ name ~ "' contains a quote, backslash, semicolon or "
                ~ "control character; rename the column in a view first") }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


{% macro python_models_enabled() %}
    {#-
        The opt-in Python models (exact small-sample KS p-values, McNemar, recalibration) need
        the modelwatch pip package in dbt's environment and run where dbt has Python models
        (DuckDB here). Off by default: everything else is SQL. The CLI turns them on (`auto`).
    -#}
    {%- set setting = modelwatch.get_config().python_models -%}
    {{ return(setting == true or (setting == 'auto' and target.type == 'duckdb')) }}
{% endmacro %}


{% macro all_features(model) %}
    {#- [(feature_name, feature_type)] for one model, score last when monitored. -#}
    {%- set out = [] -%}
    {%- for f in model.features.numeric -%}{%- do out.append((f, 'numeric')) -%}{%- endfor -%}
    {%- for f in model.features.categorical -%}{%- do out.append((f, 'categorical')) -%}{%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro _value_rules(rules, numeric, categorical, where) %}
    {#-
        models[].rules: {feature: {not_null: true, min: 0, max: 120, allowed_values: [...]}}, every
        key optional; min and max for numeric features only. Returns the mapping, validated.
    -#}
    {%- if rules is none -%}{{ return({}) }}{%- endif -%}
    {%- if rules is not mapping -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ " must map a feature to its rules, e.g. {age: {min: 0, max: 120}}") }}
    {%- endif -%}
    {%- for feature, spec in rules.items() -%}
        {%- set at = where ~ '.' ~ feature -%}
        {%- if feature not in numeric + categorical -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ": '" ~ feature ~ "' is not a feature of this model (features.numeric / features.categorical)") }}
        {%- endif -%}
        {%- if spec is not mapping or not spec -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ " must be a mapping with not_null, min, max or allowed_values") }}
        {%- endif -%}
        {%- for key, value in spec.items() -%}
            {%- if key not in modelwatch.value_rule_names() -%}
                {{ exceptions.raise_compiler_error("modelwatch: unknown rule '" ~ key ~ "' in " ~ at ~ " (expected " ~ (modelwatch.value_rule_names() | join(', ')) ~ ")") }}
            {%- endif -%}
            {%- if key == 'not_null' and value not in [true, false] -%}
                {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ".not_null must be true or false") }}
            {%- endif -%}
            {%- if key in ['min', 'max'] and (feature not in numeric or value is not number or value is sameas true or value is sameas false) -%}
                {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ "." ~ key ~ " must be a number, on a numeric feature") }}
            {%- endif -%}
            {%- if key == 'allowed_values' -%}
                {%- if value is string or value is mapping or value is not iterable or (value | length) == 0 -%}
                    {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ".allowed_values must be a non-empty list") }}
                {%- endif -%}
                {%- for v in value -%}
                    {%- if (feature in numeric and (v is not number or v is sameas true or v is sameas false)) or (feature in categorical and v is not string and v is not number) -%}
                        {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ".allowed_values: '" ~ v ~ "' must be a " ~ ('number' if feature in numeric else 'string')) }}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if spec.get('min') is not none and spec.get('max') is not none and spec.min > spec.max -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ": min is above max") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rules) }}
{% endmacro %}


{% macro _custom_metrics(metrics, where) %}
    {#-
        models[].custom_metrics: [{name, expression, direction, warn, error, kind, ...}] ->
        [{name, expression, sql, columns, direction, thresholds}], the expression parsed and
        rebuilt (parse_custom_metric), the rest of the entry a check's settings.
    -#}
    {%- if metrics is none -%}{{ return([]) }}{%- endif -%}
    {%- if metrics is string or metrics is mapping or metrics is not iterable -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ " must be a list of {name, expression}") }}
    {%- endif -%}
    {%- set out = [] -%}
    {%- for metric in metrics -%}
        {%- if metric is not mapping or metric.get('name') is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]{0,62}$', metric.get('name')) -%}
            {{ exceptions.raise_compiler_error("modelwatch: every entry of " ~ where ~ " needs a name of letters, digits and underscores (at most 63), got '" ~ (metric.get('name') if metric is mapping else metric) ~ "'") }}
        {%- endif -%}
        {%- set at = where ~ '[' ~ metric.name ~ ']' -%}
        {%- if metric.name in out | map(attribute='name') | list -%}
            {{ exceptions.raise_compiler_error("modelwatch: custom metric '" ~ metric.name ~ "' is listed twice in " ~ where) }}
        {%- endif -%}
        {%- set direction = metric.get('direction', 'above') -%}
        {%- if direction not in ['above', 'below'] -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ at ~ ".direction must be above or below (which side of the threshold is bad)") }}
        {%- endif -%}
        {%- set parsed = modelwatch.parse_custom_metric(metric.get('expression'), at) -%}
        {%- set thresholds = {} -%}
        {%- for key, value in metric.items() if key not in ['name', 'expression', 'direction'] -%}
            {%- do thresholds.update({key: value}) -%}
        {%- endfor -%}
        {%- do out.append({'name': metric.name, 'expression': metric.expression, 'sql': parsed.sql,
                           'columns': parsed.columns, 'direction': direction, 'thresholds': thresholds}) -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}
