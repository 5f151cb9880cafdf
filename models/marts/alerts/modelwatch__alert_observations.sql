{#-
    Every observed value a check can judge, one row per (model, window, check, subject), from
    the contract tables (alert_checks lists them), with the check's plain-words description and,
for label checks, the statistic's mean and sd under sampling noise alone. Config-independent
apart from the scopes, so
    the alert tests can re-evaluate thresholds without rebuilding. Evidence is JSON text: for
    drift the bins contributing most PSI, for performance the label coverage behind the figure.
-#}
{%- set dims = modelwatch.alert_dimensions() -%}
{%- set evidence = {
    'performance': modelwatch.json_object([
        ('prediction_count', modelwatch.json_integer('prediction_count')),
        ('labeled_count', modelwatch.json_integer('labeled_count')),
        ('label_coverage', modelwatch.json_number('label_coverage')),
        ('is_final', modelwatch.json_bool('is_final')),
        ('roc_auc', modelwatch.json_number('roc_auc')),
        ('baseline_roc_auc', modelwatch.json_number('baseline_roc_auc')),
        ('estimated_roc_auc', modelwatch.json_number('estimated_roc_auc')),
        ('ece', modelwatch.json_number('ece')),
    ]),
    'operations': modelwatch.json_object([
        ('request_count', modelwatch.json_integer('request_count')),
        ('error_rate', modelwatch.json_number('error_rate')),
        ('latency_p50_ms', modelwatch.json_number('latency_p50_ms')),
        ('latency_p95_ms', modelwatch.json_number('latency_p95_ms')),
        ('cost_per_1k_usd', modelwatch.json_number('cost_per_1k_usd')),
    ]),
    'quality': modelwatch.json_object([
        ('prediction_rows', modelwatch.json_integer('prediction_rows')),
        ('quarantined_prediction_rows', modelwatch.json_integer('quarantined_prediction_rows')),
        ('label_rows', modelwatch.json_integer('label_rows')),
        ('quarantined_label_rows', modelwatch.json_integer('quarantined_label_rows')),
    ]),
    'canary': modelwatch.json_object([
        ('control_version', modelwatch.json_string('control_version')),
        ('verdict', modelwatch.json_string('verdict')),
        ('reasons', modelwatch.json_string('reasons')),
        ('error_rate_diff', modelwatch.json_number('error_rate_diff')),
        ('roc_auc_diff', modelwatch.json_number('roc_auc_diff')),
    ]),
    'comparison': modelwatch.json_object([
        ('baseline_version', modelwatch.json_string('baseline_version')),
        ('paired_count', modelwatch.json_integer('paired_count')),
        ('mean_abs_score_diff', modelwatch.json_number('mean_abs_score_diff')),
    ]),
    'fairness': modelwatch.json_object([
        ('groups_compared', modelwatch.json_string('groups_compared')),
        ('groups_below_minimum', modelwatch.json_string('groups_below_minimum')),
        ('min_selection_rate', modelwatch.json_number('min_selection_rate')),
        ('max_selection_rate', modelwatch.json_number('max_selection_rate')),
        ('demographic_parity_ratio', modelwatch.json_number('demographic_parity_ratio')),
        ('equalized_odds_difference', modelwatch.json_number('equalized_odds_difference')),
        ('worst_group_ece', modelwatch.json_number('worst_group_ece')),
        ('best_group_ece', modelwatch.json_number('best_group_ece')),
        ('auc_gap', modelwatch.json_number('auc_gap')),
    ]),
    'feature_quality': modelwatch.json_object([
        ('row_count', modelwatch.json_integer('row_count')),
        ('type_error_count', modelwatch.json_integer('type_error_count')),
        ('null_count', modelwatch.json_integer('null_count')),
        ('reference_min', modelwatch.json_number('reference_min')),
        ('reference_max', modelwatch.json_number('reference_max')),
        ('out_of_range_count', modelwatch.json_integer('out_of_range_count')),
        ('unseen_category_count', modelwatch.json_integer('unseen_category_count')),
        ('not_null_violations', modelwatch.json_integer('not_null_violations')),
        ('min_violations', modelwatch.json_integer('min_violations')),
        ('max_violations', modelwatch.json_integer('max_violations')),
        ('allowed_values_violations', modelwatch.json_integer('allowed_values_violations')),
    ]),
    'prior': modelwatch.json_object([
        ('baseline_rate', modelwatch.json_number('baseline_rate')),
        ('current_rate', modelwatch.json_number('current_rate')),
        ('baseline_count', modelwatch.json_integer('baseline_count')),
        ('current_count', modelwatch.json_integer('current_count')),
        ('z_statistic', modelwatch.json_number('z_statistic')),
        ('p_value', modelwatch.json_number('p_value')),
    ]),
    'dataset_drift': modelwatch.json_object([
        ('monitored_feature_count', modelwatch.json_integer('monitored_feature_count')),
        ('drifted_feature_count', modelwatch.json_integer('drifted_feature_count')),
        ('drifted_features', modelwatch.json_string('drifted_features')),
    ]),
    'custom_metric': modelwatch.json_object([
        ('metric_name', modelwatch.json_string('metric_name')),
        ('metric_value', modelwatch.json_number('metric_value')),
        ('prediction_count', modelwatch.json_integer('prediction_count')),
        ('labeled_count', modelwatch.json_integer('labeled_count')),
    ]),
    'feed': modelwatch.json_object([
        ('request_count', modelwatch.json_integer('request_count')),
        ('label_rows_arrived', modelwatch.json_integer('label_rows_arrived')),
        ('last_labeled_at', modelwatch.json_string('cast(last_labeled_at as ' ~ dbt.type_string() ~ ')')),
        ('as_of', modelwatch.json_string('cast(as_of as ' ~ dbt.type_string() ~ ')')),
    ]),
    'class_drift': modelwatch.json_object([
        ('current_count', modelwatch.json_integer('current_count')),
        ('reference_count', modelwatch.json_integer('reference_count')),
        ('js_distance', modelwatch.json_number('js_distance')),
        ('chi2_statistic', modelwatch.json_number('chi2_statistic')),
        ('chi2_dof', modelwatch.json_integer('chi2_dof')),
    ]),
    'none': "'{}'",
} -%}

{#-
    A run that builds some tables only (modelwatch run --jobs, dbt --select) judges the checks
    of the tables it builds and of those already in the warehouse; a table neither built nor
    present (a job never run) has no checks to judge.
-#}
{%- set checks = [] -%}
{%- for check in modelwatch.alert_checks() -%}
    {%- if not execute or ('model.modelwatch.modelwatch__' ~ check.source) in selected_resources
        or load_relation(ref('modelwatch__' ~ check.source)) is not none -%}
        {%- do checks.append(check) -%}
    {%- endif -%}
{%- endfor -%}
{%- if not checks -%}
    {#- nothing built or present (a compile or lint before any build): every check -#}
    {%- set checks = modelwatch.alert_checks() -%}
{%- endif -%}
{%- set with_drift = checks | selectattr('source', 'equalto', 'feature_drift') | list | length > 0 -%}
{%- set drift_evidence = [
    ('top_psi_bins', "'[' || coalesce(t.bins_json, '') || ']'"),
    ('reference_count', modelwatch.json_integer('d.reference_count')),
    ('current_count', modelwatch.json_integer('d.current_count')),
    ('null_rate_reference', modelwatch.json_number('d.null_rate_reference')),
    ('null_rate_current', modelwatch.json_number('d.null_rate_current')),
] -%}
{%- if modelwatch.feature_names('segments') -%}
    {#- overall rows name the segment values driving them (null on segment rows) -#}
    {%- do drift_evidence.append(('top_segments', "case when d.segment_key = '__all__' then '[' || coalesce(g.segments_json, '') || ']' else 'null' end")) -%}
{%- endif -%}

with

{% if with_drift -%}
top_bins as (

    select
        c.model_name,
        c.window_start,
        c.feature_name,
        c.segment_key,
        c.segment_value,
        {{ modelwatch.ordered_listagg(
            modelwatch.json_object([
                ('bin', modelwatch.json_integer('c.bin_index')),
                ('bin_label', modelwatch.json_string(
                    "coalesce(r.category, case when r.is_null_bin then '__null__' else '['
                    || coalesce(" ~ modelwatch.number_text('r.lower_bound') ~ ", '-inf') || ', '
                    || coalesce(" ~ modelwatch.number_text('r.upper_bound') ~ ", '+inf') || ')' end)")),
                ('reference_proportion', modelwatch.json_number('c.reference_proportion')),
                ('current_proportion', modelwatch.json_number('c.current_proportion')),
                ('psi_contribution', modelwatch.json_number('c.psi_contribution')),
            ]),
            "','",
            'order by c.psi_contribution desc, c.bin_index asc',
        ) }} as bins_json
    from (
        select
            *,
            row_number() over (
                partition by model_name, window_start, feature_name, segment_key, segment_value
                order by psi_contribution desc, bin_index asc
            ) as contribution_rank
        from {{ ref('modelwatch__feature_bin_counts') }}
    ) as c
    left join {{ ref('int_modelwatch__reference_bins') }} as r
        on c.model_name = r.model_name
        and c.feature_name = r.feature_name
        and c.bin_index = r.bin_index
    where c.contribution_rank <= 3
    group by c.model_name, c.window_start, c.feature_name, c.segment_key, c.segment_value

),

{% if modelwatch.feature_names('segments') -%}
top_segments as (

    {#- the drift segment values with the highest PSI: is it only one region, one device? -#}
    select
        s.model_name,
        s.window_start,
        s.feature_name,
        {{ modelwatch.ordered_listagg(
            modelwatch.json_object([
                ('segment', modelwatch.json_string("s.segment_key || '=' || s.segment_value")),
                ('psi', modelwatch.json_number('s.psi')),
                ('current_count', modelwatch.json_integer('s.current_count')),
                ('drift_severity', modelwatch.json_string('s.drift_severity')),
            ]),
            "','",
            'order by s.psi desc, s.segment_key asc, s.segment_value asc',
        ) }} as segments_json
    from (
        select
            *,
            row_number() over (
                partition by model_name, window_start, feature_name
                order by psi desc, segment_key asc, segment_value asc
            ) as segment_rank
        from {{ ref('modelwatch__feature_drift') }}
        where segment_key != '__all__' and psi is not null
    ) as s
    where s.segment_rank <= 3
    group by s.model_name, s.window_start, s.feature_name

),
{%- endif %}

bin_counts as (

    select
        model_name,
        feature_name,
        count(*) as bin_count
    from {{ ref('int_modelwatch__reference_bins') }}
    group by model_name, feature_name

),

drift_source as (

    select
        d.*,
        b.bin_count,
        -- how many values of the segment column the window has: judged together (segment_psi)
        case when d.segment_key = '__all__' then 1 else count(*) over (
            partition by d.model_name, d.window_start, d.feature_name, d.segment_key
        ) end as comparisons,
        {{ modelwatch.json_object(drift_evidence) }} as evidence
    from {{ ref('modelwatch__feature_drift') }} as d
    left join top_bins as t
        on d.model_name = t.model_name
        and d.window_start = t.window_start
        and d.feature_name = t.feature_name
        and d.segment_key = t.segment_key
        and d.segment_value = t.segment_value
    {%- if modelwatch.feature_names('segments') %}
    left join top_segments as g
        on d.model_name = g.model_name
        and d.window_start = g.window_start
        and d.feature_name = g.feature_name
        and d.segment_key = '__all__'
    {%- endif %}
    left join bin_counts as b
        on d.model_name = b.model_name
        and d.feature_name = b.feature_name

),
{%- endif %}

unioned as (

    {%- for check in checks %}
    {%- if not loop.first %}

    union all
    {% endif %}

    {{ modelwatch.alert_observation_select(
        check,
        'drift_source' if check.source == 'feature_drift' else ref('modelwatch__' ~ check.source),
        'evidence' if check.evidence == 'drift' else evidence[check.evidence],
        'comparisons' if check.source == 'feature_drift' else 'null'
    ) }}
    {%- endfor %}

),

final as (

    select * from unioned
    where observed_value is not null

)

select * from final
