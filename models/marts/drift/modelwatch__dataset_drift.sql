{#-
    Dataset drift per model and window (Evidently's "share of drifted columns"): how many of the
    monitored features (not the score) drifted beyond noise (feature_drift.is_drifted: psi,
    js_distance or ks_statistic breaching, thresholds raised to the noise floor), their share,
    and which ones.
-#}

with

drift as (

    select * from {{ ref('modelwatch__feature_drift') }}
    where segment_key = '__all__' and feature_name != 'score'

),

drifted as (

    select
        model_name,
        window_start,
        {{ modelwatch.ordered_listagg('feature_name', "', '", 'order by feature_name') }} as drifted_features
    from drift
    where is_drifted
    group by model_name, window_start

),

counted as (

    select
        model_name,
        window_start,
        max(window_end) as window_end,
        count(*) as monitored_feature_count,
        cast(sum(case when is_drifted then 1 else 0 end) as {{ dbt.type_bigint() }}) as drifted_feature_count
    from drift
    group by model_name, window_start

),

final as (

    select
        c.model_name,
        c.window_start,
        c.window_end,
        c.monitored_feature_count,
        c.drifted_feature_count,
        cast(c.drifted_feature_count as {{ modelwatch.type_double() }}) / c.monitored_feature_count as drifted_feature_share,
        coalesce(d.drifted_features, '') as drifted_features
    from counted as c
    left join drifted as d
        on c.model_name = d.model_name
        and c.window_start = d.window_start

)

select * from final
