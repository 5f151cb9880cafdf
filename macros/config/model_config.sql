{#-
    Per-model rules the schema cannot express: a model's task and what it needs, value rules per
    feature, custom metrics. Called by _resolve_config for every entry of `models`.
-#}

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
    {#- task and labels were judged by the schema (a bad value is its default by now) -#}
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
