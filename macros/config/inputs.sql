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
    {%- for part in parts -%}
        {%- do modelwatch.validate_name(part, 'inputs.' ~ input_name) -%}
    {%- endfor -%}
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


{% macro _parse_relation_call(spec, where) %}
    {#-
        `ref('a')`, `ref('pkg', 'a')`, `source('s', 't')` -> {function, arguments}; anything else
        that looks like a call is refused (no other Jinja is evaluated from config); a plain
        name -> none.
    -#}
    {%- set text = spec | trim -%}
    {%- set match = modules.re.match("^(ref|source)\\s*\\((.*)\\)$", text) -%}
    {%- if match is none -%}
        {%- if '(' in text or ')' in text or '{' in text -%}
            {{ exceptions.raise_compiler_error(
                "modelwatch: " ~ where ~ " '" ~ spec ~ "' is neither schema.table nor "
                ~ "ref('model') / ref('package', 'model') / source('source', 'table')") }}
        {%- endif -%}
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
        {{ exceptions.raise_compiler_error(
            "modelwatch: " ~ where ~ " '" ~ spec ~ "': " ~ function ~ "() takes "
            ~ ("one or two quoted names: ref('model') or ref('package', 'model')" if function == 'ref'
               else "two quoted names: source('source', 'table')")) }}
    {%- endif -%}
    {{ return({'function': function, 'arguments': values}) }}
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
