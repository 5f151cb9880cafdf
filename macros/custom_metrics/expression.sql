{#-
    Custom metrics (models[].custom_metrics): named SQL aggregate expressions over the prediction
    log joined with labels. An expression is user text that reaches SQL, so it is parsed here at
    compile time, token by token, and rebuilt: literals, operators, a fixed set of keywords and
    functions, and column names, which are always emitted quoted. Anything else (statements,
    comments, semicolons, quotes that do not close, unknown functions) is refused with a message
    naming the metric.
-#}

{% macro custom_metric_keywords() %}
    {{ return(['case', 'when', 'then', 'else', 'end', 'and', 'or', 'not', 'is', 'null', 'in',
               'between', 'like', 'distinct', 'true', 'false']) }}
{% endmacro %}


{% macro custom_metric_functions() %}
    {#- aggregates first: an expression needs at least one -#}
    {{ return({
        'aggregate': ['sum', 'avg', 'count', 'min', 'max', 'stddev_samp', 'stddev_pop', 'var_samp', 'var_pop'],
        'scalar': ['coalesce', 'nullif', 'abs', 'greatest', 'least', 'round', 'floor', 'ceil', 'sqrt', 'ln',
                   'exp', 'power', 'sign', 'lower', 'upper', 'length'],
    }) }}
{% endmacro %}


{% macro custom_metric_columns() %}
    {#-
        Names an expression may use from the joined relation (int_modelwatch__predictions_labeled);
        any other name is a column of the prediction log, passed through by staging.
    -#}
    {{ return(['prediction_id', 'request_id', 'deployment_role', 'model_version', 'status_code', 'score',
               'predicted_label', 'label', 'label_rows', 'label_lag_days', 'predicted_at', 'labeled_at']) }}
{% endmacro %}


{% macro parse_custom_metric(expression, where) %}
    {#-
        {'sql': the rebuilt expression, 'columns': prediction-log columns it reads}, or a
        compile error. Prediction-log columns become the generated names they travel under
        (carried_column), contract names are lower-cased.
    -#}
    {%- if expression is not string or (expression | trim | length) == 0 -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression must be a non-empty SQL aggregate expression") }}
    {%- endif -%}
    {%- if (expression | length) > 2000 -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression is longer than 2000 characters") }}
    {%- endif -%}
    {%- for bad in [';', '--', '/*', '*/', '`', '\\', '$', '#', '{', '}', '[', ']'] -%}
        {%- if bad in expression -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression contains '" ~ bad
                ~ "': only one aggregate expression is allowed, without statements, comments or semicolons") }}
        {%- endif -%}
    {%- endfor -%}
    {%- set pattern = "\\s+|'(?:[^']|'')*'|\"[^\"]+\"|\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?|[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|!=|\\|\\||[-+*/%=<>(),]" -%}
    {%- set tokens = [] -%}
    {%- set position = namespace(at=0) -%}
    {%- for match in modules.re.finditer(pattern, expression) -%}
        {%- if match.start() != position.at -%}
            {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression: cannot read '"
                ~ expression[position.at:match.start()] ~ "' (at character " ~ (position.at + 1) ~ ")") }}
        {%- endif -%}
        {%- set position.at = match.end() -%}
        {%- if match.group(0) | trim -%}{%- do tokens.append(match.group(0)) -%}{%- endif -%}
    {%- endfor -%}
    {%- if position.at != expression | length -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression: cannot read '"
            ~ expression[position.at:] ~ "' (at character " ~ (position.at + 1) ~ "); string literals need a closing quote") }}
    {%- endif -%}
    {%- set functions = modelwatch.custom_metric_functions() -%}
    {%- set forbidden = ['select', 'from', 'where', 'union', 'insert', 'update', 'delete', 'drop', 'create',
                         'alter', 'grant', 'revoke', 'with', 'join', 'into', 'exec', 'execute', 'truncate',
                         'copy', 'call', 'merge', 'attach', 'detach', 'pragma', 'install', 'load', 'set',
                         'over', 'partition', 'group', 'having', 'order', 'limit', 'as'] -%}
    {%- set out = [] -%}
    {%- set columns = [] -%}
    {%- set state = namespace(depth=0, aggregates=0) -%}
    {%- for token in tokens -%}
        {%- set word = token | lower -%}
        {%- set following = tokens[loop.index] if loop.index < tokens | length else '' -%}
        {%- if token == '(' -%}
            {%- set state.depth = state.depth + 1 -%}
            {%- do out.append(token) -%}
        {%- elif token == ')' -%}
            {%- set state.depth = state.depth - 1 -%}
            {%- if state.depth < 0 -%}
                {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression has a ')' without its '('") }}
            {%- endif -%}
            {%- do out.append(token) -%}
        {%- elif token[0] == "'" -%}
            {%- do out.append(modelwatch.sql_string(token[1:-1] | replace("''", "'"))) -%}
        {%- elif token[0] == '"' -%}
            {%- do modelwatch.validate_name(token[1:-1], where ~ '.expression column') -%}
            {%- if token[1:-1] not in columns -%}{%- do columns.append(token[1:-1]) -%}{%- endif -%}
            {%- do out.append(modelwatch.carried_column(token[1:-1])) -%}
        {%- elif modules.re.match('^[A-Za-z_]', token) -%}
            {%- if word in forbidden -%}
                {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression uses '" ~ token
                    ~ "': a custom metric is one aggregate expression over the window's rows, not a query") }}
            {%- elif word in modelwatch.custom_metric_keywords() -%}
                {%- do out.append(word) -%}
            {%- elif following == '(' -%}
                {%- if word in functions.aggregate -%}
                    {%- set state.aggregates = state.aggregates + 1 -%}
                {%- elif word not in functions.scalar -%}
                    {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression calls '" ~ token
                        ~ "', which is not an allowed function. Allowed: "
                        ~ ((functions.aggregate + functions.scalar) | join(', '))) }}
                {%- endif -%}
                {%- do out.append(word) -%}
            {%- elif word in modelwatch.custom_metric_columns() -%}
                {%- do out.append(word) -%}
            {%- else -%}
                {%- if token not in columns -%}{%- do columns.append(token) -%}{%- endif -%}
                {%- do out.append(modelwatch.carried_column(token)) -%}
            {%- endif -%}
        {%- else -%}
            {%- do out.append(token) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if state.depth != 0 -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression has a '(' without its ')'") }}
    {%- endif -%}
    {%- if state.aggregates == 0 -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression must aggregate the window's rows with "
            ~ (functions.aggregate | join(', ')) ~ ", e.g. sum(case when label = 1 then amount end)") }}
    {%- endif -%}
    {%- for column in columns if column | lower in ['latency_ms', 'cost_usd', 'model_name', 'window_start', 'quarantine_reason'] -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ where ~ ".expression reads '" ~ column
            ~ "', which is not available to custom metrics (they are computed per model, version, window and slice)") }}
    {%- endfor -%}
    {{ return({'sql': out | join(' '), 'columns': columns}) }}
{% endmacro %}


{% macro custom_metric_check_name(name) %}
    {{ return('custom_metric.' ~ name) }}
{% endmacro %}


{% macro custom_metric_names() %}
    {#- Every custom metric name of any model, once, in config order. -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- for metric in model.custom_metrics if metric.name not in out -%}{%- do out.append(metric.name) -%}{%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}
