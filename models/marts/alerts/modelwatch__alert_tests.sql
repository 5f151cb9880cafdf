{#-
    The alert tests' anchor (see _alerts__models.yml): a leaf nothing reads, so dbt build never
    skips a model downstream of alerts because an alert test failed.
-#}
{{ config(materialized='view') }}

select * from {{ ref('modelwatch__alerts') }}
