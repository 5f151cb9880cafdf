{#-
    Every key of the `modelwatch` var, once: type, default, range, allowed values and a doc line.
    get_config validates the var against it (config_validate.sql), the CLI's `modelwatch
    validate` reads the same YAML text from this file (python/modelwatch/config_schema.py) and
    the README's config reference is generated from it
    (`python -m modelwatch.config_schema --write README.md`). Over 300 lines: it is one data
    document, a line per setting, cut nowhere.

    Node fields: type (mapping with keys | list with items | enum with values | number | whole |
    boolean | string | name | names | date | any: judged by code in _resolve_config), default,
    nullable, min / max (exclusive_min / exclusive_max: the bound itself is refused), unit, hint
    (appended to the error), text_booleans ('true' / 'false' as text taken as booleans), doc
    (README comment), example (README value instead of the default), readme (README text for
    the node's value, verbatim), readme_more (README lines after a list's example entry).
    No Jinja delimiters in the text below: it is YAML read by two languages.
-#}

{% macro config_schema() %}
    {%- set text -%}
type: mapping
keys:
  warehouse:
    type: any
    doc: where to build (the CLI reads and validates this; dbt uses profiles.yml)
    readme: |
      type: duckdb                # duckdb | postgres | spark
      path: warehouse.duckdb      # DuckDB file, relative to this config file
      memory_limit: 4GB           # memory budget of the run (the process's peak RSS): DuckDB
                                  # gets 4/5 of it (at least 256 MiB kept back for Python
                                  # and dbt) and spills to disk beyond that
      threads: 1                  # DuckDB threads; 1 keeps reruns byte-identical (see Speed)
      exact_threads: 2            # DuckDB threads of the models whose results do not depend on
                                  # the order (counts, quantiles, the exact KS); default: every
                                  # core of the machine (see Speed)
      schema: modelwatch          # output schema; alert failures go to <schema>_audit (CLI; as a
                                  # dbt package: <target schema>_modelwatch, see above)
      # postgres: host, port, user, dbname, password_env (name of the env var holding the password)
      # spark: warehouse_dir, metastore (local session; relative to this config file), settings
      #   (extra Spark settings; the session time zone is pinned to UTC), threads (models built
      #   at once, default 1; the numbers do not depend on it)
  granularity:
    type: enum
    values: [hour, day, week]
    default: day
    doc: hour | day | week
  inputs:
    type: mapping
    keys:
      predictions:
        type: any
        example: main.predictions
        doc: >-
          required: schema.table (or database.schema.table); in a dbt project also
          "ref('project', 'model')" or "source('source', 'table')" (lineage and build order)
      labels:
        type: any
        example: main.labels
        doc: "optional: without it every model is label-free"
      reference:
        type: any
        example: main.training_reference
        doc: >-
          or {predictions_between: ['2026-08-03', '2026-08-17']} (start inclusive, end
          exclusive: valid champion rows)
  columns:
    type: mapping
    hint: "of input to {key: column name}"
    doc: contract name -> your column; optional ones default to null (absent)
    keys:
      predictions:
        type: mapping
        keys:
          prediction_id: {type: name, default: prediction_id}
          model_name: {type: name, default: model_name}
          model_version: {type: name, default: model_version}
          predicted_at: {type: name, default: predicted_at, doc: "timestamp, UTC"}
          score:
            type: name
            default: score
            doc: >-
              binary: probability of the positive class; regression: the prediction;
              multiclass: an optional confidence in [0, 1] (may be null)
          request_id: {type: name, nullable: true, default: null, doc: optional}
          deployment_role:
            type: name
            nullable: true
            default: null
            doc: "optional: champion / challenger / shadow / canary"
          predicted_label: {type: name, nullable: true, default: null, doc: "optional, else score >= threshold"}
          latency_ms: {type: name, nullable: true, default: null}
          status_code: {type: name, nullable: true, default: null}
          cost_usd: {type: name, nullable: true, default: null}
          predicted_class:
            type: name
            nullable: true
            default: null
            doc: "multiclass models: the predicted class (compared as text)"
      labels:
        type: mapping
        doc: >-
          label: 0/1/true/false (binary), a number (regression), a class value (multiclass),
          compared as text
        keys:
          prediction_id: {type: name, default: prediction_id}
          label: {type: name, default: label}
          labeled_at: {type: name, default: labeled_at}
      reference:
        type: mapping
        doc: "the training / validation reference's columns"
        keys:
          model_name: {type: name, nullable: true, default: null, doc: "null: shared by all models"}
          score: {type: name, default: score}
          label: {type: name, nullable: true, default: null, doc: "the performance baseline and the CBPE map"}
          predicted_class: {type: name, nullable: true, default: null, doc: the multiclass baseline}
          features:
            type: any
            default: {}
            example: {income: annual_income}
            doc: "a feature's column name in the reference, when it differs from the log's"
  drift:
    type: mapping
    keys:
      bins: {type: whole, min: 2, max: 100, default: 10, doc: quantile bins per numeric feature}
      epsilon:
        type: number
        min: 0
        max: 1
        exclusive_min: true
        exclusive_max: true
        default: 0.0001
        doc: replaces a zero proportion in PSI
      max_categories:
        type: whole
        min: 1
        default: 50
        doc: "categories kept per categorical feature (the rest: __other__)"
      min_category_count: {type: whole, min: 1, default: 1, doc: reference rows a category needs to get its own bin}
      deployment_roles: {type: names, default: [champion], doc: "rows drift is computed on ([] = all rows)"}
      saturation_margin:
        type: number
        min: 0
        max: 0.5
        exclusive_max: true
        default: 0.01
        doc: scores <= margin or >= 1 - margin count as saturated
      ks_strategy:
        type: enum
        values: [auto, merge, merge_rows, asof, buckets]
        default: auto
        doc: >-
          exact KS either way: merge (sort each window with the reference), merge_rows (the
          same with a row frame), asof (DuckDB: sort the reference once), buckets (count both
          samples per bucket, sort only the buckets that can hold the maximum; memory bounded by
          windows x ks_buckets, not by the window sizes). auto (DuckDB): buckets, or asof when a
          run processes more than ks_merge_max_windows windows holding fewer rows than
          windows x ks_buckets; elsewhere merge
      ks_merge_max_windows: {type: whole, min: 1, default: 4, doc: see ks_strategy}
      ks_buckets:
        type: whole
        min: 1
        max: 1000000000
        default: 65536
        doc: >-
          buckets strategy: equal-width buckets over the reference's 0.1%..99.9% range (more:
          fewer values sorted, larger counts)
      unpivot_min_features:
        type: whole
        min: 1
        default: 48
        doc: >-
          DuckDB: with this many features of a type or more (all models together) drift reads
          them in one UNPIVOT scan per model (a small plan for wide tables); with fewer, in one
          narrow scan per feature (about twice as fast per value)
      segments: {type: names, default: [], doc: "e.g. [region, device]: drift rows per segment value too"}
  performance:
    type: mapping
    keys:
      max_label_delay_days: {type: number, min: 0, unit: days, default: 30, doc: "a window older than this (after its end) is final"}
      final_label_coverage:
        type: number
        min: 0
        max: 1
        exclusive_min: true
        default: 0.95
        doc: "... or once this share of its predictions is labeled"
      min_labeled_count: {type: whole, min: 1, default: 100, doc: label checks skip windows with fewer labels}
      label_coverage_grace_days: {type: number, min: 0, unit: days, default: 14, doc: label_coverage alerts only for windows older than this}
      calibration_bins: {type: whole, min: 2, max: 100, default: 10, doc: equal-width bins of calibration_bins and ECE}
      estimation_bins: {type: whole, min: 2, max: 100, default: 20, doc: quantile bins of the CBPE calibration map}
      baseline_windows: {type: whole, min: 1, default: 7, doc: "without a labeled reference: the first N final windows"}
      recalibration_windows: {type: whole, min: 1, default: 14, doc: the recalibration table refits on the latest N labeled windows}
      recalibration_holdout_share:
        type: number
        min: 0
        max: 1
        exclusive_min: true
        exclusive_max: true
        default: 0.3
        doc: deterministic share held out to measure the refit
      recalibration_max_rows: {type: whole, min: 1, default: 200000, doc: deterministic sample cap for the refit}
  fairness:
    type: mapping
    keys:
      min_group_size: {type: whole, min: 1, default: 30, doc: "groups with fewer predictions are reported, not compared"}
      min_labeled_count: {type: whole, min: 1, default: 100, doc: label-based gaps and bounds use groups with this many labels}
      alpha:
        type: number
        min: 0
        max: 0.09
        exclusive_min: true
        hint: "(0.05: simultaneous 95% intervals)"
        default: 0.05
        doc: >-
          the checks' bounds: simultaneous (1 - alpha) Wilson intervals over the groups
          compared (Bonferroni)
      deployment_roles: {type: names, default: [champion], doc: "rows fairness is computed on (and rows without a role; [] = all)"}
      intersections:
        type: any
        default: []
        doc: >-
          e.g. [[sex, age_band]]: attribute 'sex x age_band', for every model listing all the
          parts under protected_attributes
  canary:
    type: mapping
    doc: the canary verdict rule (canary_verdicts)
    keys:
      min_requests: {type: number, min: 0, default: 500, doc: promote needs this many requests in each arm ...}
      min_labeled: {type: number, min: 0, default: 200, doc: "... and this many labels"}
      z_critical: {type: number, min: 0, default: 1.96, doc: "|z| beyond this is significant (two-sided 5%)"}
      max_error_rate_increase: {type: number, min: 0, default: 0.005, doc: "rollback: error rate significantly higher by at least this"}
      max_positive_rate_change: {type: number, min: 0, default: 0.05, doc: "rollback: positive rate significantly moved by at least this"}
      max_auc_drop: {type: number, min: 0, default: 0.02, doc: "rollback: AUC significantly lower by at least this"}
  incremental:
    type: mapping
    keys:
      lookback_windows: {type: whole, min: 0, default: 2, doc: a rerun also reprocesses this many windows before the newest}
  quality:
    type: mapping
    keys:
      max_future_hours: {type: number, min: 0, unit: hours, default: 24, doc: "predicted_at later than load time + this: predicted_at_in_future"}
      min_predicted_at: {type: date, nullable: true, default: null, doc: "e.g. 2020-01-01: earlier rows are quarantined predicted_at_too_old"}
  alerts:
    type: mapping
    keys:
      evaluate_last_windows: {type: whole, min: 1, nullable: true, default: null, doc: "alert tests look at the last N windows (null: all windows)"}
      noise_floor_alpha:
        type: number
        min: 0
        max: 0.5
        exclusive_min: true
        exclusive_max: true
        default: 0.001
        doc: "noise floors (drift and label checks): chance of noise alone reaching it"
      incident_gap_windows: {type: whole, min: 0, default: 2, doc: quiet windows an incident bridges; more resolve it}
      webhook_url:
        type: string
        nullable: true
        default: null
        doc: >-
          `modelwatch alerts --notify` posts here (null: no posting); MODELWATCH_WEBHOOK_URL
          overrides it (keep secrets out of files)
      webhook_max_attempts: {type: whole, min: 1, max: 20, default: 3, doc: "tries per message and run (connection errors, timeouts, 429, 5xx)"}
      webhook_backoff_seconds: {type: number, min: 0, unit: seconds, default: 1, doc: "wait before retry n: backoff * 2^(n-1) (or the Retry-After)"}
      webhook_timeout_seconds: {type: number, min: 0, unit: seconds, default: 10, doc: per request}
      notify_min_severity: {type: enum, values: [warn, error], default: warn, doc: "warn | error: the incidents listed and posted"}
      notify_resolved: {type: boolean, default: true, doc: also post a message when an incident resolves}
      dashboard_url: {type: string, nullable: true, default: null, doc: a link added to every message}
      fail_build: {type: boolean, text_booleans: true, default: true, doc: "error-level alert tests fail `dbt build` (false: they warn)"}
  recommendations:
    type: mapping
    doc: retraining_recommendations (see Alerts)
    keys:
      min_label_coverage:
        type: number
        min: 0
        max: 1
        default: 0.5
        doc: labels "cover" a window at this coverage (and min_labeled_count)
      drift_checks: {type: names, default: [psi, class_prior_shift], doc: checks that count as input drift}
      performance_checks:
        type: names
        default: [roc_auc_drop, estimated_roc_auc_drop, rmse_increase, mae_increase, bias, macro_f1_drop]
      calibration_checks: {type: names, default: [ece, brier_score_increase]}
      bug_checks:
        type: names
        default: [null_rate_increase, quarantine_rate, missing_window, type_error_rate, rule_violation_share]
        doc: step changes that look like a bug
      unseen_category_share:
        type: number
        min: 0
        max: 1
        default: 0.5
        doc: "a categorical this far outside the reference's categories: a bug"
  python_models:
    type: enum
    values: [auto, true, false]
    default: false
    doc: >-
      dbt package default; the CLI uses auto (on for DuckDB) | true: scipy's exact KS p-values,
      recalibration
  checks:
    type: any
    doc: global thresholds (see the table above), with runbooks
    readme: |
      psi: {warn: 0.1, error: 0.25, runbook_url: https://wiki.example.com/runbooks/drift}
      quarantine_rate: {warn: 0.01, error: 0.05}
      latency_p95_ms:             # a dynamic threshold: trailing mean + sigma x sd
        {kind: dynamic, lookback_windows: 14, min_windows: 7, warn_sigma: 3, error_sigma: 4}
      error_rate:                 # alert only when 2 of the last 3 windows breach
        {kind: persistence, warn: 0.02, error: 0.05, persist_windows: 3, persist_min_breaches: 2}
  models:
    type: list
    doc: "one entry per model; the first entry below shows every key"
    items:
      type: mapping
      keys:
        name: {type: name, example: credit_default, doc: "required: the model_name in the prediction log"}
        threshold: {type: number, min: 0, max: 1, default: 0.5, doc: "decision threshold: score >= threshold is positive"}
        monitor_score:
          type: boolean
          nullable: true
          default: null
          example: true
          doc: "monitor the score as feature `score` (needs a reference score; default: not for multiclass)"
        unit_cost_usd:
          type: any
          default: null
          doc: "cost per request when the log has no cost_usd column: one number, or per version {v1: 0.0004, v2: 0.0006}"
        features:
          type: mapping
          keys:
            numeric: {type: names, default: [], example: [income, Debt Ratio, AGEP], doc: "any case, spaces allowed: always quoted"}
            categorical: {type: names, default: [], example: [region, device]}
        protected_attributes: {type: names, default: [], example: [sex, age_band], doc: fairness_metrics / fairness_parity}
        slices: {type: names, default: [], example: [region]}
        checks:
          type: any
          default: {}
          example: {psi: {warn: 0.15}}
          doc: per-model overrides of the global checks
        task:
          type: enum
          values: [binary, regression, multiclass]
          default: binary
          doc: binary | regression | multiclass (see "Regression, multiclass and label-free models")
        classes: {type: any, default: null, doc: "multiclass: the label and predicted_class values"}
        probability_columns:
          type: any
          default: null
          doc: >-
            multiclass, optional: {class: column}, one probability column per class (finite, in
            [0, 1], summing to 1 within 1e-6); gives ROC AUC and log loss
        labels: {type: boolean, default: true, doc: "false: this model's outcomes never come back"}
        rules:
          type: any
          default: {}
          doc: optional value rules per feature (feature_quality)
          readme: |
            AGEP: {min: 0, max: 120, not_null: true}
            region: {allowed_values: [north, south, east, west]}
        custom_metrics:
          type: any
          default: []
          doc: "[{name, expression, direction, warn, error, kind, ...}] (see Custom metrics)"
    readme_more: |
      - name: visits
        task: regression          # score = the prediction, label = the outcome (finite numbers)
        features: {numeric: [age]}
      - name: router
        task: multiclass
        classes: [billing, technical, account]   # the label and predicted_class values
        probability_columns:
          billing: p_billing
          technical: p_technical
          account: p_account
        features: {categorical: [ticket_source]}
    {%- endset -%}
    {{ return(fromyaml(text)) }}
{% endmacro %}
