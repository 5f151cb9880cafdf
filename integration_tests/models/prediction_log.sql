-- The prediction log modelwatch monitors is a dbt model: it must be built before modelwatch reads it.
select * from {{ ref('stg_predictions') }}
