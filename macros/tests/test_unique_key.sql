{#- The grain of a table: no two rows share these columns (nulls compare equal). -#}
{% test unique_key(model, columns) %}
    {{ config(severity='error') }}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
