{#-
    One row per model, window and monitored feature (the model score included, as 'score'):
    PSI, Jensen-Shannon distance, KS (numeric) and chi-square (categorical) with p-values, null
    rates and the drift severity from the configured static thresholds, each raised to the
    sampling-noise floor for the window's size where the check has one (noise_floor_sql).
    Overall rows have segment_key = segment_value = '__all__'; drift.segments adds a row per
    segment value (the noise floor uses the segment's own sizes, so small segments need a
    larger shift to count).
    P-values come from SQL (int_modelwatch__feature_drift_p_values); where the opt-in Python
    models run, their exact scipy values take precedence.
-#}
{%- set with_exact = modelwatch.python_models_enabled() -%}

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
        {{ modelwatch.severity_sql([
            ('psi', 'psi', modelwatch.noise_floor_sql('psi', 'current_count', 'reference_count', 'bin_count')),
            ('js_distance', 'js_distance', modelwatch.noise_floor_sql('js_distance', 'current_count', 'reference_count', 'bin_count')),
            ('ks_statistic', 'ks_statistic', modelwatch.noise_floor_sql('ks_statistic', 'current_count', 'reference_count', 'bin_count')),
            ('null_rate_increase', 'null_rate_increase'),
        ]) }} as drift_severity,
        -- the distribution moved beyond noise (psi, js_distance, ks_statistic; not the null rate):
        -- what dataset_drift counts
        {{ modelwatch.severity_sql([
            ('psi', 'psi', modelwatch.noise_floor_sql('psi', 'current_count', 'reference_count', 'bin_count')),
            ('js_distance', 'js_distance', modelwatch.noise_floor_sql('js_distance', 'current_count', 'reference_count', 'bin_count')),
            ('ks_statistic', 'ks_statistic', modelwatch.noise_floor_sql('ks_statistic', 'current_count', 'reference_count', 'bin_count')),
        ]) }} != 'ok' as is_drifted
    from joined

)

select * from final
