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


{% macro invocation_memo() %}
    {#-
        A mapping that lives for one dbt invocation: the `modelwatch` var's own mapping, the same
        object for every node of an invocation. What is costly and the same for every node
        (the resolved config, the parsed catalogs) is kept there under a `__modelwatch_` key,
        which get_config skips. When the var is not a mapping, a new {} (nothing is kept).
    -#}
    {%- set raw = var('modelwatch', none) -%}
    {{ return(raw if raw is mapping else {}) }}
{% endmacro %}


{% macro get_config() %}
    {#-
        Validated once per dbt invocation (kept in invocation_memo()), since every model and test
        asks for it many times and validation is the slowest Jinja in the project.
    -#}
    {%- set memo = modelwatch.invocation_memo() -%}
    {%- if '__modelwatch_resolved' in memo -%}
        {{ return(memo['__modelwatch_resolved']) }}
    {%- endif -%}
    {%- set raw = var('modelwatch', none) -%}
    {%- if raw is string and raw | trim | first == '{' -%}
        {#- the var as JSON text (sqlfluff's dbt templater passes vars as strings) -#}
        {%- set raw = fromjson(raw) -%}
    {%- endif -%}
    {%- set resolved = modelwatch._resolve_config(raw) -%}
    {%- do memo.update({'__modelwatch_resolved': resolved}) -%}
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
    {%- for key, value in raw.items() if not (key is string and key.startswith('__modelwatch_')) -%}
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
