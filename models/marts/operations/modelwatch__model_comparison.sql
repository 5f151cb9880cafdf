{#-
    Champion vs every shadow / challenger version, per model and window, on the requests both
    scored: agreement, score differences, correlation, both models' ROC AUC on the labeled pairs
    and McNemar's test of their accuracy (in SQL, macros/stats/p_values.sql: exact binomial when
    discordant pairs are few, else chi-square with continuity correction). Rows without a
    partner are counted (unpaired_*), never dropped.
-#}
{%- set groups = ['model_name', 'window_start', 'baseline_version', 'candidate_version'] -%}

with

pairs as (

    select * from {{ ref('int_modelwatch__model_comparison_pairs') }}

),

matched as (

    select * from pairs
    where has_baseline and has_candidate

),

labeled_pairs as (

    select * from matched
    where label is not null

),

summary as (

    select
        p.model_name,
        p.window_start,
        p.baseline_version,
        p.candidate_version,
        max(p.role) as role,
        sum(case when p.has_candidate then 1 else 0 end) as paired_count,
        sum(case when p.has_candidate then 0 else 1 end) as unpaired_baseline_count,
        avg(case when p.has_candidate then case when p.baseline_decision != p.candidate_decision then {{ modelwatch.double_literal(1) }} else {{ modelwatch.double_literal(0) }} end end) as disagreement_rate,
        avg(case when p.has_candidate then abs(p.baseline_score - p.candidate_score) end) as mean_abs_score_diff,
        corr(case when p.has_candidate then p.baseline_score end, case when p.has_candidate then p.candidate_score end) as score_correlation,
        sum(case when p.has_candidate and p.label is not null then 1 else 0 end) as labeled_pair_count
    from pairs as p
    where p.has_baseline
    group by p.model_name, p.window_start, p.baseline_version, p.candidate_version

),

orphans as (

    select
        model_name,
        window_start,
        candidate_version,
        max(role) as role,
        count(*) as unpaired_candidate_count
    from pairs
    where not has_baseline
    group by model_name, window_start, candidate_version

),

baseline_scores as (

    select
        {{ groups | join(', ') }},
        label,
        baseline_score as score
    from labeled_pairs

),

candidate_scores as (

    select
        {{ groups | join(', ') }},
        label,
        candidate_score as score
    from labeled_pairs

),

{{ modelwatch.roc_auc_ctes('baseline_scores', groups, [
    ('baseline', 'case when label = 1 then 1 else 0 end', 'case when label = 0 then 1 else 0 end'),
], prefix='baseline_') }},

{{ modelwatch.roc_auc_ctes('candidate_scores', groups, [
    ('candidate', 'case when label = 1 then 1 else 0 end', 'case when label = 0 then 1 else 0 end'),
], prefix='candidate_') }},

discordant as (

    select * from {{ ref('int_modelwatch__model_comparison_discordant') }}

),

p_values as (

    {{ modelwatch.mcnemar_p_values('discordant', groups, 'baseline_only_correct', 'candidate_only_correct') }}

),


final as (

    select
        coalesce(s.model_name, o.model_name) as model_name,
        coalesce(s.window_start, o.window_start) as window_start,
        s.baseline_version,
        coalesce(s.candidate_version, o.candidate_version) as candidate_version,
        coalesce(s.role, o.role) as role,
        cast(coalesce(s.paired_count, 0) as {{ dbt.type_bigint() }}) as paired_count,
        cast(coalesce(s.unpaired_baseline_count, 0) as {{ dbt.type_bigint() }}) as unpaired_baseline_count,
        cast(coalesce(o.unpaired_candidate_count, 0) as {{ dbt.type_bigint() }}) as unpaired_candidate_count,
        s.disagreement_rate,
        s.mean_abs_score_diff,
        s.score_correlation,
        cast(coalesce(s.labeled_pair_count, 0) as {{ dbt.type_bigint() }}) as labeled_pair_count,
        b.baseline_auc as baseline_roc_auc,
        c.candidate_auc as candidate_roc_auc,
        cast(coalesce(d.baseline_only_correct, 0) as {{ dbt.type_bigint() }}) as baseline_only_correct,
        cast(coalesce(d.candidate_only_correct, 0) as {{ dbt.type_bigint() }}) as candidate_only_correct,
        v.mcnemar_p_value
    from summary as s
    full outer join orphans as o
        on s.model_name = o.model_name
        and s.window_start = o.window_start
        and s.candidate_version = o.candidate_version
    left join baseline_roc_auc as b
        on {% for c in groups %}s.{{ c }} = b.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join candidate_roc_auc as c
        on {% for c in groups %}s.{{ c }} = c.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join discordant as d
        on {% for c in groups %}s.{{ c }} = d.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join p_values as v
        on {% for c in groups %}s.{{ c }} = v.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}

)

select * from final
