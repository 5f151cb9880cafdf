{#-
    Champion rows paired with every shadow / challenger version's rows that scored the same request
    (model_name, request_id), in the champion's window, plus the rows left without a partner
    (a shadow score whose champion row is missing, or the reverse) so they are counted, not lost.
    Needs the request_id and deployment_role columns; without them there are no rows.
    Binary models only. The pairing lives in macros/operations/deployments.sql, which
    model_comparison calls on the windows it recomputes; this view shows every window's pairs.
-#}

with

labeled as (

    select * from {{ ref('int_modelwatch__predictions_labeled') }}

),

{{ modelwatch.comparison_pairs_ctes('labeled') }},

final as (

    select * from comparison_pairs

)

select * from final
