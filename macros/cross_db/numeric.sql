{#- Finite-ness tests differ per engine: Postgres treats NaN = NaN as true, DuckDB has isfinite. -#}
{% macro is_finite(expr) %}
    {{ return(adapter.dispatch('is_finite', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__is_finite(expr) %}
    ({{ expr }} not in (cast('NaN' as {{ modelwatch.type_double() }}), cast('Infinity' as {{ modelwatch.type_double() }}), cast('-Infinity' as {{ modelwatch.type_double() }})))
{% endmacro %}

{% macro duckdb__is_finite(expr) %}isfinite({{ expr }}){% endmacro %}

{% macro spark__is_finite(expr) %}
    (not isnan({{ expr }}) and abs({{ expr }}) != double('infinity'))
{% endmacro %}


{% macro is_nan(expr) %}
    {{ return(adapter.dispatch('is_nan', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__is_nan(expr) %}({{ expr }} = cast('NaN' as {{ modelwatch.type_double() }})){% endmacro %}

{% macro duckdb__is_nan(expr) %}isnan({{ expr }}){% endmacro %}

{% macro spark__is_nan(expr) %}isnan({{ expr }}){% endmacro %}


{% macro to_double(expr, safe=false) %}
    {#-
        Numeric feature value as a double; NaN means missing, so it becomes null. safe: a value
        that does not cast becomes null too (see is_type_error to tell the two apart).
    -#}
    {%- set cast_expr = modelwatch.safe_cast(expr, modelwatch.type_double()) if safe
        else 'cast(' ~ expr ~ ' as ' ~ modelwatch.type_double() ~ ')' -%}
    case when {{ modelwatch.is_nan(cast_expr) }} then null else {{ cast_expr }} end
{%- endmacro %}


{% macro is_type_error(expr, type) %}
    {#- A value present in the input that does not cast to the type. -#}
    ({{ expr }} is not null and {{ modelwatch.safe_cast(expr, type) }} is null)
{%- endmacro %}


{% macro percentile_cont(expr, fraction) %}
    {#- Linear interpolation between order statistics, as numpy.percentile's default. -#}
    {{ return(adapter.dispatch('percentile_cont', 'modelwatch')(expr, fraction)) }}
{% endmacro %}

{% macro default__percentile_cont(expr, fraction) %}
    percentile_cont({{ fraction }}) within group (order by {{ expr }})
{% endmacro %}

{% macro duckdb__percentile_cont(expr, fraction) %}
    quantile_cont({{ expr }}, {{ fraction }})
{% endmacro %}

{% macro spark__percentile_cont(expr, fraction) %}
    percentile({{ expr }}, {{ fraction }})
{% endmacro %}



{% macro quantiles(expr, fractions, one_buffer=false) %}
    {#- One SQL expression per fraction (percentile_cont each); engines that can share one sort do.
        one_buffer: on Spark, one percentile() over an array of the fractions (see its twin). -#}
    {{ return(adapter.dispatch('quantiles', 'modelwatch')(expr, fractions, one_buffer)) }}
{% endmacro %}

{% macro default__quantiles(expr, fractions, one_buffer=false) %}
    {%- set out = [] -%}
    {%- for f in fractions -%}{%- do out.append(modelwatch.percentile_cont(expr, f)) -%}{%- endfor -%}
    {{ return(out) }}
{% endmacro %}

{% macro duckdb__quantiles(expr, fractions, one_buffer=false) %}
    {#- The list form sorts once; the optimizer deduplicates the repeated aggregate. -#}
    {%- set out = [] -%}
    {%- set list_literal = '[' ~ (fractions | join(', ')) ~ ']' -%}
    {%- for f in fractions -%}
        {%- do out.append('quantile_cont(' ~ expr ~ ', ' ~ list_literal ~ ')[' ~ loop.index ~ ']') -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}

{% macro spark__quantiles(expr, fractions, one_buffer=false) %}
    {#-
        one_buffer: the array form keeps one buffer of the values for all fractions (Spark
        deduplicates the repeated aggregate); one percentile() per fraction kept a buffer each,
        which ran a 6 GB driver out of memory on the reference edges (20 features x 1M values).
        Only the edges ask for it: in model_performance's wide aggregate the array form ran the
        4 GB driver of the test suite out of heap (not understood yet).
    -#}
    {%- if not one_buffer -%}{{ return(modelwatch.default__quantiles(expr, fractions)) }}{%- endif -%}
    {%- set out = [] -%}
    {%- set array_literal = 'array(' ~ (fractions | join(', ')) ~ ')' -%}
    {%- for f in fractions -%}
        {%- do out.append('percentile(' ~ expr ~ ', ' ~ array_literal ~ ')[' ~ (loop.index - 1) ~ ']') -%}
    {%- endfor -%}
    {{ return(out) }}
{% endmacro %}


{% macro safe_divide(numerator, denominator) %}
    {#- null instead of a division by zero. -#}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}


{% macro hash_fraction(expr) %}
    {#- A deterministic pseudo-random number in [0, 1) from a string: for reproducible samples. -#}
    {{ return(adapter.dispatch('hash_fraction', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro default__hash_fraction(expr) %}
    (cast(('x' || substr(md5(cast({{ expr }} as {{ dbt.type_string() }})), 1, 8))::bit(32) as bigint) & 2147483647) / {{ modelwatch.double_literal(2147483648) }}
{%- endmacro %}

{% macro duckdb__hash_fraction(expr) %}
    (hash(cast({{ expr }} as varchar)) % 1000000007) / {{ modelwatch.double_literal(1000000007) }}
{%- endmacro %}

{% macro spark__hash_fraction(expr) %}
    (pmod(xxhash64(cast({{ expr }} as string)), 1000000007) / {{ modelwatch.double_literal(1000000007) }})
{%- endmacro %}


{% macro normal_two_sided_p_value_sql(z) %}
    {#-
        2 * P(Z > z) for z >= 0 (Abramowitz-Stegun 26.2.17: |error| < 1.5e-7 on the p-value),
        written with ln/exp/sqrt only so every engine computes it alike.
    -#}
    {%- set t = '(' ~ modelwatch.double_literal(1) ~ ' / (' ~ modelwatch.double_literal(1) ~ ' + ' ~ modelwatch.double_literal('0.2316419') ~ ' * (' ~ z ~ ')))' -%}
    {%- set density = 'exp(-' ~ modelwatch.double_literal('0.5') ~ ' * (' ~ z ~ ') * (' ~ z ~ ')) / sqrt(' ~ modelwatch.double_literal(2) ~ ' * pi())' -%}
    ({{ modelwatch.double_literal(2) }} * {{ density }} * {{ t }} * ({{ modelwatch.double_literal('0.319381530') }} + {{ t }} * (-{{ modelwatch.double_literal('0.356563782') }} + {{ t }} * ({{ modelwatch.double_literal('1.781477937') }} + {{ t }} * (-{{ modelwatch.double_literal('1.821255978') }} + {{ t }} * {{ modelwatch.double_literal('1.330274429') }})))))
{%- endmacro %}


{% macro number_text(expr) %}
    {#-
        A double as text, the same on every engine: whole numbers without a decimal part (DuckDB
        writes 43800.0 where PostgreSQL writes 43800), others in the engine's shortest form.
    -#}
    {{ return(adapter.dispatch('number_text', 'modelwatch')(expr)) }}
{% endmacro %}

{% macro spark__number_text(expr) %}
    {#-
        Spark writes doubles as Java does, in E notation below 1e-3 and from 1e7 (5.0E-4); DuckDB
        and PostgreSQL as Python's repr, plain from 1e-4 to 1e16 (0.0005, 1e-07, 1.5e+20).
        Java's digits, rewritten into that form (rint: Spark's floor is a BIGINT, which overflows).
    -#}
    {%- set plain = "concat(p.sign, case when p.e < 0 then concat('0.', repeat('0', -p.e - 1), p.d) "
        ~ "else concat(rpad(substr(p.d, 1, p.e + 1), p.e + 1, '0'), '.', "
        ~ "coalesce(nullif(substr(p.d, p.e + 2), ''), '0')) end)" -%}
    {%- set scientific = "concat(p.sign, regexp_replace(p.m, '[.]0$', ''), 'e', "
        ~ "case when p.e < 0 then '-' else '+' end, case when abs(p.e) < 10 then '0' else '' end, cast(abs(p.e) as string))" -%}
    {%- set parts = "named_struct('sign', case when s like '-%' then '-' else '' end, "
        ~ "'m', regexp_replace(split(s, 'E')[0], '^-', ''), 'e', cast(split(s, 'E')[1] as int), "
        ~ "'d', regexp_replace(regexp_replace(split(s, 'E')[0], '[-.]', ''), '0+$', ''))" -%}
    {{ return('(case when abs(' ~ expr ~ ') < 1e15 and ' ~ expr ~ ' = rint(' ~ expr ~ ') then cast(cast('
        ~ expr ~ ' as bigint) as string) else transform(array(cast(' ~ expr ~ ' as string)), s -> '
        ~ 'case when s not like \'%E%\' then s else transform(array(' ~ parts ~ '), p -> '
        ~ 'case when p.e between -4 and 15 then ' ~ plain ~ ' else ' ~ scientific ~ ' end)[0] end)[0] end)') }}
{% endmacro %}

{% macro default__number_text(expr) %}
    {{ return('(case when ' ~ expr ~ ' = floor(' ~ expr ~ ') and abs(' ~ expr ~ ') < 1e15 then cast(cast('
        ~ expr ~ ' as ' ~ dbt.type_bigint() ~ ') as ' ~ dbt.type_string() ~ ') else cast(' ~ expr ~ ' as '
        ~ dbt.type_string() ~ ') end)') }}
{% endmacro %}
