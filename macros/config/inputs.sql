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
    {%- set spec = modelwatch.get_config().inputs[input_name] -%}
    {%- if spec is none or spec is not string -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: inputs." ~ input_name ~ " must name a table as schema.table") }}
    {%- endif -%}
    {%- set parts = spec.split('.') -%}
    {%- if parts | length == 1 -%}
        {%- set database, schema, identifier = target.database, target.schema, parts[0] -%}
    {%- elif parts | length == 2 -%}
        {%- set database, schema, identifier = target.database, parts[0], parts[1] -%}
    {%- elif parts | length == 3 -%}
        {%- set database, schema, identifier = parts[0], parts[1], parts[2] -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "modelwatch: inputs." ~ input_name ~ " '" ~ spec ~ "' is not of the form schema.table") }}
    {%- endif -%}
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
    {#- Every feature (or attribute) any configured model reads from the prediction log, once. -#}
    {%- set out = [] -%}
    {%- for model in modelwatch.get_config().models -%}
        {%- set names = [] -%}
        {%- if kind in [none, 'numeric'] -%}{%- set names = names + model.features.numeric -%}{%- endif -%}
        {%- if kind in [none, 'categorical'] -%}{%- set names = names + model.features.categorical -%}{%- endif -%}
        {%- if kind in [none, 'attributes'] -%}{%- set names = names + model.protected_attributes + model.slices -%}{%- endif -%}
        {%- if kind == 'slices' -%}{%- set names = names + model.slices -%}{%- endif -%}
        {%- if kind == 'protected_attributes' -%}{%- set names = names + model.protected_attributes -%}{%- endif -%}
        {%- for name in names -%}
            {%- if name not in out -%}{%- do out.append(name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}
