{#-
    One row per model, window and monitored feature (the model score included, as 'score'):
    PSI, Jensen-Shannon distance, KS (numeric) and chi-square (categorical) with p-values and
    null rates. drift_severity is the alerts' own judgement: the row's drift checks (psi,
    js_distance, ks_statistic, null_rate_increase on overall rows; segment_psi on segment rows)
    run through evaluate_alerts, the engine of the alerts table, and the worst severity is kept,
    so dynamic or persistence thresholds and noise floors apply here exactly as in `alerts`.
    is_drifted (what dataset_drift counts) is the distribution statistics beyond their static
    thresholds raised to the noise floor, as before.
    Overall rows have segment_key = segment_value = '__all__'; drift.segments adds a row per
    segment value (the noise floor uses the segment's own sizes, so small segments need a
    larger shift to count).
    P-values come from SQL (int_modelwatch__feature_drift_p_values); where the opt-in Python
    models run, their exact scipy values take precedence.
-#}
{%- set with_exact = modelwatch.python_models_enabled() -%}
{%- set drift_checks = modelwatch.alert_checks() | selectattr('source', 'equalto', 'feature_drift') | list -%}

with

statistics as (

    select * from {{ ref('int_modelwatch__feature_drift_statistics') }}

),

p_values as (

    select * from {{ ref('int_modelwatch__feature_drift_p_values') }}

),

{% if with_exact -%}
exact_p_values as (

    select * from {{ ref('int_modelwatch__feature_drift_p_values_exact') }}

),
{%- endif %}

bin_counts as (

    select
        model_name,
        feature_name,
        count(*) as bin_count
    from {{ ref('modelwatch__reference_bins') }}
    group by model_name, feature_name

),

joined as (

    select
        s.*,
        b.bin_count,
        {%- if with_exact %}
        coalesce(x.ks_p_value, p.ks_p_value) as ks_p_value,
        coalesce(x.chi2_p_value, p.chi2_p_value) as chi2_p_value
        {%- else %}
        p.ks_p_value,
        p.chi2_p_value
        {%- endif %}
    from statistics as s
    left join bin_counts as b
        on s.model_name = b.model_name and s.feature_name = b.feature_name
    left join p_values as p
        on s.model_name = p.model_name and s.window_start = p.window_start and s.feature_name = p.feature_name
        and s.segment_key = p.segment_key and s.segment_value = p.segment_value
    {%- if with_exact %}
    left join exact_p_values as x
        on s.model_name = x.model_name and s.window_start = x.window_start and s.feature_name = x.feature_name
        and s.segment_key = x.segment_key and s.segment_value = x.segment_value
    {%- endif %}

),

compared as (

    select
        *,
        -- how many values of the segment column the window has: judged together (segment_psi)
        case when segment_key = '__all__' then 1 else count(*) over (
            partition by model_name, window_start, feature_name, segment_key
        ) end as comparisons
    from joined

),

drift_observations as (

    {#- the observations modelwatch__alert_observations makes of this table's drift checks -#}
    select * from (
        {%- for check in drift_checks %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        {{ modelwatch.alert_observation_select(check, 'compared', 'cast(null as ' ~ dbt.type_string() ~ ')', 'comparisons') }}
        {%- endfor %}
    ) as unioned
    where observed_value is not null

),

judged as (

    {{ modelwatch.evaluate_alerts('drift_observations', drift_checks | map(attribute='name') | list) }}

),

row_severity as (

    select
        model_name,
        window_start,
        feature_name,
        coalesce(slice_key, '__all__') as segment_key,
        coalesce(slice_value, '__all__') as segment_value,
        max(case severity when 'error' then 2 when 'warn' then 1 else 0 end) as severity_level
    from judged
    group by model_name, window_start, feature_name, coalesce(slice_key, '__all__'), coalesce(slice_value, '__all__')

),

with_severity as (

    select
        j.*,
        coalesce(r.severity_level, 0) as severity_level
    from joined as j
    left join row_severity as r
        on j.model_name = r.model_name
        and j.window_start = r.window_start
        and j.feature_name = r.feature_name
        and j.segment_key = r.segment_key
        and j.segment_value = r.segment_value

),

final as (

    select
        model_name,
        window_start,
        feature_name,
        segment_key,
        segment_value,
        feature_type,
        {{ modelwatch.window_end('window_start') }} as window_end,
        reference_count,
        current_count,
        null_rate_reference,
        null_rate_current,
        null_rate_increase,
        psi,
        js_distance,
        ks_statistic,
        ks_p_value,
        chi2_statistic,
        chi2_dof,
        chi2_p_value,
        case severity_level when 2 then 'error' when 1 then 'warn' else 'ok' end as drift_severity,
        -- the distribution moved beyond noise (psi, js_distance, ks_statistic; not the null rate):
        -- what dataset_drift counts
        {{ modelwatch.severity_sql([
            ('psi', 'psi', modelwatch.noise_floor_sql('psi', 'current_count', 'reference_count', 'bin_count')),
            ('js_distance', 'js_distance', modelwatch.noise_floor_sql('js_distance', 'current_count', 'reference_count', 'bin_count')),
            ('ks_statistic', 'ks_statistic', modelwatch.noise_floor_sql('ks_statistic', 'current_count', 'reference_count', 'bin_count')),
        ]) }} != 'ok' as is_drifted
    from with_severity

)

select * from final
