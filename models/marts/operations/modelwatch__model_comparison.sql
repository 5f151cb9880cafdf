{{ config(
    materialized='incremental',
    incremental_strategy=modelwatch.incremental_strategy(),
    unique_key=['model_name', 'window_start'],
    partition_by=modelwatch.incremental_partition_by(['model_name', 'window_start']),
    on_schema_change='fail',
) }}
{#-
    Champion vs every shadow / challenger version, per model and window, on the requests both
    scored: agreement, score differences, correlation, both models' ROC AUC on the labeled pairs
    and McNemar's test of their accuracy (in SQL, macros/stats/p_values.sql: exact binomial when
    discordant pairs are few, else chi-square with continuity correction). Rows without a
    partner are counted (unpaired_*), never dropped. Incremental like model_performance (a
    window is recomputed while not final, inside the lookback, or when its labels change), plus
    the windows a new candidate version or a request's other side touches.
-#}
{%- set groups = ['model_name', 'window_start', 'baseline_version', 'candidate_version'] -%}
{%- set labeled = ref('int_modelwatch__predictions_labeled') -%}
{%- set window_status = modelwatch.deployment_window_status(
    windows_having='sum(champion_request_rows + candidate_request_rows) > 0',
    models_having='sum(candidate_request_rows) > 0') -%}

{%- if is_incremental() %}
{#- the windows to recompute, found before the query runs: the log is then read for them only -#}
{%- set changed_windows -%}
    -- labels changed, not final, inside the lookback, or a model rebuilt
    select model_name, cast(null as {{ dbt.type_string() }}) as model_version, window_start
    from ({{ modelwatch.label_windows_to_process(window_status, keys=['model_name', 'window_start']) }}) as l
    union
    -- a candidate version not stored yet: its missing partners show in every champion window
    select s.model_name, cast(null as {{ dbt.type_string() }}) as model_version, s.window_start
    from {{ window_status }} as s
    where s.model_name in (
        select v.model_name
        from (
            select distinct model_name, model_version
            from {{ ref('int_modelwatch__performance_window_status') }}
            where candidate_request_rows > 0
        ) as v
        left join (select distinct model_name, candidate_version from {{ this }}) as t
            on v.model_name = t.model_name
            and v.model_version = t.candidate_version
        where t.model_name is null
    )
{%- endset -%}
{%- set changed = modelwatch.windows_as_constants(changed_windows) -%}
{#- the other side of a request recomputed: a shadow row can fall in the next window -#}
{%- set windows_to_process -%}
    select model_name, model_version, window_start from ({{ changed.relation if changed else changed_windows }}) as c
    union
    select distinct o.model_name, cast(null as {{ dbt.type_string() }}) as model_version, o.window_start
    from {{ labeled }} as o
    inner join (
        select distinct l.model_name, l.request_id
        from {{ labeled }} as l
        inner join ({{ changed.relation if changed else changed_windows }}) as w
            on l.model_name = w.model_name
            and l.window_start = w.window_start
        where l.request_id is not null
            {%- if changed %}
            and {{ modelwatch.in_windows_predicate('l.window_start', changed.windows) }}
            {%- endif %}
    ) as r
        on o.model_name = r.model_name
        and o.request_id = r.request_id
{%- endset -%}
{%- set constants = modelwatch.windows_as_constants(windows_to_process) if changed else none -%}
{%- endif %}

with

window_status as {{ window_status }},

windows_to_process as (

    {%- if is_incremental() %}
    select model_name, window_start from ({{ constants.relation if constants else windows_to_process }}) as w
    {%- else %}
    select model_name, window_start from window_status
    {%- endif %}

),

{{ modelwatch.comparison_pairs_ctes(labeled, 'windows_to_process', constants.windows if constants else none) }},

pairs as (

    select * from comparison_pairs

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

-- McNemar's inputs: labeled pairs where exactly one of the two models is right
discordant as (

    select
        {{ groups | join(', ') }},
        sum(case when baseline_decision = label and candidate_decision != label then 1 else 0 end) as baseline_only_correct,
        sum(case when baseline_decision != label and candidate_decision = label then 1 else 0 end) as candidate_only_correct
    from labeled_pairs
    group by {{ groups | join(', ') }}

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
        v.mcnemar_p_value,
        w.label_rows,
        w.last_labeled_at,
        w.is_final,
        {{ modelwatch.config_fingerprint('coalesce(s.model_name, o.model_name)') }} as config_fingerprint
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
    left join window_status as w
        on coalesce(s.model_name, o.model_name) = w.model_name
        and coalesce(s.window_start, o.window_start) = w.window_start

)

select * from final
