{#-
    Deployments (champion, shadow / challenger, canary): the request pairs model_comparison reads
    and which windows it and canary_verdicts recompute on an incremental run.
-#}

{% macro comparison_pairs_ctes(labeled_relation, windows_relation=none, windows=none) %}
    {#-
        CTEs ending in comparison_pairs: champion rows paired with every shadow / challenger
        version's row for the same request (model_name, request_id), in the champion's window,
        plus candidate rows whose request the champion never scored. windows_relation (model_name,
        window_start): only the pairs of those windows; partners and the candidate versions are
        still looked up in every window, so a window's pairs equal a full build's. windows (their
        window_start values as timestamp literals, from windows_as_constants): the log is read
        for those windows by constant filters, and a partner lookup reads only the requests they
        hold (DuckDB), so a daily run does not hash the whole history.
    -#}
    {%- set candidate_role = "(deployment_role is null or deployment_role not in ('champion', 'canary'))" -%}
    {#- ranges, not an IN list: DuckDB applies them in the scan, before reading the other columns -#}
    {%- set in_windows = ' and ' ~ modelwatch.in_windows_predicate('window_start', windows) if windows is not none else '' -%}
    {#- partner lookups limited to the requests of those windows: on DuckDB only, where it was
        measured; PostgreSQL planned the semi-joins through the materialized CTEs as nested
        loops over the whole history (a test run did not finish in 30 minutes) -#}
    {%- set by_request = windows is not none and target.type == 'duckdb' -%}
comparison_champion as (

    select c.*
    from ({{ modelwatch.comparison_requests(labeled_relation, "deployment_role = 'champion'" ~ in_windows) }}
    ) as c
    {%- if windows_relation %}
    inner join {{ windows_relation }} as w
        on c.model_name = w.model_name
        and c.window_start = w.window_start
    {%- endif %}

),

-- shadows and challengers score the champion's requests; a canary serves its own
comparison_candidate_versions as (

    select distinct
        model_name,
        model_version,
        deployment_role
    from ({{ modelwatch.comparison_requests(labeled_relation, candidate_role) }}
    ) as k

),

comparison_candidates as (

    select k.*
    from ({{ modelwatch.comparison_requests(labeled_relation, candidate_role) }}
    ) as k
    {%- if by_request %}
    -- the partners of the champion rows above only
    inner join (select distinct model_name, request_id from comparison_champion) as r
        on k.model_name = r.model_name
        and k.request_id = r.request_id
    {%- endif %}

),

-- every champion row against every candidate version of its model: a missing partner shows
comparison_expected_pairs as (

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
    from comparison_champion as c
    inner join comparison_candidate_versions as v
        on c.model_name = v.model_name

),

comparison_paired as (

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
    from comparison_expected_pairs as e
    left join comparison_candidates as k
        on e.model_name = k.model_name
        and e.candidate_version = k.model_version
        and e.request_id = k.request_id

),

comparison_window_candidates as (

    select k.*
    from ({{ modelwatch.comparison_requests(labeled_relation, candidate_role ~ in_windows) }}
    ) as k
    {%- if windows_relation %}
    inner join {{ windows_relation }} as w
        on k.model_name = w.model_name
        and k.window_start = w.window_start
    {%- endif %}

),

comparison_orphans as (

    -- candidate rows whose request the champion never scored (in any window)
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
    from comparison_window_candidates as k
    left join (
        select c.model_name, c.request_id
        from ({{ modelwatch.comparison_requests(labeled_relation, "deployment_role = 'champion'") }}
        ) as c
        {%- if by_request %}
        -- the requests of the candidate rows above only
        inner join (select distinct model_name, request_id from comparison_window_candidates) as r
            on c.model_name = r.model_name
            and c.request_id = r.request_id
        {%- endif %}
    ) as c
        on k.model_name = c.model_name
        and k.request_id = c.request_id
    where c.request_id is null

),

comparison_pairs as (

    select * from comparison_paired
    union all
    select * from comparison_orphans

)
{%- endmacro %}


{% macro comparison_requests(labeled_relation, where) %}
    {#- the rows of comparison_pairs_ctes: binary models' rows with a request id, and `where` -#}
    {%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
    {%- set cols = modelwatch.get_config().columns.predictions -%}
    {%- set configured = cols.request_id is not none and cols.deployment_role is not none %}
    select
        model_name,
        model_version,
        window_start,
        request_id,
        deployment_role,
        score,
        predicted_label,
        label
    from {{ labeled_relation }}
    where request_id is not null
        {%- if not configured %}
        and 1 = 0
        {%- elif other_tasks %}
        -- binary models only: McNemar, both ROC AUCs and score differences are binary figures
        and not {{ modelwatch.model_in('model_name', other_tasks) }}
        {%- endif %}
        and {{ where }}
{%- endmacro %}


{% macro deployment_window_status(windows_having, models_having=none) %}
    {#-
        A subquery of (model_name, window_start) with the label fingerprint over all the window's
        versions (label_rows, last_labeled_at, is_final: every version final), for the windows
        (and models) whose int_modelwatch__performance_window_status rows satisfy the having
        conditions: the windows a deployment table covers, for label_windows_to_process.
    -#}
    {%- set status = ref('int_modelwatch__performance_window_status') -%}
    {%- set other_tasks = modelwatch.models_with_task('regression') + modelwatch.models_with_task('multiclass') -%}
    (
        select
            model_name,
            window_start,
            sum(label_rows) as label_rows,
            max(last_labeled_at) as last_labeled_at,
            min(case when is_final then 1 else 0 end) = 1 as is_final
        from {{ status }}
        where 1 = 1
            {%- if other_tasks %}
            -- binary models only, as the deployment tables
            and not {{ modelwatch.model_in('model_name', other_tasks) }}
            {%- endif %}
            {%- if models_having %}
            and model_name in (
                select model_name from {{ status }}
                group by model_name
                having {{ models_having }}
            )
            {%- endif %}
        group by model_name, window_start
        having {{ windows_having }}
    )
{%- endmacro %}
