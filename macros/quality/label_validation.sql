{% macro label_validation_scope(max_windows=5000) %}
    {#-
        Compile time, for an incremental run of int_modelwatch__labels_validated: which label
        windows it recomputes and how far back it must read predictions, as SQL constants, so
        the scans of the label input and the log skip older blocks. Returns none (recompute
        everything) on an empty table or when more than max_windows label windows changed.
          label_windows: timestamp literals, sorted, the undated window (1970-01-01) first:
            the windows of labels dated inside the lookback, the undated one, and every stored
            label window holding a row that can change: a valid row of a prediction that got a
            new label (a correction re-ranks it; valid rows are dated after their prediction,
            so they sit at or after its window), or a row of a prediction not yet seen (it may
            have arrived since).
          prediction_windows: the windows of the predictions of the label rows in those
            windows (the id index's; equal hashes only add windows): the log is read there only.
          ranked_from: the earliest of them with a valid label row, none if none: their other
            valid label rows, which a correction ranks against, are dated after it.
        Predictions dated before the lookback that arrive late are not in the id index until a
        --full-refresh, as for every incremental table.
    -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set undated = modelwatch.undated_label_window() -%}
    {%- set labels = ref('stg_modelwatch__labels') -%}
    {%- set index = ref('stg_modelwatch__prediction_id_index') -%}
    {%- set starts = run_query('select ' ~ modelwatch.incremental_lookback_start('label_window') ~ ', '
        ~ modelwatch.incremental_lookback_start()).rows[0] -%}
    {%- if starts[0] is none -%}{{ return(none) }}{%- endif -%}
    {%- set label_start = modelwatch.timestamp_literal(starts[0]) -%}
    {%- set prediction_start = modelwatch.timestamp_literal(starts[1]) if starts[1] is not none else label_start -%}

    {#- predictions with a new label that can be valid (dated inside the lookback; staging
        quarantines undated ones): only a valid row re-ranks the others -#}
    {%- set new_label_ids -%}
        select l.prediction_id
        from {{ labels }} as l
        where l.labeled_at >= {{ label_start }}
            and l.quarantine_reason is null
    {%- endset -%}
    {%- set earliest = run_query(
        'select min(i.window_start) from ' ~ index ~ ' as i where i.id_key in (select '
        ~ modelwatch.prediction_id_key('n.prediction_id') ~ ' from (' ~ new_label_ids ~ ') as n)').rows[0][0] -%}
    {%- set valid_rows_from = prediction_start if earliest is none
        else 'least(' ~ prediction_start ~ ', ' ~ modelwatch.timestamp_literal(earliest) ~ ')' -%}

    {%- set windows_query -%}
        select {{ modelwatch.window_start('l.labeled_at') }} as label_window
        from {{ labels }} as l
        where l.labeled_at >= {{ label_start }}
        union
        select s.label_window
        from {{ this }} as s
        where (s.label_window >= {{ valid_rows_from }} or s.model_name = '__unknown__')
            and s.prediction_id in (
                {{ new_label_ids }}
                union
                -- predictions inside the lookback: their labels may have arrived first
                select p.prediction_id
                from {{ ref('stg_modelwatch__predictions') }} as p
                where p.predicted_at >= {{ prediction_start }}
                    and p.id_occurrence = 1
            )
    {%- endset -%}
    {%- set found = run_query(windows_query).columns[0].values() | reject('none') | list -%}
    {%- if found | length > max_windows -%}{{ return(none) }}{%- endif -%}
    {%- set windows = [undated] -%}
    {%- for value in found | map('string') | unique | sort -%}
        {%- set literal = modelwatch.timestamp_literal(value) -%}
        {%- if literal != undated -%}{%- do windows.append(literal) -%}{%- endif -%}
    {%- endfor -%}

    {#- the windows of the predictions of every label row in those windows (undated labels
        included), and whether a valid label row points at them -#}
    {%- set batch_rows = modelwatch.in_windows_predicate('l.labeled_at', windows[1:], with_null=true) -%}
    {%- set prediction_windows = run_query(
        'select i.window_start, max(b.valid) from ' ~ index ~ ' as i inner join (select '
        ~ modelwatch.prediction_id_key('l.prediction_id') ~ ' as id_key, max(case when l.quarantine_reason is null then 1 else 0 end) as valid from '
        ~ labels ~ ' as l where ' ~ batch_rows ~ ' group by ' ~ modelwatch.prediction_id_key('l.prediction_id')
        ~ ') as b on i.id_key = b.id_key group by i.window_start order by i.window_start').rows -%}
    {%- set literals = [] -%}
    {%- set ranked = [] -%}
    {%- for row in prediction_windows -%}
        {%- do literals.append(modelwatch.timestamp_literal(row[0])) -%}
        {%- if row[1] == 1 -%}{%- do ranked.append(literals[-1]) -%}{%- endif -%}
    {%- endfor -%}
    {{ return({
        'label_windows': windows,
        'prediction_windows': literals,
        'ranked_from': ranked[0] if ranked else none,
    }) }}
{% endmacro %}


{% macro undated_label_window() %}
    {#- the label_window of undated label rows (staging quarantines them): one key of its own -#}
    {{ return(modelwatch.timestamp_literal('1970-01-01 00:00:00')) }}
{% endmacro %}
