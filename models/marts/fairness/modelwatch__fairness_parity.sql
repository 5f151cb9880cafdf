{#-
    Per model, window and attribute: fairlearn's between-groups parity over the sufficient groups
    (prediction_count >= fairness.min_group_size) of fairness_metrics. A rate a group cannot have
    (TPR without positives, FPR without negatives) is null and left out of that metric's max and
    min; a figure needs two groups to compare, else it is null. Next to them, what the checks
    judge: bounds that hold beyond sampling noise (simultaneous Wilson intervals over the groups
    compared, Bonferroni at fairness.alpha); label-based figures use the groups with at least
    fairness.min_labeled_count labels (has_enough_labels). Rebuilt from fairness_metrics (small)
    on every run.
-#}
{%- set keys = ['model_name', 'window_start', 'attribute_name'] -%}

with

metrics as (

    select * from {{ ref('modelwatch__fairness_metrics') }}

),

overall as (

    select
        model_name,
        window_start,
        roc_auc as overall_roc_auc,
        ece as overall_ece
    from metrics
    where attribute_name = '__all__'

),

attribute_groups as (

    select * from metrics
    where attribute_name <> '__all__'

),

compared as (

    select * from attribute_groups
    where is_sufficient

),

group_lists as (

    select
        {{ keys | join(', ') }},
        max(window_end) as window_end,
        count(*) as group_count,
        sum(case when is_sufficient then 1 else 0 end) as sufficient_group_count
    from attribute_groups
    group by {{ keys | join(', ') }}

),

compared_lists as (

    select
        {{ keys | join(', ') }},
        {{ modelwatch.ordered_listagg('group_value', "', '", 'order by group_value') }} as groups_compared
    from compared
    group by {{ keys | join(', ') }}

),

excluded_lists as (

    select
        {{ keys | join(', ') }},
        {{ modelwatch.ordered_listagg('group_value', "', '", 'order by group_value') }} as groups_below_minimum
    from attribute_groups
    where not is_sufficient
    group by {{ keys | join(', ') }}

),

group_sizes as (

    select
        {{ keys | join(', ') }},
        count(*) as compared_count,
        count(case when has_enough_labels then true_positive_rate end) as tpr_bound_groups,
        count(case when has_enough_labels then false_positive_rate end) as fpr_bound_groups
    from compared
    group by {{ keys | join(', ') }}

),

bounded as (

    -- simultaneous intervals over the groups each figure compares (Bonferroni at fairness.alpha)
    select
        c.*,
        {{ modelwatch.wilson_bound('c.selected_count', 'c.prediction_count', 'lower', modelwatch.simultaneous_z('k.compared_count')) }} as selection_lower,
        {{ modelwatch.wilson_bound('c.selected_count', 'c.prediction_count', 'upper', modelwatch.simultaneous_z('k.compared_count')) }} as selection_upper,
        case when c.has_enough_labels then
            {{ modelwatch.wilson_bound('c.true_positives', 'c.positive_count', 'lower', modelwatch.simultaneous_z('k.tpr_bound_groups')) }}
        end as tpr_lower,
        case when c.has_enough_labels then
            {{ modelwatch.wilson_bound('c.true_positives', 'c.positive_count', 'upper', modelwatch.simultaneous_z('k.tpr_bound_groups')) }}
        end as tpr_upper,
        case when c.has_enough_labels then
            {{ modelwatch.wilson_bound('c.false_positives', 'c.negative_count', 'lower', modelwatch.simultaneous_z('k.fpr_bound_groups')) }}
        end as fpr_lower,
        case when c.has_enough_labels then
            {{ modelwatch.wilson_bound('c.false_positives', 'c.negative_count', 'upper', modelwatch.simultaneous_z('k.fpr_bound_groups')) }}
        end as fpr_upper
    from compared as c
    inner join group_sizes as k
        on c.model_name = k.model_name
        and c.window_start = k.window_start
        and c.attribute_name = k.attribute_name

),

spreads as (

    select
        {{ keys | join(', ') }},
        count(selection_rate) as selection_groups,
        count(true_positive_rate) as tpr_groups,
        count(false_positive_rate) as fpr_groups,
        min(selection_rate) as min_selection_rate,
        max(selection_rate) as max_selection_rate,
        min(true_positive_rate) as min_true_positive_rate,
        max(true_positive_rate) as max_true_positive_rate,
        min(false_positive_rate) as min_false_positive_rate,
        max(false_positive_rate) as max_false_positive_rate,
        min(selection_upper) as min_selection_rate_upper,
        max(selection_lower) as max_selection_rate_lower,
        count(tpr_lower) as tpr_bound_groups,
        count(fpr_lower) as fpr_bound_groups,
        max(tpr_lower) - min(tpr_upper) as tpr_bound_gap,
        max(fpr_lower) - min(fpr_upper) as fpr_bound_gap,
        max(case when has_enough_labels then ece end) as worst_group_ece,
        max(case when has_enough_labels then ece_lower end) as worst_group_ece_lower,
        min(case when has_enough_labels then ece end) as best_group_ece,
        count(case when has_enough_labels then ece end) as ece_groups,
        min(case when has_enough_labels then roc_auc end) as worst_group_roc_auc
    from bounded
    group by {{ keys | join(', ') }}

),

parity as (

    select
        s.*,
        case when s.selection_groups >= 2 then s.max_selection_rate - s.min_selection_rate end
            as demographic_parity_difference,
        case when s.selection_groups >= 2 then
            {{ modelwatch.safe_divide('s.min_selection_rate', 's.max_selection_rate') }}
        end as demographic_parity_ratio,
        case when s.tpr_groups >= 2 then s.max_true_positive_rate - s.min_true_positive_rate end
            as equal_opportunity_difference,
        case when s.fpr_groups >= 2 then s.max_false_positive_rate - s.min_false_positive_rate end
            as false_positive_rate_difference,
        -- the most favourable ratio the groups' Wilson intervals allow (capped at 1)
        case
            when s.selection_groups < 2 then null
            when s.max_selection_rate_lower <= 0 then {{ modelwatch.double_literal(1) }}
            else least({{ modelwatch.double_literal(1) }}, s.min_selection_rate_upper / s.max_selection_rate_lower)
        end as demographic_parity_ratio_bound
    from spreads as s

),

final as (

    select
        g.model_name,
        g.window_start,
        g.attribute_name,
        c.groups_compared,
        x.groups_below_minimum,
        g.window_end,
        cast(g.group_count as {{ dbt.type_bigint() }}) as group_count,
        cast(g.sufficient_group_count as {{ dbt.type_bigint() }}) as sufficient_group_count,
        p.min_selection_rate,
        p.max_selection_rate,
        p.demographic_parity_difference,
        p.demographic_parity_ratio,
        p.equal_opportunity_difference,
        p.false_positive_rate_difference,
        case
            when p.equal_opportunity_difference is null then p.false_positive_rate_difference
            when p.false_positive_rate_difference is null then p.equal_opportunity_difference
            when p.equal_opportunity_difference >= p.false_positive_rate_difference then p.equal_opportunity_difference
            else p.false_positive_rate_difference
        end as equalized_odds_difference,
        p.demographic_parity_ratio_bound,
        case
            when p.tpr_bound_groups < 2 and p.fpr_bound_groups < 2 then null
            when p.tpr_bound_groups < 2 then greatest(0, p.fpr_bound_gap)
            when p.fpr_bound_groups < 2 then greatest(0, p.tpr_bound_gap)
            else greatest(0, p.tpr_bound_gap, p.fpr_bound_gap)
        end as equalized_odds_difference_bound,
        p.worst_group_ece,
        o.overall_ece,
        p.best_group_ece,
        case when p.ece_groups >= 2 then p.worst_group_ece - p.best_group_ece end as calibration_gap,
        case when p.ece_groups >= 2 then p.worst_group_ece_lower - p.best_group_ece end as calibration_gap_bound,
        p.worst_group_roc_auc,
        o.overall_roc_auc,
        o.overall_roc_auc - p.worst_group_roc_auc as auc_gap,
        p.demographic_parity_ratio >= {{ modelwatch.double_literal('0.8') }} as passes_four_fifths_rule
    from group_lists as g
    left join parity as p
        on g.model_name = p.model_name
        and g.window_start = p.window_start
        and g.attribute_name = p.attribute_name
    left join compared_lists as c
        on g.model_name = c.model_name
        and g.window_start = c.window_start
        and g.attribute_name = c.attribute_name
    left join excluded_lists as x
        on g.model_name = x.model_name
        and g.window_start = x.window_start
        and g.attribute_name = x.attribute_name
    left join overall as o
        on g.model_name = o.model_name
        and g.window_start = o.window_start

)

select * from final
