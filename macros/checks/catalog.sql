{#-
    The check catalog: every built-in check, once, as data. Everything else reads it: the config
    defaults and their validation (settings.sql), the observations (alert_checks), the noise
    floors and the engine (macros/alerts/), the retraining recommendations' default signal
    lists (stated in config_schema.sql, tested against `recommendation` here), and, through python/modelwatch/checks.py, which reads this same YAML text, the alert
    tests in models/marts/alerts/_alerts__models.yml and the README's checks table (both checked
    by python/tests/test_checks.py). Adding a check = one entry here + the column it judges.
    The text between the markers is plain YAML (no Jinja), so Python can read it too. Its length
    is data, not logic: about ten lines per check, 37 checks, one file so they read as a table.

    defaults: the threshold-kind settings every check starts from (see macros/alerts/kinds/).
    tables: what a check on that table shares: job (the `modelwatch run --jobs` job and the alert
      tests' tag), category, scope (SQL: which rows are judged), dims (alert dimension: column),
      subject (SQL naming what is judged), sample_size / reference_size / bin_count (columns the
      noise floor reads), evidence (key of modelwatch__alert_observations' evidence JSON),
      test_subject_columns (the alert tests' subject columns where not model_name, the version
      dimension, window_start and the other dims).
    checks: per check, its table and column (`value`, SQL), direction (which side is bad), warn /
      error (null: level off), kind (default static), kinds (the threshold kinds it allows),
      noise_floor (the sampling-noise statistic its static thresholds are raised to: psi,
      psi_per_segment, js_distance, ks_statistic, proportion_difference, or normal / gamma over
      its noise_mean / noise_sd columns), recommendation (the retraining signal it feeds: drift,
      performance, calibration, bug), runbook_url (default), what (plain words) and doc (the
      README table's "table.column" cell). Any table key can be overridden per check.
    Scopes may name {min_labeled_count} (performance.min_labeled_count) and {labeled_models}
    (excludes models configured without labels).
-#}

{% macro check_catalog() %}
    {#- parsed once per invocation: config validation alone asks for it once per check -#}
    {%- set memo = modelwatch.invocation_memo() -%}
    {%- if '__modelwatch_check_catalog' not in memo -%}
        {%- do memo.update({'__modelwatch_check_catalog': fromyaml(modelwatch.check_catalog_yaml())}) -%}
    {%- endif -%}
    {{ return(memo['__modelwatch_check_catalog']) }}
{% endmacro %}


{% macro check_catalog_yaml() %}
{%- set text -%}
# BEGIN check catalog
defaults:
  kind: static
  kinds: [static, dynamic, persistence]
  lookback_windows: 14
  min_windows: 7
  warn_sigma: 3
  error_sigma: 4
  persist_windows: 3
  persist_min_breaches: 2
  direction: above
  runbook_url: null

tables:
  feature_drift:
    job: drift
    category: drift
    scope: "segment_key = '__all__'"
    dims: {feature_name: feature_name}
    subject: feature_name
    sample_size: current_count
    reference_size: reference_count
    bin_count: bin_count
    evidence: drift
  feature_quality:
    job: quality
    category: data_quality
    scope: "1 = 1"
    dims: {feature_name: feature_name}
    subject: feature_name
    sample_size: row_count
    evidence: feature_quality
  prior_drift:
    job: drift
    category: drift
    dims: {}
    sample_size: current_count
    reference_size: baseline_count
    noise_sd: standard_error
    evidence: prior
  dataset_drift:
    job: drift
    category: drift
    scope: "1 = 1"
    dims: {}
    subject: "'features'"
    sample_size: monitored_feature_count
    evidence: dataset_drift
  input_quality:
    job: quality
    category: data_quality
    scope: "1 = 1"
    dims: {}
    subject: "'input rows'"
    sample_size: prediction_rows
    evidence: quality
  score_distribution:
    job: drift
    category: drift
    scope: "1 = 1"
    dims: {model_version: model_version}
    subject: model_version
    sample_size: prediction_count
    evidence: none
  model_performance:
    job: performance
    category: performance
    scope: "slice_key = '__all__' and labeled_count >= {min_labeled_count}"
    dims: {model_version: model_version, slice_key: slice_key, slice_value: slice_value}
    subject: model_version
    sample_size: labeled_count
    evidence: performance
  class_drift:
    job: drift
    category: drift
    scope: "1 = 1"
    dims: {feature_name: distribution}
    subject: distribution
    sample_size: current_count
    reference_size: reference_count
    bin_count: class_count
    evidence: class_drift
  operational_metrics:
    job: operations
    category: operations
    scope: "1 = 1"
    dims: {model_version: model_version}
    subject: model_version
    sample_size: request_count
    evidence: operations
  feed_health:
    job: operations
    category: feed
    scope: "1 = 1"
    dims: {}
    subject: "'prediction log'"
    sample_size: request_count
    evidence: feed
  fairness_parity:
    job: fairness
    category: fairness
    scope: "1 = 1"
    dims: {attribute_name: attribute_name}
    subject: attribute_name
    sample_size: sufficient_group_count
    evidence: fairness
  canary_verdicts:
    job: operations
    category: comparison
    scope: "1 = 1"
    dims: {model_version: canary_version}
    subject: canary_version
    sample_size: canary_requests
    reference_size: control_requests
    evidence: canary
  model_comparison:
    job: operations
    category: comparison
    scope: "1 = 1"
    dims: {model_version: candidate_version}
    subject: candidate_version
    sample_size: paired_count
    evidence: comparison
  custom_metrics:
    job: performance
    category: custom
    test_subject_columns: [model_name, model_version, window_start]
    dims: {model_version: model_version, slice_key: slice_key, slice_value: slice_value}
    subject: model_version
    sample_size: prediction_count
    evidence: custom_metric

checks:
  psi:
    table: feature_drift
    value: psi
    warn: 0.1
    error: 0.25
    noise_floor: psi
    recommendation: drift
    what: feature drift (PSI against the reference)
    doc: feature_drift.psi
  js_distance:
    table: feature_drift
    value: js_distance
    warn: null
    error: null
    noise_floor: js_distance
    what: feature drift (Jensen-Shannon distance)
    doc: feature_drift.js_distance
  ks_statistic:
    table: feature_drift
    value: ks_statistic
    warn: null
    error: null
    noise_floor: ks_statistic
    what: feature drift (Kolmogorov-Smirnov statistic)
    doc: feature_drift.ks_statistic
  null_rate_increase:
    table: feature_drift
    value: null_rate_increase
    category: data_quality
    warn: 0.05
    error: 0.2
    recommendation: bug
    what: more missing values than in the reference
    doc: feature_drift.null_rate_increase
  segment_psi:
    table: feature_drift
    value: psi
    scope: "segment_key != '__all__'"
    dims: {feature_name: feature_name, slice_key: segment_key, slice_value: segment_value}
    subject: "feature_name || ' [' || segment_key || '=' || segment_value || ']'"
    warn: 0.1
    error: 0.25
    noise_floor: psi_per_segment
    what: feature drift within one segment (PSI against that segment's reference)
    doc: "feature_drift.psi of segment rows (`drift.segments`; noise floor on, Bonferroni over the column's values)"
  type_error_rate:
    table: feature_quality
    value: type_error_rate
    warn: 0.001
    error: 0.01
    recommendation: bug
    what: feature values that are not numbers (an upstream type change)
    doc: feature_quality.type_error_rate (values that do not cast)
  out_of_range_share:
    table: feature_quality
    value: out_of_range_share
    warn: 0.01
    error: 0.05
    what: feature values outside the reference's range
    doc: feature_quality.out_of_range_share (outside the reference's min–max)
  unseen_category_share:
    table: feature_quality
    value: unseen_category_share
    warn: 0.01
    error: 0.05
    what: categories the reference never had
    doc: feature_quality.unseen_category_share
  rule_violation_share:
    table: feature_quality
    value: rule_violation_share
    warn: 0.001
    error: 0.01
    recommendation: bug
    what: feature values breaking their configured rules
    doc: "feature_quality.rule_violation_share (`models[].rules`)"
  label_prior_shift:
    table: prior_drift
    value: abs_rate_difference
    scope: "prior_name = 'label'"
    subject: "'label positive rate'"
    warn: 0.05
    error: 0.1
    noise_floor: proportion_difference
    what: the share of positive outcomes moved
    doc: prior_drift.abs_rate_difference, label (two-proportion noise floor on)
  prediction_prior_shift:
    table: prior_drift
    value: abs_rate_difference
    scope: "prior_name = 'prediction'"
    subject: "'predicted positive rate'"
    warn: 0.05
    error: 0.1
    noise_floor: proportion_difference
    what: the share of positive predictions moved
    doc: prior_drift.abs_rate_difference, prediction (noise floor on)
  drifted_feature_share:
    table: dataset_drift
    value: drifted_feature_share
    warn: 0.3
    error: 0.5
    what: many features drifted at once
    doc: dataset_drift.drifted_feature_share
  quarantine_rate:
    table: input_quality
    value: quarantine_rate
    warn: 0.01
    error: 0.05
    recommendation: bug
    what: malformed input rows quarantined
    doc: input_quality.quarantine_rate
  score_saturation_share:
    table: score_distribution
    value: saturation_share
    warn: null
    error: null
    what: scores piling up at 0 or 1
    doc: score_distribution.saturation_share
  roc_auc_drop:
    table: model_performance
    value: roc_auc_drop
    warn: 0.05
    error: 0.1
    noise_floor: normal
    noise_mean: "0"
    noise_sd: roc_auc_drop_noise_sd
    recommendation: performance
    what: ranking quality fell (ROC AUC below the baseline)
    doc: model_performance.roc_auc_drop (baseline − window)
  brier_score_increase:
    table: model_performance
    value: brier_score_increase
    warn: 0.02
    error: 0.05
    noise_floor: normal
    noise_mean: "0"
    noise_sd: brier_score_increase_noise_sd
    recommendation: calibration
    what: probability error grew (Brier score above the baseline)
    doc: model_performance.brier_score_increase (window − baseline)
  ece:
    table: model_performance
    value: ece
    category: calibration
    warn: 0.05
    error: 0.1
    noise_floor: gamma
    noise_mean: ece_noise_mean
    noise_sd: ece_noise_sd
    recommendation: calibration
    what: scores no longer match outcome rates (calibration error)
    doc: model_performance.ece
  estimated_roc_auc_drop:
    table: model_performance
    value: estimated_roc_auc_drop
    scope: "slice_key = '__all__' and prediction_count >= {min_labeled_count}"
    sample_size: prediction_count
    warn: 0.05
    error: 0.1
    noise_floor: normal
    noise_mean: "0"
    noise_sd: estimated_roc_auc_drop_noise_sd
    recommendation: performance
    what: estimated ranking quality fell, before labels arrive
    doc: model_performance.estimated_roc_auc_drop (baseline − CBPE estimate)
  label_coverage:
    table: model_performance
    value: label_coverage
    scope: "slice_key = '__all__' and is_label_coverage_due{labeled_models}"
    sample_size: prediction_count
    direction: below
    warn: 0.5
    error: 0.2
    what: too few predictions got their label
    doc: model_performance.label_coverage
  rmse_increase:
    table: model_performance
    value: rmse_increase
    warn: 0.1
    error: 0.25
    noise_floor: normal
    noise_mean: "0"
    noise_sd: rmse_increase_noise_sd
    recommendation: performance
    what: regression error grew (RMSE above the baseline)
    doc: "model_performance.rmse_increase (regression: relative to the baseline; noise floor from the window's and the baseline's sampling spread)"
  mae_increase:
    table: model_performance
    value: mae_increase
    warn: 0.1
    error: 0.25
    noise_floor: normal
    noise_mean: "0"
    noise_sd: mae_increase_noise_sd
    recommendation: performance
    what: regression error grew (MAE above the baseline)
    doc: "model_performance.mae_increase (regression: relative to the baseline; noise floor as rmse_increase)"
  bias:
    table: model_performance
    value: bias
    warn: 0.1
    error: 0.25
    noise_floor: normal
    noise_mean: "0"
    noise_sd: bias_noise_sd
    recommendation: performance
    what: predictions systematically too high or too low (mean error moved)
    doc: "model_performance.bias (regression: mean-error shift / baseline RMSE; noise floor from the window's and the baseline's sampling spread)"
  macro_f1_drop:
    table: model_performance
    value: macro_f1_drop
    warn: 0.05
    error: 0.1
    noise_floor: normal
    noise_mean: "0"
    noise_sd: macro_f1_drop_noise_sd
    recommendation: performance
    what: multiclass quality fell (macro F1 below the baseline)
    doc: "model_performance.macro_f1_drop (multiclass: baseline − window; noise floor from the window's and the baseline's sampling spread)"
  class_prior_shift:
    table: class_drift
    value: psi
    warn: 0.1
    error: 0.25
    noise_floor: psi
    recommendation: drift
    what: the class mix of labels or predictions moved (PSI over the classes)
    doc: "class_drift.psi (multiclass: label and predicted-class mix; PSI noise floor)"
  latency_p95_ms:
    table: operational_metrics
    value: latency_p95_ms
    warn: null
    error: null
    what: slow responses (p95 latency)
    doc: "operational_metrics.latency_p95_ms (latency SLO; demo: 150 / 250)"
  latency_p99_ms:
    table: operational_metrics
    value: latency_p99_ms
    warn: null
    error: null
    what: slow responses (p99 latency)
    doc: "operational_metrics.latency_p99_ms (latency SLO)"
  error_rate:
    table: operational_metrics
    value: error_rate
    warn: null
    error: null
    what: failed requests
    doc: "operational_metrics.error_rate (error-rate SLO; demo: 0.02 / 0.05)"
  cost_per_1k_usd:
    table: operational_metrics
    value: cost_per_1k_usd
    warn: null
    error: null
    what: serving cost per 1,000 predictions
    doc: "operational_metrics.cost_per_1k_usd (cost budget; demo: 0.75 / 1.0)"
  request_volume_drop:
    table: feed_health
    value: request_count
    scope: "request_count > 0"
    direction: below
    kind: dynamic
    warn: null
    error: null
    what: fewer requests than usual
    doc: feed_health.request_count (windows with requests)
  request_volume_spike:
    table: feed_health
    value: request_count
    scope: "request_count > 0"
    kind: dynamic
    warn: null
    error: null
    what: more requests than usual
    doc: feed_health.request_count
  missing_window:
    table: feed_health
    value: "case when is_missing_window then 1 else 0 end"
    warn: 1
    error: null
    recommendation: bug
    what: no predictions logged in a window
    doc: "feed_health: 1 when the window logged no valid prediction"
  label_freshness_days:
    table: feed_health
    value: label_staleness_days
    scope: "1 = 1{labeled_models}"
    subject: "'label feed'"
    sample_size: label_rows_arrived
    warn: 3
    error: 7
    what: no new labels arriving (days since the last one)
    doc: "feed_health.label_staleness_days: days since the model's last new label"
  demographic_parity_ratio:
    table: fairness_parity
    value: demographic_parity_ratio_bound
    direction: below
    warn: 0.8
    error: 0.5
    what: selection rates differ between groups
    doc: fairness_parity.demographic_parity_ratio_bound
  equalized_odds_difference:
    table: fairness_parity
    value: equalized_odds_difference_bound
    warn: 0.1
    error: 0.2
    what: error rates differ between groups
    doc: fairness_parity.equalized_odds_difference_bound
  calibration_gap:
    table: fairness_parity
    value: calibration_gap_bound
    warn: 0.05
    error: 0.1
    what: calibration differs between groups
    doc: fairness_parity.calibration_gap_bound
  canary_rollback:
    table: canary_verdicts
    value: "case when verdict = 'rollback' then 1 else 0 end"
    warn: null
    error: 1
    what: "the canary does worse than the serving model: roll it back"
    doc: "canary_verdicts: 1 when the verdict is `rollback`"
  disagreement_rate:
    table: model_comparison
    value: disagreement_rate
    warn: null
    error: null
    what: challenger and champion disagree
    doc: model_comparison.disagreement_rate (champion vs shadow / challenger)
# END check catalog
{%- endset -%}
{{ return(text) }}
{% endmacro %}
