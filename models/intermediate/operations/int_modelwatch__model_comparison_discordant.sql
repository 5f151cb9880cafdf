{#- McNemar's inputs per comparison: labeled pairs where exactly one of the two models is right. -#}

with

pairs as (

    select * from {{ ref('int_modelwatch__model_comparison_pairs') }}
    where has_baseline and has_candidate and label is not null

),

final as (

    select
        model_name,
        window_start,
        baseline_version,
        candidate_version,
        sum(case when baseline_decision = label and candidate_decision != label then 1 else 0 end) as baseline_only_correct,
        sum(case when baseline_decision != label and candidate_decision = label then 1 else 0 end) as candidate_only_correct
    from pairs
    group by model_name, window_start, baseline_version, candidate_version

)

select * from final
