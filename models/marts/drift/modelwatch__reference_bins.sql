{#-
    The fixed bins every window is compared on, with the reference's counts: the contract table
    over int_modelwatch__reference_bins, where they are computed (and which the intermediate
    drift models read, so no intermediate model reads a mart).
-#}
select * from {{ ref('int_modelwatch__reference_bins') }}
