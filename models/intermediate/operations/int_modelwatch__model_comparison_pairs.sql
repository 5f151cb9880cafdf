{#-
    Champion rows paired with every shadow / challenger version's rows that scored the same request
    (model_name, request_id), in the champion's window, plus the rows left without a partner
    (a shadow score whose champion row is missing, or the reverse) so they are counted, not lost.
    Needs the request_id and deployment_role columns; without them there are no rows.
    Binary models only (McNemar, both ROC AUCs and score differences are binary figures).
-#}
{%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
{%- set cols = modelwatch.get_config().columns.predictions -%}
{%- set configured = cols.request_id is not none and cols.deployment_role is not none %}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}
    {%- if not configured %}
    where 1 = 0
    {%- elif other_tasks %}
    where not {{ modelwatch.model_in('model_name', other_tasks) }}
    {%- endif %}

),

requests as (

    select
        model_name,
        model_version,
        window_start,
        request_id,
        deployment_role,
        score,
        predicted_label,
        label
    from labeled
    where request_id is not null

),

champion as (

    select * from requests
    where deployment_role = 'champion'

),

candidates as (

    -- shadows and challengers score the champion's requests; a canary serves its own
    select * from requests
    where deployment_role is null or deployment_role not in ('champion', 'canary')

),

candidate_versions as (

    select distinct
        model_name,
        model_version,
        deployment_role
    from candidates

),

-- every champion row against every candidate version of its model: a missing partner shows
expected_pairs as (

    select
        c.model_name,
        c.window_start,
        c.request_id,
        c.model_version as baseline_version,
        v.model_version as candidate_version,
        v.deployment_role as role,
        c.score as baseline_score,
        c.predicted_label as baseline_decision,
        c.label as baseline_label
    from champion as c
    inner join candidate_versions as v
        on c.model_name = v.model_name

),

paired as (

    select
        e.model_name,
        e.window_start,
        e.baseline_version,
        e.candidate_version,
        e.role,
        e.baseline_score,
        e.baseline_decision,
        k.score as candidate_score,
        k.predicted_label as candidate_decision,
        coalesce(e.baseline_label, k.label) as label,
        k.request_id is not null as has_candidate,
        true as has_baseline
    from expected_pairs as e
    left join candidates as k
        on e.model_name = k.model_name
        and e.candidate_version = k.model_version
        and e.request_id = k.request_id

),

orphans as (

    -- candidate rows whose request the champion never scored
    select
        k.model_name,
        k.window_start,
        cast(null as {{ dbt.type_string() }}) as baseline_version,
        k.model_version as candidate_version,
        k.deployment_role as role,
        cast(null as {{ modelwatch.type_double() }}) as baseline_score,
        cast(null as {{ dbt.type_int() }}) as baseline_decision,
        k.score as candidate_score,
        k.predicted_label as candidate_decision,
        k.label,
        true as has_candidate,
        false as has_baseline
    from candidates as k
    left join champion as c
        on k.model_name = c.model_name
        and k.request_id = c.request_id
    where c.request_id is null

),

final as (

    select * from paired
    union all
    select * from orphans

)

select * from final
