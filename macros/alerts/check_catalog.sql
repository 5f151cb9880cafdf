{#-
    The one list of checks that can raise an alert: where each check's observed value lives,
    which rows it judges (scope), what names the subject, and its category. int_modelwatch__alerts_observations
    unions these; the alert tests and the alerts table evaluate them with one engine.
    Columns every source gives: model_name, window_start, window_end. noise_sd (optional): the
    standard error under no change, for checks whose noise floor is a z critical value.
-#}

{% macro alert_checks() %}
    {%- set perf_scope = {
        'overall_labeled': "slice_key = '__all__' and labeled_count >= " ~ modelwatch.get_config().performance.min_labeled_count,
        'overall_predictions': "slice_key = '__all__' and prediction_count >= " ~ modelwatch.get_config().performance.min_labeled_count,
        'label_coverage_due': "slice_key = '__all__' and is_label_coverage_due",
    } -%}
    {%- set drift = {
        'source': 'feature_drift', 'category': 'drift', 'scope': "segment_key = '__all__'",
        'dims': {'feature_name': 'feature_name'},
        'subject': 'feature_name',
        'sample_size': 'current_count', 'reference_size': 'reference_count',
        'evidence': 'drift',
    } -%}
    {%- set perf = {
        'source': 'model_performance', 'category': 'performance',
        'dims': {'model_version': 'model_version', 'slice_key': 'slice_key', 'slice_value': 'slice_value'},
        'subject': 'model_version',
        'sample_size': 'labeled_count', 'reference_size': 'null',
        'evidence': 'performance',
    } -%}
    {%- set ops = {
        'source': 'operational_metrics', 'category': 'operations', 'scope': '1 = 1',
        'dims': {'model_version': 'model_version'},
        'subject': 'model_version',
        'sample_size': 'request_count', 'reference_size': 'null',
        'evidence': 'operations',
    } -%}
    {%- set fairness = {
        'source': 'fairness_parity', 'category': 'fairness', 'scope': '1 = 1',
        'dims': {'attribute_name': 'attribute_name'}, 'subject': 'attribute_name',
        'sample_size': 'sufficient_group_count', 'reference_size': 'null', 'evidence': 'fairness',
    } -%}
    {%- set quality = {
        'source': 'feature_quality', 'category': 'data_quality', 'scope': '1 = 1',
        'dims': {'feature_name': 'feature_name'}, 'subject': 'feature_name',
        'sample_size': 'row_count', 'reference_size': 'null', 'evidence': 'feature_quality',
    } -%}
    {%- set prior = {
        'source': 'prior_drift', 'category': 'drift', 'value': 'abs_rate_difference',
        'dims': {}, 'sample_size': 'current_count', 'reference_size': 'baseline_count',
        'noise_sd': 'standard_error', 'evidence': 'prior',
    } -%}
    {%- set checks = [
        dict(drift, name='psi', value='psi'),
        dict(drift, name='js_distance', value='js_distance'),
        dict(drift, name='ks_statistic', value='ks_statistic'),
        dict(drift, name='null_rate_increase', value='null_rate_increase', category='data_quality'),
        dict(drift, name='segment_psi', value='psi', scope="segment_key != '__all__'",
             dims={'feature_name': 'feature_name', 'slice_key': 'segment_key', 'slice_value': 'segment_value'},
             subject="feature_name || ' [' || segment_key || '=' || segment_value || ']'"),
        dict(quality, name='type_error_rate', value='type_error_rate'),
        dict(quality, name='out_of_range_share', value='out_of_range_share'),
        dict(quality, name='unseen_category_share', value='unseen_category_share'),
        dict(quality, name='rule_violation_share', value='rule_violation_share'),
        dict(prior, name='label_prior_shift', scope="prior_name = 'label'", subject="'label positive rate'"),
        dict(prior, name='prediction_prior_shift', scope="prior_name = 'prediction'", subject="'predicted positive rate'"),
        {'name': 'drifted_feature_share', 'value': 'drifted_feature_share', 'source': 'dataset_drift',
         'category': 'drift', 'scope': '1 = 1', 'dims': {}, 'subject': "'features'",
         'sample_size': 'monitored_feature_count', 'reference_size': 'null', 'evidence': 'dataset_drift'},
        {'name': 'quarantine_rate', 'value': 'quarantine_rate', 'source': 'input_quality',
         'category': 'data_quality', 'scope': '1 = 1', 'dims': {}, 'subject': "'input rows'",
         'sample_size': 'prediction_rows', 'reference_size': 'null', 'evidence': 'quality'},
        {'name': 'score_saturation_share', 'value': 'saturation_share', 'source': 'score_distribution',
         'category': 'drift', 'scope': '1 = 1', 'dims': {'model_version': 'model_version'},
         'subject': 'model_version', 'sample_size': 'prediction_count', 'reference_size': 'null',
         'evidence': 'none'},
        dict(perf, name='roc_auc_drop', value='roc_auc_drop', scope=perf_scope.overall_labeled),
        dict(perf, name='brier_score_increase', value='brier_score_increase', scope=perf_scope.overall_labeled),
        dict(perf, name='ece', value='ece', scope=perf_scope.overall_labeled, category='calibration'),
        dict(perf, name='estimated_roc_auc_drop', value='estimated_roc_auc_drop',
             scope=perf_scope.overall_predictions, sample_size='prediction_count'),
        dict(perf, name='label_coverage', value='label_coverage', scope=perf_scope.label_coverage_due,
             sample_size='prediction_count'),
        dict(ops, name='latency_p95_ms', value='latency_p95_ms'),
        dict(ops, name='latency_p99_ms', value='latency_p99_ms'),
        dict(ops, name='error_rate', value='error_rate'),
        dict(ops, name='cost_per_1k_usd', value='cost_per_1k_usd'),
        dict(fairness, name='demographic_parity_ratio', value='demographic_parity_ratio_bound'),
        dict(fairness, name='equalized_odds_difference', value='equalized_odds_difference_bound'),
        dict(fairness, name='calibration_gap', value='calibration_gap_bound'),
        {'name': 'canary_rollback', 'value': "case when verdict = 'rollback' then 1.0 else 0.0 end",
         'source': 'canary_verdicts', 'category': 'comparison', 'scope': '1 = 1',
         'dims': {'model_version': 'canary_version'}, 'subject': 'canary_version',
         'sample_size': 'canary_requests', 'reference_size': 'control_requests', 'evidence': 'canary'},
        {'name': 'disagreement_rate', 'value': 'disagreement_rate', 'source': 'model_comparison',
         'category': 'comparison', 'scope': '1 = 1', 'dims': {'model_version': 'candidate_version'},
         'subject': 'candidate_version', 'sample_size': 'paired_count', 'reference_size': 'null',
         'evidence': 'comparison'},
    ] -%}
    {#- one check per custom metric name (models[].custom_metrics), judged on overall rows -#}
    {%- for name in modelwatch.custom_metric_names() -%}
        {%- do checks.append({
            'name': modelwatch.custom_metric_check_name(name), 'value': 'metric_value', 'source': 'custom_metrics',
            'category': 'custom', 'scope': "slice_key = '__all__' and metric_name = " ~ modelwatch.sql_string(name),
            'dims': {'model_version': 'model_version', 'slice_key': 'slice_key', 'slice_value': 'slice_value'},
            'subject': 'model_version', 'sample_size': 'prediction_count', 'reference_size': 'null',
            'evidence': 'custom_metric'}) -%}
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
