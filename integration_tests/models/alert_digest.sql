-- A user model downstream of modelwatch's alerts: an error-level alert test must not skip it.
select
    model_name,
    severity,
    count(*) as alert_count
from {{ ref('modelwatch', 'modelwatch__alerts') }}
group by model_name, severity
