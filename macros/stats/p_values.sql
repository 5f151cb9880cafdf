{#- Over 300 lines: three small p-value families sharing this header's conventions and _validate_keys; split when one grows. -#}
{#-
    P-values in portable SQL, so feature_drift and model_comparison need nothing but dbt and the
    adapter. Measured against scipy by python/tests/test_sql_p_values.py (tolerances there and in
    the README); the opt-in Python models (python_models) replace the KS p-value with scipy's
    exact small-sample one where they run.
      chi2_p_values(relation, keys, statistic, dof, max_dof)  chi2.sf, exact closed form
      ks_p_values(relation, keys, statistic, n1, n2)          ks_2samp's p-value, approximated
      mcnemar_p_values(relation, keys, b, c)                  stats.mcnemar_p_value, exact
    Each is a query: the key columns and the p-value for every row of `relation` (null where the
    p-value is undefined, with the reason in the macro's notes). Intermediate values are columns
    of CTEs, so no expression is repeated inside another. Results below 1e-300 are 0.
-#}

{% macro chi2_p_values(relation, key_columns, statistic, dof, max_dof) %}
    {#-
        A query: key_columns + chi2_p_value = scipy.stats.chi2.sf(statistic, dof) per row of
        `relation`, for integer dof (chi2_contingency's p-value). Closed form of the regularized
        upper incomplete gamma Q(dof/2, y), y = statistic/2, by Q(a+1, y) = Q(a, y) + y^a e^-y / G(a+1):
            even dof:  Q = sum_{i < dof/2}          exp(-y + i ln y - ln i!)
            odd dof:   Q = erfc(sqrt y) + sum_{i < (dof-1)/2} exp(-y + (i+1/2) ln y - ln G(i+3/2))
        Only positive terms (no cancellation), each in log space so no power or factorial
        overflows; the log-gammas are running sums of ln over a numbers table of floor(max_dof/2)
        rows. Edge cases: dof = 0 -> 1 (one non-empty bin, as scipy); statistic = 0 -> 1;
        null, NaN/infinite or negative input -> null; dof > max_dof -> null (past the table:
        raise max_dof); a huge statistic -> 0.
    -#}
    {%- if max_dof is not number or max_dof < 1 or max_dof != (max_dof | int) -%}
        {{ exceptions.raise_compiler_error("modelwatch: chi2_p_values needs max_dof, a whole number >= 1, got " ~ max_dof) }}
    {%- endif -%}
    {%- do modelwatch._validate_keys('chi2_p_values', key_columns) -%}
    {{- return(adapter.dispatch('chi2_p_values', 'modelwatch')(relation, key_columns, statistic, dof, max_dof)) -}}
{% endmacro %}

{% macro default__chi2_p_values(relation, key_columns, statistic, dof, max_dof) %}
    {%- set double = modelwatch.type_double() -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set terms = [(max_dof // 2), 1] | max -%}
    with

    numbers as (
        {{ modelwatch.numbers(terms) }}
    ),

    log_gammas as (
        -- ln G(i + 1) = ln i! and ln G(i + 3/2) = ln G(1/2) + sum_{j <= i} ln(j + 1/2)
        select
            i,
            sum(ln(cast(case when i < 1 then 1 else i end as {{ double }}))) over (
                order by i rows between unbounded preceding and current row
            ) as ln_gamma_whole,
            {{ modelwatch.double_literal('0.5723649429247001') }} + sum(ln(cast(i as {{ double }}) + {{ modelwatch.double_literal('0.5') }})) over (
                order by i rows between unbounded preceding and current row
            ) as ln_gamma_half
        from numbers
    ),

    inputs as (
        select
            {{ keys }},
            cast({{ statistic }} as {{ double }}) as statistic,
            cast({{ dof }} as {{ dbt.type_bigint() }}) as dof
        from {{ relation }}
    ),

    usable as (
        -- rows with a finite positive statistic and 1 <= dof <= max_dof: the others are decided below
        select
            {{ keys }},
            dof,
            statistic / {{ modelwatch.double_literal(2) }} as y
        from inputs
        where statistic > 0 and {{ modelwatch.is_finite('statistic') }} and dof between 1 and {{ max_dof }}
    ),

    series as (
        select
            {% for k in key_columns %}u.{{ k }}, {% endfor %}
            sum({{ modelwatch.safe_exp(
                '-u.y + (g.i + case when u.dof % 2 = 1 then ' ~ modelwatch.double_literal('0.5') ~ ' else ' ~ modelwatch.double_literal(0) ~ ' end) * ln(u.y)'
                ~ ' - case when u.dof % 2 = 1 then g.ln_gamma_half else g.ln_gamma_whole end') }}) as series_sum
        from usable as u
        inner join log_gammas as g
            on 2 * g.i + 2 <= u.dof
        group by {% for k in key_columns %}u.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
    ),

    odd_parts as (
        select
            {{ keys }},
            {{ modelwatch.erfc_of_sqrt('y') }} as erfc_part
        from usable
        where dof % 2 = 1
    ),

    final as (
        select
            {% for k in key_columns %}i.{{ k }}, {% endfor %}
            case
                when i.statistic is null or i.dof is null then null
                when not {{ modelwatch.is_finite('i.statistic') }} then null
                when i.statistic < 0 or i.dof < 0 then null
                when i.dof = 0 then {{ modelwatch.double_literal(1) }}
                when i.dof > {{ max_dof }} then null
                when i.statistic = 0 then {{ modelwatch.double_literal(1) }}
                when coalesce(o.erfc_part, 0) + coalesce(s.series_sum, 0) < {{ modelwatch.double_literal('1e-300') }} then {{ modelwatch.double_literal(0) }}
                else least({{ modelwatch.double_literal(1) }}, coalesce(o.erfc_part, {{ modelwatch.double_literal(0) }}) + coalesce(s.series_sum, {{ modelwatch.double_literal(0) }}))
            end as chi2_p_value
        from inputs as i
        left join series as s
            on {% for k in key_columns %}i.{{ k }} = s.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        left join odd_parts as o
            on {% for k in key_columns %}i.{{ k }} = o.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    )

    select * from final
{% endmacro %}


{% macro kolmogorov_sf(z) %}
    {#-
        Q(z) = P(K > z) of the Kolmogorov distribution, 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 z^2),
        to ~1e-16: five terms of that series from z = 1.18, below it the Jacobi-theta form
        1 - sqrt(2 pi)/z sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 z^2)) (four terms), 1 below z = 0.15.
    -#}
    {{- return(adapter.dispatch('kolmogorov_sf', 'modelwatch')(z)) -}}
{% endmacro %}

{% macro default__kolmogorov_sf(z) -%}
    (case
        when {{ z }} < {{ modelwatch.double_literal('0.15') }} then {{ modelwatch.double_literal(1) }}
        when {{ z }} < {{ modelwatch.double_literal('1.18') }} then {{ modelwatch.double_literal(1) }}
            - {{ modelwatch.double_literal('2.5066282746310002') }} / {{ z }} * (
            {%- for k in range(1, 5) %}
                {{ ' + ' if not loop.first }}{{ modelwatch.safe_exp('-' ~ modelwatch.double_literal((2 * k - 1) ** 2) ~ ' * ' ~ modelwatch.double_literal('1.2337005501361697') ~ ' / (' ~ z ~ ' * ' ~ z ~ ')') }}
            {%- endfor %})
        else {{ modelwatch.double_literal(2) }} * (
            {%- for k in range(1, 6) %}
                {{ (' + ' if k % 2 == 1 else ' - ') if not loop.first }}{{ modelwatch.safe_exp('-' ~ modelwatch.double_literal(2 * k * k) ~ ' * ' ~ z ~ ' * ' ~ z) }}
            {%- endfor %})
    end)
{%- endmacro %}


{% macro _validate_keys(macro_name, key_columns) %}
    {%- if key_columns is string or key_columns | length == 0 -%}
        {{ exceptions.raise_compiler_error("modelwatch: " ~ macro_name ~ " needs key_columns, a non-empty list of column names") }}
    {%- endif -%}
{% endmacro %}


{% macro ks_p_values(relation, key_columns, statistic, n1, n2) %}
    {#-
        A query: key_columns + ks_p_value, the two-sided two-sample KS p-value for D = statistic
        and sample sizes n1, n2, approximating scipy.stats.ks_2samp(...).pvalue (method 'auto')
        by Q(z) of the Kolmogorov distribution (kolmogorov_sf) at
            z = sqrt(N) D + c / (6 sqrt(N))
        Where scipy is exact (max(n1, n2) <= 10000): N = n1 n2 / (n1 + n2) and
        c = 1 - 2 gcd(n1, n2) / (n1 + n2). Elsewhere, as scipy's asymptotic kstwo.sf(D, N):
        N = round(n1 n2 / (n1 + n2)) (half to even, as numpy) and c = 1.
        1/(6 sqrt N) is the first-order small-sample term of the one-sample distribution
        (Pelz-Good; in the tail this is Maag-Dicaire's 2 exp(-(6ND + 1)^2 / (18N))). Two samples
        cross a level with a jump of 1/n1 or 1/n2 on the lattice of step 1/lcm(n1, n2): the term
        vanishes when both jumps are one step (n1 = n2) and is whole on a fine lattice, hence c.
        Errors against scipy (python/tests/test_sql_p_values.py, README): about 0.15/N in the
        asymptotic regime; in the exact one up to ~0.03 for samples under 10, ~0.01 from 25,
        ~0.002 from 250 (python_models gives scipy's exact value there).
        Edge cases: null or < 1 sample size -> null; D null or NaN -> null; D <= 0 -> 1.
    -#}
    {%- do modelwatch._validate_keys('ks_p_values', key_columns) -%}
    {{- return(adapter.dispatch('ks_p_values', 'modelwatch')(relation, key_columns, statistic, n1, n2)) -}}
{% endmacro %}

{% macro default__ks_p_values(relation, key_columns, statistic, n1, n2) %}
    {%- set double = modelwatch.type_double() -%}
    {%- set keys = key_columns | join(', ') -%}
    with

    inputs as (
        select
            {{ keys }},
            cast({{ statistic }} as {{ double }}) as statistic,
            cast({{ n1 }} as {{ dbt.type_bigint() }}) as n1,
            cast({{ n2 }} as {{ dbt.type_bigint() }}) as n2
        from {{ relation }}
    ),

    sizes as (
        select
            {{ keys }},
            statistic,
            greatest(n1, n2) <= 10000 as is_exact_regime,
            cast(n1 as {{ double }}) * cast(n2 as {{ double }}) / (cast(n1 as {{ double }}) + cast(n2 as {{ double }})) as effective_n,
            {{ modelwatch.double_literal(2) }} * cast({{ modelwatch.gcd('n1', 'n2') }} as {{ double }})
                / (cast(n1 as {{ double }}) + cast(n2 as {{ double }})) as lattice_share
        from inputs
        where n1 >= 1 and n2 >= 1 and statistic > 0 and {{ modelwatch.is_finite('statistic') }}
    ),

    scaled as (
        select
            {{ keys }},
            statistic,
            case
                when is_exact_regime then effective_n
                when effective_n - floor(effective_n) = {{ modelwatch.double_literal('0.5') }}
                    then {{ modelwatch.double_literal(2) }} * round(effective_n / {{ modelwatch.double_literal(2) }})
                else round(effective_n)
            end as kolmogorov_n,
            case when is_exact_regime then {{ modelwatch.double_literal(1) }} - lattice_share else {{ modelwatch.double_literal(1) }} end as shift_factor
        from sizes
    ),

    shifted as (
        select
            {{ keys }},
            sqrt(kolmogorov_n) * statistic + shift_factor / ({{ modelwatch.double_literal(6) }} * sqrt(kolmogorov_n)) as z
        from scaled
    ),

    tails as (
        select
            {{ keys }},
            least({{ modelwatch.double_literal(1) }}, greatest({{ modelwatch.double_literal(0) }}, {{ modelwatch.kolmogorov_sf('z') }})) as tail
        from shifted
    ),

    final as (
        select
            {% for k in key_columns %}i.{{ k }}, {% endfor %}
            case
                when i.statistic is null or i.n1 is null or i.n2 is null then null
                when i.n1 < 1 or i.n2 < 1 then null
                when not {{ modelwatch.is_finite('i.statistic') }} then null
                when i.statistic <= 0 then {{ modelwatch.double_literal(1) }}
                when t.tail < {{ modelwatch.double_literal('1e-300') }} then {{ modelwatch.double_literal(0) }}
                else t.tail
            end as ks_p_value
        from inputs as i
        left join tails as t
            on {% for k in key_columns %}i.{{ k }} = t.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    )

    select * from final
{% endmacro %}


{% macro mcnemar_p_values(relation, key_columns, b, c) %}
    {#-
        A query: key_columns + mcnemar_p_value, McNemar's two-sided p-value from the discordant
        counts b and c, as modelwatch.stats.mcnemar_p_value: below 25 discordant pairs the exact
        binomial test min(1, 2 P(X <= min(b, c))), X ~ Binomial(b + c, 1/2), read from a table of
        exact cumulative sums of C(n, k) written at compile time (integers below 2^24 and one
        correctly rounded division, so exact to the last bit); from 25 on
        chi2.sf((|b - c| - 1)^2 / (b + c), 1) = erfc(sqrt(statistic / 2)).
        Null without discordant pairs (b + c = 0) or with a null or negative count.
    -#}
    {%- do modelwatch._validate_keys('mcnemar_p_values', key_columns) -%}
    {{- return(adapter.dispatch('mcnemar_p_values', 'modelwatch')(relation, key_columns, b, c)) -}}
{% endmacro %}

{% macro default__mcnemar_p_values(relation, key_columns, b, c) %}
    {%- set double = modelwatch.type_double() -%}
    {%- set keys = key_columns | join(', ') -%}
    with

    inputs as (
        select
            {{ keys }},
            cast({{ b }} as {{ dbt.type_bigint() }}) as b,
            cast({{ c }} as {{ dbt.type_bigint() }}) as c
        from {{ relation }}
    ),

    exact_table as (
        -- (n, k, 2 P(X <= k)) for X ~ Binomial(n, 1/2), n < 25, k <= n / 2, capped at 1
        {%- for n in range(1, 25) %}
            {%- set ns = namespace(binomial=1, cumulative=0) %}
            {%- for k in range(0, n // 2 + 1) %}
                {%- set ns.cumulative = ns.cumulative + ns.binomial %}
        {{ 'union all ' if not (n == 1 and k == 0) }}select {{ n }} as n, {{ k }} as k, {{ modelwatch.double_literal(1) if 2 * ns.cumulative >= 2 ** n else modelwatch.double_literal(ns.cumulative) ~ ' / ' ~ modelwatch.double_literal(2 ** (n - 1)) }} as p_value
                {%- set ns.binomial = ns.binomial * (n - k) // (k + 1) %}
            {%- endfor %}
        {%- endfor %}
    ),

    chi_square as (
        select
            {{ keys }},
            cast((abs(b - c) - 1) * (abs(b - c) - 1) as {{ double }}) / cast(b + c as {{ double }}) / {{ modelwatch.double_literal(2) }} as y
        from inputs
        where b >= 0 and c >= 0 and b + c >= 25
    ),

    chi_square_tails as (
        select
            {{ keys }},
            {{ modelwatch.erfc_of_sqrt('y') }} as tail
        from chi_square
    ),

    final as (
        select
            {% for k in key_columns %}i.{{ k }}, {% endfor %}
            case
                when i.b is null or i.c is null or i.b < 0 or i.c < 0 or i.b + i.c = 0 then null
                when i.b + i.c < 25 then e.p_value
                when t.tail < {{ modelwatch.double_literal('1e-300') }} then {{ modelwatch.double_literal(0) }}
                else t.tail
            end as mcnemar_p_value
        from inputs as i
        left join exact_table as e
            on i.b + i.c = e.n and least(i.b, i.c) = e.k
        left join chi_square_tails as t
            on {% for k in key_columns %}i.{{ k }} = t.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    )

    select * from final
{% endmacro %}
