-- The user's own staging model, named as modelwatch's internal one once was: must not collide.
select * from {{ source('raw', 'predictions') }}
