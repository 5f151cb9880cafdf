{#-
    Per multiclass model version, window and class present in the window's labels or
    predictions: support, predictions, true positives and the one-vs-rest precision, recall, F1
    (sklearn precision_recall_fscore_support(average=None), zero_division=0) and ROC AUC (where
    probability columns are configured; null when the class is absent from the labels or alone),
    plus the class's share of labels and of predictions. A table rebuilt each run.
-#}
{%- set groups = ['model_name', 'model_version', 'window_start'] -%}
{%- set double = modelwatch.type_double() -%}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}

),

{{ modelwatch.multiclass_metric_ctes('labeled', groups) }},

final as (

    select
        c.model_name,
        c.model_version,
        c.window_start,
        c.class_value,
        {{ modelwatch.window_end('c.window_start') }} as window_end,
        cast(c.support as {{ dbt.type_bigint() }}) as support,
        cast(c.predicted_count as {{ dbt.type_bigint() }}) as predicted_count,
        cast(c.true_positives as {{ dbt.type_bigint() }}) as true_positives,
        cast(c.support as {{ double }}) / m.multiclass_labeled_count as label_share,
        cast(c.predicted_count as {{ double }}) / m.multiclass_labeled_count as predicted_share,
        c.class_precision,
        c.class_recall,
        c.class_f1,
        c.class_roc_auc
    from mc_class_metrics as c
    inner join mc_metrics as m
        on c.model_name = m.model_name
        and c.model_version = m.model_version
        and c.window_start = m.window_start

)

select * from final
