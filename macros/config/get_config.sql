{#-
    The one place the `modelwatch` var is read. Every model and test calls get_config() and gets
    the same normalised mapping: defaults filled in, names validated, thresholds merged
    (model config over global config over built-in defaults).
-#}

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
        Every problem is collected, then all are raised together, so one `modelwatch validate`
        lists them all; a bad value is replaced by its default meanwhile, so checking goes on.
    -#}
    {%- if raw is none or raw is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the dbt var 'modelwatch' is missing or not a mapping. Set it in "
            ~ "dbt_project.yml or pass a config file with `modelwatch run --config FILE`.") }}
    {%- endif -%}
    {%- set errors = [] -%}
    {%- set known = ['warehouse', 'granularity', 'inputs', 'columns', 'drift', 'performance',
                     'fairness', 'canary', 'incremental', 'alerts', 'checks', 'models',
                     'python_models', 'recommendations', 'quality'] -%}
    {%- for key in raw.keys() -%}
        {%- if key not in known and key != '__modelwatch_resolved' -%}
            {%- do errors.append(
                "modelwatch: unknown top-level key '" ~ key ~ "'. Known keys: "
                ~ (known | sort | join(', '))) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set granularity = raw.get('granularity', 'day') -%}
    {%- if granularity not in ['hour', 'day', 'week'] -%}
        {%- do errors.append(
            "modelwatch: granularity must be hour, day or week, got '" ~ granularity ~ "'") -%}
        {%- set granularity = 'day' -%}
    {%- endif -%}

    {%- set inputs = modelwatch._merge_dict(
        {'predictions': none, 'labels': none, 'reference': none}, raw.get('inputs'), 'inputs', errors) -%}
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

    {%- set raw_columns = raw.get('columns') or {} -%}
    {%- if raw_columns is not mapping -%}
        {%- do errors.append("modelwatch: 'columns' must be a mapping of input to {key: column name}") -%}
        {%- set raw_columns = {} -%}
    {%- endif -%}
    {%- set columns = {
        'predictions': modelwatch._merge_dict({
            'prediction_id': 'prediction_id', 'model_name': 'model_name',
            'model_version': 'model_version', 'predicted_at': 'predicted_at', 'score': 'score',
            'request_id': none, 'deployment_role': none, 'predicted_label': none,
            'latency_ms': none, 'status_code': none, 'cost_usd': none, 'predicted_class': none,
        }, raw_columns.get('predictions'), 'columns.predictions', errors),
        'labels': modelwatch._merge_dict({
            'prediction_id': 'prediction_id', 'label': 'label', 'labeled_at': 'labeled_at',
        }, raw_columns.get('labels'), 'columns.labels', errors),
        'reference': modelwatch._merge_dict({
            'model_name': none, 'score': 'score', 'label': none, 'predicted_class': none, 'features': {},
        }, raw_columns.get('reference'), 'columns.reference', errors),
    } -%}
    {%- for key in raw_columns.keys() -%}
        {%- if key not in columns -%}
            {%- do errors.append(
                "modelwatch: unknown input '" ~ key ~ "' under columns (expected predictions, labels, reference)") -%}
        {%- endif -%}
    {%- endfor -%}
    {#- every configured column name reaches SQL: the same name rules as features -#}
    {%- for input_name, mapping in columns.items() -%}
        {%- for key, column in mapping.items() if key != 'features' and column is not none -%}
            {%- do modelwatch.validate_name(column, 'columns.' ~ input_name ~ '.' ~ key, errors) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- set drift = modelwatch._merge_dict({
        'bins': 10, 'epsilon': 0.0001, 'max_categories': 50, 'min_category_count': 1,
        'deployment_roles': ['champion'], 'saturation_margin': 0.01,
        'ks_strategy': 'auto', 'ks_merge_max_windows': 4,
        'ks_buckets': 65536, 'segments': [],
    }, raw.get('drift'), 'drift', errors) -%}
    {%- do drift.update({'segments': modelwatch._name_list(drift.segments, 'drift.segments', errors)}) -%}
    {%- if drift.segments | unique | list | length != drift.segments | length -%}
        {%- do errors.append("modelwatch: drift.segments lists a column twice") -%}
    {%- endif -%}
    {%- if drift.ks_strategy not in ['auto', 'merge', 'merge_rows', 'asof', 'buckets'] -%}
        {%- do errors.append("modelwatch: drift.ks_strategy must be auto, merge, merge_rows, asof or buckets") -%}
    {%- endif -%}
    {%- if drift.ks_buckets is not number or drift.ks_buckets < 1 or drift.ks_buckets != (drift.ks_buckets | int) or drift.ks_buckets > 1000000000 -%}
        {%- do errors.append("modelwatch: drift.ks_buckets must be a whole number from 1 to 1000000000") -%}
    {%- endif -%}
    {%- if not modelwatch._is_whole(drift.bins, 2, 100) -%}
        {%- do errors.append("modelwatch: drift.bins must be a whole number from 2 to 100, got " ~ modelwatch._shown(drift.bins)) -%}
        {%- do drift.update({'bins': 10}) -%}
    {%- endif -%}
    {%- for key in ['max_categories', 'min_category_count', 'ks_merge_max_windows'] -%}
        {%- if not modelwatch._is_whole(drift[key], 1) -%}
            {%- do errors.append("modelwatch: drift." ~ key ~ " must be a whole number >= 1, got " ~ modelwatch._shown(drift[key])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if drift.saturation_margin is not number or drift.saturation_margin < 0 or drift.saturation_margin >= 0.5 -%}
        {%- do errors.append("modelwatch: drift.saturation_margin must be a number in [0, 0.5)") -%}
    {%- endif -%}
    {%- do drift.update({'deployment_roles': modelwatch._name_list(drift.deployment_roles, 'drift.deployment_roles', errors)}) -%}
    {%- if drift.epsilon is not number or drift.epsilon <= 0 or drift.epsilon >= 1 -%}
        {%- do errors.append("modelwatch: drift.epsilon must be a number in (0, 1)") -%}
    {%- endif -%}

    {%- set performance = modelwatch._merge_dict({
        'max_label_delay_days': 30, 'final_label_coverage': 0.95, 'min_labeled_count': 100,
        'label_coverage_grace_days': 14, 'calibration_bins': 10, 'estimation_bins': 20,
        'baseline_windows': 7, 'recalibration_windows': 14, 'recalibration_holdout_share': 0.3,
        'recalibration_max_rows': 200000,
    }, raw.get('performance'), 'performance', errors) -%}
    {%- for key in ['max_label_delay_days', 'label_coverage_grace_days'] -%}
        {%- if performance[key] is not number or performance[key] < 0 -%}
            {%- do errors.append("modelwatch: performance." ~ key ~ " must be a number of days >= 0") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if performance.final_label_coverage is not number or performance.final_label_coverage <= 0 or performance.final_label_coverage > 1 -%}
        {%- do errors.append("modelwatch: performance.final_label_coverage must be a number in (0, 1]") -%}
    {%- endif -%}
    {%- for key in ['min_labeled_count', 'baseline_windows', 'recalibration_windows', 'recalibration_max_rows'] -%}
        {%- if performance[key] is not number or performance[key] < 1 or performance[key] != (performance[key] | int) -%}
            {%- do errors.append("modelwatch: performance." ~ key ~ " must be a whole number >= 1") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in ['calibration_bins', 'estimation_bins'] -%}
        {%- if performance[key] is not number or performance[key] < 2 or performance[key] > 100 or performance[key] != (performance[key] | int) -%}
            {%- do errors.append("modelwatch: performance." ~ key ~ " must be a whole number from 2 to 100") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if performance.recalibration_holdout_share is not number or performance.recalibration_holdout_share <= 0 or performance.recalibration_holdout_share >= 1 -%}
        {%- do errors.append("modelwatch: performance.recalibration_holdout_share must be a number in (0, 1)") -%}
    {%- endif -%}

    {%- set fairness = modelwatch._merge_dict({
        'min_group_size': 30, 'min_labeled_count': 100, 'alpha': 0.05,
        'deployment_roles': ['champion'], 'intersections': [],
    }, raw.get('fairness'), 'fairness', errors) -%}
    {%- for key in ['min_group_size', 'min_labeled_count'] -%}
        {%- if fairness[key] is not number or fairness[key] < 1 or fairness[key] != (fairness[key] | int) -%}
            {%- do errors.append("modelwatch: fairness." ~ key ~ " must be a whole number >= 1") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if fairness.alpha is not number or fairness.alpha <= 0 or fairness.alpha > 0.09 -%}
        {%- do errors.append("modelwatch: fairness.alpha must be a number in (0, 0.09] (0.05: simultaneous 95% intervals)") -%}
    {%- endif -%}
    {%- do fairness.update({'deployment_roles': modelwatch._name_list(fairness.deployment_roles, 'fairness.deployment_roles', errors)}) -%}
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

    {%- set canary = modelwatch._merge_dict({
        'min_requests': 500, 'min_labeled': 200, 'z_critical': 1.96,
        'max_error_rate_increase': 0.005, 'max_positive_rate_change': 0.05, 'max_auc_drop': 0.02,
    }, raw.get('canary'), 'canary', errors) -%}
    {%- for key, value in canary.items() -%}
        {%- if value is not number or value < 0 -%}
            {%- do errors.append("modelwatch: canary." ~ key ~ " must be a number >= 0") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set incremental = modelwatch._merge_dict(
        {'lookback_windows': 2}, raw.get('incremental'), 'incremental', errors) -%}
    {%- if not modelwatch._is_whole(incremental.lookback_windows, 0) -%}
        {%- do errors.append("modelwatch: incremental.lookback_windows must be a whole number >= 0, got " ~ modelwatch._shown(incremental.lookback_windows)) -%}
        {%- do incremental.update({'lookback_windows': 2}) -%}
    {%- endif -%}

    {#-
        Rows dated beyond the data's clock are quarantined (predicted_at_in_future): more than
        max_future_hours after the load time (the run's current time, UTC). Rows before
        min_predicted_at (a date, optional) are quarantined as predicted_at_too_old. Neither can
        then move a window boundary.
    -#}
    {%- set quality = modelwatch._merge_dict(
        {'max_future_hours': 24, 'min_predicted_at': none}, raw.get('quality'), 'quality', errors) -%}
    {%- if quality.max_future_hours is not number or quality.max_future_hours < 0 or quality.max_future_hours is sameas true or quality.max_future_hours is sameas false -%}
        {%- do errors.append("modelwatch: quality.max_future_hours must be a number of hours >= 0, got " ~ modelwatch._shown(quality.max_future_hours)) -%}
        {%- do quality.update({'max_future_hours': 24}) -%}
    {%- endif -%}
    {%- if quality.min_predicted_at is not none -%}
        {%- set text = quality.min_predicted_at | string -%}
        {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?$', text) -%}
            {%- do errors.append("modelwatch: quality.min_predicted_at must be a date like 2024-01-01, got " ~ modelwatch._shown(quality.min_predicted_at)) -%}
            {%- do quality.update({'min_predicted_at': none}) -%}
        {%- else -%}
            {%- do quality.update({'min_predicted_at': text}) -%}
        {%- endif -%}
    {%- endif -%}

    {%- set alerts = modelwatch._merge_dict(
        {'evaluate_last_windows': none, 'noise_floor_alpha': 0.001, 'fail_build': true,
         'webhook_url': none, 'webhook_max_attempts': 3, 'webhook_backoff_seconds': 1,
         'webhook_timeout_seconds': 10, 'notify_min_severity': 'warn', 'dashboard_url': none,
         'incident_gap_windows': 2, 'notify_resolved': true},
        raw.get('alerts'), 'alerts', errors) -%}
    {%- if not modelwatch._is_whole(alerts.incident_gap_windows, 0) -%}
        {%- do errors.append("modelwatch: alerts.incident_gap_windows must be a whole number >= 0, got " ~ modelwatch._shown(alerts.incident_gap_windows)) -%}
    {%- endif -%}
    {%- if alerts.notify_resolved not in [true, false] -%}
        {%- do errors.append("modelwatch: alerts.notify_resolved must be true or false, got " ~ modelwatch._shown(alerts.notify_resolved)) -%}
    {%- endif -%}
    {%- if alerts.fail_build in ['true', 'True', 'false', 'False'] -%}
        {#- true / false written as text ('true') are taken as the booleans -#}
        {%- do alerts.update({'fail_build': alerts.fail_build in ['true', 'True']}) -%}
    {%- endif -%}
    {%- if alerts.fail_build not in [true, false] -%}
        {%- do errors.append("modelwatch: alerts.fail_build must be true or false, got " ~ modelwatch._shown(alerts.fail_build)) -%}
    {%- endif -%}
    {%- if alerts.noise_floor_alpha is not number or alerts.noise_floor_alpha <= 0 or alerts.noise_floor_alpha >= 0.5 -%}
        {%- do errors.append("modelwatch: alerts.noise_floor_alpha must be a number in (0, 0.5)") -%}
    {%- endif -%}
    {%- if alerts.notify_min_severity not in ['warn', 'error'] -%}
        {%- do errors.append("modelwatch: alerts.notify_min_severity must be warn or error, got " ~ modelwatch._shown(alerts.notify_min_severity)) -%}
    {%- endif -%}
    {%- if alerts.evaluate_last_windows is not none and not modelwatch._is_whole(alerts.evaluate_last_windows, 1) -%}
        {%- do errors.append("modelwatch: alerts.evaluate_last_windows must be a whole number >= 1 or null") -%}
    {%- endif -%}
    {%- if not modelwatch._is_whole(alerts.webhook_max_attempts, 1, 20) -%}
        {%- do errors.append("modelwatch: alerts.webhook_max_attempts must be a whole number from 1 to 20") -%}
    {%- endif -%}
    {%- for key in ['webhook_backoff_seconds', 'webhook_timeout_seconds'] -%}
        {%- if alerts[key] is not number or alerts[key] < 0 -%}
            {%- do errors.append("modelwatch: alerts." ~ key ~ " must be a number of seconds >= 0") -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set recommendations = modelwatch._merge_dict(
        {'min_label_coverage': 0.5, 'drift_checks': modelwatch.checks_feeding('drift'),
         'performance_checks': modelwatch.checks_feeding('performance'),
         'calibration_checks': modelwatch.checks_feeding('calibration'), 'bug_checks': modelwatch.checks_feeding('bug'),
         'unseen_category_share': 0.5},
        raw.get('recommendations'), 'recommendations', errors) -%}
    {%- if recommendations.min_label_coverage is not number or recommendations.min_label_coverage < 0 or recommendations.min_label_coverage > 1 -%}
        {%- do errors.append("modelwatch: recommendations.min_label_coverage must be a number in [0, 1]") -%}
    {%- endif -%}

    {%- set global_checks = modelwatch._merge_checks(
        modelwatch.check_defaults(), raw.get('checks'), 'checks', errors) -%}

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
        {%- set model = modelwatch._merge_dict({
            'name': none, 'threshold': 0.5, 'features': {}, 'protected_attributes': [],
            'slices': [], 'checks': {}, 'monitor_score': none, 'unit_cost_usd': none,
            'task': 'binary', 'classes': none, 'probability_columns': none, 'labels': true,
            'rules': {}, 'custom_metrics': [],
        }, m, where, errors) -%}
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
        {%- set features = modelwatch._merge_dict(
            {'numeric': [], 'categorical': []}, model.features, where ~ '.features', errors) -%}
        {%- set numeric = modelwatch._name_list(features.numeric, where ~ '.features.numeric', errors) -%}
        {%- set categorical = modelwatch._name_list(features.categorical, where ~ '.features.categorical', errors) -%}
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
        {%- if model.monitor_score not in [true, false] -%}
            {%- do errors.append("modelwatch: " ~ where ~ ".monitor_score must be true or false") -%}
        {%- endif -%}
        {%- if model.threshold is not number or model.threshold < 0 or model.threshold > 1 -%}
            {%- do errors.append("modelwatch: " ~ where ~ ".threshold must be a number in [0, 1]") -%}
        {%- endif -%}
        {%- do model.update({
            'features': {'numeric': numeric, 'categorical': categorical},
            'protected_attributes': modelwatch._name_list(model.protected_attributes, where ~ '.protected_attributes', errors),
            'slices': modelwatch._name_list(model.slices, where ~ '.slices', errors),
            'checks': modelwatch._merge_checks(global_checks, model.checks, where ~ '.checks', errors),
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

    {%- if columns.reference.features is not mapping -%}
        {%- do errors.append(
            "modelwatch: columns.reference.features maps a feature to the reference's column name, "
            ~ "e.g. {income: annual_income}") -%}
        {%- do columns.reference.update({'features': {}}) -%}
    {%- endif -%}
    {%- for feature, column in columns.reference.features.items() -%}
        {%- do modelwatch.validate_name(column, 'columns.reference.features.' ~ modelwatch._shown(feature, quote=''), errors) -%}
    {%- endfor -%}

    {%- set python_models = raw.get('python_models', false) -%}
    {%- if python_models not in ['auto', true, false] -%}
        {%- do errors.append("modelwatch: python_models must be auto, true or false") -%}
    {%- endif -%}

    {%- if errors -%}
        {%- set lines = [] -%}
        {%- for error in errors -%}{%- do lines.append('  - ' ~ modelwatch._shown(error[12:] if error.startswith('modelwatch: ') else error, quote='')) -%}{%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: the config has " ~ (errors | length) ~ " problem" ~ ('s' if errors | length > 1 else '')
            ~ ":\n" ~ (lines | join('\n'))) }}
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
        'quality': quality,
        'alerts': alerts,
        'recommendations': recommendations,
        'checks': global_checks,
        'models': models,
        'python_models': python_models,
    }) }}
{% endmacro %}


{% macro name_problem(name, kind='name') %}
    {#-
        Why a user-supplied name cannot be an identifier, or none. The same rules as Python's
        modelwatch.identifiers.name_problem (the tests compare both on hostile names): names are
        always quoted, and quotes, backticks, backslashes, semicolons and control characters
        (C0, DEL, C1, line separators, bidi overrides) are refused rather than escaped. Schemas
        also refuse single quotes and dots (dbt pastes them into string literals) and must fit
        PostgreSQL's 63 bytes with the `_audit` suffix.
    -#}
    {%- if name is not string or (name | length) == 0 -%}{{ return('must be a non-empty name') }}{%- endif -%}
    {%- if (name | length) > 128 -%}{{ return('is longer than 128 characters') }}{%- endif -%}
    {%- if modules.re.search('[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]', name) -%}
        {{ return('contains a control character') }}
    {%- endif -%}
    {%- for bad in ['"', '`', '\\', ';'] if bad in name -%}
        {{ return('contains a quote, backtick, backslash or semicolon') }}
    {%- endfor -%}
    {%- if kind == 'schema' -%}
        {%- if "'" in name or '.' in name -%}{{ return('contains a quote or a dot') }}{%- endif -%}
        {%- if (name.encode('utf-8') | length) > 57 -%}{{ return('is longer than 57 bytes') }}{%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro validate_name(name, where, errors=none) %}
    {#- true when usable; else the problem is added to errors (or raised when none is given). -#}
    {%- set problem = modelwatch.name_problem(name) -%}
    {%- if problem is none -%}{{ return(true) }}{%- endif -%}
    {%- set message = "modelwatch: " ~ where ~ " " ~ modelwatch._shown(name) ~ " " ~ problem
        ~ "; rename it (for a column: in a view)" -%}
    {%- if errors is none -%}
        {{ exceptions.raise_compiler_error(message) }}
    {%- endif -%}
    {%- do errors.append(message) -%}
    {{ return(false) }}
{% endmacro %}


{% macro _shown(value, quote="'") %}
    {#- A value for a message: control characters escaped, so a message never carries them raw. -#}
    {%- set text = value | string -%}
    {%- set escaped = modules.re.sub('[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]', '?', text) -%}
    {{ return(quote ~ escaped ~ quote) }}
{% endmacro %}


{% macro _is_whole(value, low, high=none) %}
    {#- A whole number (1.0 is fine, 1.5 and true are not) in [low, high]. -#}
    {{ return(value is number and value is not sameas true and value is not sameas false
              and value == (value | int) and value >= low and (high is none or value <= high)) }}
{% endmacro %}


{% macro python_models_enabled() %}
    {#-
        The opt-in Python models (scipy's exact KS p-values, recalibration) need
        the modelwatch pip package in dbt's environment and run where dbt has Python models
        (DuckDB here). Off by default: everything else is SQL. The CLI turns them on (`auto`).
    -#}
    {%- set setting = modelwatch.get_config().python_models -%}
    {{ return(setting == true or (setting == 'auto' and target.type == 'duckdb')) }}
{% endmacro %}


{% macro _resolve_task(model, where, inputs, columns, errors) %}
    {#-
        A model's task and what it needs (in place): binary (score = probability of the positive
        class), regression (score = the prediction, label = the outcome) or multiclass (the
        predicted class in columns.predictions.predicted_class, optionally one probability column
        per class; labels are class values compared as text). `labels: false`, or no
        inputs.labels at all, marks a model whose outcomes never come back.
    -#}
    {%- set raw_classes = model.classes -%}
    {%- set raw_probability_columns = model.probability_columns -%}
    {#- safe values first: the rest of the config reads them even when this model has errors -#}
    {%- do model.update({'classes': [], 'probability_columns': {}}) -%}
    {%- if not inputs.labels -%}{%- do model.update({'labels': false}) -%}{%- endif -%}
    {%- if model.monitor_score is none -%}
        {#- a multiclass log's score is an optional confidence; the class mix is monitored instead -#}
        {%- do model.update({'monitor_score': model.task != 'multiclass'}) -%}
    {%- endif -%}
    {%- if model.task not in ['binary', 'regression', 'multiclass'] -%}
        {%- do errors.append("modelwatch: " ~ where ~ ".task must be binary, regression or multiclass, got '" ~ model.task ~ "'") -%}{{ return(none) }}
    {%- endif -%}
    {%- if model.labels not in [true, false] -%}
        {%- do errors.append("modelwatch: " ~ where ~ ".labels must be true or false") -%}{{ return(none) }}
    {%- endif -%}
    {%- if model.task != 'multiclass' and (raw_classes is not none or raw_probability_columns is not none) -%}
        {%- do errors.append("modelwatch: " ~ where ~ ": classes and probability_columns are for task: multiclass (task is " ~ model.task ~ ")") -%}{{ return(none) }}
    {%- endif -%}
    {%- if model.task != 'binary' and model.protected_attributes -%}
        {%- do errors.append("modelwatch: " ~ where ~ ": protected_attributes (fairness_metrics, fairness_parity) are binary-only: "
            ~ "selection rates and TPR / FPR parity need a positive class; task " ~ model.task
            ~ " models get per-slice metrics through `slices` instead") -%}{{ return(none) }}
    {%- endif -%}
    {%- set classes = [] -%}
    {%- set probability_columns = {} -%}
    {%- if model.task == 'multiclass' -%}
        {%- if raw_classes is none or raw_classes is string or raw_classes is mapping or raw_classes is not iterable -%}
            {%- do errors.append("modelwatch: " ~ where ~ ": task multiclass needs classes, the list of class values, e.g. [billing, technical, account]") -%}{{ return(none) }}
        {%- endif -%}
        {%- for value in raw_classes -%}
            {%- if value is none or value is mapping or (value is not string and value is not number) or value is sameas true or value is sameas false -%}
                {%- do errors.append("modelwatch: " ~ where ~ ".classes must list text or integer class values, got '" ~ value ~ "'") -%}{{ return(none) }}
            {%- endif -%}
            {%- if (value | string) in classes -%}
                {%- do errors.append("modelwatch: " ~ where ~ ".classes lists '" ~ value ~ "' twice") -%}{{ return(none) }}
            {%- endif -%}
            {%- do classes.append(value | string) -%}
        {%- endfor -%}
        {%- if classes | length < 2 -%}
            {%- do errors.append("modelwatch: " ~ where ~ ".classes must list at least two classes") -%}{{ return(none) }}
        {%- endif -%}
        {%- if not columns.predictions.predicted_class -%}
            {%- do errors.append("modelwatch: " ~ where ~ " is multiclass: set columns.predictions.predicted_class to the prediction log's predicted-class column") -%}{{ return(none) }}
        {%- endif -%}
        {%- if raw_probability_columns is not none -%}
            {%- if raw_probability_columns is not mapping -%}
                {%- do errors.append("modelwatch: " ~ where ~ ".probability_columns maps each class to its probability column, e.g. {billing: p_billing, technical: p_technical}") -%}{{ return(none) }}
            {%- endif -%}
            {%- for value, column in raw_probability_columns.items() -%}
                {%- if (value | string) not in classes -%}
                    {%- do errors.append("modelwatch: " ~ where ~ ".probability_columns names class '" ~ value ~ "', which is not in classes") -%}{{ return(none) }}
                {%- endif -%}
                {%- if not modelwatch.validate_name(column, where ~ '.probability_columns.' ~ value, errors) -%}{{ return(none) }}{%- endif -%}
                {%- do probability_columns.update({value | string: column}) -%}
            {%- endfor -%}
            {%- if probability_columns | length != classes | length -%}
                {%- do errors.append("modelwatch: " ~ where ~ ".probability_columns must give a column for every class ("
                    ~ (classes | reject('in', probability_columns.keys() | list) | join(', ')) ~ " missing)") -%}{{ return(none) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- do model.update({'classes': classes, 'probability_columns': probability_columns}) -%}
{% endmacro %}


{% macro models_with_task(task) %}
    {#- Names of the configured models of one task (binary, regression, multiclass). -#}
    {{ return(modelwatch.get_config().models | selectattr('task', 'equalto', task) | map(attribute='name') | list) }}
{% endmacro %}


{% macro models_without_labels() %}
    {#- Names of the models whose outcomes never come back (labels: false or no inputs.labels). -#}
    {{ return(modelwatch.get_config().models | rejectattr('labels') | map(attribute='name') | list) }}
{% endmacro %}


{% macro model_in(model_column, names) %}
    {#- SQL: the row's model is one of names (false for an empty list). -#}
    {%- if not names -%}{{ return('(1 = 0)') }}{%- endif -%}
    {{ return('(' ~ model_column ~ ' in ' ~ modelwatch.string_list(names) ~ ')') }}
{% endmacro %}


{% macro probability_column_names() %}
    {#- Every probability column any multiclass model reads from the prediction log, once. -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- for column in model.probability_columns.values() if column not in out -%}{%- do out.append(column) -%}{%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro task_sql(model_column='model_name') %}
    {#- SQL: the task of the row's model ('binary' for every model not configured otherwise). -#}
    {%- set branches = [] -%}
    {%- for model in modelwatch.get_config().models if model.task != 'binary' -%}
        {%- do branches.append('when ' ~ modelwatch.sql_string(model.name) ~ ' then ' ~ modelwatch.sql_string(model.task)) -%}
    {%- endfor -%}
    {%- if not branches -%}{{ return("'binary'") }}{%- endif -%}
    {{ return('(case ' ~ model_column ~ ' ' ~ (branches | join(' ')) ~ " else 'binary' end)") }}
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
