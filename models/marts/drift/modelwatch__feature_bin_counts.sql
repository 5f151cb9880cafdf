{{ config(materialized='view') }}
{#-
    The contract table over int_modelwatch__feature_bin_counts, where the counts are stored
    incrementally per window (and which the drift statistics read, so no intermediate model reads
    a mart). A view: the counts are the largest drift table and are not stored twice.
-#}
select * from {{ ref('int_modelwatch__feature_bin_counts') }}
