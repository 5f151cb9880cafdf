{#-
    Class-prior shift per multiclass model, window and distribution ('predicted_class' over the
    served population, 'label' over its labeled rows) against the baseline's class shares:
    PSI over the configured classes (class_prior_shift judges it, with the PSI noise floor for
    the window's and the baseline's sizes over that many classes), Jensen-Shannon distance
    (scipy jensenshannon, base 2) and the chi-square statistic of
    scipy.stats.chi2_contingency([reference, current], correction=False) over the classes
    non-empty on either side, with its degrees of freedom. Null without a baseline.
-#}
{%- set double = modelwatch.type_double() -%}

with

classes as (

    select * from {{ ref('modelwatch__class_distribution') }}

),

final as (

    select
        model_name,
        window_start,
        distribution,
        max(window_end) as window_end,
        cast(max(current_total) as {{ dbt.type_bigint() }}) as current_count,
        cast(max(reference_total) as {{ dbt.type_bigint() }}) as reference_count,
        cast(count(*) as {{ dbt.type_bigint() }}) as class_count,
        sum(psi_contribution) as psi,
        case when max(reference_total) > 0 then
            sqrt(greatest(sum({{ modelwatch.js_divergence_term('current_proportion', 'reference_proportion') }}), 0) / ln(cast(2 as {{ double }})) / 2)
        end as js_distance,
        case when max(reference_total) > 0 then
            sum(case when reference_count + current_count > 0 then
                {{ modelwatch.chi2_term('current_count', 'current_total', 'reference_count + current_count', 'current_total + reference_total') }}
                + {{ modelwatch.chi2_term('reference_count', 'reference_total', 'reference_count + current_count', 'current_total + reference_total') }}
            end)
        end as chi2_statistic,
        case when max(reference_total) > 0 then
            cast(sum(case when reference_count + current_count > 0 then 1 else 0 end) - 1 as {{ dbt.type_bigint() }})
        end as chi2_dof
    from classes
    group by model_name, window_start, distribution

)

select * from final
