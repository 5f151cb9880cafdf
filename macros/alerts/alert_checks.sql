{#-
    The checks that can raise an alert, as modelwatch__alert_observations and the engine
    need them: the check catalog's entries (macros/checks/catalog.sql) with their table's shared
    settings filled in and the scopes rendered for this config, plus one check per custom metric.
    Each: name, source (the contract table), value, scope, dims, subject, category, what,
    sample_size, reference_size, evidence, and where the check has one, bin_count, the noise
    statistic (noise_floor) and, for label checks, the noise_mean / noise_sd columns and
    noise_shape (macros/performance/noise.sql). Columns every source gives: model_name,
    window_start, window_end.
-#}

{% macro alert_checks() %}
    {%- set catalog = modelwatch.check_catalog() -%}
    {#- models whose outcomes never come back are never judged on their labels' coverage or freshness -#}
    {%- set unlabeled = modelwatch.models_without_labels() -%}
    {%- set placeholders = {
        '{min_labeled_count}': modelwatch.get_config().performance.min_labeled_count | string,
        '{labeled_models}': (' and not ' ~ modelwatch.model_in('model_name', unlabeled)) if unlabeled else '',
    } -%}
    {%- set checks = [] -%}
    {%- for name, entry in catalog.checks.items() -%}
        {%- set check = {'reference_size': 'null'} -%}
        {%- do check.update(catalog.tables[entry.table]) -%}
        {%- do check.update(entry) -%}
        {%- do check.update({'name': name, 'source': entry.table}) -%}
        {%- do check.update({'scope': check.scope
            .replace('{min_labeled_count}', placeholders['{min_labeled_count}'])
            .replace('{labeled_models}', placeholders['{labeled_models}'])}) -%}
        {%- if check.get('noise_floor') in ['normal', 'gamma'] -%}{%- do check.update({'noise_shape': check.noise_floor}) -%}{%- endif -%}
        {%- do checks.append(check) -%}
    {%- endfor -%}
    {#- one check per custom metric name (models[].custom_metrics), judged on overall rows -#}
    {%- for name in modelwatch.custom_metric_names() -%}
        {%- set check = {'reference_size': 'null'} -%}
        {%- do check.update(catalog.tables.custom_metrics) -%}
        {%- do check.update({
            'name': modelwatch.custom_metric_check_name(name), 'value': 'metric_value', 'source': 'custom_metrics',
            'scope': "slice_key = '__all__' and metric_name = " ~ modelwatch.sql_string(name),
            'what': 'custom metric ' ~ name}) -%}
        {%- do checks.append(check) -%}
    {%- endfor -%}
    {{ return(checks) }}
{% endmacro %}


{% macro alert_dimensions() %}
    {#- Nullable subject columns of every observation (stored failures keep them). -#}
    {{ return(['model_version', 'feature_name', 'slice_key', 'slice_value', 'attribute_name']) }}
{% endmacro %}


{% macro alert_check(name) %}
    {%- for check in modelwatch.alert_checks() -%}
        {%- if check.name == name -%}{{ return(check) }}{%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("modelwatch: no alert check named '" ~ name ~ "'") }}
{% endmacro %}


{% macro alert_observation_select(check, relation, evidence, comparisons='null') %}
    {#-
        One check's observations from its table: the row shape evaluate_alerts reads (nulls are
        dropped by the caller). modelwatch__alert_observations unions these for every check;
        feature_drift for its own drift checks, to judge drift_severity as the alerts do.
    -#}
    select
        model_name,
        window_start,
        {{ modelwatch.window_end('window_start') }} as window_end,
        {{ modelwatch.sql_string(check.name) }} as check_name,
        {{ modelwatch.sql_string(check.category) }} as check_category,
        {%- for dim in modelwatch.alert_dimensions() %}
        cast({{ check.dims.get(dim, 'null') }} as {{ dbt.type_string() }}) as {{ dim }},
        {%- endfor %}
        cast({{ check.subject }} as {{ dbt.type_string() }}) as subject,
        cast({{ check.value }} as {{ modelwatch.type_double() }}) as observed_value,
        cast({{ modelwatch.sql_string(check.what) }} as {{ dbt.type_string() }}) as check_description,
        cast({{ check.sample_size }} as {{ dbt.type_bigint() }}) as sample_size,
        cast({{ check.reference_size }} as {{ dbt.type_bigint() }}) as reference_size,
        cast({{ check.get('bin_count', 'null') }} as {{ dbt.type_bigint() }}) as bin_count,
        cast({{ check.get('noise_mean', 'null') }} as {{ modelwatch.type_double() }}) as noise_mean,
        cast({{ check.get('noise_sd', 'null') }} as {{ modelwatch.type_double() }}) as noise_sd,
        cast({{ comparisons }} as {{ dbt.type_bigint() }}) as comparisons,
        {{ evidence }} as evidence
    from {{ relation }}
    where {{ check.scope }}
{%- endmacro %}
