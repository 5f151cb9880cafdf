{#- input_quality accounts for every input row exactly once: its totals equal the inputs'. -#}

with

counted as (

    select
        sum(prediction_rows) as prediction_rows,
        sum(valid_prediction_rows + unmonitored_prediction_rows + quarantined_prediction_rows) as prediction_outcomes,
        sum(label_rows) as label_rows,
        sum(valid_label_rows + unmonitored_label_rows + quarantined_label_rows) as label_outcomes
    from {{ ref('modelwatch__input_quality') }}

),

inputs as (

    select
        (select count(*) from {{ modelwatch.input_relation('predictions') }}) as input_prediction_rows,
        {%- if modelwatch.get_config().inputs.labels %}
        (select count(*) from {{ modelwatch.input_relation('labels') }}) as input_label_rows
        {%- else %}
        0 as input_label_rows
        {%- endif %}

)

select
    counted.*,
    inputs.*
from counted
cross join inputs
where counted.prediction_rows != inputs.input_prediction_rows
    or counted.prediction_outcomes != inputs.input_prediction_rows
    or counted.label_rows != inputs.input_label_rows
    or counted.label_outcomes != inputs.input_label_rows
