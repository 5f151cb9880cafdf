{{ config(materialized='view') }}
{#-
    The contract table over int_modelwatch__feature_bin_counts, where the counts are stored
    incrementally per window (and which the drift statistics read, so no intermediate model reads
    a mart). A view: the counts are the largest drift table and are not stored twice. Columns
    named in the contract's order: Spark stores the table's partition columns last.
-#}
select
    model_name,
    window_start,
    feature_name,
    segment_key,
    segment_value,
    bin_index,
    feature_type,
    current_count,
    current_total,
    current_proportion,
    reference_proportion,
    psi_contribution,
    reference_count,
    reference_total,
    config_fingerprint
from {{ ref('int_modelwatch__feature_bin_counts') }}
