{#-
    Input relations and columns come from the config. They are resolved against the warehouse at
    run time so that a wrong name stops the run with a message naming it, and so that a configured
    name matches a column whatever its case (`agep` finds "AGEP").
-#}

{% macro reference_mode() %}
    {#- 'relation' (a training/validation table) or 'predictions' (a date range of the log). -#}
    {%- set spec = modelwatch.get_config().inputs.reference -%}
    {%- if spec is none -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: inputs.reference is required: a table (schema.table) or "
            ~ "{predictions_between: [start, end]}") }}
    {%- elif spec is mapping -%}
        {%- if spec.get('predictions_between') is none or (spec.predictions_between | length) != 2 -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: inputs.reference as a mapping needs predictions_between: [start, end]") }}
        {%- endif -%}
        {{ return('predictions') }}
    {%- endif -%}
    {{ return('relation') }}
{% endmacro %}


{% macro input_relation(input_name) %}
    {#-
        The relation an input names: `ref('model')`, `ref('package', 'model')` or
        `source('source', 'table')` (inside a dbt project: lineage and build order are dbt's), or
        `schema.table` / `database.schema.table` / `table` (the CLI). A plain name is checked to
        exist when the model runs, so a typo stops the run with a message naming it.
    -#}
    {%- set spec = modelwatch.get_config().inputs[input_name] -%}
    {%- if spec is none or spec is not string -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: inputs." ~ input_name ~ " must name a relation: schema.table, "
            ~ "ref('model') or source('source', 'table')") }}
    {%- endif -%}
    {%- set call = modelwatch._parse_relation_call(spec, 'inputs.' ~ input_name) -%}
    {%- if call is not none -%}
        {%- if call.function == 'ref' -%}
            {{ return(ref(*call.arguments)) }}
        {%- endif -%}
        {{ return(source(*call.arguments)) }}
    {%- endif -%}
    {%- set parts = spec.split('.') -%}
    {%- set default_database = target.get('database') -%}
    {%- if parts | length == 1 -%}
        {%- set database, schema, identifier = default_database, target.schema, parts[0] -%}
    {%- elif parts | length == 2 -%}
        {%- set database, schema, identifier = default_database, parts[0], parts[1] -%}
    {%- elif parts | length == 3 -%}
        {%- set database, schema, identifier = parts[0], parts[1], parts[2] -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: inputs." ~ input_name ~ " '" ~ spec ~ "' is not of the form schema.table") }}
    {%- endif -%}
    {#- the names were validated with the config (input_spec_errors) -#}
    {%- if execute -%}
        {%- set found = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
        {%- if found is none -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: inputs." ~ input_name ~ " names table '" ~ spec
                ~ "', which does not exist in the warehouse (target " ~ target.name ~ ")") }}
        {%- endif -%}
        {{ return(found) }}
    {%- endif -%}
    {{ return(api.Relation.create(database=database, schema=schema, identifier=identifier)) }}
{% endmacro %}


{% macro _parse_relation_call(spec, where, errors=none) %}
    {#-
        `ref('a')`, `ref('pkg', 'a')`, `source('s', 't')` -> {function, arguments}; anything else
        that looks like a call is refused (no other Jinja is evaluated from config); a plain
        name -> none.
    -#}
    {%- set errors_given = errors is not none -%}
    {%- set errors = errors if errors_given else [] -%}
    {%- set text = spec | trim -%}
    {%- set match = modules.re.match("^(ref|source)\\s*\\((.*)\\)$", text) -%}
    {%- if match is none -%}
        {%- if '(' in text or ')' in text or '{' in text -%}
            {%- do errors.append(
                "modelwatch: " ~ where ~ " " ~ modelwatch._shown(spec) ~ " is neither schema.table nor "
                ~ "ref('model') / ref('package', 'model') / source('source', 'table')") -%}
        {%- endif -%}
        {%- if errors and not errors_given -%}{{ exceptions.raise_compiler_error(errors[0]) }}{%- endif -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set function = match.group(1) -%}
    {%- set quoted = "\\s*('[^'\\\\]+'|\"[^\"\\\\]+\")\\s*" -%}
    {%- set arity = [1, 2] if function == 'ref' else [2] -%}
    {%- set whole = modules.re.match('^' ~ quoted ~ '(?:,' ~ quoted ~ ')?$', match.group(2)) -%}
    {%- set values = [] -%}
    {%- if whole is not none -%}
        {%- for value in whole.groups() if value is not none -%}{%- do values.append(value[1:-1]) -%}{%- endfor -%}
    {%- endif -%}
    {%- if (values | length) not in arity -%}
        {%- do errors.append(
            "modelwatch: " ~ where ~ " " ~ modelwatch._shown(spec) ~ ": " ~ function ~ "() takes "
            ~ ("one or two quoted names: ref('model') or ref('package', 'model')" if function == 'ref'
               else "two quoted names: source('source', 'table')")) -%}
    {%- endif -%}
    {%- for value in values -%}
        {%- do modelwatch.validate_name(value, where, errors) -%}
    {%- endfor -%}
    {%- if errors and not errors_given -%}{{ exceptions.raise_compiler_error(errors[0]) }}{%- endif -%}
    {{ return({'function': function, 'arguments': values}) }}
{% endmacro %}


{% macro input_spec_errors(spec, where, errors) %}
    {#- Config-time checks of one input relation spec (string forms), added to errors. -#}
    {%- if spec is not string -%}
        {%- do errors.append("modelwatch: " ~ where ~ " must name a relation: schema.table, "
            ~ "ref('model') or source('source', 'table')") -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set before = errors | length -%}
    {%- set call = modelwatch._parse_relation_call(spec, where, errors) -%}
    {%- if call is none and (errors | length) == before -%}
        {%- set parts = spec.split('.') -%}
        {%- if (parts | length) > 3 -%}
            {%- do errors.append("modelwatch: " ~ where ~ " " ~ modelwatch._shown(spec) ~ " is not of the form schema.table") -%}
        {%- else -%}
            {%- for part in parts -%}{%- do modelwatch.validate_name(part, where, errors) -%}{%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro resolve_columns(input_name, relation, names, optional_names=[]) %}
    {#-
        {configured name: quoted warehouse column}. Required names that are missing raise an error
        naming the column and the table; optional ones map to none.
    -#}
    {%- set resolved = {} -%}
    {%- if not execute -%}
        {%- for name in names + optional_names -%}
            {%- do resolved.update({name: adapter.quote(name)}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}
    {%- set actual = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do actual.append(column.name) -%}
    {%- endfor -%}
    {%- for name in names + optional_names -%}
        {%- set match = none -%}
        {%- if name in actual -%}
            {%- set match = name -%}
        {%- else -%}
            {%- set folded = actual | select('lower') | list -%}
            {%- set candidates = [] -%}
            {%- for a in actual -%}
                {%- if a | lower == name | lower -%}{%- do candidates.append(a) -%}{%- endif -%}
            {%- endfor -%}
            {%- if candidates | length == 1 -%}
                {%- set match = candidates[0] -%}
            {%- elif candidates | length > 1 -%}
                {{ exceptions.raise_compiler_error(
                    "modelwatch: column '" ~ name ~ "' of inputs." ~ input_name ~ " is ambiguous: "
                    ~ (candidates | join(', ')) ~ " differ only in case; configure the exact name") }}
            {%- endif -%}
        {%- endif -%}
        {%- if match is none and name in names -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: column '" ~ name ~ "' is configured for inputs." ~ input_name
                ~ " but table " ~ relation ~ " has no such column. Its columns are: "
                ~ (actual | join(', '))) }}
        {%- endif -%}
        {%- do resolved.update({name: (adapter.quote(match) if match is not none else none)}) -%}
    {%- endfor -%}
    {{ return(resolved) }}
{% endmacro %}


{% macro column_types(relation) %}
    {#- {warehouse column name: its data type} of a relation (empty while parsing). -#}
    {%- set out = {} -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do out.update({column.name: column.data_type}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(out) }}
{% endmacro %}


{% macro check_numeric_features(input_name, relation, cols, names) %}
    {#-
        A numeric feature must be a number column, or text holding numbers (a JSON-fed log):
        text is read with a safe cast, a value that is not a number counted as a type error
        (feature_quality), so an upstream type change is measured instead of stopping the run.
        Dates, booleans and the like are refused with the feature, the column and its type
        named (`modelwatch validate` shows this; a build would otherwise fail deep in the SQL).
    -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set types = modelwatch.column_types(relation) -%}
    {%- set problems = [] -%}
    {%- for name in names if cols.get(name) is not none -%}
        {%- set actual = cols[name][1:-1] -%}
        {%- set data_type = types.get(actual, '') | lower -%}
        {%- if modules.re.search('date|time|bool|blob|bytea|json|uuid|interval|struct|map|list|\\[\\]|enum', data_type) -%}
            {%- do problems.append("feature " ~ modelwatch._shown(name) ~ " is listed as numeric but column "
                ~ modelwatch._shown(actual) ~ " of inputs." ~ input_name ~ " is " ~ data_type
                ~ "; list it under features.categorical or cast it to a number in a view") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ (problems | join('; '))) }}
    {%- endif -%}
{% endmacro %}


{% macro feature_names(kind=none) %}
    {#-
        Every feature (or attribute) any configured model reads from the prediction log, once.
        Attributes: protected attributes, slices, drift segments and the log columns custom
        metrics read.
    -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- set names = [] -%}
        {%- if kind in [none, 'numeric'] -%}{%- set names = names + model.features.numeric -%}{%- endif -%}
        {%- if kind in [none, 'categorical'] -%}{%- set names = names + model.features.categorical -%}{%- endif -%}
        {%- if kind in [none, 'attributes'] -%}{%- set names = names + model.protected_attributes + model.slices + modelwatch.get_config().drift.segments -%}{%- endif -%}
        {%- if kind == 'segments' -%}{%- set names = names + modelwatch.get_config().drift.segments -%}{%- endif -%}
        {%- if kind in [none, 'attributes', 'custom_metrics'] -%}
            {%- for metric in model.custom_metrics -%}{%- do names.extend(metric.columns) -%}{%- endfor -%}
        {%- endif -%}
        {%- if kind == 'slices' -%}{%- set names = names + model.slices -%}{%- endif -%}
        {%- if kind == 'protected_attributes' -%}{%- set names = names + model.protected_attributes -%}{%- endif -%}
        {%- for name in names -%}
            {%- if name not in out -%}{%- do out.append(name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro carried_column(name) %}
    {#-
        The column a user column (feature, protected attribute, slice) travels under inside the
        project: a generated alias, never the user's name, so no user column can collide with a
        column the project adds (id_occurrence, window_start, label...). Derived from the name
        alone, so it is the same in every model and every run; at most 19 characters (PostgreSQL
        truncates identifiers at 63 bytes).
    -#}
    {{ return('mw_' ~ local_md5(name | string)[:16]) }}
{% endmacro %}


{% macro input_relation_for_metadata(input_name) %}
    {#-
        The input's relation for reading its columns from any model, without recording a
        dependency: a ref()/source() input is looked up in dbt's graph (a ref() outside a
        model's parse-time lineage is a compilation error). Execute time only.
    -#}
    {%- set spec = modelwatch.get_config().inputs[input_name] -%}
    {%- set call = modelwatch._parse_relation_call(spec, 'inputs.' ~ input_name) if spec is string else none -%}
    {%- if call is none -%}
        {{ return(modelwatch.input_relation(input_name)) }}
    {%- endif -%}
    {%- if call.function == 'source' -%}
        {%- for node in graph.sources.values()
              if node.source_name == call.arguments[0] and node.name == call.arguments[1] -%}
            {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier)) }}
        {%- endfor -%}
    {%- else -%}
        {%- set name = call.arguments[-1] -%}
        {%- set package = call.arguments[0] if (call.arguments | length) == 2 else none -%}
        {%- for node in graph.nodes.values()
              if node.resource_type in ['model', 'seed', 'snapshot'] and node.name == name
                 and (package is none or node.package_name == package) -%}
            {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
        {%- endfor -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("modelwatch: inputs." ~ input_name ~ " names " ~ spec ~ ", which dbt does not know") }}
{% endmacro %}
