{#-
    One row per incident: a run of breaching windows of one (model, check, subject), allowing
    gaps of up to alerts.incident_gap_windows quiet windows. A window counts when the check
    observed it (a window without enough labels neither breaches nor is quiet). The incident
    is `resolved` once more than incident_gap_windows quiet windows follow its last breach,
    else `open`; a later breach opens a new incident. incident_id hashes the subject and the
    opened window (as alert_id does), so reruns, full refreshes and every engine give the same
    ids. The alerts of its windows are the evidence; notifications go per incident event
    (opened, escalated warn -> error, resolved), never per window. A segment's drift breach
    that the feature's overall drift already carries at the same or a higher severity opens no
    incident of its own (the overall incident's evidence names the top segments).
-#}
{%- set gap = modelwatch.get_config().alerts.incident_gap_windows -%}
{%- set dims = modelwatch.alert_dimensions() -%}
{%- set partition = 'model_name, check_name, subject, ' ~ (dims | join(', ')) -%}
{#- recommendations are joined when built (a --jobs run may build none) -#}
{%- set recommendations = ref('modelwatch__retraining_recommendations') -%}
{%- set with_recommendations = not execute
    or 'model.modelwatch.modelwatch__retraining_recommendations' in selected_resources
    or load_relation(recommendations) is not none -%}

with

all_evaluated as (

    select * from {{ ref('modelwatch__alert_evaluations') }}

),

overall_drift as (

    select
        model_name,
        window_start,
        feature_name,
        max(case when severity = 'error' then 2 when severity = 'warn' then 1 else 0 end) as overall_rank
    from all_evaluated
    where check_name = 'psi'
    group by model_name, window_start, feature_name

),

evaluated as (

    {#-
        A segment's drift is its own incident only where the feature's overall drift does not
        already page at that severity (the overall incident names its top segments): else one
        overall shift would open one incident per segment value.
    -#}
    select e.*
    from all_evaluated as e
    left join overall_drift as o
        on e.model_name = o.model_name
        and e.window_start = o.window_start
        and e.feature_name = o.feature_name
    where
        e.check_name != 'segment_psi'
        or e.severity = 'ok'
        or coalesce(o.overall_rank, 0) < case when e.severity = 'error' then 2 else 1 end

),

observed as (

    {#- every observed window of a subject, numbered: quiet windows count between breaches -#}
    select
        *,
        row_number() over (partition by {{ partition }} order by window_start) as window_number,
        count(*) over (partition by {{ partition }}) as observed_windows
    from evaluated

),

breaching as (

    select
        *,
        lag(window_number) over (partition by {{ partition }} order by window_start) as previous_breach_number
    from observed
    where severity != 'ok'

),

numbered as (

    select
        *,
        sum(case
            when previous_breach_number is null then 1
            when window_number - previous_breach_number - 1 > {{ gap }} then 1
            else 0
        end) over (
            partition by {{ partition }} order by window_start
            rows between unbounded preceding and current row
        ) as incident_number
    from breaching

),

ranked as (

    select
        *,
        row_number() over (
            partition by {{ partition }}, incident_number order by window_start
        ) as rank_first,
        row_number() over (
            partition by {{ partition }}, incident_number order by window_start desc
        ) as rank_latest
    from numbered

),

incidents as (

    select
        model_name,
        check_name,
        subject,
        {%- for dim in dims %}
        {{ dim }},
        {%- endfor %}
        incident_number,
        max(check_category) as check_category,
        max(check_description) as check_description,
        max(direction) as direction,
        min(window_start) as opened_window_start,
        max(window_start) as last_breach_window_start,
        max(window_end) as last_breach_window_end,
        max(window_number) as last_breach_number,
        max(observed_windows) as observed_windows,
        count(*) as windows_breached,
        sum(case when severity = 'error' then 1 else 0 end) as windows_at_error,
        max(case when rank_first = 1 then severity end) as opened_severity,
        max(case when rank_latest = 1 then severity end) as current_severity,
        max(case when severity = 'error' then 2 else 1 end) as peak_level,
        max(observed_value) as max_observed_value,
        min(observed_value) as min_observed_value,
        min(case when severity = 'error' then window_start end) as escalated_window_start,
        max(case when rank_latest = 1 then observed_value end) as latest_observed_value,
        max(case when rank_latest = 1 then threshold end) as latest_threshold,
        max(case when rank_latest = 1 then noise_floor end) as latest_noise_floor,
        max(case when rank_latest = 1 then threshold_kind end) as threshold_kind,
        max(case when rank_latest = 1 then runbook_url end) as runbook_url,
        max(case when rank_latest = 1 then evidence end) as evidence
    from ranked
    group by {{ partition }}, incident_number

),

resolution as (

    {#- the window that resolved an incident: the (gap + 1)-th quiet window after its last breach -#}
    select
        i.model_name,
        i.check_name,
        i.subject,
        {%- for dim in dims %}
        i.{{ dim }},
        {%- endfor %}
        i.incident_number,
        o.window_start as resolved_window_start
    from incidents as i
    inner join observed as o
        on i.model_name = o.model_name
        and i.check_name = o.check_name
        and i.subject = o.subject
        {%- for dim in dims %}
        and coalesce(i.{{ dim }}, '') = coalesce(o.{{ dim }}, '')
        {%- endfor %}
        and o.window_number = i.last_breach_number + {{ gap }} + 1

),

{%- if with_recommendations %}

recommendations as (

    select * from {{ recommendations }}

),
{%- endif %}

final as (

    select
        {{ dbt.hash(dbt.concat([
            'i.model_name', "'|'",
            'i.check_name', "'|'",
            'i.subject', "'|'",
            "coalesce(i.model_version, '')", "'|'",
            "coalesce(i.feature_name, '')", "'|'",
            "coalesce(i.slice_key, '')", "'|'",
            "coalesce(i.slice_value, '')", "'|'",
            "coalesce(i.attribute_name, '')", "'|'",
            'cast(i.opened_window_start as ' ~ dbt.type_string() ~ ')',
        ])) }} as incident_id,
        i.model_name,
        i.check_name,
        i.check_category,
        i.check_description,
        i.subject,
        {%- for dim in dims %}
        i.{{ dim }},
        {%- endfor %}
        case when r.resolved_window_start is null then 'open' else 'resolved' end as status,
        i.opened_severity,
        i.current_severity,
        case when i.peak_level = 2 then 'error' else 'warn' end as peak_severity,
        case when i.direction = 'below' then i.min_observed_value else i.max_observed_value end as peak_observed_value,
        i.latest_observed_value,
        i.latest_threshold,
        i.latest_noise_floor,
        i.threshold_kind,
        cast(i.windows_breached as {{ dbt.type_bigint() }}) as windows_breached,
        cast(i.windows_at_error as {{ dbt.type_bigint() }}) as windows_at_error,
        cast(i.observed_windows - i.last_breach_number as {{ dbt.type_bigint() }}) as quiet_windows_since,
        {%- if with_recommendations %}
        rec.action as recommendation,
        rec.reasons as recommendation_reasons,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as recommendation,
        cast(null as {{ dbt.type_string() }}) as recommendation_reasons,
        {%- endif %}
        i.runbook_url,
        i.evidence,
        i.opened_window_start,
        i.last_breach_window_start,
        i.last_breach_window_end,
        case when i.opened_severity = 'warn' then i.escalated_window_start end as escalated_window_start,
        r.resolved_window_start
    from incidents as i
    left join resolution as r
        on i.model_name = r.model_name
        and i.check_name = r.check_name
        and i.subject = r.subject
        {%- for dim in dims %}
        and coalesce(i.{{ dim }}, '') = coalesce(r.{{ dim }}, '')
        {%- endfor %}
        and i.incident_number = r.incident_number
    {%- if with_recommendations %}
    left join recommendations as rec
        on i.model_name = rec.model_name
        and i.last_breach_window_start = rec.window_start
    {%- endif %}

)

select * from final
