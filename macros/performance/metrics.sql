{#-
    Building blocks of the label-joined metrics, each defined as its scikit-learn reference:
    log_loss (clipped to [eps, 1 - eps], eps = float64 machine epsilon), calibration_curve bins
    (strategy='uniform') and roc_auc_score from per-score counts.
-#}

{% macro log_loss_term(score, label) %}
    {#- One row's contribution to sklearn.metrics.log_loss. -#}
    {%- set eps = '2.220446049250313e-16' -%}
    case
        when {{ label }} = 1 then -ln(greatest(least({{ score }}, 1 - {{ eps }}), {{ eps }}))
        when {{ label }} = 0 then -ln(greatest(least(1 - {{ score }}, 1 - {{ eps }}), {{ eps }}))
    end
{%- endmacro %}


{% macro calibration_edges(n_bins) %}
    {#- numpy.linspace(0, 1, n_bins + 1) exactly: step * i, the last edge 1.0. -#}
    {%- set step = 1.0 / n_bins -%}
    {%- set edges = [] -%}
    {%- for i in range(n_bins) -%}{%- do edges.append(i * step) -%}{%- endfor -%}
    {%- do edges.append(1.0) -%}
    {{ return(edges) }}
{% endmacro %}


{% macro calibration_bin_index(score, n_bins=none) %}
    {#-
        As sklearn.calibration.calibration_curve(strategy='uniform'): searchsorted(edges[1:-1],
        score) with side='left', so a score equal to an inner edge belongs to the lower bin.
        Edges are rendered with repr so they equal numpy's float64 values bit for bit.
    -#}
    {%- set n_bins = n_bins or modelwatch.get_config().performance.calibration_bins -%}
    {%- set edges = modelwatch.calibration_edges(n_bins) -%}
    case
        {%- for k in range(1, n_bins) %}
        when {{ score }} <= {{ '%r' % edges[k] }} then {{ k - 1 }}
        {%- endfor %}
        else {{ n_bins - 1 }}
    end
{%- endmacro %}


{% macro auc_groups_cte(source, group_columns, prefix) %}
    {#- the AUC CTEs' `{prefix}auc_groups`: an integer id per group, so sorts are on (id, score) -#}
    {%- set keys = group_columns | join(', ') -%}
    {{ prefix }}auc_groups as (

        select
            {{ keys }},
            row_number() over (order by {{ keys }}) as auc_group_id
        from (select distinct {{ keys }} from {{ source }}) as distinct_groups

    )
{%- endmacro %}


{% macro auc_by_group_cte(group_columns, auc_columns, prefix) %}
    {#- the AUC CTEs' last, `{prefix}roc_auc`: the group columns back on each group id's AUCs -#}
    {{ prefix }}roc_auc as (

        select
            {%- for c in group_columns %}
            g.{{ c }},
            {%- endfor %}
            {%- for c in auc_columns %}
            a.{{ c }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ prefix }}auc_groups as g
        inner join {{ prefix }}auc_by_group_id as a
            on g.auc_group_id = a.auc_group_id

    )
{%- endmacro %}


{% macro roc_auc_ctes(source, group_columns, weights, prefix='') %}
    {#-
        CTEs ending in `{prefix}roc_auc` over relation `source` (group columns must not be null): for
        each (name, positive_weight, negative_weight) in weights, {name}_auc is
        sum over distinct scores of P_s * (N_below_s + N_s / 2) / (P * N), which is
        sklearn.metrics.roc_auc_score (ties averaged) with those sample weights; null when either
        class has no weight. Rows are grouped by (group, score) first, so ties cost one row, and
        groups get an integer id: the running sums sort on (id, score), not on strings.
    -#}
    {{ modelwatch.auc_groups_cte(source, group_columns, prefix) }},

    {{ prefix }}score_groups as (

        select
            g.auc_group_id,
            s.score,
            {%- for name, positive, negative in weights %}
            sum(cast({{ positive }} as {{ modelwatch.type_double() }})) as {{ name }}_positive_weight,
            sum(cast({{ negative }} as {{ modelwatch.type_double() }})) as {{ name }}_negative_weight{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as s
        inner join {{ prefix }}auc_groups as g
            on {% for c in group_columns %}s.{{ c }} = g.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
        group by g.auc_group_id, s.score

    ),

    {{ prefix }}score_ranks as (

        select
            *,
            {%- for name, positive, negative in weights %}
            coalesce(sum({{ name }}_negative_weight) over (
                partition by auc_group_id
                order by score
                rows between unbounded preceding and 1 preceding
            ), 0) as {{ name }}_negative_below{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ prefix }}score_groups

    ),

    {{ prefix }}auc_by_group_id as (

        select
            auc_group_id,
            {%- for name, positive, negative in weights %}
            case
                when sum({{ name }}_positive_weight) > 0 and sum({{ name }}_negative_weight) > 0
                    then sum({{ name }}_positive_weight * ({{ name }}_negative_below + {{ modelwatch.double_literal('0.5') }} * {{ name }}_negative_weight))
                        / (sum({{ name }}_positive_weight) * sum({{ name }}_negative_weight))
            end as {{ name }}_auc{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ prefix }}score_ranks
        group by auc_group_id

    ),

    {%- set auc_columns = [] -%}
    {%- for name, positive, negative in weights -%}{%- do auc_columns.append(name ~ '_auc') -%}{%- endfor %}
    {{ modelwatch.auc_by_group_cte(group_columns, auc_columns, prefix) }}
{%- endmacro %}


{% macro label_roc_auc_ctes(source, group_columns, prefix='') %}
    {#-
        CTEs ending in `{prefix}roc_auc` (group columns, realized_auc) over the rows of relation
        `source` with a 0/1 `label`: sklearn.metrics.roc_auc_score (ties averaged) as the
        Mann-Whitney U of mid-ranks, U = sum of the positives' mid-ranks - P (P + 1) / 2, over
        P * N; null when either class is missing. One sort per group (rank() and the count of
        rows up to each score's last tie come from the same window) instead of grouping rows by
        score and a running sum, which cost twice as much; the integer arithmetic gives the same
        double as roc_auc_ctes' weighted sums. Groups get an integer id: the sort is on (id,
        score), not on strings.
    -#}
    {{ modelwatch.auc_groups_cte(source, group_columns, prefix) }},

    {{ prefix }}label_ranks as (

        select
            g.auc_group_id,
            s.label,
            -- twice the mid-rank: the tie's first rank plus its last
            rank() over (partition by g.auc_group_id order by s.score)
                + count(*) over (partition by g.auc_group_id order by s.score) as double_mid_rank
        from {{ source }} as s
        inner join {{ prefix }}auc_groups as g
            on {% for c in group_columns %}s.{{ c }} = g.{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
        where s.label in (0, 1)

    ),

    {{ prefix }}auc_by_group_id as (

        select
            auc_group_id,
            case
                when sum(label) > 0 and sum(1 - label) > 0
                    then {{ modelwatch.double_literal('0.5') }}
                        * cast(sum(label * double_mid_rank) - sum(label) * (sum(label) + 1) as {{ modelwatch.type_double() }})
                        / (cast(sum(label) as {{ modelwatch.type_double() }}) * sum(1 - label))
            end as realized_auc
        from {{ prefix }}label_ranks
        group by auc_group_id

    ),

    {{ modelwatch.auc_by_group_cte(group_columns, ['realized_auc'], prefix) }}
{%- endmacro %}


{% macro ece_ctes(source, group_columns, with_lower=false, with_noise=false) %}
    {#-
        CTEs `calibration` (per group and calibration_bin of the labeled rows of `source`: count,
        mean score, observed rate, as sklearn.calibration.calibration_curve(strategy='uniform'))
        and `ece` (sum over bins of n_b / n * |mean_score_b - observed_rate_b|). `source` needs
        score, label and calibration_bin (calibration_bin_index). with_lower adds ece_lower:
        each bin's gap less its 95% sampling allowance were the bin calibrated. with_noise adds
        ece_noise_mean and ece_noise_sd: ECE's mean and sd were every bin calibrated (noise.sql).
    -#}
    {%- set noise_terms = modelwatch.ece_noise_terms('bin_count', 'mean_variance') -%}
    {%- set keys = group_columns | join(', ') -%}
    calibration as (

        select
            {{ keys }},
            calibration_bin,
            count(*) as bin_count,
            avg(score) as mean_score,
            avg({{ modelwatch.double_literal(1) }} * label) as observed_rate
            {%- if with_noise %},
            avg(score * ({{ modelwatch.double_literal(1) }} - score)) as mean_variance
            {%- endif %}
        from {{ source }}
        where label is not null
        group by {{ keys }}, calibration_bin

    ),

    ece as (

        select
            {{ keys }},
            sum(bin_count * abs(mean_score - observed_rate)) / sum(bin_count) as ece
            {%- if with_lower %},
            sum(bin_count * greatest(0, abs(mean_score - observed_rate)
                - {{ modelwatch.z_95() }} * sqrt(mean_score * (1 - mean_score) / bin_count))) / sum(bin_count) as ece_lower
            {%- endif %}
            {%- if with_noise %},
            sum({{ noise_terms[0] }}) / sum(bin_count) as ece_noise_mean,
            sqrt(({{ modelwatch.double_literal(1) }} - {{ modelwatch.double_literal(2) }} / pi()) * sum({{ noise_terms[1] }})) / sum(bin_count) as ece_noise_sd
            {%- endif %}
        from calibration
        group by {{ keys }}

    )
{%- endmacro %}
