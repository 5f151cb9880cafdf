{#-
    dbt uses a package's own generate_schema_name for that package's nodes. As a package in your
    project, modelwatch names schemas as dbt's default does: `<target schema>_modelwatch` for the
    outputs and `<target schema>_modelwatch_audit` for stored test failures (choose another with
    `models: modelwatch: +schema: ...` in your dbt_project.yml). Run by the `modelwatch` CLI
    (modelwatch is the root project), the target schema is the config's warehouse.schema and the
    outputs land in it as they always have, the failures in `<schema>_audit`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set custom = custom_schema_name | trim if custom_schema_name is not none else none -%}
    {%- if project_name == 'modelwatch' and custom == 'modelwatch' -%}
        {{ target.schema }}
    {%- elif project_name == 'modelwatch' and custom is not none and custom.startswith('modelwatch_') -%}
        {{ target.schema }}{{ custom[10:] }}
    {%- else -%}
        {{ dbt.default__generate_schema_name(custom_schema_name, node) }}
    {%- endif -%}
{%- endmacro %}
