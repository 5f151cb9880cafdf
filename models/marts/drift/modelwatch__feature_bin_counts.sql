{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['model_name', 'window_start'],
    on_schema_change='fail',
) }}
{#-
    Per window, every reference bin of every monitored feature with the window's count and its PSI
    contribution: the evidence behind feature_drift. Bins a window does not hit are present with
    count 0, so each window holds the same bins.
-#}

with

catalog as (

    {{ modelwatch.feature_catalog_relation() }}

),

reference_bins as (

    select
        c.feature_id,
        b.*
    from {{ ref('modelwatch__reference_bins') }} as b
    inner join catalog as c
        on b.model_name = c.model_name and b.feature_name = c.feature_name

),

edges as (

    select * from {{ ref('int_modelwatch__reference_numeric_edges') }}

),

monitored as (

    select * from {{ ref('int_modelwatch__predictions_monitored') }}
    where {{ modelwatch.incremental_window_filter() }}

),

numeric_values as (

    {{ modelwatch.unpivot_features('monitored', 'numeric') }}

),

categorical_values as (

    {{ modelwatch.unpivot_features('monitored', 'categorical') }}

),

special_bins as (

    select
        feature_id,
        max(case when category = '__other__' and not is_null_bin then bin_index end) as other_bin_index,
        max(case when is_null_bin then bin_index end) as null_bin_index
    from reference_bins
    where feature_type = 'categorical'
    group by feature_id

),

numeric_binned as (

    select
        v.feature_id,
        v.window_start,
        {{ modelwatch.numeric_bin_index('v.feature_value', 'e') }} as bin_index
    from numeric_values as v
    inner join edges as e
        on v.feature_id = e.feature_id

),

categorical_binned as (

    select
        v.feature_id,
        v.window_start,
        case
            when v.feature_value is null then s.null_bin_index
            else coalesce(b.bin_index, s.other_bin_index)
        end as bin_index
    from categorical_values as v
    inner join special_bins as s
        on v.feature_id = s.feature_id
    left join reference_bins as b
        on v.feature_id = b.feature_id
        and v.feature_value = b.category
        and b.feature_type = 'categorical'
        and not b.is_null_bin
        and b.category != '__other__'

),

binned as (

    select * from numeric_binned
    union all
    select * from categorical_binned

),

bin_counts as (

    select
        feature_id,
        window_start,
        bin_index,
        count(*) as current_count
    from binned
    group by feature_id, window_start, bin_index

),

window_totals as (

    select
        model_name,
        window_start,
        count(*) as current_total
    from monitored
    group by model_name, window_start

),

all_bins as (

    select
        w.model_name,
        w.window_start,
        b.feature_name,
        b.bin_index,
        b.feature_type,
        b.reference_proportion,
        w.current_total,
        coalesce(c.current_count, 0) as current_count
    from window_totals as w
    inner join reference_bins as b
        on w.model_name = b.model_name
    left join bin_counts as c
        on b.feature_id = c.feature_id
        and w.window_start = c.window_start
        and b.bin_index = c.bin_index

),

final as (

    select
        model_name,
        window_start,
        feature_name,
        bin_index,
        feature_type,
        current_count,
        current_total,
        1.0 * current_count / current_total as current_proportion,
        reference_proportion,
        {{ modelwatch.psi_contribution('1.0 * current_count / current_total', 'reference_proportion') }} as psi_contribution
    from all_bins

)

select
    *,
    -- which config built the row: a changed config rebuilds the model's windows
    {{ modelwatch.config_fingerprint('model_name') }} as config_fingerprint
from final
