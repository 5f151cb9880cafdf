{#- Label rows not used as a prediction's label, with the reason (corrections included). -#}

with

labels as (

    select * from {{ ref('int_labels__validated') }}

),

final as (

    select *
    from labels
    where quarantine_reason is not null

)

select * from final
