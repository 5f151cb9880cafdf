{#-
    Multiclass metrics, each defined as its scikit-learn reference, over the labeled rows of a
    relation with `is_labeled`, `label_class`, `predicted_class` and the models' probability
    columns. Classes of a group are those present in its labels or predictions (sklearn's
    labels=None); a class without predictions has precision 0 and one without labels recall 0
    (zero_division=0, sklearn's default value). macro = the unweighted mean over those classes,
    weighted = weighted by support, micro = pooled counts (= accuracy for single-label data).
    With probabilities: one-vs-rest roc_auc per class (sklearn roc_auc_score on class == c vs
    p_c; null when the class is absent or alone in the labels), macro_roc_auc their mean over
    the classes where it is defined (= roc_auc_score(multi_class='ovr', labels=classes) when every
    configured class occurs), log_loss = sklearn log_loss (p of the true class clipped to
    [eps, 1 - eps]).
-#}

{% macro multiclass_models() %}
    {{ return(modelwatch.get_config().models | selectattr('task', 'equalto', 'multiclass') | list) }}
{% endmacro %}


{% macro true_class_probability_sql(model_column='model_name', label_column='label_class') %}
    {#- The probability the row's model gave to the row's true class (null without probability columns). -#}
    {%- set branches = [] -%}
    {%- for model in modelwatch.multiclass_models() if model.probability_columns -%}
        {%- set inner = [] -%}
        {%- for class_value, column in model.probability_columns.items() -%}
            {%- do inner.append('when ' ~ modelwatch.sql_string(class_value) ~ ' then ' ~ modelwatch.carried_column(column)) -%}
        {%- endfor -%}
        {%- do branches.append('when ' ~ model_column ~ ' = ' ~ modelwatch.sql_string(model.name)
            ~ ' then case ' ~ label_column ~ ' ' ~ (inner | join(' ')) ~ ' end') -%}
    {%- endfor -%}
    {%- if not branches -%}{{ return('cast(null as ' ~ modelwatch.type_double() ~ ')') }}{%- endif -%}
    {{ return('(case ' ~ (branches | join(' ')) ~ ' end)') }}
{% endmacro %}


{% macro multiclass_metric_ctes(source, group_columns, prefix='mc_', probabilities=true) %}
    {#-
        CTEs over the multiclass models' labeled rows of `source` (group columns not null),
        ending in `{prefix}class_metrics` (per group and class: support, predicted_count,
        true_positives, precision, recall, f1, roc_auc) and `{prefix}metrics` (per group).
        probabilities=false: `source` has no probability columns (the baseline): no AUC or log loss.
    -#}
    {%- set keys = group_columns | join(', ') -%}
    {%- set double = modelwatch.type_double() -%}
    {%- set eps = '2.220446049250313e-16' -%}
    {%- set models = modelwatch.multiclass_models() -%}
    {%- set with_probabilities = (models | selectattr('probability_columns') | list) if probabilities else [] -%}
    {%- set probability_columns = modelwatch.probability_column_names() if probabilities else [] -%}
    {{ prefix }}labeled as (

        select
            {{ keys }},
            label_class,
            predicted_class,
            {%- for column in probability_columns %}
            {{ modelwatch.carried_column(column) }},
            {%- endfor %}
            {{ modelwatch.true_class_probability_sql() if probabilities else 'cast(null as ' ~ double ~ ')' }} as true_class_probability
        from {{ source }}
        where is_labeled and {{ modelwatch.model_in('model_name', models | map(attribute='name') | list) }}

    ),

    {{ prefix }}class_counts as (

        select
            {{ keys }},
            class_value,
            sum(is_support) as support,
            sum(is_predicted) as predicted_count,
            sum(is_true_positive) as true_positives
        from (
            select
                {{ keys }},
                label_class as class_value,
                1 as is_support,
                0 as is_predicted,
                case when label_class = predicted_class then 1 else 0 end as is_true_positive
            from {{ prefix }}labeled
            union all
            select
                {{ keys }},
                predicted_class as class_value,
                0 as is_support,
                1 as is_predicted,
                0 as is_true_positive
            from {{ prefix }}labeled
        ) as class_rows
        group by {{ keys }}, class_value

    ),

    {%- if with_probabilities %}

    {{ prefix }}scores as (

        {%- for model in with_probabilities %}
        {%- set outer_loop = loop %}
        {%- for class_value, column in model.probability_columns.items() %}
        select
            {{ keys }},
            cast({{ modelwatch.sql_string(class_value) }} as {{ dbt.type_string() }}) as class_value,
            {{ modelwatch.carried_column(column) }} as score,
            case when label_class = {{ modelwatch.sql_string(class_value) }} then 1 else 0 end as is_positive
        from {{ prefix }}labeled
        where model_name = {{ modelwatch.sql_string(model.name) }}
        {{ 'union all' if not (outer_loop.last and loop.last) }}
        {%- endfor %}
        {%- endfor %}

    ),

    {{ modelwatch.roc_auc_ctes(prefix ~ 'scores', group_columns + ['class_value'], [
        ('ovr', 'is_positive', '1 - is_positive'),
    ], prefix=prefix) }},

    {%- endif %}

    {{ prefix }}class_metrics as (

        select
            c.*,
            case when c.predicted_count > 0 then cast(c.true_positives as {{ double }}) / c.predicted_count else cast(0 as {{ double }}) end as class_precision,
            case when c.support > 0 then cast(c.true_positives as {{ double }}) / c.support else cast(0 as {{ double }}) end as class_recall,
            cast(2 * c.true_positives as {{ double }}) / (c.support + c.predicted_count) as class_f1,
            {%- if with_probabilities %}
            a.ovr_auc as class_roc_auc
            {%- else %}
            cast(null as {{ double }}) as class_roc_auc
            {%- endif %}
        from {{ prefix }}class_counts as c
        {%- if with_probabilities %}
        left join {{ prefix }}roc_auc as a
            on {% for col in group_columns + ['class_value'] %}c.{{ col }} = a.{{ col }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- endif %}

    ),

    {{ prefix }}log_loss as (

        select
            {{ keys }},
            avg(-ln(greatest(least(true_class_probability, 1 - {{ eps }}), {{ eps }}))) as multiclass_log_loss
        from {{ prefix }}labeled
        group by {{ keys }}

    ),

    {{ prefix }}metrics as (

        select
            {%- for col in group_columns %}
            m.{{ col }},
            {%- endfor %}
            m.multiclass_labeled_count,
            m.multiclass_accuracy,
            m.macro_precision,
            m.macro_recall,
            m.macro_f1,
            m.weighted_precision,
            m.weighted_recall,
            m.weighted_f1,
            m.micro_precision,
            m.micro_recall,
            m.micro_f1,
            m.macro_roc_auc,
            l.multiclass_log_loss
        from (
            select
                {{ keys }},
                sum(support) as multiclass_labeled_count,
                cast(sum(true_positives) as {{ double }}) / sum(support) as multiclass_accuracy,
                avg(class_precision) as macro_precision,
                avg(class_recall) as macro_recall,
                avg(class_f1) as macro_f1,
                sum(support * class_precision) / sum(support) as weighted_precision,
                sum(support * class_recall) / sum(support) as weighted_recall,
                sum(support * class_f1) / sum(support) as weighted_f1,
                cast(sum(true_positives) as {{ double }}) / sum(predicted_count) as micro_precision,
                cast(sum(true_positives) as {{ double }}) / sum(support) as micro_recall,
                cast(2 * sum(true_positives) as {{ double }}) / (sum(predicted_count) + sum(support)) as micro_f1,
                avg(class_roc_auc) as macro_roc_auc
            from {{ prefix }}class_metrics
            group by {{ keys }}
        ) as m
        inner join {{ prefix }}log_loss as l
            on {% for col in group_columns %}m.{{ col }} = l.{{ col }}{{ ' and ' if not loop.last }}{% endfor %}

    )
{%- endmacro %}
