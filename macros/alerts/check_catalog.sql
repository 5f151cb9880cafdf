{#-
    The one list of checks that can raise an alert: where each check's observed value lives,
    which rows it judges (scope), what names the subject, its category and, in plain words, what
    it watches (`what`: the run summary, the report and the messages say it). Label checks name
    their sampling noise (`noise_mean`, `noise_sd` columns of the source and the `noise_shape`
    of its distribution, macros/performance/noise.sql): the noise floor evaluate_alerts raises
    their static thresholds to; the prior checks give `noise_sd` alone (a two-proportion
    standard error, turned into a two-sided critical difference). int_modelwatch__alerts_observations
    unions these; the alert tests, the alerts table and alert_incidents evaluate them with one engine.
    Columns every source gives: model_name, window_start, window_end.
-#}

{% macro alert_checks() %}
    {#- models whose outcomes never come back are never judged on their labels' coverage or freshness -#}
    {%- set unlabeled = modelwatch.models_without_labels() -%}
    {%- set unlabeled_excluded = (' and not ' ~ modelwatch.model_in('model_name', unlabeled)) if unlabeled else '' -%}
    {%- set perf_scope = {
        'overall_labeled': "slice_key = '__all__' and labeled_count >= " ~ modelwatch.get_config().performance.min_labeled_count,
        'overall_predictions': "slice_key = '__all__' and prediction_count >= " ~ modelwatch.get_config().performance.min_labeled_count,
        'label_coverage_due': "slice_key = '__all__' and is_label_coverage_due" ~ unlabeled_excluded,
    } -%}
    {%- set drift = {
        'source': 'feature_drift', 'category': 'drift', 'scope': "segment_key = '__all__'",
        'dims': {'feature_name': 'feature_name'},
        'subject': 'feature_name',
        'sample_size': 'current_count', 'reference_size': 'reference_count',
        'evidence': 'drift', 'bin_count': 'bin_count',
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
    {%- set feed = {
        'source': 'feed_health', 'category': 'feed', 'scope': '1 = 1', 'dims': {},
        'subject': "'prediction log'", 'sample_size': 'request_count', 'reference_size': 'null',
        'evidence': 'feed',
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
        dict(drift, name='psi', value='psi', what='feature drift (PSI against the reference)'),
        dict(drift, name='js_distance', value='js_distance', what='feature drift (Jensen-Shannon distance)'),
        dict(drift, name='ks_statistic', value='ks_statistic', what='feature drift (Kolmogorov-Smirnov statistic)'),
        dict(drift, name='null_rate_increase', value='null_rate_increase', category='data_quality',
             what='more missing values than in the reference'),
        dict(drift, name='segment_psi', value='psi', scope="segment_key != '__all__'",
             dims={'feature_name': 'feature_name', 'slice_key': 'segment_key', 'slice_value': 'segment_value'},
             subject="feature_name || ' [' || segment_key || '=' || segment_value || ']'",
             what="feature drift within one segment (PSI against that segment's reference)"),
        dict(quality, name='type_error_rate', value='type_error_rate',
             what='feature values that are not numbers (an upstream type change)'),
        dict(quality, name='out_of_range_share', value='out_of_range_share',
             what="feature values outside the reference's range"),
        dict(quality, name='unseen_category_share', value='unseen_category_share',
             what='categories the reference never had'),
        dict(quality, name='rule_violation_share', value='rule_violation_share',
             what='feature values breaking their configured rules'),
        dict(prior, name='label_prior_shift', scope="prior_name = 'label'", subject="'label positive rate'",
             what='the share of positive outcomes moved'),
        dict(prior, name='prediction_prior_shift', scope="prior_name = 'prediction'", subject="'predicted positive rate'",
             what='the share of positive predictions moved'),
        {'name': 'drifted_feature_share', 'value': 'drifted_feature_share', 'source': 'dataset_drift',
         'category': 'drift', 'scope': '1 = 1', 'dims': {}, 'subject': "'features'",
         'sample_size': 'monitored_feature_count', 'reference_size': 'null', 'evidence': 'dataset_drift',
         'what': 'many features drifted at once'},
        {'name': 'quarantine_rate', 'value': 'quarantine_rate', 'source': 'input_quality',
         'category': 'data_quality', 'scope': '1 = 1', 'dims': {}, 'subject': "'input rows'",
         'sample_size': 'prediction_rows', 'reference_size': 'null', 'evidence': 'quality',
         'what': 'malformed input rows quarantined'},
        {'name': 'score_saturation_share', 'value': 'saturation_share', 'source': 'score_distribution',
         'category': 'drift', 'scope': '1 = 1', 'dims': {'model_version': 'model_version'},
         'subject': 'model_version', 'sample_size': 'prediction_count', 'reference_size': 'null',
         'evidence': 'none', 'what': 'scores piling up at 0 or 1'},
        dict(perf, name='roc_auc_drop', value='roc_auc_drop', scope=perf_scope.overall_labeled,
             what='ranking quality fell (ROC AUC below the baseline)',
             noise_mean='0', noise_sd='roc_auc_drop_noise_sd', noise_shape='normal'),
        dict(perf, name='brier_score_increase', value='brier_score_increase', scope=perf_scope.overall_labeled,
             what='probability error grew (Brier score above the baseline)',
             noise_mean='0', noise_sd='brier_score_increase_noise_sd', noise_shape='normal'),
        dict(perf, name='ece', value='ece', scope=perf_scope.overall_labeled, category='calibration',
             what='scores no longer match outcome rates (calibration error)',
             noise_mean='ece_noise_mean', noise_sd='ece_noise_sd', noise_shape='gamma'),
        dict(perf, name='estimated_roc_auc_drop', value='estimated_roc_auc_drop',
             scope=perf_scope.overall_predictions, sample_size='prediction_count',
             what='estimated ranking quality fell, before labels arrive',
             noise_mean='0', noise_sd='estimated_roc_auc_drop_noise_sd', noise_shape='normal'),
        dict(perf, name='label_coverage', value='label_coverage', scope=perf_scope.label_coverage_due,
             sample_size='prediction_count', what='too few predictions got their label'),
        dict(perf, name='rmse_increase', value='rmse_increase', scope=perf_scope.overall_labeled,
             what='regression error grew (RMSE above the baseline)',
             noise_mean='0', noise_sd='rmse_increase_noise_sd', noise_shape='normal'),
        dict(perf, name='mae_increase', value='mae_increase', scope=perf_scope.overall_labeled,
             what='regression error grew (MAE above the baseline)',
             noise_mean='0', noise_sd='mae_increase_noise_sd', noise_shape='normal'),
        dict(perf, name='bias', value='bias', scope=perf_scope.overall_labeled,
             what='predictions systematically too high or too low (mean error moved)',
             noise_mean='0', noise_sd='bias_noise_sd', noise_shape='normal'),
        dict(perf, name='macro_f1_drop', value='macro_f1_drop', scope=perf_scope.overall_labeled,
             what='multiclass quality fell (macro F1 below the baseline)',
             noise_mean='0', noise_sd='macro_f1_drop_noise_sd', noise_shape='normal'),
        {'name': 'class_prior_shift', 'value': 'psi', 'source': 'class_drift', 'category': 'drift',
         'scope': '1 = 1', 'dims': {'feature_name': 'distribution'}, 'subject': 'distribution',
         'sample_size': 'current_count', 'reference_size': 'reference_count', 'bin_count': 'class_count',
         'evidence': 'class_drift', 'what': 'the class mix of labels or predictions moved (PSI over the classes)'},
        dict(ops, name='latency_p95_ms', value='latency_p95_ms', what='slow responses (p95 latency)'),
        dict(ops, name='latency_p99_ms', value='latency_p99_ms', what='slow responses (p99 latency)'),
        dict(ops, name='error_rate', value='error_rate', what='failed requests'),
        dict(ops, name='cost_per_1k_usd', value='cost_per_1k_usd', what='serving cost per 1,000 predictions'),
        dict(feed, name='request_volume_drop', value='request_count', scope='request_count > 0',
             what='fewer requests than usual'),
        dict(feed, name='request_volume_spike', value='request_count', scope='request_count > 0',
             what='more requests than usual'),
        dict(feed, name='missing_window', value='case when is_missing_window then ' ~ modelwatch.double_literal(1) ~ ' else ' ~ modelwatch.double_literal(0) ~ ' end',
             what='no predictions logged in a window'),
        dict(feed, name='label_freshness_days', value='label_staleness_days', subject="'label feed'",
             sample_size='label_rows_arrived', scope='1 = 1' ~ unlabeled_excluded, what='no new labels arriving (days since the last one)'),
        dict(fairness, name='demographic_parity_ratio', value='demographic_parity_ratio_bound',
             what='selection rates differ between groups'),
        dict(fairness, name='equalized_odds_difference', value='equalized_odds_difference_bound',
             what='error rates differ between groups'),
        dict(fairness, name='calibration_gap', value='calibration_gap_bound',
             what='calibration differs between groups'),
        {'name': 'canary_rollback', 'value': "case when verdict = 'rollback' then " ~ modelwatch.double_literal(1) ~ " else " ~ modelwatch.double_literal(0) ~ " end",
         'source': 'canary_verdicts', 'category': 'comparison', 'scope': '1 = 1',
         'dims': {'model_version': 'canary_version'}, 'subject': 'canary_version',
         'sample_size': 'canary_requests', 'reference_size': 'control_requests', 'evidence': 'canary',
         'what': 'the canary does worse than the serving model: roll it back'},
        {'name': 'disagreement_rate', 'value': 'disagreement_rate', 'source': 'model_comparison',
         'category': 'comparison', 'scope': '1 = 1', 'dims': {'model_version': 'candidate_version'},
         'subject': 'candidate_version', 'sample_size': 'paired_count', 'reference_size': 'null',
         'evidence': 'comparison', 'what': 'challenger and champion disagree'},
    ] -%}
    {#- one check per custom metric name (models[].custom_metrics), judged on overall rows -#}
    {%- for name in modelwatch.custom_metric_names() -%}
        {%- do checks.append({
            'name': modelwatch.custom_metric_check_name(name), 'value': 'metric_value', 'source': 'custom_metrics',
            'category': 'custom', 'scope': "slice_key = '__all__' and metric_name = " ~ modelwatch.sql_string(name),
            'dims': {'model_version': 'model_version', 'slice_key': 'slice_key', 'slice_value': 'slice_value'},
            'subject': 'model_version', 'sample_size': 'prediction_count', 'reference_size': 'null',
            'evidence': 'custom_metric', 'what': 'custom metric ' ~ name}) -%}
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
