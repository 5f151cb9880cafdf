{#-
    The reference's empirical CDF per numeric feature: distinct non-null values with their count
    and the running count at or below them. The KS statistic reads it for every window.
-#}

with

reference as (

    select * from {{ ref('stg_reference') }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('reference', 'numeric', with_window=false, is_reference=true) }}

),

value_counts as (

    select
        model_name,
        feature_name,
        feature_value,
        count(*) as value_count
    from numeric_values
    where feature_value is not null
    group by model_name, feature_name, feature_value

),

final as (

    select
        model_name,
        feature_name,
        feature_value,
        value_count,
        cast(sum(value_count) over (
            partition by model_name, feature_name
            order by feature_value rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as cumulative_count,
        cast(sum(value_count) over (partition by model_name, feature_name) as {{ dbt.type_bigint() }}) as non_null_count
    from value_counts

)

select * from final
